"""Model backends: the embedded llama.cpp model and any OpenAI-compatible server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from columnist.commentary.backends.base import Backend, Completion, Message
from columnist.commentary.backends.registry import BACKENDS

if TYPE_CHECKING:
    from columnist.config import WriterSettings


def make_backend(settings: WriterSettings) -> Backend:
    """The backend `writer.backend` names; the embedded one loads its model here."""
    return BACKENDS[settings.backend].make(settings)


__all__ = ["BACKENDS", "Backend", "Completion", "Message", "make_backend"]
