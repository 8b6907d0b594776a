"""The pipeline's commands: each stage on its own, `run` for all five, `watch` to keep a
desk current, and `serve` to preview the result."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from columnist.cli import ConfigOpt, QuietOpt, fail, open_desk, say
from columnist.config import load
from columnist.progress import console, plain_help
from columnist.progress import stage as stage_bar
from columnist.stages import STAGES, Report, run_stage

app = typer.Typer()


def show(report: Report) -> None:
    """A stage's report as the one-shot commands print it; exit 1 if it failed."""
    for line in report.warnings():
        console.print(Text(line, style="yellow"), highlight=False)
    for line in report.notes():
        say(line)
    say(report.summary())
    if problem := report.fatal():
        fail(problem)


def run_stages(
    config: Path | None, names: Sequence[str], quiet: bool, **options: dict[str, Any]
) -> None:
    """The named stages of the table, in its order, each with a progress bar; `options`
    holds each stage's own keywords by stage name."""
    with open_desk(config) as (settings, engine):
        for st in STAGES:
            if st.name in names:
                with stage_bar(st.name, quiet) as progress:
                    report = run_stage(st, engine, settings, progress, **options.get(st.name, {}))
                show(report)


ALL = [st.name for st in STAGES]


@app.command()
def ingest(
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    due: Annotated[bool, typer.Option("--due", help="Only sources whose time has come.")] = False,
) -> None:
    """Fetch the sources and store new entries."""
    run_stages(config, ["ingest"], quiet, ingest={"due_only": due})


@app.command()
def assign(config: ConfigOpt = None, quiet: QuietOpt = False) -> None:
    """Embed new entries, group them into stories and file stories under topics."""
    run_stages(config, ["assign"], quiet)


@app.command()
def write(
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    limit: Annotated[int | None, typer.Option(help="Write at most N posts.")] = None,
) -> None:
    """Write a commentary for each filed story that has none."""
    run_stages(config, ["write"], quiet, write={"limit": limit})


@app.command()
def build(config: ConfigOpt = None, quiet: QuietOpt = False) -> None:
    """Render the static site from the published posts."""
    run_stages(config, ["build"], quiet)


ANNOUNCE_HELP = (
    "Tell the [[webhooks]] and [[social]] accounts about posts published, updated or "
    "retracted since they were last told, and retry what failed."
)


@app.command(help=plain_help(ANNOUNCE_HELP))
def announce(config: ConfigOpt = None, quiet: QuietOpt = False) -> None:
    run_stages(config, ["announce"], quiet)


@app.command()
def run(config: ConfigOpt = None, quiet: QuietOpt = False) -> None:
    """ingest, assign, write, build and announce, in order."""
    run_stages(config, ALL, quiet)


@app.command()
def watch(
    config: ConfigOpt = None,
    once: Annotated[bool, typer.Option("--once", help="One cycle, then exit.")] = False,
) -> None:
    """Keep the desk current: fetch due sources, assign, write, build, announce; sleep;
    repeat."""
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
