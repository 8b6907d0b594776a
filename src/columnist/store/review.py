"""Queries of the editor's desk: the review queue, decisions on posts, their revisions.

Every change of a post raises its `version`, and a change is made only if the version
is still the one the editor read (`... WHERE version = :read`): two editors saving the
same post cannot overwrite each other, the second is told (store functions return
False and the caller says so).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Connection, Row, delete, insert, or_, select, update

from columnist.records import EditorChange, PendingRewrite, PostNote, QueuedPost, Retraction
from columnist.store.schema import pending_rewrites, post_revisions, posts, story_topics

QUEUE_STATUSES = ("held", "draft")  # waiting for a person
NOTE_KINDS = ("correction", "update")  # revisions whose reason readers see
# Revisions of texts offered for a published post that it never had: a pending rewrite
# a person rejected, or one the writer replaced with a newer one before anyone decided.
OFFERED_KINDS = ("declined", "superseded")
# Revisions whose text the writer wrote: the published text a person may have corrected
# since (a "rewrite" is the writer's too, asked for by an editor; an "update" by nobody
# is a rewrite the story's growth brought, by an editor a person's update).
WRITTEN_KINDS = ("written", "rewrite")


def _topics(conn: Connection, story_ids: list[int]) -> dict[int, list[str]]:
    q = (
        select(story_topics.c.story_id, story_topics.c.topic)
        .where(story_topics.c.story_id.in_(story_ids))
        .order_by(story_topics.c.score.desc(), story_topics.c.topic)
    )
    out: dict[int, list[str]] = {}
    for r in conn.execute(q):
        out.setdefault(r.story_id, []).append(r.topic)
    return out


def _pending(conn: Connection, post_ids: list[int]) -> dict[int, PendingRewrite]:
    """The rewritten texts waiting for review beside these (published) posts."""
    q = select(pending_rewrites).where(
        pending_rewrites.c.post_id.in_(post_ids),
        pending_rewrites.c.status.in_(QUEUE_STATUSES),
    )
    rows = list(conn.execute(q))
    changes = corrections(conn, [r.post_id for r in rows])
    return {
        r.post_id: PendingRewrite(
            status=r.status,
            body=r.body,
            excerpt=r.excerpt,
            checks=json.loads(r.checks or "{}"),
            source_count=r.source_count,
            created=r.created,
            corrections=changes.get(r.post_id, []),
        )
        for r in rows
    }


def corrections(conn: Connection, post_ids: list[int]) -> dict[int, list[EditorChange]]:
    """Per post, the corrections and updates a person made since the writer last wrote
    its text, oldest first: what a new text written from the sources would drop."""
    if not post_ids:
        return {}
    q = (
        select(post_revisions)
        .where(post_revisions.c.post_id.in_(post_ids))
        .order_by(post_revisions.c.post_id, post_revisions.c.version, post_revisions.c.id)
    )
    out: dict[int, list[EditorChange]] = {}
    for r in conn.execute(q):
        changes = out.setdefault(r.post_id, [])
        if r.kind in WRITTEN_KINDS or (r.kind == "update" and r.who is None):
            changes.clear()  # the writer's text: changes before it were of an older one
        elif r.kind in NOTE_KINDS and r.who is not None:
            changes.append(EditorChange(r.kind, r.who, r.created, r.reason or "", r.version))
    return {post_id: found for post_id, found in out.items() if found}


def _queued(
    rows: list, topics: dict[int, list[str]], pending: dict[int, PendingRewrite] | None = None
) -> list[QueuedPost]:
    pending = pending or {}
    return [
        QueuedPost(
            id=r.id,
            story_id=r.story_id,
            slug=r.slug,
            title=r.title,
            body=r.body,
            status=r.status,
            version=r.version,
            created=r.created,
            updated=r.updated,
            topics=topics.get(r.story_id, []),
            source_count=r.source_count,
            checks=json.loads(r.checks or "{}"),
            reviewed_by=r.reviewed_by,
            reviewed_at=r.reviewed_at,
            review_note=r.review_note,
            pending=pending.get(r.id) if r.status == "published" else None,
        )
        for r in rows
    ]


def queue(conn: Connection, topic: str | None = None) -> list[QueuedPost]:
    """Held and draft posts, and published posts whose rewritten text waits for review,
    newest first (a waiting rewrite counts from when it was written); with `topic`,
    those filed under it."""
    waiting = select(pending_rewrites.c.post_id).where(
        pending_rewrites.c.status.in_(QUEUE_STATUSES)
    )
    q = select(posts).where(
        or_(
            posts.c.status.in_(QUEUE_STATUSES),
            (posts.c.status == "published") & posts.c.id.in_(waiting),
        )
    )
    if topic is not None:
        filed = select(story_topics.c.story_id).where(story_topics.c.topic == topic)
        q = q.where(posts.c.story_id.in_(filed))
    rows = list(conn.execute(q))
    found = _queued(
        rows, _topics(conn, [r.story_id for r in rows]), _pending(conn, [r.id for r in rows])
    )
    return sorted(
        found, key=lambda p: (p.pending.created if p.pending else p.created, p.id), reverse=True
    )


def get(conn: Connection, post_id: int) -> QueuedPost | None:
    rows = list(conn.execute(select(posts).where(posts.c.id == post_id)))
    if not rows:
        return None
    return _queued(rows, _topics(conn, [rows[0].story_id]), _pending(conn, [post_id]))[0]


def growth_note(before: int, after: int) -> str:
    """The update note readers see on a post rewritten because its story grew."""
    return f"Rewritten as the story grew from {before} to {after} sources."


def offer_rewrite(conn: Connection, old, written: dict[str, object]) -> None:  # noqa: ANN001 - a posts row
    """Keep a published post as it is and put the writer's new text (`written`: the
    columns a writing sets, its status "held" or "draft") beside it for review.

    The published text is kept as a revision; a rewrite still waiting is replaced (and
    kept as "superseded"). The post's version goes up, so a page of the post read
    before is stale; its body, status, approval and `updated` stay: readers see no change.
    """
    keep_written(conn, old.id, old.version, old.title, old.body, old.updated)
    _drop_pending(conn, old.id, old.version, old.title)
    _add_pending(conn, old.id, written)
    conn.execute(update(posts).where(posts.c.id == old.id).values(version=old.version + 1))


def _add_pending(conn: Connection, post_id: int, written: dict[str, object]) -> None:
    conn.execute(
        insert(pending_rewrites).values(
            post_id=post_id,
            status=written["status"],
            body=written["body"],
            excerpt=written["excerpt"],
            backend=written["backend"],
            model=written["model"],
            prompt_version=written["prompt_version"],
            checks=written["checks"],
            source_count=written["source_count"],
            created=datetime.now(UTC),
        )
    )


def _waiting(conn: Connection, post_id: int) -> Row | None:
    """The post's rewrite that waits for review, if one does."""
    return conn.execute(
        select(pending_rewrites).where(
            pending_rewrites.c.post_id == post_id, pending_rewrites.c.status.in_(QUEUE_STATUSES)
        )
    ).first()


