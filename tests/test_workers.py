"""Several `columnist write` processes share one database: each story is claimed by one
worker, a worker killed with SIGKILL mid-write loses its claim to the others, and every
story ends with exactly one post. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import func, select

from columnist.store.db import open_engine
from columnist.store.schema import model_calls, posts, stories, story_topics
from tests.conftest import database_url_for, desk, small_writer

WAIT_S = 600.0  # a bound for a loaded 2-core machine, not a speed check


def columnist(cfg: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "columnist", *args, "-c", str(cfg), "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def demo_desk(folder: Path, url: str) -> Path:
    """The demo's feed (a local file) and topics, written by four small-model workers."""
    demo = resources.files("columnist") / "demo"
    feed = folder / "feed.xml"
    feed.write_bytes(demo.joinpath("feed.xml").read_bytes())
    return desk(
        folder,
        f'[[sources]]\nname = "Wire"\nurl = "{feed}"\n',
        demo.joinpath("topics.toml").read_text(),
        f"{small_writer(30)}claim_ttl = 120\n",
        database=url,
    )


def claimed_by(engine, pid: int) -> int | None:
    with engine.connect() as conn:
        return conn.execute(
            select(stories.c.id).where(stories.c.claim_owner.like(f"%:{pid}:%"))
        ).scalar()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_four_writers_one_killed_every_story_one_post(kind: str, tmp_path: Path) -> None:
    url = database_url_for(kind, tmp_path)
    cfg = demo_desk(tmp_path, url)
    for stage in ("ingest", "assign"):
        done = columnist(cfg, stage)
        assert done.wait(WAIT_S) == 0, done.stderr.read()
    engine = open_engine(url)
    with engine.connect() as conn:
        filed = set(conn.execute(select(story_topics.c.story_id).distinct()).scalars())
    assert len(filed) >= 8

    workers = [columnist(cfg, "write") for _ in range(4)]
    victim = workers[0]
    deadline = time.monotonic() + WAIT_S
    while (story := claimed_by(engine, victim.pid)) is None:
        assert victim.poll() is None, "the first worker ended before claiming a story"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    assert victim.wait(WAIT_S) == -signal.SIGKILL
    for worker in workers[1:]:
        assert worker.wait(WAIT_S) == 0, worker.stderr.read()

    with engine.connect() as conn:
        per_story = dict(
            conn.execute(select(posts.c.story_id, func.count()).group_by(posts.c.story_id)).all()
        )
        leftover = conn.execute(
            select(func.count()).select_from(stories).where(stories.c.claim_owner.is_not(None))
        ).scalar_one()
        writes = conn.execute(  # each write's first call is its attempt 1 (the plan)
            select(model_calls.c.story_id, func.count())
            .where(model_calls.c.attempt == 1)
            .group_by(model_calls.c.story_id)
        ).all()
    assert set(per_story) == filed, "every filed story has a post"
    assert set(per_story.values()) == {1}, "and only one"
    assert story in per_story, "the killed worker's story was taken over"
    assert leftover == 0, "no claim is left behind"
    assert {story_id for story_id, _ in writes} == filed, "every story's calls are logged"
    assert all(n == 1 for _, n in writes), "each story was written once"
    engine.dispose()
