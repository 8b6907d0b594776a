"""In-process llama.cpp: the laptop backend, no server and no network."""

from __future__ import annotations

import os
import time

from columnist.config import WriterSettings
from columnist.errors import ModelError
from columnist.modelfiles import SHIPPED, gguf_path
from columnist.writer.backends.base import Completion, Message


class EmbeddedBackend:
    name = "embedded"

    def __init__(self, settings: WriterSettings) -> None:
        from llama_cpp import Llama

        path = gguf_path(settings.model)
        self.model = settings.model if settings.model in SHIPPED else path.name
        threads = settings.threads or max(1, len(os.sched_getaffinity(0)))
        try:
            self.llm = Llama(
                model_path=str(path),
                n_ctx=settings.context,
                n_threads=threads,
                n_threads_batch=threads,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"model file {path} cannot be loaded: {exc}") from None

    def complete(
        self,
        messages: list[Message],
        *,
        max_tokens: int,
        temperature: float,
        seed: int | None = None,
    ) -> Completion:
        started = time.perf_counter()
        result = self.llm.create_chat_completion(
            messages=messages,
            max_tokens=max_tokens,
            temperature=temperature,
            top_p=0.9,
            repeat_penalty=1.1,
            seed=seed,
        )
        usage = result.get("usage") or {}
        return Completion(
            text=result["choices"][0]["message"]["content"] or "",
            tokens_in=usage.get("prompt_tokens"),
            tokens_out=usage.get("completion_tokens"),
            seconds=time.perf_counter() - started,
        )
