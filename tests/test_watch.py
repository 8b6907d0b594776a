"""`columnist watch` as a real process: SIGTERM stops it cleanly between units of work,
and a kill -9 loses nothing: the next start finishes the work with no duplicates.

One source is served at once; the other is held by the server until the test lets it
go, which pins the first run in the middle of its ingest without any timing guess.
"""

from __future__ import annotations

import contextlib
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import DATA, desk, small_writer

# One topic: of the six entries only the two AI stories (both from the held source) are
# filed, so the writer, the slow part on this machine, has just two posts to write.
TOPICS = (
    '[[topics]]\nname = "Artificial intelligence"\n'
    'description = "Artificial intelligence: machine learning models, AI chips, AI regulation '
    'such as the AI Act, and the companies that build AI."\n'
)
WRITER = small_writer(30)  # one llama.cpp thread: the cores are shared

WAIT_S = 180.0  # generous bound for one step on a loaded 2-core machine; not a speed test


class _Held(BaseHTTPRequestHandler):
    """/wire.xml at once; /desk.json only after `release` is set."""

    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        server = self.server
        name = self.path.lstrip("/")
        if name == "desk.json":
            server.held_requests += 1  # type: ignore[attr-defined]
            if not server.release.wait(WAIT_S):  # type: ignore[attr-defined]
                return
        path = DATA / "e2e" / name
        if not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Held)
    srv.daemon_threads = True
    srv.release = threading.Event()  # type: ignore[attr-defined]
    srv.held_requests = 0  # type: ignore[attr-defined]
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.release.set()  # type: ignore[attr-defined]
    srv.shutdown()
    srv.server_close()


class Watch:
    """A running `columnist watch`, its stderr read line by line on a thread."""

    def __init__(self, config: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "columnist", "watch", "-c", str(config), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, needle: str) -> str:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=1.0)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(f"watch ended before {needle!r}:\n" + "\n".join(self.lines))
            self.lines.append(line)
            if needle in line:
                return line
        raise AssertionError(f"no {needle!r} from watch:\n" + "\n".join(self.lines))

    def drain(self) -> str:
        """Everything it has printed so far, without waiting."""
        while True:
            try:
                line = self._queue.get_nowait()
            except queue.Empty:
                return self.log
            if line is not None:
                self.lines.append(line)

    def finish(self) -> int:
        code = self.proc.wait(timeout=WAIT_S)
        while (line := self._queue.get(timeout=WAIT_S)) is not None:
            self.lines.append(line)
        return code

    @property
    def log(self) -> str:
        return "\n".join(self.lines)


def until(check, what: str, watch: Watch) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check():
        if watch.proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"no {what} from watch:\n{watch.drain()}")
        time.sleep(0.1)


def query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute(sql).fetchall()


def count(db: Path, sql: str) -> int:
    try:
        return query(db, sql)[0][0]
    except sqlite3.OperationalError:  # the tables do not exist yet
        return 0


def two_source_desk(folder: Path, base: str) -> Path:
    return desk(
        folder,
        f"""
[[sources]]
name = "Test Wire"
url = "{base}wire.xml"

[[sources]]
name = "Test Desk"
url = "{base}desk.json"
{TOPICS}
{WRITER}""",
        database="sqlite:///columnist.db",
        fetch={"timeout": 60},
    )


def test_watch_stops_cleanly_and_a_kill_loses_nothing(
    tmp_path: Path, server: ThreadingHTTPServer
) -> None:
    config = two_source_desk(tmp_path, f"http://127.0.0.1:{server.server_address[1]}/")
    db = tmp_path / "columnist.db"

    # 1. SIGTERM in the middle of an ingest: the wire's entries are committed, the held
    #    desk is given up, and the process exits 0 saying so.
    first = Watch(config)
    until(lambda: count(db, "SELECT count(*) FROM entries") == 4, "the wire's entries", first)
    until(lambda: server.held_requests >= 1, "the held request", first)  # type: ignore[attr-defined]
    first.proc.send_signal(signal.SIGTERM)
    assert first.finish() == 0, first.log
    assert "stopped before the rest" in first.log and "Traceback" not in first.log
    assert "stopped cleanly on SIGTERM after 1 cycle(s)" in first.log
    desk_state = query(db, "SELECT last_fetch, failures FROM sources WHERE name = 'Test Desk'")
    assert desk_state == [(None, 0)]  # not half-recorded: the next start fetches it
    assert count(db, "SELECT count(*) FROM posts") == 0

    # 2. kill -9 once the first post is committed (the others are still being written).
    server.release.set()  # type: ignore[attr-defined]
    second = Watch(config)
    until(lambda: count(db, "SELECT count(*) FROM posts") >= 1, "a first post", second)
    second.proc.kill()
    assert second.proc.wait(timeout=WAIT_S) == -signal.SIGKILL

    # 3. The next start finishes the work; SIGTERM while it sleeps ends it cleanly.
    third = Watch(config)
    third.wait_for("next check in")
    third.proc.send_signal(signal.SIGTERM)
    assert third.finish() == 0, third.log
    assert "stopped cleanly on SIGTERM after 1 cycle(s)" in third.log
    assert "Traceback" not in third.log

    links = query(db, "SELECT link FROM entries")
    assert len(links) == 6 and len(set(links)) == 6  # wire 4 + desk 2, none twice
    assert count(db, "SELECT count(*) FROM entries WHERE story_id IS NULL") == 0
    filed = {row[0] for row in query(db, "SELECT DISTINCT story_id FROM story_topics")}
    posted = [row[0] for row in query(db, "SELECT story_id FROM posts")]
    assert filed and sorted(posted) == sorted(filed)  # one post per filed story
    slugs = [row[0] for row in query(db, "SELECT slug FROM posts")]
    site = tmp_path / "site"
    assert (site / "index.html").is_file()
    for slug in slugs:
        assert (site / "posts" / slug / "index.html").is_file()
    health = query(db, "SELECT name, failures, last_success IS NOT NULL FROM sources")
    assert sorted(health) == [("Test Desk", 0, 1), ("Test Wire", 0, 1)]


