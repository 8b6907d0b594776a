"""`columnist watch`: keep a desk current, unattended.

Each cycle walks the stage table (columnist.stages): it fetches the sources that are
due, then runs assign, write and an incremental build on whatever is new, then sleeps
until the next source is due.

Stopping: SIGINT (Ctrl-C) or SIGTERM only sets a flag. The flag is checked between
units of work (a source, a page of entries, a story), so the unit in hand is
committed and the process exits 0. Each stage commits per unit, so a kill -9 at any
moment loses at most the unit in hand, and the next start picks up the rest: the
first cycle always runs assign, write and build, whatever ingest found.
"""

from __future__ import annotations

import os
import signal
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from columnist import config as config_mod
from columnist.config import Settings
from columnist.errors import ColumnistError
from columnist.stages import STAGES, Report, Stage, run_stage
from columnist.store import sources as source_store
from columnist.store.db import Engine

MIN_SLEEP_S = 5.0  # never spin, even when a source is overdue
MAX_SLEEP_S = 3600.0  # re-read the config at least hourly

Say = Callable[[str], None]


class StopFlag:
    """Set by SIGINT/SIGTERM; `flag()` says whether to stop."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal_name: str | None = None

    def __call__(self) -> bool:
        return self.event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True at once if a stop is asked for."""
        return self.event.wait(max(0.0, seconds))


@contextmanager
def stop_on_signals(flag: StopFlag) -> Iterator[None]:
    """SIGINT/SIGTERM set `flag`; a second one stops at once (transactions roll back)."""

    def handler(signum: int, _frame: object) -> None:
        if flag():
            raise KeyboardInterrupt
        flag.signal_name = signal.Signals(signum).name
        flag.event.set()
        # os.write: safe inside a signal handler, unlike a buffered, locked stream
        note = f"watch: {flag.signal_name}: stopping after the current unit of work\n"
        os.write(2, note.encode())

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@dataclass(slots=True)
class CycleResult:
    published: int = 0
    failed: bool = False  # a stage raised a ColumnistError
    stopped: bool = False


OPTIONS = {"ingest": {"due_only": True}}  # each stage's own keywords, in watch


def attempt(
    stage: Stage, engine: Engine, settings: Settings, flag: StopFlag, say: Say
) -> Report | None:
    """Run one stage and say its brief summary; None if it failed. A stage's error is
    reported and the next stage still runs (a missing model must not stop the site
    build).

    An unexpected exception is a bug: its traceback is printed, but an unattended
    desk keeps going, and the next cycle tries again.
    """
    try:
        report = run_stage(stage, engine, settings, None, flag, **OPTIONS.get(stage.name, {}))
    except ColumnistError as exc:
        say(f"error: {exc}")
        return None
    except Exception:  # noqa: BLE001
        say(f"error: unexpected failure (a bug):\n{traceback.format_exc().rstrip()}")
        return None
    for line in report.warnings() + report.notes():
        say(line)
    say(report.summary(brief=True))
    return report


def run_cycle(
    engine: Engine, settings: Settings, flag: StopFlag, say: Say, first: bool
) -> CycleResult:
    """One pass over the stage table; stops between units when asked.

    The build runs on the first cycle, to finish what a killed run left, and whenever
    a post was published.
    """
    result = CycleResult()
    for stage in STAGES:
        if flag():
            break
        if stage.name == "build" and not (first or result.published):
            continue
        if stage.name == "announce" and not (settings.webhooks or settings.social):
            continue
        report = attempt(stage, engine, settings, flag, say)
        if report is None:
            result.failed = True
            continue
        if stage.name == "write":
            result.published = report.published
        if report.stopped:
            break
    result.stopped = flag()
    return result


def seconds_until_due(engine: Engine, settings: Settings, now: datetime) -> float:
    """Until the next source is due, bounded to MIN_SLEEP_S .. MAX_SLEEP_S."""
    if not settings.sources:
        return MAX_SLEEP_S
    with engine.connect() as conn:
        due = source_store.earliest_due(conn, [s.name for s in settings.sources])
    wait = 0.0 if due is None else (due - now).total_seconds()
    return min(max(wait, MIN_SLEEP_S), MAX_SLEEP_S)


def describe(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


def reload(settings: Settings, say: Say) -> Settings:
    """The config as it is now, so sources added while watching are picked up; a
    broken edit keeps the previous settings rather than stopping the desk."""
    try:
        fresh = config_mod.load(settings.path)
    except ColumnistError as exc:
        say(f"error: {exc} (keeping the previous settings)")
        return settings
    if fresh.database.url != settings.database.url:
        say("note: database.url changed; restart watch to use the new database")
        fresh.database = settings.database
    return fresh


def watch(config_path: Path | None, once: bool, say: Say) -> int:
    """Run cycles until stopped; returns the exit code."""
    from columnist.store.db import open_engine

    settings = config_mod.load(config_path)
    engine = open_engine(settings.database.url)
    flag = StopFlag()
    cycles, failed = 0, False
    try:
        with stop_on_signals(flag):
            while not flag():
                cycles += 1
                say(f"watch: cycle {cycles} at {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
                result = run_cycle(engine, settings, flag, say, first=cycles == 1)
                failed = failed or result.failed
                if once or flag():
                    break
                wait = seconds_until_due(engine, settings, datetime.now(UTC))
                say(f"watch: next check in {describe(wait)}; Ctrl-C or SIGTERM stops")
                if flag.wait(wait):
                    break
                settings = reload(settings, say)
    finally:
        engine.dispose()
    if flag():
        say(f"watch: stopped cleanly on {flag.signal_name} after {cycles} cycle(s)")
        return 0
    return 1 if once and failed else 0