def _update_if_unchanged(conn: Connection, post_id: int, version: int, **values: object) -> bool:
    """Set `values` on the post and bump its version, only if nobody changed it since
    `version` was read: two editors saving one post, the second gets False."""
    done = conn.execute(
        update(posts)
        .where(posts.c.id == post_id, posts.c.version == version)
        .values(**values, version=version + 1)
    )
    return done.rowcount == 1


def rewrite_pending(
    conn: Connection, post: QueuedPost, written: dict[str, object], who: str, note: str
) -> bool:
    """Put the text the writer wrote again on `who`'s `note` in place of a published
    post's waiting rewrite. The replaced text is kept as a "superseded" revision with
    the note; the published text stays as it is. False if the post changed since
    `post.version` was read (or nothing waits any more)."""
    r = _waiting(conn, post.id)
    if r is None:
        return False
    if not _update_if_unchanged(conn, post.id, post.version):
        return False
    add_revision(conn, post.id, post.version, post.title, r.body, who, "superseded", note,
                 r.created)  # fmt: skip
    conn.execute(delete(pending_rewrites).where(pending_rewrites.c.post_id == post.id))
    _add_pending(conn, post.id, written)
    return True


def _drop_pending(conn: Connection, post_id: int, version: int, title: str) -> None:
    """Remove a post's pending rewrite; one still waiting is kept as "superseded"."""
    r = conn.execute(select(pending_rewrites).where(pending_rewrites.c.post_id == post_id)).first()
    if r is None:
        return
    if r.status in QUEUE_STATUSES:
        add_revision(conn, post_id, version, title, r.body, None, "superseded", None, r.created)
    conn.execute(delete(pending_rewrites).where(pending_rewrites.c.post_id == post_id))


