"""Claims on a real store: a writer that outlasts the TTL keeps its story while it works."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from columnist.store import claims, stories
from columnist.store.db import open_engine, transaction

TTL = 1.0


def one_story(url: str):  # noqa: ANN201 - an Engine
    engine = open_engine(url)
    with transaction(engine) as conn:
        sid = stories.create(conn, "A story to write", datetime.now(UTC), b"")
        stories.set_topics(conn, sid, [("climate", 0.5, "similarity")])
    return engine, sid


def test_an_unrenewed_claim_expires_and_another_writer_takes_the_story(database_url: str) -> None:
    engine, sid = one_story(database_url)
    assert claims.claim_next(engine, "writer-a", TTL).id == sid
    assert claims.claim_next(engine, "writer-b", TTL) is None  # held
    time.sleep(TTL * 1.5)
    assert claims.claim_next(engine, "writer-b", TTL).id == sid
    engine.dispose()


def test_a_kept_claim_outlives_its_ttl_and_expires_after(database_url: str) -> None:
    engine, sid = one_story(database_url)
    assert claims.claim_next(engine, "writer-a", TTL).id == sid
    with claims.kept(engine, sid, "writer-a", TTL):
        time.sleep(TTL * 1.5)
        assert claims.claim_next(engine, "writer-b", TTL) is None  # renewed meanwhile
        time.sleep(TTL * 1.5)
        assert claims.claim_next(engine, "writer-b", TTL) is None
    time.sleep(TTL * 1.5)  # no longer renewed
    assert claims.claim_next(engine, "writer-b", TTL).id == sid
    engine.dispose()


def test_keeping_a_lost_claim_does_not_take_it_back(database_url: str) -> None:
    engine, sid = one_story(database_url)
    assert claims.claim_next(engine, "writer-a", TTL).id == sid
    time.sleep(TTL * 1.5)
    assert claims.claim_next(engine, "writer-b", 60).id == sid  # a took too long
    with claims.kept(engine, sid, "writer-a", TTL):
        time.sleep(TTL * 0.5)
    assert not claims.renew(engine, sid, "writer-a", TTL)
    with transaction(engine) as conn:
        assert claims.release(conn, sid, "writer-b")
    engine.dispose()
