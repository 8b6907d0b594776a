"""The announce stage: tell `[[webhooks]]` and `[[social]]` accounts what happened to
posts since the last run (published, updated, retracted), each event once per target."""
