"""Queries about stories (same-event groups of entries) and their topics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, func, insert, select, update

from columnist.store.schema import entries, posts, stories, story_topics


@dataclass(slots=True)
class StoryRecord:
    id: int
    title: str
    centroid: bytes | None
    entry_count: int
    first_seen: datetime
    last_seen: datetime


def _record(r) -> StoryRecord:
    return StoryRecord(
        id=r.id,
        title=r.title,
        centroid=r.centroid,
        entry_count=r.entry_count,
        first_seen=r.first_seen,
        last_seen=r.last_seen,
    )


def recent(conn: Connection, since: datetime) -> list[StoryRecord]:
    """Stories still open to new entries: memory is bounded by the window, not history."""
    q = select(stories).where(stories.c.last_seen >= since).order_by(stories.c.id)
    return [_record(r) for r in conn.execute(q)]


def get(conn: Connection, story_id: int) -> StoryRecord:
    return _record(conn.execute(select(stories).where(stories.c.id == story_id)).one())


def create(conn: Connection, title: str, published: datetime, centroid: bytes) -> int:
    now = datetime.now(UTC)
    return conn.execute(
        insert(stories).values(
            title=title,
            first_seen=published,
            last_seen=published,
            entry_count=0,
            centroid=centroid,
            created=now,
            updated=now,
        )
    ).inserted_primary_key[0]


def attach_entry(
    conn: Connection, story_id: int, entry_id: int, published: datetime, centroid: bytes
) -> None:
    """Put an entry in a story and keep the story's running figures in step."""
    conn.execute(update(entries).where(entries.c.id == entry_id).values(story_id=story_id))
    story = get(conn, story_id)
    conn.execute(
        update(stories)
        .where(stories.c.id == story_id)
        .values(
            entry_count=story.entry_count + 1,
            centroid=centroid,
            first_seen=min(story.first_seen, published),
            last_seen=max(story.last_seen, published),
            updated=datetime.now(UTC),
        )
    )


def set_topics(conn: Connection, story_id: int, topics: list[tuple[str, float, str]]) -> None:
    """Replace a story's topics with (slug, score, rule) triples."""
    conn.execute(delete(story_topics).where(story_topics.c.story_id == story_id))
    if topics:
        conn.execute(
            insert(story_topics),
            [
                dict(story_id=story_id, topic=slug, score=score, rule=rule)
                for slug, score, rule in topics
            ],
        )


def topics_of(conn: Connection, story_id: int) -> list[str]:
    q = select(story_topics.c.topic).where(story_topics.c.story_id == story_id)
    return sorted(conn.execute(q).scalars())


def needing_posts(conn: Connection, limit: int | None = None) -> list[StoryRecord]:
    """Stories filed under a topic that have no post yet, oldest first."""
    filed = select(story_topics.c.story_id).distinct()
    written = select(posts.c.story_id)
    q = (
        select(stories)
        .where(stories.c.id.in_(filed), stories.c.id.not_in(written))
        .order_by(stories.c.first_seen, stories.c.id)
    )
    if limit:
        q = q.limit(limit)
    return [_record(r) for r in conn.execute(q)]


def count(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(stories)).scalar_one()
