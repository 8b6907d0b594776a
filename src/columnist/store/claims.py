"""Claims: one writer per story, even with many writers on one database.

A claim is a compare-and-set on the story row (owner + expiry), so it works the same
on SQLite and PostgreSQL; on PostgreSQL candidates are read with FOR UPDATE SKIP
LOCKED so concurrent workers do not queue behind each other's rows. A worker that
dies leaves a claim that expires (a live one renews it while it writes: `kept`); the
unique post-per-story constraint is the last line of defence, and `release` inside the
post's transaction makes a worker whose claim was taken over roll its post back instead
of storing a second one.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from threading import Event, Lock, Thread

from sqlalchemy import Connection, Engine, and_, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from columnist.records import StoryRecord
from columnist.store.schema import stories
from columnist.store.stories import needing_posts


def worker_id() -> str:
    """host:pid:random, so a restarted process never inherits a dead one's claims."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _free(now: datetime):
    return or_(stories.c.claim_expires.is_(None), stories.c.claim_expires < now)


def claim_next(
    engine: Engine,
    owner: str,
    ttl: float,
    *,
    rewrite_on_growth: bool = False,
    candidates: int = 8,
) -> StoryRecord | None:
    """Claim the oldest story that needs writing and nobody holds; None when none is left.

    `owner` must be unique to the caller (one per claim, not one per process), since
    whoever presents it may store the post. After the compare-and-set the story is
    checked again: a worker that finished it between our read and our claim has
    already stored its post, and we let go.
    """
    now = datetime.now(UTC)
    with engine.begin() as conn:
        todo = {s.id: s for s in needing_posts(conn, None, rewrite_on_growth=rewrite_on_growth)}
        if not todo:
            return None
        q = (
            select(stories.c.id)
            .where(stories.c.id.in_(list(todo)[: candidates * 8]), _free(now))
            .order_by(stories.c.first_seen, stories.c.id)
            .limit(candidates)
        )
        if conn.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        for story_id in conn.execute(q).scalars().all():
            taken = conn.execute(
                update(stories)
                .where(stories.c.id == story_id, _free(now))
                .values(claim_owner=owner, claim_expires=now + timedelta(seconds=ttl))
            )
            if taken.rowcount != 1:
                continue
            still = needing_posts(conn, None, rewrite_on_growth=rewrite_on_growth)
            if any(s.id == story_id for s in still):
                return todo[story_id]
            release(conn, story_id, owner)
    return None


def renew(engine: Engine, story_id: int, owner: str, ttl: float) -> bool:
    """Extend a claim between model calls; False if it was lost to another worker."""
    with engine.begin() as conn:
        done = conn.execute(
            update(stories)
            .where(stories.c.id == story_id, stories.c.claim_owner == owner)
            .values(claim_expires=datetime.now(UTC) + timedelta(seconds=ttl))
        )
        return done.rowcount == 1


@contextmanager
def kept(
    engine: Engine, story_id: int, owner: str, ttl: float, lock: Lock | None = None
) -> Iterator[None]:
    """Renew the claim every third of `ttl` while the block runs, so that a story whose
    writing outlasts the TTL (a slow model, many attempts) is not taken over. Renewal
    runs in a thread, holding `lock` (the caller's store lock) while it writes."""
    stop = Event()

    def beat() -> None:
        while not stop.wait(ttl / 3):
            with lock if lock is not None else nullcontext():
                try:
                    if not renew(engine, story_id, owner, ttl):
                        return  # lost: the post will be dropped when it is stored
                except SQLAlchemyError:
                    continue  # the store is busy or away: try again at the next beat

    thread = Thread(target=beat, name=f"claim-{story_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def release(conn: Connection, story_id: int, owner: str) -> bool:
    """Give a claim up inside the caller's transaction; False if it is no longer ours."""
    done = conn.execute(
        update(stories)
        .where(and_(stories.c.id == story_id, stories.c.claim_owner == owner))
        .values(claim_owner=None, claim_expires=None)
    )
    return done.rowcount == 1


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reclaim_dead_local(engine: Engine) -> int:
    """Free claims held by processes of this host that no longer exist.

    A claim normally waits for its expiry; on the same host we can tell at once that
    its worker is gone (kill -9, crash), so a laptop re-run does not wait for the TTL.
    """
    host = socket.gethostname()
    freed = 0
    with engine.begin() as conn:
        held = conn.execute(
            select(stories.c.id, stories.c.claim_owner).where(
                stories.c.claim_owner.like(f"{host}:%")
            )
        ).all()
        for story_id, owner in held:
            parts = owner.split(":")
            if len(parts) >= 3 and parts[1].isdigit() and not _pid_alive(int(parts[1])):
                freed += release(conn, story_id, owner)
    return freed