def test_watch_once_runs_one_cycle_and_reports_errors(tmp_path: Path) -> None:
    config = desk(
        tmp_path,
        '[[sources]]\nname = "Missing"\nurl = "nowhere.xml"\n' + WRITER,
        database="sqlite:///columnist.db",
    )
    done = subprocess.run(
        [sys.executable, "-m", "columnist", "watch", "--once", "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=WAIT_S,
    )
    assert done.returncode == 0, done.stderr
    assert "source 'Missing':" in done.stderr and "file not found" in done.stderr
    assert "ingest: 0 new entries from 1 sources due (1 failed, 0 not due)" in done.stderr
    assert "next check" not in done.stderr and "Traceback" not in done.stderr
    assert (tmp_path / "site" / "index.html").is_file()


# --- the loop's small parts, in process ------------------------------------------------


def test_sleep_is_bounded_by_the_next_due_source(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from columnist.config import load
    from columnist.store.db import open_engine
    from columnist.store.schema import sources
    from columnist.store.sources import sync_sources
    from columnist.watch import MAX_SLEEP_S, MIN_SLEEP_S, seconds_until_due

    config = desk(
        tmp_path,
        '[[sources]]\nname = "a"\nurl = "a.xml"\n[[sources]]\nname = "b"\nurl = "b.xml"\n',
        database="sqlite:///columnist.db",
    )
    settings = load(config)
    engine = open_engine(settings.database.url)
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            sync_sources(conn, settings.sources)
        assert seconds_until_due(engine, settings, now) == MIN_SLEEP_S  # never fetched
        with engine.begin() as conn:
            conn.execute(update(sources).values(next_due=now + timedelta(minutes=10)))
            conn.execute(
                update(sources)
                .where(sources.c.name == "b")
                .values(next_due=now + timedelta(minutes=7))
            )
        assert seconds_until_due(engine, settings, now) == 7 * 60
        with engine.begin() as conn:
            conn.execute(update(sources).values(next_due=now + timedelta(days=2)))
        assert seconds_until_due(engine, settings, now) == MAX_SLEEP_S
    finally:
        engine.dispose()


def test_a_broken_config_edit_keeps_the_previous_settings(tmp_path: Path) -> None:
    from columnist.config import load
    from columnist.stages import BY_NAME, run_stage
    from columnist.store.db import open_engine
    from columnist.watch import StopFlag, reload

    config = desk(tmp_path, '[[sources]]\nname = "a"\nurl = "a.xml"\n')
    settings = load(config)
    said: list[str] = []
    config.write_text(config.read_text() + '[[sources]]\nname = "b"\nurl = "b.xml"\n')
    assert [s.name for s in reload(settings, said.append).sources] == ["a", "b"]
    config.write_text('[[sources]]\nname = "a"\nurl = "a.xml"\ninterval = "often"\n')
    assert reload(settings, said.append) is settings
    assert len(said) == 1 and "`sources[0].interval`" in said[0] and "keeping" in said[0]

    flag = StopFlag()
    engine = open_engine(settings.database.url)
    try:
        ingest = BY_NAME["ingest"]
        assert not run_stage(ingest, engine, settings, None, flag).stopped  # the stage goes on
        flag.event.set()
        assert run_stage(ingest, engine, settings, None, flag).stopped
    finally:
        engine.dispose()
