"""`columnist init` (a starter desk to fill in) and `columnist demo` (a whole site,
offline, from the sample feed that ships with the package)."""

from __future__ import annotations

import os
import time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from columnist import config as config_mod
from columnist.cli import QuietOpt, fail, say
from columnist.cli.pipeline import ALL, run_stages
from columnist.commentary.backends.registry import DEFAULT_BACKEND
from columnist.progress import console

if TYPE_CHECKING:
    import tomlkit

app = typer.Typer()

DEMO_MODEL_ENV = "COLUMNIST_DEMO_MODEL"
DEMO_SITE = {
    "title": "The Columnist Demo Desk",
    "description": "A demonstration desk: machine-written commentary on a sample feed.",
    "base_url": "http://127.0.0.1:8000/",
    "output": "site",
}
DEMO_SOURCE = {"name": "The Columnist Wire (sample)", "url": "feeds/sample.xml"}


@app.command()
def init(directory: Annotated[Path, typer.Argument(help="Folder for the new desk.")]) -> None:
    """Write a commented starter columnist.toml into DIRECTORY."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / config_mod.CONFIG_NAME
    if target.exists():
        fail(f"{target} already exists; not overwriting it")
    target.write_text(resources.files("columnist").joinpath("starter.toml").read_text())
    say(f"wrote {target}: add [[sources]] and [[topics]], then run `columnist run -c {target}`")


def demo_config(model: str, words: int, threads: int | None) -> tomlkit.TOMLDocument:
    """The demo desk's columnist.toml; the packaged topics keep their comments."""
    import tomlkit

    # Another model (the small test one) checks the machinery, not the prose: publish its
    # first try rather than retrying text that can never pass the checks.
    real = model == "qwen2.5-coder-1.5b-instruct"
    writer: dict[str, object] = {
        "backend": DEFAULT_BACKEND,  # the shipped model, in-process
        "model": model,
        "words": words,
        "strict": real,
        "max_attempts": 3 if real else 1,
        "seed": 7,
    }
    if threads:  # the backend's own option, in [writer.<backend>]
        writer[DEFAULT_BACKEND] = {"threads": threads}
    doc = tomlkit.document()
    doc.add(
        tomlkit.comment("Written by `columnist demo`: the sample feed that ships with columnist.")
    )
    doc.add("site", tomlkit.item(DEMO_SITE))
    doc.add("database", tomlkit.item({"url": "sqlite:///columnist.db"}))
    doc.add("sources", tomlkit.item([DEMO_SOURCE]))
    doc.add(tomlkit.nl())
    topics = tomlkit.parse((resources.files("columnist") / "demo" / "topics.toml").read_text())
    for key, item in topics.body:  # comments and blank lines as well as the [[topics]]
        doc.add(item) if key is None else doc.add(key, item)
    doc.add("writer", tomlkit.item(writer))
    return doc


def write_demo_config(directory: Path, model: str, words: int, threads: int | None) -> Path:
    """A desk reading the sample feed that ships with the package."""
    feeds = directory / "feeds"
    feeds.mkdir(parents=True, exist_ok=True)
    sample = resources.files("columnist") / "demo" / "feed.xml"
    (feeds / "sample.xml").write_bytes(sample.read_bytes())
    path = directory / config_mod.CONFIG_NAME
    path.write_text(demo_config(model, words, threads).as_string())
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
    run_stages(path, ALL, quiet)
    site = (directory / "site").resolve()
    console.print(
        f"\n[bold green]Demo site ready[/] in {time.perf_counter() - started:.0f}s: "
        f"{escape(str(site))}/index.html\nPreview it with: columnist serve -c {escape(str(path))}",
        highlight=False,
    )
