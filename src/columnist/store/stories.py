"""Queries about stories (same-event groups of entries) and their topics.

The `assign` stage writes a whole batch of entries with a handful of executemany
statements (`create_many`, `attach_many`, `update_many`, `set_topics_many`) rather than
several statements per entry: at 100,000 entries the round trips, not the clustering,
would otherwise be most of the time.

Whatever puts an entry in a story also sets the story's `entry_count` and `updated`:
the site's build reads those two instead of every entry to tell which posts' source
lists changed (store/published.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, or_, select, update

from columnist.records import StoryRecord
from columnist.store.schema import (
    entries,
    pending_rewrites,
    posts,
    sources,
    stories,
    story_topics,
)


def _record(r, post_id: int | None = None) -> StoryRecord:
    return StoryRecord(
        id=r.id,
        title=r.title,
        centroid=r.centroid,
        entry_count=r.entry_count,
        first_seen=r.first_seen,
        last_seen=r.last_seen,
        post_id=post_id,
    )


def recent(conn: Connection, since: datetime) -> list[StoryRecord]:
    """Stories still open to new entries: memory is bounded by the window, not history."""
    q = select(stories).where(stories.c.last_seen >= since).order_by(stories.c.id)
    return [_record(r) for r in conn.execute(q)]


def ids_since(conn: Connection, since: datetime) -> list[int]:
    """Every story last seen at or after `since`, oldest id first."""
    q = select(stories.c.id).where(stories.c.last_seen >= since).order_by(stories.c.id)
    return list(conn.execute(q).scalars())


def by_ids(conn: Connection, story_ids: Sequence[int]) -> list[StoryRecord]:
    q = select(stories).where(stories.c.id.in_(list(story_ids))).order_by(stories.c.id)
    return [_record(r) for r in conn.execute(q)]


def get(conn: Connection, story_id: int) -> StoryRecord:
    return _record(conn.execute(select(stories).where(stories.c.id == story_id)).one())


def find(conn: Connection, story_id: int) -> StoryRecord | None:
    row = conn.execute(select(stories).where(stories.c.id == story_id)).first()
    return None if row is None else _record(row)


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


@dataclass(slots=True)
class StoryState:
    """A story's running figures after a batch, as `update_many` writes them."""

    title: str
    first_seen: datetime
    last_seen: datetime
    entry_count: int
    centroid: bytes
    id: int | None = None


def create_many(conn: Connection, states: Sequence[StoryState]) -> list[int]:
    """Insert new stories in one statement; returns their ids in order."""
    if not states:
        return []
    now = datetime.now(UTC)
    rows = [
        dict(
            title=s.title,
            first_seen=s.first_seen,
            last_seen=s.last_seen,
            entry_count=s.entry_count,
            centroid=s.centroid,
            created=now,
            updated=now,
        )
        for s in states
    ]
    result = conn.execute(
        insert(stories).returning(stories.c.id, sort_by_parameter_order=True), rows
    )
    return [r.id for r in result]


def update_many(conn: Connection, states: Sequence[StoryState]) -> None:
    """Write the running figures of stories that already have an id."""
    if not states:
        return
    now = datetime.now(UTC)
    conn.execute(
        update(stories)
        .where(stories.c.id == bindparam("sid"))
        .values(
            first_seen=bindparam("first"),
            last_seen=bindparam("last"),
            entry_count=bindparam("n"),
            centroid=bindparam("c"),
            updated=now,
        ),
        [
            dict(sid=s.id, first=s.first_seen, last=s.last_seen, n=s.entry_count, c=s.centroid)
            for s in states
        ],
    )


def attach_many(conn: Connection, rows: Iterable[tuple[int, int, bytes | None]]) -> None:
    """Set (entry id, story id, embedding or None to keep it) for a batch of entries."""
    with_vec = [dict(eid=e, sid=s, emb=v) for e, s, v in rows if v is not None]
    without = [dict(eid=e, sid=s) for e, s, v in rows if v is None]
    if with_vec:
        conn.execute(
            update(entries)
            .where(entries.c.id == bindparam("eid"))
            .values(story_id=bindparam("sid"), embedding=bindparam("emb")),
            with_vec,
        )
    if without:
        conn.execute(
            update(entries)
            .where(entries.c.id == bindparam("eid"))
            .values(story_id=bindparam("sid")),
            without,
        )


