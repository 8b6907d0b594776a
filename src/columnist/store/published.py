"""Reading the published posts for a build: light rows first, full text only when needed.

A build of 10,000 posts re-renders a handful of pages when one post is new, so the
loader reads what every page's fingerprint needs (title, excerpt, dates, topics, the
number of sources) and leaves bodies and source details to `PostDetails`, which fetches
them for the posts whose pages are rendered. Each post gets a `revision` that changes
whenever its body or its sources change, from two times the store keeps: the post's
`updated` (set by every change of its body) and its story's `updated` (set whenever an
entry joins the story; entries and source names do not change once stored).

Used by the build stage (site/stage.py). `store.posts.post_views` serves `columnist
posts --json`; the build reads the same tables with plain SQL on the driver's cursor,
which is several times faster on SQLite and PostgreSQL alike (SQLAlchemy's per-row
processing was most of the time).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, text

from columnist.config import TopicSettings
from columnist.records import PostImage, PostView, SourceLink, TopicView
from columnist.store.review import notes_by_post
from columnist.store.schema import (
    entries,
    entry_images,
    posts,
    sources,
    stories,
    story_topics,
)

# Plain SQL both databases run as it is (the status is a constant).
_PUBLISHED = "'published'"
_HEADS = (
    f"SELECT p.id, p.story_id, p.slug, p.title, p.excerpt, p.created, p.updated, p.model, "
    f"p.reviewed_by, p.reviewed_at, s.updated, s.entry_count "
    f"FROM {posts.name} p JOIN {stories.name} s ON s.id = p.story_id "
    f"WHERE p.status = {_PUBLISHED}"
)
_TOPICS = (
    f"SELECT t.story_id, t.topic FROM {story_topics.name} t "
    f"JOIN {posts.name} p ON p.story_id = t.story_id WHERE p.status = {_PUBLISHED} "
    f"ORDER BY t.story_id, t.topic"
)
_SOURCE_COLUMNS = (
    f"SELECT e.story_id, e.title, e.link, e.published, s.name "
    f"FROM {entries.name} e JOIN {sources.name} s ON s.id = e.source_id "
)
_IMAGES = (
    f"SELECT e.story_id, e.id, e.link, s.name, i.url, i.width, i.height, i.alt, i.credit, "
    f"i.digest FROM {entry_images.name} i JOIN {entries.name} e ON e.id = i.entry_id "
    f"JOIN {sources.name} s ON s.id = e.source_id "
    f"JOIN {posts.name} p ON p.story_id = e.story_id WHERE p.status = {_PUBLISHED} "
    f"ORDER BY e.story_id, e.published, e.id"
)
_ALL_BODIES = f"SELECT id, body FROM {posts.name} WHERE status = {_PUBLISHED}"
_ALL_SOURCES = (
    f"{_SOURCE_COLUMNS}JOIN {posts.name} p ON p.story_id = e.story_id "
    f"WHERE p.status = {_PUBLISHED} ORDER BY e.story_id, e.published, e.id"
)
_SOME_BODIES = text(f"SELECT id, body FROM {posts.name} WHERE id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)
_SOME_SOURCES = text(
    f"{_SOURCE_COLUMNS}WHERE e.story_id IN :ids ORDER BY e.story_id, e.published, e.id"
).bindparams(bindparam("ids", expanding=True))
_CHUNK = 500  # ids per IN list
_ALL_AT_ONCE = 0.2  # asking for more than this share of the posts: read them all


def _moment(value: datetime | str | None) -> datetime | None:
    """A UTC datetime from what the driver returns (SQLite: text; PostgreSQL: naive UTC)."""
    if value.__class__ is str:  # stored as naive UTC: saying so is 5x faster than .replace
        try:
            return datetime.fromisoformat(value + "+00:00")  # type: ignore[operator]
        except ValueError:  # it had an offset after all
            return datetime.fromisoformat(value).astimezone(UTC)  # type: ignore[arg-type]
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _rows(conn: Connection, sql: str) -> list[tuple]:
    """All rows of a parameterless query as plain tuples, on the driver's own cursor
    (SQLAlchemy's Row objects cost a third of the time for these ten-thousand-row reads)."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


class PostDetails:
    """Bodies and sources of published posts, read from the store on request.

    Holds the connection the heads were read with, so it is only good while that
    connection is open (the build stage keeps it open for the whole build).
    """

    def __init__(self, conn: Connection, story_of: dict[int, int]) -> None:
        self.conn = conn
        self.story_of = story_of  # post id -> story id

    def __call__(self, post_ids: Iterable[int]) -> dict[int, tuple[str, list[SourceLink]]]:
        """post id -> (body, sources) for each of `post_ids` that is still published."""
        wanted = [i for i in dict.fromkeys(post_ids) if i in self.story_of]
        if not wanted:
            return {}
        if len(wanted) > _ALL_AT_ONCE * len(self.story_of):
            body_rows = _rows(self.conn, _ALL_BODIES)
            source_rows = _rows(self.conn, _ALL_SOURCES)
        else:
            body_rows, source_rows = [], []
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                story_ids = sorted({self.story_of[i] for i in chunk})
                body_rows += self.conn.execute(_SOME_BODIES, {"ids": chunk}).fetchall()
                source_rows += self.conn.execute(_SOME_SOURCES, {"ids": story_ids}).fetchall()
        by_story: dict[int, list[SourceLink]] = {}
        for story_id, title, link, published, name in source_rows:
            by_story.setdefault(story_id, []).append(
                SourceLink(title, link, name, _moment(published))
            )
        return {
            pid: (body, by_story.get(self.story_of[pid], []))
            for pid, body in body_rows
            if pid in self.story_of
        }


def story_images(conn: Connection) -> dict[int, PostImage]:
    """story id -> the best image its entries offer, for every published post's story.

    The best is the largest (in pixels); of equals, the earliest entry's, so a story
    keeps its picture when a later source offers one of the same size.
    """
    best: dict[int, PostImage] = {}
    for story_id, entry_id, link, name, url, width, height, alt, credit, digest in _rows(
        conn, _IMAGES
    ):
        shown = best.get(story_id)
        if shown is None or width * height > shown.width * shown.height:
            best[story_id] = PostImage(
                entry_id, url, width, height, alt, credit, name, link, digest
            )
    return best


def published_heads(
    conn: Connection, topics: list[TopicSettings]
) -> tuple[list[PostView], PostDetails]:
    """Every published post without body and sources (any order), and their reader."""
    known = {t.slug: TopicView(slug=t.slug, name=t.name, description=t.description) for t in topics}
    by_story_topics: dict[int, list[TopicView]] = {}
    for story_id, slug in _rows(conn, _TOPICS):
        topic = known.get(slug)
        if topic is not None:
            by_story_topics.setdefault(story_id, []).append(topic)
    notes = notes_by_post(conn)
    images = story_images(conn)
    views = []
    story_of: dict[int, int] = {}
    for row in _rows(conn, _HEADS):
        pid, story_id, slug, title, excerpt, created, updated, model, by, at, grown, count = row
        story_of[pid] = story_id
        views.append(
            PostView(  # positionally: ten thousand keyword calls cost 20 ms
                pid,
                slug,
                title,
                "",  # body
                excerpt,
                _moment(created),  # type: ignore[arg-type]
                _moment(updated),  # type: ignore[arg-type]
                by_story_topics.get(story_id, []),
                [],  # sources
                model,
                "published",
                f"{created}\x1e{updated}\x1e{grown}\x1e{count}",  # revision
                count,  # source_count
                by,  # reviewed_by
                _moment(at),  # reviewed_at
                notes.get(pid, []),
                images.get(story_id),
            )
        )
    return views, PostDetails(conn, story_of)


def published_posts(conn: Connection, topics: list[TopicSettings]) -> list[PostView]:
    """Every published post with its body, topics and sources (any order)."""
    heads, details = published_heads(conn, topics)
    full = details(h.id for h in heads)
    for head in heads:
        head.body, head.sources = full[head.id]
        head.revision = head.source_count = None
    return heads
