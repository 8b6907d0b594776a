"""In-process llama.cpp: the laptop backend, no server and no network.

A llama.cpp context is not thread-safe, so calls are serialised with a lock and the
backend reports a concurrency of 1; the write stage then runs one story at a time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from columnist.commentary.backends.base import Completion, Message, OptionTable
from columnist.cores import available_cores
from columnist.errors import ModelError
from columnist.modelfiles import SHIPPED, gguf_path

if TYPE_CHECKING:  # numpy (the sampler) and llama.cpp load when a backend is made
    from columnist.commentary.backends.sampler import TokenIndex
    from columnist.commentary.constraints import Constraints
    from columnist.config import WriterSettings


@dataclass(frozen=True, slots=True)
class EmbeddedOptions:
    """`[writer.embedded]`: how llama.cpp runs the model on this machine."""

    threads: int | None = None  # None: all the cores this process may use
    context: int = 4096  # tokens the model sees at once (prompt and reply)
    batch: int = 512  # prompt tokens per llama.cpp batch

    FLAT_KEYS: ClassVar[dict[str, str]] = {k: k for k in ("threads", "context", "batch")}

    @classmethod
    def parse(cls, table: OptionTable, *, chosen: bool) -> EmbeddedOptions:
        d = cls()
        return cls(
            threads=table.get("threads", int, None, min_value=1),
            context=table.get("context", int, d.context, min_value=512),
            batch=table.get("batch", int, d.batch, min_value=32),
        )


CHATML = (
    "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def chat_formatter(llm):
    """A renderer of messages by the model's own chat template (ChatML if it has none);
    shared with the benches, so they ask the model exactly as the product does."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    token = llm._model.token_get_text
    return Jinja2ChatFormatter(
        template=llm.metadata.get("tokenizer.chat_template") or CHATML,
        eos_token=token(llm.token_eos()),
        bos_token=token(llm.token_bos()),
    )


