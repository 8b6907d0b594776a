"""`columnist sources`: each source's health, and OPML import and export.

Thin, like the other commands: the OPML work is in `columnist.ingest.opml`, the health figures
come from the store.
"""

from __future__ import annotations

import json
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from columnist import config as config_mod
from columnist.cli import ConfigOpt
from columnist.config_edit import write_atomically
from columnist.errors import ColumnistError, ConfigError
from columnist.progress import console, plain_help

if TYPE_CHECKING:  # the store (SQLAlchemy) loads only for commands that use it
    from columnist.store.sources import SourceState

app = typer.Typer(name="sources", help="Feed sources: health, OPML import and export.")


def _states(settings: config_mod.Settings) -> dict[str, SourceState]:
    """What the store knows of each source, by name (empty for a new desk)."""
    from columnist.store.db import open_engine
    from columnist.store.sources import all_sources

    engine = open_engine(settings.database.url)
    try:
        with engine.connect() as conn:
            return {s.name: s for s in all_sources(conn)}
    finally:
        engine.dispose()


def _current_url(src: config_mod.SourceSettings, state: SourceState | None) -> str:
    """Where the source is fetched from now: a permanent redirect may have moved it."""
    return state.url if state is not None and state.config_url == src.url else src.url


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "never"
    seconds = (now - when).total_seconds()
    return f"{_span(abs(seconds))} ago" if seconds >= 0 else f"in {_span(-seconds)}"


def _until(when: datetime | None, now: datetime) -> str:
    if when is None or when <= now:
        return "due now"
    return f"in {_span((when - now).total_seconds())}"


def _span(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def _health_json(src: config_mod.SourceSettings, state: SourceState | None) -> str:
    return json.dumps(
        {
            "name": src.name,
            "url": _current_url(src, state),
            "config_url": src.url,
            "last_fetch": _iso(state.last_fetch) if state else None,
            "last_success": _iso(state.last_success) if state else None,
            "failures": state.failures if state else 0,
            "last_error": state.last_error if state else None,
            "next_due": _iso(state.next_due) if state else None,
            "interval_s": state.interval_s if state else src.interval,
        },
        ensure_ascii=False,
    )


def _health_table(settings: config_mod.Settings, states: dict[str, SourceState]) -> Table:
    now = datetime.now(UTC)
    table = Table(title=f"{len(settings.sources)} sources", title_justify="left")
    for column in ("name", "url", "last success", "failures", "last error", "next due"):
        table.add_column(column, overflow="fold")
    for src in settings.sources:
        state = states.get(src.name)
        failures = state.failures if state else 0
        table.add_row(  # Text, not str: a cell string would be read as Rich markup
            Text(src.name),
            Text(_current_url(src, state)),
            _ago(state.last_success if state else None, now),
            Text(str(failures), style="red") if failures else "0",
            Text((state.last_error or "") if state else ""),
            _until(state.next_due if state else None, now),
        )
    return table


@app.callback(invoke_without_command=True)
def sources_list(
    ctx: typer.Context,
    config: ConfigOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines.")] = False,
) -> None:
    """Each source's health: last success, failures, last error, next due time."""
    if ctx.invoked_subcommand:
        return
    settings = config_mod.load(config)
    states = _states(settings)
    if as_json:
        for src in settings.sources:
            print(_health_json(src, states.get(src.name)))
        return
    out = Console(width=None if sys.stdout.isatty() else 200)
    out.print(_health_table(settings, states), highlight=False)


IMPORT_HELP = "Add the feeds of an OPML file to columnist.toml as [[sources]] (comments kept)."


@app.command("import", help=plain_help(IMPORT_HELP))
def sources_import(
    file: Annotated[Path, typer.Argument(help="An OPML file of feeds.")],
    config: ConfigOpt = None,
) -> None:
    """Append an OPML file's new feeds to columnist.toml as text, so its comments stay.

    The help shown is IMPORT_HELP, escaped (Rich markup would eat `[[sources]]`).
    """
    from columnist.ingest.opml import new_feeds, parse_opml, sources_toml

    settings = config_mod.load(config)
    try:
        content = file.read_bytes()
    except OSError as exc:
        raise ColumnistError(f"{file}: cannot read: {exc.strerror or exc}") from None
    found = parse_opml(content, str(file))
    for reason in found.skipped:
        console.print(f"[yellow]skipped[/] {escape(reason)}", highlight=False)
    added, duplicates = new_feeds(found.feeds, settings.sources)
    for feed in duplicates:
        console.print(f"already a source: {feed.url}", highlight=False, markup=False)
    if not added:
        console.print(
            f"{file}: no new feeds ({len(found.feeds)} listed)", highlight=False, markup=False
        )
        return
    text = settings.path.read_text(encoding="utf-8")
    stamp = f"{datetime.now(UTC):%Y-%m-%d}"
    text = (
        text
        + ("" if text.endswith("\n") else "\n")
        + sources_toml(added, f"imported from {file.name} on {stamp}")
    )
    try:  # never write a config the next command could not read
        config_mod.parse_settings(tomllib.loads(text), settings.path)
    except (tomllib.TOMLDecodeError, ConfigError) as exc:
        raise ColumnistError(f"{settings.path}: cannot add the feeds: {exc}") from None
    write_atomically(settings.path, text)
    for feed in added:
        console.print(f"added {feed.name!r}: {feed.url}", highlight=False, markup=False)
    console.print(
        f"{settings.path}: added {len(added)} sources, skipped {len(duplicates)} "
        f"already there and {len(found.skipped)} unusable",
        highlight=False,
        markup=False,
    )


@app.command("export")
def sources_export(
    config: ConfigOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="OPML file.")] = None,
) -> None:
    """Write the sources as OPML 2.0 (to stdout, or to --output)."""
    from columnist.ingest.opml import OpmlFeed, render_opml

    settings = config_mod.load(config)
    states = _states(settings)
    feeds = [OpmlFeed(s.name, _current_url(s, states.get(s.name))) for s in settings.sources]
    document = render_opml(feeds, f"{settings.site.title}: sources")
    if output is None:
        sys.stdout.buffer.write(document)
        return
    output.write_bytes(document)
    console.print(f"wrote {len(feeds)} sources to {output}", highlight=False, markup=False)
