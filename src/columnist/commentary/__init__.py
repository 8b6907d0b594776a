"""The commentary stage (stage "write"): prompts, model backends, output checks and excerpts."""