def drop_pending(conn: Connection, post_id: int) -> None:
    """The writer replaced the post's text itself: no rewrite waits or stays declined."""
    r = conn.execute(select(posts.c.version, posts.c.title).where(posts.c.id == post_id)).one()
    _drop_pending(conn, post_id, r.version, r.title)


def publish_rewrite(
    conn: Connection, post: QueuedPost, who: str, reason: str | None, note: str
) -> bool:
    """Replace a published post's text with its waiting rewrite, approved by `who`;
    readers get `note` as a dated update. False if the post changed since `post.version`
    was read (or nothing waits any more)."""
    r = _waiting(conn, post.id)
    if r is None:
        return False
    now = datetime.now(UTC)
    if not _update_if_unchanged(
        conn,
        post.id,
        post.version,
        body=r.body,
        excerpt=r.excerpt,
        backend=r.backend,
        model=r.model,
        prompt_version=r.prompt_version,
        checks=r.checks,
        source_count=r.source_count,
        status="published",
        updated=now,
        reviewed_by=who,
        reviewed_at=now,
        review_note=reason,
    ):
        return False
    keep_written(conn, post.id, post.version, post.title, post.body, post.updated)
    add_revision(conn, post.id, post.version + 1, post.title, r.body, None, "update", note, now)
    conn.execute(delete(pending_rewrites).where(pending_rewrites.c.post_id == post.id))
    return True


def decline_rewrite(conn: Connection, post: QueuedPost, who: str, reason: str) -> bool:
    """Keep a published post's text and turn its waiting rewrite down. The row stays as
    "declined" (the writer offers a text again only when the story grows further) and
    the text is kept as a revision. False if the post changed since it was read."""
    r = _waiting(conn, post.id)
    if r is None:
        return False
    if not _update_if_unchanged(conn, post.id, post.version):
        return False
    now = datetime.now(UTC)
    add_revision(conn, post.id, post.version, post.title, r.body, who, "declined", reason, now)
    conn.execute(
        update(pending_rewrites)
        .where(pending_rewrites.c.post_id == post.id)
        .values(status="declined")
    )
    return True


def decide(
    conn: Connection, post_id: int, version: int, status: str, who: str, note: str | None
) -> bool:
    """Set a post's status as a person decided; False if it changed since `version`."""
    return _update_if_unchanged(
        conn,
        post_id,
        version,
        status=status,
        reviewed_by=who,
        reviewed_at=datetime.now(UTC),
        review_note=note,
    )


def save_edit(
    conn: Connection,
    post: QueuedPost,
    body: str,
    excerpt: str,
    checks: dict,
    who: str,
    reason: str | None,
    kind: str = "edit",
    status: str | None = None,
) -> bool:
    """Store an editor's text as the post's new version, keeping the old one.

    `kind` "correction" or "update" makes `reason` a dated note readers see on the
    post's page (NOTE_KINDS). False (and nothing written) if the post changed since
    `post.version` was read. `status`, if given, is the post's status from now on.
    """
    now = datetime.now(UTC)
    if not _update_if_unchanged(
        conn,
        post.id,
        post.version,
        body=body,
        excerpt=excerpt,
        checks=json.dumps(checks),
        updated=now,
        **({"status": status} if status else {}),
    ):
        return False
    keep_written(conn, post.id, post.version, post.title, post.body, post.updated)
    add_revision(conn, post.id, post.version + 1, post.title, body, who, kind, reason, now)
    return True


