"""The pipeline's stages, in order: the one table that `columnist run`, `watch` and `demo`
walk, and each single-stage command looks up.

Every stage is `(name, run, report)`:

- `run(engine, settings, progress, should_stop, **options) -> report` reads its input
  from the store and commits its output there, one unit of work at a time.
  `progress(done, total)` is called after each unit (a progress bar, or None);
  `should_stop()` is asked between units, and once it says yes the stage returns early
  with `report.stopped` set. That is the only way a stage is stopped. Options a stage
  alone takes (ingest's `due_only`, write's `limit`) are keywords.
- the report is a `Report`: it knows its one-line summary (`brief` for the unattended
  log of `watch`), the lines worth showing before it, and whether a one-shot command
  should fail because of it.

The run functions are imported when a stage runs, so the command line starts without
loading numpy, the models or the store.

To add a stage: write `run_<name>` and a `<Name>Report` in its package's `stage.py`,
and add a row here.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from columnist.config import Settings
    from columnist.store.db import Engine

Progress = Callable[[int, int], None]
ShouldStop = Callable[[], bool]

STOPPED_NOTE = "; stopped before the rest"


class Report:
    """What every stage's report offers. Subclasses are dataclasses with `seconds` and
    `stopped` fields; `run_stage` sets `seconds`, the stage sets `stopped`."""

    __slots__ = ()
    seconds: float
    stopped: bool

    def summary(self, brief: bool = False) -> str:
        """One line: what the stage did; `brief` leaves out timings and detail."""
        raise NotImplementedError

    def warnings(self) -> list[str]:
        """Lines to show before the summary, in warning colour (a source that failed)."""
        return []

    def notes(self) -> list[str]:
        """Lines to show before the summary, plain (a source with no items)."""
        return []

    def fatal(self) -> str | None:
        """Why a one-shot command should fail after this stage, if it should; `watch`
        keeps going."""
        return None

    def stopped_note(self) -> str:
        return STOPPED_NOTE if self.stopped else ""


@dataclass(frozen=True, slots=True)
class Stage:
    """A row of the table: the stage's name and the module holding `run_<name>` and
    `<Name>Report` (its package's `stage.py`)."""

    name: str
    module: str

    @property
    def run(self) -> Callable[..., Report]:
        return getattr(importlib.import_module(self.module), f"run_{self.name}")

    @property
    def report(self) -> type[Report]:
        return getattr(importlib.import_module(self.module), f"{self.name.title()}Report")


STAGES: tuple[Stage, ...] = (
    Stage("ingest", "columnist.ingest.stage"),  # feeds -> entries
    Stage("assign", "columnist.stories.stage"),  # entries -> stories, filed under topics
    Stage("write", "columnist.commentary.stage"),  # stories -> posts
    Stage("build", "columnist.site.stage"),  # published posts -> the static site
    Stage("announce", "columnist.announce.stage"),  # post events -> webhooks, social
)
BY_NAME = {s.name: s for s in STAGES}


def run_stage(
    stage: Stage,
    engine: Engine,
    settings: Settings,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
    **options: Any,
) -> Report:
    """Run one stage; its report's `seconds` is the time it took, start to end."""
    run = stage.run  # imported before the clock starts
    started = time.perf_counter()
    report = run(engine, settings, progress, should_stop, **options)
    report.seconds = time.perf_counter() - started
    return report
