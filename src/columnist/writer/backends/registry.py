"""The writing backends, by the name `[writer] backend` gives them: the one place that
knows which backends exist. Config loading, `make_backend`, the site's note on how the
commentaries were written and the command-line help all ask here.

A backend module is imported only when its backend is made, so reading the config
does not load llama.cpp or httpx. To add a backend: write its class (a `Backend`, made
from the WriterSettings) in a module beside this one and add a row.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from columnist.config import WriterSettings
    from columnist.writer.backends.base import Backend


@dataclass(frozen=True, slots=True)
class BackendInfo:
    name: str
    target: str  # "module:Class" of the backend
    where: str  # where the model runs, for the site's note: "... running {where}"
    model_files: bool  # `model` may be a path to a GGUF file, relative to the config
    needs_base_url: bool  # `base_url` is required

    def make(self, settings: WriterSettings) -> Backend:
        module, cls = self.target.split(":")
        return getattr(importlib.import_module(module), cls)(settings)


BACKENDS: dict[str, BackendInfo] = {
    info.name: info
    for info in (
        BackendInfo(
            "embedded",
            "columnist.writer.backends.embedded:EmbeddedBackend",
            where="on this machine",
            model_files=True,
            needs_base_url=False,
        ),
        BackendInfo(
            "openai",
            "columnist.writer.backends.openai:OpenAIBackend",
            where="on an inference server",
            model_files=False,
            needs_base_url=True,
        ),
    )
}
DEFAULT_BACKEND = "embedded"  # the shipped model, in-process, no network


def names(sep: str = " | ") -> str:
    """The backends' names, e.g. for help: 'embedded | openai'."""
    return sep.join(BACKENDS)
