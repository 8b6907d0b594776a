"""In-process llama.cpp: the laptop backend, no server and no network.

A llama.cpp context is not thread-safe, so calls are serialised with a lock and the
backend reports a concurrency of 1; the write stage then runs one story at a time.
"""

from __future__ import annotations

import threading
import time

from columnist.config import WriterSettings
from columnist.cores import available_cores
from columnist.errors import ModelError
from columnist.modelfiles import SHIPPED, gguf_path
from columnist.writer.backends.base import Completion, Message


class EmbeddedBackend:
    name = "embedded"
    concurrency = 1

    def __init__(self, settings: WriterSettings) -> None:
        from llama_cpp import Llama

        path = gguf_path(settings.model)
        self.model = settings.model if settings.model in SHIPPED else path.name
        self.threads = settings.threads or available_cores()
        self._lock = threading.Lock()
        try:
            self.llm = Llama(
                model_path=str(path),
                n_ctx=settings.context,
                n_batch=min(settings.batch, settings.context),
                n_threads=self.threads,
                n_threads_batch=self.threads,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"writer.model: file {path} cannot be loaded: {exc}") from None

    def _engine_seconds(self) -> float | None:
        """llama.cpp's own prompt + generation time since the last reset."""
        try:
            import llama_cpp

            data = llama_cpp.llama_perf_context(self.llm._ctx.ctx)
            return (data.t_p_eval_ms + data.t_eval_ms) / 1000.0
        except (AttributeError, TypeError):  # another llama-cpp-python layout
            return None

    def _reset_perf(self) -> None:
        try:
            import llama_cpp

            llama_cpp.llama_perf_context_reset(self.llm._ctx.ctx)
        except (AttributeError, TypeError):
            pass

    def complete(
        self,
        messages: list[Message],
        *,
        max_tokens: int,
        temperature: float,
        seed: int | None = None,
    ) -> Completion:
        with self._lock:
            self._reset_perf()
            started = time.perf_counter()
            try:
                result = self.llm.create_chat_completion(
                    messages=messages,
                    max_tokens=max_tokens,
                    temperature=temperature,
                    top_p=0.9,
                    repeat_penalty=1.1,
                    seed=seed,
                )
            except ValueError as exc:  # e.g. the prompt does not fit the context
                raise ModelError(f"writer.context: {exc}") from None
            seconds = time.perf_counter() - started
            engine = self._engine_seconds()
        usage = result.get("usage") or {}
        choice = result["choices"][0]
        return Completion(
            text=choice["message"]["content"] or "",
            tokens_in=usage.get("prompt_tokens"),
            tokens_out=usage.get("completion_tokens"),
            seconds=seconds,
            finish_reason=choice.get("finish_reason"),
            engine_seconds=engine,
        )

    def close(self) -> None:
        self.llm.close()
