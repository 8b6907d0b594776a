"""Rich progress bars for the pipeline stages, one bar per stage; the shared console."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

console = Console(stderr=True, soft_wrap=True)  # one message, one line
Callback = Callable[[int, int], None]


def plain_help(text: str) -> str:
    """Command help shown as written: Typer renders help as Rich markup, which would take
    the `[sources]` of `[[sources]]` for a style and print `[]`."""
    from typer.core import HAS_RICH

    return escape(text) if HAS_RICH else text


@contextmanager
def stage(label: str, quiet: bool = False) -> Iterator[Callback]:
    """A progress bar for one stage; yields the (done, total) callback stages accept."""
    if quiet:
        yield lambda done, total: None
        return
    with Progress(
        TextColumn("[bold]{task.description:<8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
        current = bar.tasks[0]
        if current.total is None:  # nothing to do: show a full, empty bar
            bar.update(task, total=1, completed=1)
