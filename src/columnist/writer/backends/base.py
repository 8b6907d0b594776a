"""What every backend offers: one chat completion, with its cost measured."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


@dataclass(slots=True)
class Completion:
    text: str
    tokens_in: int | None
    tokens_out: int | None
    seconds: float


class Backend(Protocol):
    name: str  # "embedded" | "openai"
    model: str  # what the model call log records

    def complete(
        self,
        messages: list[Message],
        *,
        max_tokens: int,
        temperature: float,
        seed: int | None = None,
    ) -> Completion: ...