class EmbeddedBackend:
    name = "embedded"
    concurrency = 1

    def __init__(self, settings: WriterSettings) -> None:
        from llama_cpp import Llama

        options: EmbeddedOptions = settings.options_for(self.name)
        path = gguf_path(settings.model)
        self.model = settings.model if settings.model in SHIPPED else path.name
        self.threads = options.threads or available_cores()
        self._lock = threading.Lock()
        self._grammars: dict[str, object] = {}
        self._index: TokenIndex | None = None
        self._chat = None
        self._stops: tuple[int, ...] | None = None
        try:
            self.llm = Llama(
                model_path=str(path),
                n_ctx=options.context,
                n_batch=min(options.batch, options.context),
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

    def _grammar(self, text: str):
        """A compiled grammar, kept: a story's paragraphs share theirs."""
        from llama_cpp import LlamaGrammar

        if text not in self._grammars:
            if len(self._grammars) > 16:
                self._grammars.clear()
            try:
                self._grammars[text] = LlamaGrammar.from_string(text, verbose=False)
            except ValueError as exc:
                raise ModelError(
                    f"writer: the grammar for this call does not parse: {exc}"
                ) from None
        return self._grammars[text]

    def _token_index(self) -> TokenIndex:
        from columnist.commentary.backends.sampler import TokenIndex

        if self._index is None:
            pieces = [
                self.llm.detokenize([i]).decode("utf-8", errors="ignore")
                for i in range(self.llm.n_vocab())
            ]
            self._index = TokenIndex(pieces)
        return self._index

    def _stop_tokens(self) -> tuple[int, ...]:
        """The tokens that end a turn: the model's end-of-text and its chat template's."""
        if self._stops is None:
            ids = {self.llm.token_eos()}
            for text in (b"<|im_end|>", b"<|endoftext|>", b"<|eot_id|>", b"<end_of_turn>"):
                tokens = self.llm.tokenize(text, add_bos=False, special=True)
                if len(tokens) == 1:
                    ids.add(tokens[0])
            self._stops = tuple(sorted(i for i in ids if i >= 0))
        return self._stops

    def _formatter(self):
        """The model's own chat template, to render a prompt whose reply is pre-begun."""
        if self._chat is None:
            self._chat = chat_formatter(self.llm)
        return self._chat

    def start_story(self, preamble: str) -> None:
        """Leave in the prompt cache only the system preamble every story shares.

        llama.cpp's logits depend on how a prompt is split between the cache and the
        batch evaluated now (one prompt gave logits up to 0.5 apart after 0 and after
        505 cached tokens), so without this a story's text depended on how much of its
        first prompt the story before happened to share. Now it depends on the story
        alone: the cache keeps exactly `preamble`'s tokens when it holds them, else
        nothing, and the call after re-evaluates the rest.
        """
        with self._lock:
            keep = self._preamble_tokens(preamble)
            held = list(self.llm._input_ids)
            self.llm.n_tokens = len(keep) if keep and held[: len(keep)] == keep else 0

    def _preamble_tokens(self, preamble: str) -> list[int]:
        """The rendered chat's tokens up to the end of `preamble`, less the last (a token
        at the join may merge with what follows it in the full prompt)."""
        if not preamble:
            return []
        rendered = self._formatter()(messages=[{"role": "system", "content": preamble}])
        end = rendered.prompt.find(preamble)
        if end < 0:
            return []
        text = rendered.prompt[: end + len(preamble)]
        return list(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))[:-1]

    def _sampling(self, constraints: Constraints | None) -> dict:
        """The grammar and the logits processor for one call (see backends/sampler.py)."""
        from columnist.commentary.backends.sampler import processor

        if constraints is None:
            return {}
        extra: dict = {}
        if constraints.grammar:
            extra["grammar"] = self._grammar(constraints.grammar)
        process = processor(
            constraints, self._token_index(), self.llm.detokenize, self._stop_tokens()
        )
        if process is not None:
            extra["logits_processor"] = [process]
        return extra

    def _generate(self, messages, constraints, **sampling) -> dict:
        """A chat completion, or with a lead a plain completion of the rendered chat."""
        lead = constraints.lead if constraints else ""
        if not lead:
            return self.llm.create_chat_completion(messages=messages, **sampling)
        rendered = self._formatter()(messages=messages)
        result = self.llm.create_completion(
            prompt=rendered.prompt + lead, stop=rendered.stop, **sampling
        )
        choice = result["choices"][0]
        message = {"role": "assistant", "content": choice["text"]}
        return {"usage": result.get("usage"), "choices": [choice | {"message": message}]}

    def complete(
        self,
        messages: list[Message],
        *,
        max_tokens: int,
        temperature: float,
        seed: int | None = None,
        constraints: Constraints | None = None,
        top_logprobs: int = 0,
    ) -> Completion:
        first: dict[str, float] = {}
        with self._lock:
            extra = self._sampling(constraints)
            if top_logprobs > 0:
                watch = self._first_token_watch(top_logprobs, first)
                extra["logits_processor"] = [*extra.get("logits_processor", []), watch]
            self._reset_perf()
            started = time.perf_counter()
            try:
                result = self._generate(
                    messages,
                    constraints,
                    max_tokens=max_tokens,
                    temperature=temperature,
                    top_p=0.9,
                    repeat_penalty=1.1,
                    seed=seed,
                    **extra,
                )
            except ValueError as exc:  # e.g. the prompt does not fit the context
                raise ModelError(f"writer.{self.name}.context: {exc}") from None
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
            top_logprobs=first or None,
        )

    def _first_token_watch(self, n: int, into: dict[str, float]):
        """A logits processor that leaves the logits alone and writes the first reply
        token's `n` likeliest pieces, with their log-probabilities, `into` the dict (the
        model is loaded without `logits_all`, so llama-cpp-python's own logprobs are off)."""
        import numpy as np

        def watch(_input_ids, scores):
            if not into:
                logits = np.asarray(scores, dtype=np.float64)
                top = logits.max()
                log_total = top + np.log(np.exp(logits - top).sum())
                for i in np.argpartition(logits, -n)[-n:]:
                    piece = self.llm.detokenize([int(i)]).decode("utf-8", errors="ignore")
                    value = float(logits[i] - log_total)
                    into[piece] = (
                        float(np.logaddexp(into[piece], value)) if piece in into else value
                    )
            return scores

        return watch

    def close(self) -> None:
        self.llm.close()
