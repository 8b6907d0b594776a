"""The write stage: a commentary per story (plan, paragraphs, checks), its prompts and
the model backends."""