@dataclass(slots=True)
class PendingEntry:
    """An entry waiting for a story: what clustering and filing need, nothing more."""

    id: int
    title: str
    text: str
    published: datetime
    embedding: bytes | None
    source_id: int | None = None  # same-source items need stronger same-event evidence


def unclustered_page(
    conn: Connection, after: tuple[datetime, int] | None, limit: int
) -> list[PendingEntry]:
    """The next `limit` entries without a story in (published, id) order, after `after`.

    Keyset paging on the `published` index keeps each page cheap and memory to one page
    however long the backlog is. (`story_id + 0` stops SQLite from preferring the
    story_id index, which would sort the whole backlog for every page.)
    """
    if after is None:
        oldest = select(func.min(entries.c.published)).where(entries.c.story_id.is_(None))
        since = conn.execute(oldest).scalar_one_or_none()
        if since is None:
            return []
    else:
        since = after[0]
    q = select(
        entries.c.id,
        entries.c.title,
        entries.c.text,
        entries.c.published,
        entries.c.embedding,
        entries.c.source_id,
    ).where((entries.c.story_id + 0).is_(None), entries.c.published >= since)
    if after is not None:
        when, eid = after
        q = q.where(
            or_(entries.c.published > when, and_(entries.c.published == when, entries.c.id > eid))
        )
    q = q.order_by(entries.c.published, entries.c.id).limit(limit)
    return [
        PendingEntry(r.id, r.title, r.text, r.published, r.embedding, r.source_id)
        for r in conn.execute(q)
    ]


def count_unclustered(conn: Connection) -> int:
    q = select(func.count()).select_from(entries).where(entries.c.story_id.is_(None))
    return conn.execute(q).scalar_one()


@dataclass(slots=True)
class Member:
    source_id: int
    title: str
    text: str


def members(conn: Connection, story_ids: Sequence[int]) -> dict[int, list[Member]]:
    """Source, headline and text of every entry of the given stories (the open ones, on
    resume: their topic phrases, names and sources)."""
    out: dict[int, list[Member]] = {}
    for chunk in range(0, len(story_ids), 500):
        ids = list(story_ids[chunk : chunk + 500])
        q = select(entries.c.story_id, entries.c.source_id, entries.c.title, entries.c.text)
        for r in conn.execute(q.where(entries.c.story_id.in_(ids))):
            out.setdefault(r.story_id, []).append(Member(r.source_id, r.title, r.text))
    return out


def leads(conn: Connection, story_ids: Sequence[int]) -> dict[int, str]:
    """The text of each story's first entry, whose headline is the story's title: what
    the topic check reads under it."""
    out: dict[int, str] = {}
    for chunk in range(0, len(story_ids), 500):
        ids = list(story_ids[chunk : chunk + 500])
        q = (
            select(entries.c.story_id, entries.c.text)
            .where(entries.c.story_id.in_(ids))
            .order_by(entries.c.published.desc(), entries.c.id.desc())
        )
        out |= {r.story_id: r.text for r in conn.execute(q)}  # the earliest wins
    return out


def set_topics(conn: Connection, story_id: int, topics: list[tuple[str, float, str]]) -> None:
    """Replace a story's topics with (slug, score, rule) triples."""
    set_topics_many(conn, {story_id: topics})


def set_topics_many(conn: Connection, by_story: dict[int, list[tuple[str, float, str]]]) -> None:
    """Replace the topics of several stories at once."""
    if not by_story:
        return
    ids = list(by_story)
    for chunk in range(0, len(ids), 500):
        conn.execute(
            delete(story_topics).where(story_topics.c.story_id.in_(ids[chunk : chunk + 500]))
        )
    rows = [
        dict(story_id=sid, topic=slug, score=float(score), rule=rule)
        for sid, triples in by_story.items()
        for slug, score, rule in triples
    ]
    if rows:
        conn.execute(insert(story_topics), rows)


def topics_of(conn: Connection, story_id: int) -> list[str]:
    q = select(story_topics.c.topic).where(story_topics.c.story_id == story_id)
    return sorted(conn.execute(q).scalars())


def topics_by_score(conn: Connection, story_id: int) -> list[str]:
    """A story's topic slugs, the strongest first (the writer's persona comes from the
    first)."""
    q = (
        select(story_topics.c.topic)
        .where(story_topics.c.story_id == story_id)
        .order_by(story_topics.c.score.desc(), story_topics.c.topic)
    )
    return list(conn.execute(q).scalars())


