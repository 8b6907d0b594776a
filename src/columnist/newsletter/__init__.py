"""The newsletter: a digest of what was published in a period, as mail and on the site.

`issue.py` selects a period's posts and groups them by topic (the site's digest pages
and `columnist digest` share it), `render.py` makes the mail's HTML and text parts,
`recipients.py` reads the subscriber list, `send.py` speaks SMTP.
"""
