"""Model backends: the embedded llama.cpp model and any OpenAI-compatible server."""

from __future__ import annotations

from columnist.config import WriterSettings
from columnist.writer.backends.base import Backend, Completion, Message


def make_backend(settings: WriterSettings) -> Backend:
    """The backend `writer.backend` names; the embedded one loads its model here."""
    if settings.backend == "openai":
        from columnist.writer.backends.openai import OpenAIBackend

        return OpenAIBackend(settings)
    from columnist.writer.backends.embedded import EmbeddedBackend

    return EmbeddedBackend(settings)


__all__ = ["Backend", "Completion", "Message", "make_backend"]