def filed_topics(conn: Connection, story_id: int) -> list[tuple[str, float, str]]:
    """(slug, score, rule) of the topics a story is filed under."""
    q = (
        select(story_topics.c.topic, story_topics.c.score, story_topics.c.rule)
        .where(story_topics.c.story_id == story_id)
        .order_by(story_topics.c.topic)
    )
    return [(r.topic, r.score, r.rule) for r in conn.execute(q)]


def needing_posts(
    conn: Connection, limit: int | None = None, rewrite_on_growth: bool = False
) -> list[StoryRecord]:
    """Stories filed under a topic that need a commentary, oldest first.

    Those without a post; with `rewrite_on_growth`, also those whose post was written
    from fewer sources than the story has now (`post_id` is then set, so the writer
    replaces that post's body instead of inserting a new post).
    """
    filed = select(story_topics.c.story_id).distinct()
    q = (
        select(stories, posts.c.id.label("post_id"))
        .outerjoin(posts, posts.c.story_id == stories.c.id)
        .outerjoin(pending_rewrites, pending_rewrites.c.post_id == posts.c.id)
        .where(stories.c.id.in_(filed))
    )
    if rewrite_on_growth:
        # a text offered for review (waiting or declined) counts as written: the story
        # must grow past what that text was written from
        seen = func.coalesce(pending_rewrites.c.source_count, posts.c.source_count)
        grown = and_(
            seen < stories.c.entry_count,
            posts.c.status.notin_(("rejected", "retracted")),  # a person's decision stands
        )
        q = q.where(or_(posts.c.id.is_(None), grown))
    else:
        q = q.where(posts.c.id.is_(None))
    q = q.order_by(stories.c.first_seen, stories.c.id)
    if limit:
        q = q.limit(limit)
    return [_record(r, r.post_id) for r in conn.execute(q)]


def story_of_entry(conn: Connection, entry_id: int) -> tuple[int | None, str, str] | None:
    """(story id, title, source name) of an entry, or None if there is no such entry."""
    q = (
        select(entries.c.story_id, entries.c.title, sources.c.name)
        .join(sources, sources.c.id == entries.c.source_id)
        .where(entries.c.id == entry_id)
    )
    r = conn.execute(q).first()
    return None if r is None else (r.story_id, r.title, r.name)


def count(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(stories)).scalar_one()


def overview(conn: Connection, limit: int = 50) -> list[dict]:
    """The latest stories (last seen first), each with its entries, topics and post:
    what `columnist stories --json` prints, so a reviewer can see where a post came from."""
    rows = list(
        conn.execute(
            select(stories.c.id, stories.c.title, stories.c.first_seen, stories.c.last_seen)
            .order_by(stories.c.last_seen.desc(), stories.c.id.desc())
            .limit(limit)
        )
    )
    ids = [r.id for r in rows]
    items: dict[int, list[dict]] = {}
    q = (
        select(
            entries.c.id,
            entries.c.story_id,
            entries.c.title,
            entries.c.link,
            entries.c.published,
            sources.c.name,
        )  # fmt: skip
        .join(sources, sources.c.id == entries.c.source_id)
        .where(entries.c.story_id.in_(ids))
        .order_by(entries.c.published, entries.c.id)
    )
    for e in conn.execute(q):
        items.setdefault(e.story_id, []).append(
            {
                "id": e.id,
                "title": e.title,
                "link": e.link,
                "source": e.name,
                "published": e.published.isoformat(),
            }  # fmt: skip
        )
    filed: dict[int, list[dict]] = {}
    q = (
        select(story_topics)
        .where(story_topics.c.story_id.in_(ids))
        .order_by(story_topics.c.score.desc())
    )
    for t in conn.execute(q):
        filed.setdefault(t.story_id, []).append(
            {"topic": t.topic, "score": round(t.score, 4), "rule": t.rule}
        )
    written = {
        p.story_id: {"id": p.id, "status": p.status, "slug": p.slug}
        for p in conn.execute(
            select(posts.c.id, posts.c.story_id, posts.c.status, posts.c.slug).where(
                posts.c.story_id.in_(ids)
            )
        )
    }
    return [
        {
            "id": r.id,
            "title": r.title,
            "first_seen": r.first_seen.isoformat(),
            "last_seen": r.last_seen.isoformat(),
            "entries": items.get(r.id, []),
            "topics": filed.get(r.id, []),
            "post": written.get(r.id),
        }
        for r in rows
    ]