def add_revision(  # every text a post had, and who made it
    conn: Connection,
    post_id: int,
    version: int,
    title: str,
    body: str,
    who: str | None,
    kind: str,
    reason: str | None,
    when: datetime,
) -> None:
    conn.execute(
        insert(post_revisions).values(
            post_id=post_id,
            version=version,
            title=title,
            body=body,
            who=who,
            kind=kind,
            reason=reason,
            created=when,
        )
    )


def keep_written(
    conn: Connection, post_id: int, version: int, title: str, body: str, when: datetime
) -> None:
    """Keep the writer's text of a version as a revision, the first time it is replaced
    (a text the post kept when a rewrite was declined is kept once, at its first version)."""
    had = (
        select(post_revisions.c.version, post_revisions.c.body)
        .where(post_revisions.c.post_id == post_id, post_revisions.c.kind.notin_(OFFERED_KINDS))
        .order_by(post_revisions.c.version.desc(), post_revisions.c.id.desc())
    )
    kept = conn.execute(had.where(post_revisions.c.version == version)).first()
    last = conn.execute(had.limit(1)).first()
    if kept is None and (last is None or last.body != body):
        add_revision(conn, post_id, version, title, body, None, "written", None, when)


def revisions(conn: Connection, post_id: int) -> list[dict]:
    """Every kept text of a post, oldest first."""
    q = (
        select(post_revisions)
        .where(post_revisions.c.post_id == post_id)
        .order_by(post_revisions.c.version, post_revisions.c.id)
    )
    return [
        {
            "version": r.version,
            "kind": r.kind,
            "who": r.who,
            "reason": r.reason,
            "created": r.created,
            "body": r.body,
        }
        for r in conn.execute(q)
    ]


def retractions(conn: Connection) -> list[Retraction]:
    """Retracted posts, for their notes on the site."""
    q = select(
        posts.c.id, posts.c.slug, posts.c.title, posts.c.reviewed_at, posts.c.updated,
        posts.c.review_note,
    ).where(posts.c.status == "retracted")  # fmt: skip
    return [
        Retraction(r.id, r.slug, r.title, r.reviewed_at or r.updated, r.review_note or "")
        for r in conn.execute(q)
    ]


def other_bodies(conn: Connection, topics: list[str], post_id: int, limit: int) -> list[str]:
    """Bodies of the latest published posts on `topics` other than `post_id`, newest
    first: what an edited opening is compared with."""
    if not topics:
        return []
    q = (
        select(posts.c.body)
        .join(story_topics, story_topics.c.story_id == posts.c.story_id)
        .where(
            story_topics.c.topic.in_(topics),
            posts.c.status == "published",
            posts.c.id != post_id,
        )
        .order_by(posts.c.id.desc())
        .limit(limit)
    )
    return list(dict.fromkeys(conn.execute(q).scalars()))


def notes_by_post(conn: Connection) -> dict[int, list[PostNote]]:
    """The readers' notes (corrections, updates) of every post, oldest first."""
    q = (
        select(
            post_revisions.c.post_id,
            post_revisions.c.kind,
            post_revisions.c.created,
            post_revisions.c.reason,
        )  # fmt: skip
        .where(post_revisions.c.kind.in_(NOTE_KINDS))
        .order_by(post_revisions.c.post_id, post_revisions.c.version)
    )
    out: dict[int, list[PostNote]] = {}
    for r in conn.execute(q):
        out.setdefault(r.post_id, []).append(PostNote(r.kind, r.created, r.reason or ""))
    return out
