"""What every backend offers: one chat completion, with its cost measured."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from columnist.writer.constraints import Constraints

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


@dataclass(slots=True)
class Completion:
    text: str
    tokens_in: int | None
    tokens_out: int | None
    seconds: float  # wall time of the call, retries and waits included
    finish_reason: str | None = None  # "stop" | "length" | ...
    engine_seconds: float | None = None  # llama.cpp's own prompt + generation time


class Backend(Protocol):
    name: str  # "embedded" | "openai"
    model: str  # what the model call log records
    concurrency: int  # calls that may run at once (the write stage's thread count)

    def complete(
        self,
        messages: list[Message],
        *,
        max_tokens: int,
        temperature: float,
        seed: int | None = None,
        constraints: Constraints | None = None,
    ) -> Completion: ...

    def close(self) -> None: ...
