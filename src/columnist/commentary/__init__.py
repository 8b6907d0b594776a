"""Writer stage: prompts, model backends, output checks and excerpts."""
