"""What every backend offers: one chat completion, with its cost measured."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    from typing import Self

    from columnist.commentary.constraints import Constraints
    from columnist.errors import ConfigError

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


@dataclass(slots=True)
class Completion:
    text: str
    tokens_in: int | None
    tokens_out: int | None
    seconds: float  # wall time of the call, retries and waits included
    finish_reason: str | None = None  # "stop" | "length" | ...
    engine_seconds: float | None = None  # llama.cpp's own prompt + generation time
    # the first reply token's likeliest alternatives, text -> log-probability, when asked
    # for (`top_logprobs`): how sure a yes/no answer is, not only which won
    top_logprobs: dict[str, float] | None = None


class Backend(Protocol):
    name: str  # its name in registry.py's BACKENDS
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
        top_logprobs: int = 0,
    ) -> Completion: ...

    def close(self) -> None: ...

    # Optional: `start_story(preamble: str) -> None`, called before a story's first call
    # with the system message's text that every story shares (embedded.py keeps only
    # that in its prompt cache, so a story's text does not depend on the one before).


class OptionTable(Protocol):
    """A backend's table, `[writer.<name>]`, as its options read it (config.py's
    `BackendTable`): a key missing there is looked for under its old flat name in
    [writer], with a deprecation note; every error names the key where it was found."""

    def get(
        self, key: str, kind: type | tuple[type, ...], default: Any = ..., *, min_value=None
    ) -> Any: ...

    def fail(self, key: str, why: str) -> ConfigError: ...


class BackendOptions(Protocol):
    """A backend's own settings, a dataclass read from its `[writer.<name>]` table."""

    # Keys that used to sit in [writer] itself: old name -> its name in [writer.<name>].
    FLAT_KEYS: ClassVar[dict[str, str]]

    @classmethod
    def parse(cls, table: OptionTable, *, chosen: bool) -> Self:
        """Read the table; `chosen`: this is the desk's `writer.backend` (only then are
        the keys it cannot do without required)."""
        ...
