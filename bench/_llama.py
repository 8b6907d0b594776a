"""The embedded model for the benches that read its logits, not its replies.

bench/support_likelihood.py and bench/topics_model_check.py score many prompts that
share a long prefix (a story's sources; a topic and its answers); llama.cpp keeps the
evaluated tokens in its KV cache, so only the tokens after the shared prefix need to run.
"""

from __future__ import annotations


def load_llama(model: str, threads: int, n_ctx: int, *, logits_all: bool = False):
    """The shipped GGUF of `model` in llama.cpp, quiet, on `threads` threads."""
    from llama_cpp import Llama

    from columnist.modelfiles import gguf_path

    return Llama(
        model_path=str(gguf_path(model)),
        n_ctx=n_ctx,
        n_batch=512,
        n_threads=threads,
        n_threads_batch=threads,
        logits_all=logits_all,
        verbose=False,
    )


def eval_after_cache(llm, tokens: list[int]) -> int:
    """Evaluate `tokens`, reusing the cached prefix they share with the last prompt (at
    least the last token is run, so its logits are fresh); how many tokens were run."""
    keep = 0
    for a, b in zip(llm.input_ids[: llm.n_tokens], tokens[:-1], strict=False):
        if a != b:
            break
        keep += 1
    llm.n_tokens = keep  # eval() drops the KV cache from here on
    llm.eval(tokens[keep:])
    return len(tokens) - keep
