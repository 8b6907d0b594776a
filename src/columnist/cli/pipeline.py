"""The pipeline's commands: each stage on its own, `run` for all four, `watch` to keep a
desk current, and `serve` to preview the result."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from columnist.cli import ConfigOpt, QuietOpt, fail, open_desk, say
from columnist.config import load
from columnist.progress import console, stage

app = typer.Typer()


def do_ingest(settings, engine, quiet: bool = False, due: bool = False) -> None:
    from columnist.ingest.pipeline import run_ingest

    started = time.perf_counter()
    with stage("ingest", quiet) as progress:
        report = run_ingest(engine, settings, progress, due_only=due)
    for outcome in report.errors:
        console.print(
            f"[yellow]source {escape(repr(outcome.name))}:[/] {escape(outcome.error or '')}",
            highlight=False,
        )
    for outcome in report.empty:
        console.print(f"source {outcome.name!r}: no items", highlight=False, markup=False)
    not_due = f", {report.not_due} not due" if due else ""
    full = sum(o.full_text for o in report.outcomes)
    articles = f", {full} with the full article" if full else ""
    read = f"{report.read_note()}; " if report.read else ""
    console.print(
        f"ingest: {report.new} new entries{articles} from {len(report.outcomes)} sources "
        f"({read}{len(report.errors)} failed{not_due}) in {time.perf_counter() - started:.1f}s",
        highlight=False,
        markup=False,
    )
    if report.outcomes and len(report.errors) == len(report.outcomes):
        fail("no source could be read")


def do_assign(settings, engine, quiet: bool = False) -> None:
    from columnist.stories.pipeline import run_assign

    started = time.perf_counter()
    with stage("assign", quiet) as progress:
        report = run_assign(engine, settings, progress)
    filed = ", ".join(f"{slug} {n}" for slug, n in sorted(report.filed.items())) or "none"
    console.print(
        f"assign: {report.entries} entries, {report.new_stories} new stories, "
        f"{report.joined} joined existing ones; filed: {filed} "
        f"in {time.perf_counter() - started:.1f}s",
        highlight=False,
        markup=False,
    )


def do_write(settings, engine, quiet: bool = False, limit: int | None = None) -> None:
    from columnist.writer.pipeline import run_write

    started = time.perf_counter()
    with stage("write", quiet) as progress:
        report = run_write(engine, settings, progress, limit=limit)
    speed = (
        f", {report.tokens_out / report.model_seconds:.0f} tokens/s" if report.model_seconds else ""
    )
    console.print(
        f"write: {report.published} published, {report.drafts} kept as drafts "
        f"in {time.perf_counter() - started:.1f}s{speed}",
        highlight=False,
        markup=False,
    )


def do_build(settings, engine, quiet: bool = False) -> None:
    from columnist.site.stage import run_build

    with stage("build", quiet) as progress:
        report = run_build(engine, settings, progress)
    console.print(
        f"build: {report.pages_written} pages written, {report.pages_unchanged} "
        f"unchanged, {report.pages_removed} removed in {report.seconds:.1f}s "
        f"-> {settings.site.output}",
        highlight=False,
        markup=False,
    )


def stage_command(settings_path: Path | None, *steps, quiet: bool = False) -> None:
    with open_desk(settings_path) as (settings, engine):
        for step in steps:
            step(settings, engine, quiet)


@app.command()
def ingest(
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    due: Annotated[bool, typer.Option("--due", help="Only sources whose time has come.")] = False,
) -> None:
    """Fetch the sources and store new entries."""
    stage_command(config, lambda s, e, q: do_ingest(s, e, q, due), quiet=quiet)


@app.command()
def assign(config: ConfigOpt = None, quiet: QuietOpt = False) -> None:
    """Embed new entries, group them into stories and file stories under topics."""
    stage_command(config, do_assign, quiet=quiet)


@app.command()
def write(
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    limit: Annotated[int | None, typer.Option(help="Write at most N posts.")] = None,
) -> None:
    """Write a commentary for each filed story that has none."""
    with open_desk(config) as (settings, engine):
        do_write(settings, engine, quiet, limit)


@app.command()
def build(config: ConfigOpt = None, quiet: QuietOpt = False) -> None:
    """Render the static site from the published posts."""
    stage_command(config, do_build, quiet=quiet)


@app.command()
def run(config: ConfigOpt = None, quiet: QuietOpt = False) -> None:
    """ingest, assign, write and build, in order."""
    stage_command(config, do_ingest, do_assign, do_write, do_build, quiet=quiet)


@app.command()
def watch(
    config: ConfigOpt = None,
    once: Annotated[bool, typer.Option("--once", help="One cycle, then exit.")] = False,
) -> None:
    """Keep the desk current: fetch due sources, assign, write, build; sleep; repeat."""
    from columnist.watch import watch as watch_loop

    try:
        code = watch_loop(config, once, say)
    except KeyboardInterrupt:
        console.print("watch: stopped at once (second signal)", highlight=False)
        raise typer.Exit(130) from None
    raise typer.Exit(code)


@app.command()
def serve(
    config: ConfigOpt = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8000,
    directory: Annotated[Path | None, typer.Option("--dir", help="Site folder.")] = None,
) -> None:
    """Preview the built site on http://127.0.0.1:PORT/."""
    from columnist.site.serve import serve_folder

    folder = directory or load(config).site.output
    if not (folder / "index.html").is_file():
        fail(f"{folder} holds no built site: run `columnist build` first")
    serve_folder(folder, port)
