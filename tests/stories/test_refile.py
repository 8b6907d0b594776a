"""`run_refile` on a real SQLite desk with the real model: a store written before the
mid-page fix (a zeroed centroid, a story filed under another story's topics) is set right
from its entries, and a dry run stores nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy import update

from columnist.commentary.stage import run_write
from columnist.store import stories as story_store
from columnist.store.db import transaction
from columnist.store.schema import stories as stories_table
from columnist.stories.embed import from_bytes, to_bytes
from columnist.stories.refile import run_refile
from columnist.stories.stage import run_assign
from tests.conftest import invoke
from tests.stories.conftest import add_entries, eval_desk
from tests.stories.test_assign_store import EVENTS, as_items, labelled, story_of

TOPICS = ["space-exploration", "cybersecurity", "middle-east"]
EVER = datetime(2000, 1, 1, tzinfo=UTC)


def test_refile_sets_a_broken_story_right_from_its_entries(desk, embedder, event_vectors) -> None:
    settings, engine = desk
    add_entries(engine, settings, [i for event in EVENTS for i in as_items(labelled(event))])
    run_assign(engine, settings, embedder=embedder)
    breach = [e.title for e in labelled(EVENTS[1])]
    with transaction(engine) as conn:
        sid = story_of(conn, breach[0])
        conn.execute(  # as a store written before 35eceb9 may hold it
            update(stories_table)
            .where(stories_table.c.id == sid)
            .values(centroid=to_bytes(np.zeros(384, dtype=np.float32)))
        )
        story_store.set_topics(conn, sid, [("middle-east", 0.5, "similarity")])

    dry = run_refile(engine, settings, EVER, dry_run=True, embedder=embedder)
    assert dry.stories == 3 and dry.repaired == 1
    assert [(r.story_id, r.before, r.after) for r in dry.changed] == [
        (sid, ("middle-east",), ("cybersecurity",))
    ]
    assert "1 of 3 stories would change topics" in dry.summary()
    with engine.connect() as conn:
        assert story_store.topics_of(conn, sid) == ["middle-east"]  # nothing stored

    done = run_refile(engine, settings, EVER, embedder=embedder)
    assert done.repaired == 1 and len(done.changed) == 1
    assert "1 stored centroids set again from the entries" in done.summary()
    with engine.connect() as conn:
        for event, topic in zip(EVENTS, TOPICS, strict=True):
            story = story_of(conn, labelled(event)[0].title)
            assert topic in story_store.topics_of(conn, story)
        stored = from_bytes(story_store.get(conn, sid).centroid)
    assert np.allclose(stored, np.sum([event_vectors[t] for t in breach], axis=0), atol=1e-4)
    again = run_refile(engine, settings, EVER, embedder=embedder)
    assert again.repaired == 0 and again.changed == []


@pytest.mark.parametrize("stage", ["assign", "write"])
def test_an_upgraded_store_is_refiled_once_by_the_next_stage(
    stage, database_url, embedder, tmp_path
) -> None:
    """Migration 0014 leaves a store that has stories a "refile" task, and the next
    `assign` does it before reading the open stories (a fresh store has none to do); a
    `write` run first does it before choosing stories by their topics."""
    from alembic import command

    from columnist.store import tasks
    from columnist.store.db import _alembic_config, open_engine

    settings = eval_desk(tmp_path, database=database_url)
    engine = open_engine(database_url)
    add_entries(engine, settings, [i for event in EVENTS for i in as_items(labelled(event))])
    run_assign(engine, settings, embedder=embedder)
    with engine.connect() as conn:
        assert tasks.reason(conn, tasks.REFILE) is None  # made at head: nothing to repair
    breach = labelled(EVENTS[1])[0].title
    with transaction(engine) as conn:
        sid = story_of(conn, breach)
        conn.execute(
            update(stories_table)
            .where(stories_table.c.id == sid)
            .values(centroid=to_bytes(np.zeros(384, dtype=np.float32)))
        )
        story_store.set_topics(conn, sid, [("middle-east", 0.5, "similarity")])
    with engine.begin() as conn:  # the store as written before 0014
        command.downgrade(_alembic_config(conn), "0013_topic_choice_margins")
    engine.dispose()
    upgraded = invoke("db", "upgrade", "-c", str(tmp_path / "columnist.toml"))
    assert upgraded.returncode == 0
    assert "0013_topic_choice_margins -> 0014_store_tasks" in upgraded.stderr
    assert "the next `columnist assign` or `write` files every story again" in upgraded.stderr
    with engine.connect() as conn:
        assert "35eceb9" in (tasks.reason(conn, tasks.REFILE) or "")

    if stage == "assign":
        report = run_assign(engine, settings, embedder=embedder)  # no new entries
        assert report.entries == 0
        again = lambda: run_assign(engine, settings, embedder=embedder)  # noqa: E731
    else:  # stopped before the first story is claimed: the refile alone is tested
        report = run_write(engine, settings, should_stop=lambda: True)
        assert report.stories == 0 and report.stopped
        again = lambda: run_write(engine, settings, should_stop=lambda: True)  # noqa: E731
    assert report.notes() and "1 of 3 stories changed topics" in report.notes()[0]
    with engine.connect() as conn:
        assert story_store.topics_of(conn, sid) == ["cybersecurity"]
        assert tasks.reason(conn, tasks.REFILE) is None
    assert again().notes() == []  # done once
    engine.dispose()
