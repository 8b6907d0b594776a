"""Deliveries of the announce stage: each event of a post for one target (a webhook, a
Mastodon or Bluesky account), recorded as an intent before it is sent and as a result
after, and every attempt made for it (`columnist log --webhooks`, `--social`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, func, insert, select, update

from columnist.records import AnnouncedPost
from columnist.store.posts import sources_by_story, topics_by_story
from columnist.store.schema import deliveries, delivery_attempts, posts, story_topics

WAITING = ("pending", "failed")  # tried (again) by the next run


@dataclass(slots=True)
class PostState:
    """What decides a post's next event: its status, when its text last changed and
    when it went out (approved by a person, else written)."""

    id: int
    status: str
    updated: datetime
    published: datetime
    slug: str
    topics: list[str]


@dataclass(slots=True)
class Delivery:
    id: int
    target: str
    kind: str
    post_id: int
    event: str
    post_updated: datetime
    key: str
    status: str
    attempts: int
    remote: str | None
    error: str | None
    created: datetime
    updated: datetime

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "target": self.target,
            "kind": self.kind,
            "post_id": self.post_id,
            "event": self.event,
            "key": self.key,
            "status": self.status,
            "attempts": self.attempts,
            "remote": self.remote,
            "error": self.error,
            "created": self.created.isoformat(),
            "updated": self.updated.isoformat(),
        }


@dataclass(slots=True)
class Attempt:
    delivery: Delivery
    at: datetime
    seconds: float
    status_code: int | None
    outcome: str
    error: str | None

    def as_dict(self) -> dict:
        return self.delivery.as_dict() | {
            "at": self.at.isoformat(),
            "seconds": round(self.seconds, 3),
            "status_code": self.status_code,
            "outcome": self.outcome,
            "attempt_error": self.error,
        }


def _delivery(r) -> Delivery:  # noqa: ANN001 - a deliveries row
    return Delivery(
        r.id, r.target, r.kind, r.post_id, r.event, r.post_updated, r.key, r.status,
        r.attempts, r.remote, r.error, r.created, r.updated,
    )  # fmt: skip


def post_states(conn: Connection) -> list[PostState]:
    """Every published or retracted post: the ones an event can be about."""
    q = select(
        posts.c.id, posts.c.status, posts.c.updated, posts.c.created, posts.c.reviewed_at,
        posts.c.slug, posts.c.story_id,
    ).where(posts.c.status.in_(("published", "retracted")))  # fmt: skip
    rows = list(conn.execute(q))
    topics: dict[int, list[str]] = {}
    for story_id, slug in conn.execute(
        select(story_topics.c.story_id, story_topics.c.topic)
        .join(posts, posts.c.story_id == story_topics.c.story_id)
        .where(posts.c.status.in_(("published", "retracted")))
        .order_by(story_topics.c.topic)
    ):
        topics.setdefault(story_id, []).append(slug)
    return [
        PostState(
            r.id,
            r.status,
            r.updated,
            r.reviewed_at or r.created,
            r.slug,
            topics.get(r.story_id, []),
        )  # fmt: skip
        for r in rows
    ]


def for_target(conn: Connection, target: str) -> dict[int, list[Delivery]]:
    """The target's deliveries by post, oldest first."""
    q = select(deliveries).where(deliveries.c.target == target).order_by(deliveries.c.id)
    out: dict[int, list[Delivery]] = {}
    for r in conn.execute(q):
        out.setdefault(r.post_id, []).append(_delivery(r))
    return out


def add(
    conn: Connection,
    target: str,
    kind: str,
    post_id: int,
    event: str,
    post_updated: datetime,
    key: str,
    status: str = "pending",
) -> int:
    """Record an event to deliver (the intent, before anything is sent)."""
    now = datetime.now(UTC)
    return conn.execute(
        insert(deliveries).values(
            target=target,
            kind=kind,
            post_id=post_id,
            event=event,
            post_updated=post_updated,
            key=key,
            status=status,
            attempts=0,
            created=now,
            updated=now,
        )  # fmt: skip
    ).inserted_primary_key[0]


