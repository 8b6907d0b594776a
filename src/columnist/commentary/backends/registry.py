"""The writing backends, by the name `[writer] backend` gives them: the one place that
knows which backends exist. Config loading, `make_backend`, the site's note on how the
commentaries were written and the command-line help all ask here.

Each backend owns its options: a dataclass in its own module, read from the
`[writer.<name>]` table (`[writer.embedded] threads`, `[writer.openai] base_urls`).
Backend modules import their heavy libraries (llama.cpp, httpx) only when a backend is
made, so reading the config, which reads every backend's table, loads neither. To add
a backend: write its class (a `Backend`, made from the WriterSettings) and its options
(a `BackendOptions`) in a module beside this one and add a row.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from columnist.commentary.backends.base import Backend, BackendOptions
    from columnist.config import WriterSettings


def _load(target: str) -> Any:
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True, slots=True)
class BackendInfo:
    name: str  # also the name of its table, [writer.<name>]
    target: str  # "module:Class" of the backend
    options: str  # "module:Class" of its options (a BackendOptions dataclass)
    where: str  # where the model runs, for the site's note: "... running {where}"
    model_files: bool  # `model` may be a path to a GGUF file, relative to the config
    server_key: str | None = None  # the option listing its servers (`--base-url` sets it)

    def options_class(self) -> type[BackendOptions]:
        return _load(self.options)

    def default_options(self) -> Any:
        return self.options_class()()

    def make(self, settings: WriterSettings) -> Backend:
        return _load(self.target)(settings)


BACKENDS: dict[str, BackendInfo] = {
    info.name: info
    for info in (
        BackendInfo(
            "embedded",
            "columnist.commentary.backends.embedded:EmbeddedBackend",
            "columnist.commentary.backends.embedded:EmbeddedOptions",
            where="on this machine",
            model_files=True,
        ),
        BackendInfo(
            "openai",
            "columnist.commentary.backends.openai:OpenAIBackend",
            "columnist.commentary.backends.openai:OpenAIOptions",
            where="on an inference server",
            model_files=False,
            server_key="base_urls",
        ),
    )
}
DEFAULT_BACKEND = "embedded"  # the shipped model, in-process, no network


def names(sep: str = " | ") -> str:
    """The backends' names, e.g. for help: 'embedded | openai'."""
    return sep.join(BACKENDS)
