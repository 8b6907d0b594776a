"""Queries about posts: storing a written commentary and reading posts for the site."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select, update

from columnist.config import TopicSettings, slugify
from columnist.records import NewPost, PostView, SourceLink, TopicView
from columnist.store.review import (
    add_revision,
    corrections,
    drop_pending,
    growth_note,
    keep_written,
    offer_rewrite,
)
from columnist.store.schema import entries, posts, sources, story_topics


def unique_slug(conn: Connection, title: str) -> str:
    base = slugify(title)[:80].rstrip("-") or "post"
    taken = set(conn.execute(select(posts.c.slug).where(posts.c.slug.like(f"{base}%"))).scalars())
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def insert_post(conn: Connection, post: NewPost) -> int:
    now = datetime.now(UTC)
    return conn.execute(
        insert(posts).values(
            story_id=post.story_id,
            slug=unique_slug(conn, post.title),
            title=post.title,
            created=now,
            updated=now,
            **_written(post),
        )
    ).inserted_primary_key[0]


def _written(post: NewPost) -> dict[str, object]:
    """The columns a writing sets, on a new post and on a rewritten one alike."""
    return dict(
        body=post.body,
        excerpt=post.excerpt,
        status=post.status,
        backend=post.backend,
        model=post.model,
        prompt_version=post.prompt_version,
        checks=json.dumps(post.checks),
        source_count=post.source_count,
    )


def has_post(conn: Connection, story_id: int) -> bool:
    return conn.execute(select(posts.c.id).where(posts.c.story_id == story_id)).first() is not None


def replace_post_body(conn: Connection, post_id: int, post: NewPost) -> str:
    """Rewrite an existing post after its story grew (`[stories] rewrite_on_growth`).

    Slug, title and creation date stay, so links to the post keep working; the body,
    excerpt, checks and the number of sources it was written from are replaced. A
    person's approval was of the old text, so it goes; the version goes up (an editor
    who opened the old text gets a conflict). The old text is kept as a revision, and
    a published post rewritten as published gets a dated update note for its readers.

    A published post whose new text the review policy holds (or a check keeps as a
    draft) is not replaced: it stays up as it is and the new text waits beside it for a
    person (store/review.py `offer_rewrite`; publishing it makes the update). So does
    one whose published text a person corrected since the writer wrote it, whatever
    the policy: the new text, written from the sources, does not carry the correction,
    and replacing the text unseen would drop it. Returns the new text's status.
    """
    old = conn.execute(select(posts).where(posts.c.id == post_id)).one()
    if old.status == "published" and post.status == "published" and corrections(conn, [post_id]):
        written = _written(post) | {"status": "held"}
        offer_rewrite(conn, old, written)
        return "held"
    if old.status == "published" and post.status != "published":
        offer_rewrite(conn, old, _written(post))
        return post.status
    drop_pending(conn, post_id)
    keep_written(conn, post_id, old.version, old.title, old.body, old.updated)
    if old.status == "published" and post.status == "published":
        note = growth_note(old.source_count, post.source_count)
        add_revision(conn, post_id, old.version + 1, old.title, post.body, None, "update",
                     note, datetime.now(UTC))  # fmt: skip
    else:
        add_revision(conn, post_id, old.version + 1, old.title, post.body, None, "written",
                     None, datetime.now(UTC))  # fmt: skip
    conn.execute(
        update(posts)
        .where(posts.c.id == post_id)
        .values(
            updated=datetime.now(UTC),
            reviewed_by=None,
            reviewed_at=None,
            review_note=None,
            version=posts.c.version + 1,
            **_written(post),
        )
    )
    return post.status


def sources_by_story(conn: Connection, story_ids: list[int]) -> dict[int, list[SourceLink]]:
    """Each story's entries as source links, oldest first: the post page, feeds and
    deliveries list the same ones."""
    q = (
        select(
            entries.c.story_id, entries.c.title, entries.c.link, entries.c.published, sources.c.name
        )
        .join(sources, sources.c.id == entries.c.source_id)
        .where(entries.c.story_id.in_(story_ids))
        .order_by(entries.c.published, entries.c.id)
    )
    out: dict[int, list[SourceLink]] = {}
    for r in conn.execute(q):
        out.setdefault(r.story_id, []).append(
            SourceLink(title=r.title, url=r.link, source_name=r.name, published=r.published)
        )
    return out


def topics_by_story(conn: Connection, story_ids: list[int]) -> dict[int, list[str]]:
    """Each story's topic slugs as filed, sorted; a story filed under none is absent."""
    q = (
        select(story_topics.c.story_id, story_topics.c.topic)
        .where(story_topics.c.story_id.in_(story_ids))
        .order_by(story_topics.c.topic)
    )
    out: dict[int, list[str]] = {}
    for r in conn.execute(q):
        out.setdefault(r.story_id, []).append(r.topic)
    return out


def post_views(
    conn: Connection, topics: list[TopicSettings], status: str | None = "published"
) -> list[PostView]:
    """Posts with their topics and sources, newest first, as the site and JSON show them."""
    q = select(posts).order_by(posts.c.created.desc(), posts.c.id.desc())
    if status:
        q = q.where(posts.c.status == status)
    rows = list(conn.execute(q))
    story_ids = [r.story_id for r in rows]
    srcs, tops = sources_by_story(conn, story_ids), topics_by_story(conn, story_ids)
    known = {t.slug: TopicView(slug=t.slug, name=t.name, description=t.description) for t in topics}
    views = []
    for r in rows:
        views.append(
            PostView(
                id=r.id,
                slug=r.slug,
                title=r.title,
                body=r.body,
                excerpt=r.excerpt,
                created=r.created,
                updated=r.updated,
                topics=[known[s] for s in tops.get(r.story_id, []) if s in known],
                sources=srcs.get(r.story_id, []),
                model=r.model,
                status=r.status,
                reviewed_by=r.reviewed_by,
                reviewed_at=r.reviewed_at,
            )
        )
    return views


def checks_by_post(conn: Connection) -> dict[int, dict]:
    return {
        r.id: json.loads(r.checks or "{}") for r in conn.execute(select(posts.c.id, posts.c.checks))
    }


def recent_bodies(conn: Connection, topic: str, limit: int) -> list[str]:
    """Bodies of the latest published posts on a topic, newest first."""
    q = (
        select(posts.c.body)
        .join(story_topics, story_topics.c.story_id == posts.c.story_id)
        .where(story_topics.c.topic == topic, posts.c.status == "published")
        .order_by(posts.c.id.desc())
        .limit(limit)
    )
    return list(conn.execute(q).scalars())


@dataclass(slots=True)
class FiledPost:
    """A post under one of its story's topics (a post filed twice comes twice)."""

    title: str
    topic: str
    status: str
    body: str
    checks: dict


def posts_by_topic(conn: Connection) -> list[FiledPost]:
    """Every post once per topic of its story, in story order."""
    q = (
        select(posts, story_topics.c.topic)
        .join(story_topics, story_topics.c.story_id == posts.c.story_id)
        .order_by(posts.c.story_id)
    )
    return [
        FiledPost(r.title, r.topic, r.status, r.body, json.loads(r.checks or "{}"))
        for r in conn.execute(q)
    ]