def waiting(conn: Connection, target: str) -> list[Delivery]:
    """The target's deliveries not yet sent, oldest first."""
    q = (
        select(deliveries)
        .where(deliveries.c.target == target, deliveries.c.status.in_(WAITING))
        .order_by(deliveries.c.id)
    )
    return [_delivery(r) for r in conn.execute(q)]


def begin_attempt(conn: Connection, delivery_id: int) -> None:
    """Count an attempt before its request goes out: a delivery with attempts and no
    result may have reached the service before a crash."""
    conn.execute(
        update(deliveries)
        .where(deliveries.c.id == delivery_id)
        .values(attempts=deliveries.c.attempts + 1, updated=datetime.now(UTC))
    )


def record_attempt(
    conn: Connection,
    delivery_id: int,
    seconds: float,
    status_code: int | None,
    error: str | None,
) -> None:
    """How one request made for a delivery went."""
    conn.execute(
        insert(delivery_attempts).values(
            delivery_id=delivery_id,
            at=datetime.now(UTC),
            seconds=seconds,
            status_code=status_code,
            outcome="error" if error else "ok",
            error=error,
        )
    )


def finish(
    conn: Connection,
    delivery_id: int,
    status: str,
    remote: str | None = None,
    error: str | None = None,
) -> None:
    """The result of a delivery: "sent" (with what the service answered), "failed" or
    "gave_up" (with why)."""
    conn.execute(
        update(deliveries)
        .where(deliveries.c.id == delivery_id)
        .values(status=status, remote=remote, error=error, updated=datetime.now(UTC))
    )


def last_sent(conn: Connection, target: str) -> datetime | None:
    """When the target was last sent something (its rate limit counts from there)."""
    q = select(func.max(deliveries.c.updated)).where(
        deliveries.c.target == target, deliveries.c.status == "sent"
    )
    return conn.execute(q).scalar()


def announced_post(conn: Connection, post_id: int) -> AnnouncedPost | None:
    """A post with its topics, sources and checks, as it is now."""
    r = conn.execute(select(posts).where(posts.c.id == post_id)).first()
    if r is None:
        return None
    return AnnouncedPost(
        id=r.id,
        story_id=r.story_id,
        slug=r.slug,
        title=r.title,
        body=r.body,
        excerpt=r.excerpt,
        status=r.status,
        created=r.created,
        updated=r.updated,
        model=r.model,
        checks=json.loads(r.checks or "{}"),
        topics=topics_by_story(conn, [r.story_id]).get(r.story_id, []),
        sources=sources_by_story(conn, [r.story_id]).get(r.story_id, []),
        reviewed_by=r.reviewed_by,
        reviewed_at=r.reviewed_at,
        review_note=r.review_note,
    )


def recent(conn: Connection, kinds: tuple[str, ...], limit: int = 50) -> list[Delivery]:
    """The latest deliveries of these kinds (skipped ones left out), newest first."""
    q = (
        select(deliveries)
        .where(deliveries.c.kind.in_(kinds), deliveries.c.status != "skipped")
        .order_by(deliveries.c.id.desc())
        .limit(limit)
    )
    return [_delivery(r) for r in conn.execute(q)]


def recent_attempts(conn: Connection, kinds: tuple[str, ...], limit: int = 50) -> list[Attempt]:
    """The latest attempts at deliveries of these kinds, newest first."""
    q = (
        select(deliveries, delivery_attempts.c.at, delivery_attempts.c.seconds,
               delivery_attempts.c.status_code, delivery_attempts.c.outcome,
               delivery_attempts.c.error.label("attempt_error"))
        .join(delivery_attempts, delivery_attempts.c.delivery_id == deliveries.c.id)
        .where(deliveries.c.kind.in_(kinds))
        .order_by(delivery_attempts.c.id.desc())
        .limit(limit)
    )  # fmt: skip
    return [
        Attempt(_delivery(r), r.at, r.seconds, r.status_code, r.outcome, r.attempt_error)
        for r in conn.execute(q)
    ]
