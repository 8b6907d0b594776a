"""The `columnist` command. Thin: parse options, open the desk, call a stage, report.

This module holds what every command shares: the `app`, the entry point `main` (which
turns a ColumnistError into one red line), the common options and the desk opener. Each
command group lives in its own module and exposes one `typer.Typer` named `app`; a group
with a name of its own (`topics`, `sources`, ...) names it there, the others add their
commands to the top level. All are registered the same way, by the loop at the end.

    pipeline  ingest, assign, write, build, run, watch, serve
    demo      init, demo
    writer    log, eval-writer, eval-verifier
    store     posts, stories, migrate-store, db upgrade
    models    models install, models verify
    sources   sources [import | export]
    topics    topics test | explain | tune | events
    users     users add | list | remove | passwd
    review    review list | show | publish | reject | retract | edit
    admin     admin (the review desk in a browser)
    newsletter  digest (the newsletter: written, sent, once per issue)
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from columnist import config as config_mod
from columnist.errors import ColumnistError
from columnist.progress import console, plain_help

if TYPE_CHECKING:  # the store (SQLAlchemy) loads only for commands that use it
    from columnist.store.db import Engine

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn news feeds into a topic-organised commentary site.",
)


def config_option(help: str = "columnist.toml"):  # noqa: A002 - typer's own word
    """The `--config/-c FILE` option; its help is shown as written (`[[topics]]` stays)."""
    return Annotated[Path | None, typer.Option("--config", "-c", help=plain_help(help))]


ConfigOpt = config_option()
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]


def fail(message: str) -> None:
    """One red line; the message is shown as written (a `[[sources]]` in it stays)."""
    console.print(f"[red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(1)


def say(line: str) -> None:
    """One plain line on stderr, no markup or highlighting."""
    console.print(line, highlight=False, markup=False)


@contextmanager
def open_desk(config: Path | None) -> Iterator[tuple[config_mod.Settings, Engine]]:
    """The desk's settings and its store's engine, disposed of afterwards."""
    from columnist.store.db import open_engine

    settings = config_mod.load(config)
    engine = open_engine(settings.database.url)
    try:
        yield settings, engine
    finally:
        engine.dispose()


def main(args: list[str] | None = None) -> None:
    """Entry point: user errors become one red line, not a traceback. `args` are the
    command line's unless given (the tests run commands in-process through here)."""
    try:
        app(args=args)
    except ColumnistError as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(1)


GROUPS = (
    "pipeline",
    "demo",
    "writer",
    "store",
    "models",
    "sources",
    "topics",
    "users",
    "review",
    "admin",
    "newsletter",
)

for _group in GROUPS:
    app.add_typer(importlib.import_module(f"columnist.cli.{_group}").app)
