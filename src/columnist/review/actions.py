"""What a person may do to a post: publish, reject, retract, edit, or have it written
again with a note. Shared by the terminal (`columnist review`) and the web admin
(`columnist admin`).

Each action is one transaction holding the change and its line in the audit log, made
only if the post is still at the version the person read (store/review.py): a second
editor acting on a post someone changed meanwhile gets a conflict, not a silent
overwrite. Publishing over a failing check needs a written reason, and an edit of a
published post a note for its readers (correction or update); the log keeps both.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from columnist.commentary.backends.base import Backend
from columnist.commentary.borrowed import borrowed_words
from columnist.commentary.checks import CheckResult, check_commentary, column_words, news_words
from columnist.commentary.compose import Draft, persona_for
from columnist.commentary.openings import opening
from columnist.commentary.text import make_excerpt, paragraphs
from columnist.commentary.verify import verify
from columnist.config import Settings
from columnist.errors import ColumnistError, ModelError
from columnist.records import QueuedPost, StoryInput
from columnist.store import audit
from columnist.store import entries as entry_store
from columnist.store import review as review_store
from columnist.store import stories as story_store
from columnist.store.db import Connection, Engine, transaction
from columnist.store.review import NOTE_KINDS
from columnist.store.users import UserRow


class ReviewError(ColumnistError):
    """An action that cannot be done to this post (the message names it)."""


class Conflict(ReviewError):
    """The post changed since the person read it; nothing was saved."""


class Forbidden(ReviewError):
    """The user's role does not allow the action: an editor publishes, rejects, edits
    and rewrites; only an admin retracts a published post (and manages users)."""


def need_admin(user: UserRow, doing: str) -> None:
    if user.role != "admin":
        raise Forbidden(f"{user.name} is an {user.role}: only an admin may {doing}")


def load(engine: Engine, post_id: int) -> QueuedPost:
    with engine.connect() as conn:
        post = review_store.get(conn, post_id)
    if post is None:
        raise ReviewError(f"post {post_id} does not exist")
    return post


def _conflict(engine: Engine, post: QueuedPost) -> Conflict:
    now = load(engine, post.id)
    by = f" by {now.reviewed_by}" if now.reviewed_by else ""
    return Conflict(
        f"post {post.id} changed since you read it (version {post.version}, now "
        f"{now.version}, {now.status}{by}); nothing was saved: look at it again"
    )


def _summary(problems: list[str]) -> str:
    more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{problems[0]}{more}"


def publish(
    engine: Engine,
    user: UserRow,
    post: QueuedPost,
    reason: str | None = None,
    carries_corrections: bool = False,
) -> None:
    """Publish a held, draft or rejected post under `user`'s name; for a published post
    whose rewritten text waits for review, publish that text in place of the old one
    (refused while the published text has corrections the rewrite was written without,
    unless `carries_corrections`: the person checked that the new text has them)."""
    if post.status == "published" and post.pending is not None:
        _publish_rewrite(engine, user, post, reason, carries_corrections)
        return
    if post.status == "published":
        raise ReviewError(f"post {post.id} is published already")
    if post.status == "retracted":
        raise ReviewError(f"post {post.id} was retracted; a retraction stands")
    if post.problems and not (reason and reason.strip()):
        raise ReviewError(
            f"post {post.id} fails its checks ({_summary(post.problems)}): publishing it "
            "needs a written reason (--reason TEXT)"
        )
    _decide(engine, user, post, "published", "publish", reason)


CARRIES_FLAG = "--carries-corrections"  # the admin: a box beside "Publish"


def _publish_rewrite(
    engine: Engine, user: UserRow, post: QueuedPost, reason: str | None, carries: bool
) -> None:
    """The waiting rewrite replaces the published text, with a dated update note.

    The writer writes from the sources, never from the published text: a correction a
    person made to that text is not in the rewrite. Publishing it would drop the
    correction while its note stays on the page, so it is refused, naming both, until
    the person says the new text carries it (or writes it again with a note, or rejects
    it). The version check makes a correction saved meanwhile a conflict."""
    pending = post.pending
    assert pending is not None
    changes = pending.corrections
    if changes and not carries:
        said = "; ".join(c.describe() for c in changes)
        raise ReviewError(
            f"post {post.id}: its published text has the {said}, made after the writer wrote "
            f"it; the waiting rewrite (from {pending.source_count} sources, written "
            f"{pending.created:%Y-%m-%d %H:%M}) was written from the sources without it and "
            "would drop it: write it again with a note (`review rewrite`), reject it, or "
            f"confirm the rewritten text carries it ({CARRIES_FLAG}); nothing was published"
        )
    if pending.problems and not (reason and reason.strip()):
        raise ReviewError(
            f"post {post.id}: its rewritten text fails its checks ({_summary(pending.problems)}):"
            " publishing it needs a written reason (--reason TEXT)"
        )
    note = review_store.growth_note(post.source_count, pending.source_count)
    with transaction(engine) as conn:
        if not review_store.publish_rewrite(conn, post, user.name, reason, note):
            raise _conflict(engine, post)
        detail = f"rewritten text, version {post.version + 1}"
        if changes:
            versions = ", ".join(str(c.version) for c in changes)
            detail += f"; carries the corrections of version {versions}, said {user.name}"
        detail += f": {reason}" if reason else ""
        audit.record(conn, user.name, "publish-rewrite", post.id, detail)


def reject(engine: Engine, user: UserRow, post: QueuedPost, reason: str) -> None:
    """Keep a held or draft post off the site for good (the writer will not redo it); for
    a published post whose rewritten text waits, turn that text down and keep the
    published one (the writer tries again only when the story grows further)."""
    if post.status == "published" and post.pending is not None:
        _need_reason(post, reason, "rejecting")
        with transaction(engine) as conn:
            if not review_store.decline_rewrite(conn, post, user.name, reason):
                raise _conflict(engine, post)
            audit.record(conn, user.name, "reject-rewrite", post.id, reason)
        return
    if post.status not in review_store.QUEUE_STATUSES:
        hint = ": retract it instead" if post.status == "published" else ""
        raise ReviewError(f"post {post.id} is {post.status}, not waiting for review{hint}")
    _need_reason(post, reason, "rejecting")
    _decide(engine, user, post, "rejected", "reject", reason)


def retract(engine: Engine, user: UserRow, post: QueuedPost, reason: str) -> None:
    """Take a published post down; its page becomes a dated retraction note. Admins only."""
    need_admin(user, "retract a published post")
    if post.status != "published":
        raise ReviewError(f"post {post.id} is {post.status}: only a published post is retracted")
    _need_reason(post, reason, "retracting")
    _decide(engine, user, post, "retracted", "retract", reason)


def _need_reason(post: QueuedPost, reason: str | None, doing: str) -> None:
    if not (reason and reason.strip()):
        raise ReviewError(f"post {post.id}: {doing} it needs a written reason (--reason TEXT)")


def _decide(
    engine: Engine, user: UserRow, post: QueuedPost, status: str, action: str, reason: str | None
) -> None:
    with transaction(engine) as conn:
        if not review_store.decide(conn, post.id, post.version, status, user.name, reason):
            raise _conflict(engine, post)
        audit.record(conn, user.name, action, post.id, reason or "")


@dataclass(slots=True)
class Rechecked:
    """An edited text and what the writer's checks make of it."""

    check: CheckResult
    unverified: list[dict]
    # a speaker's words used as the writer's own: a flag the admin shows, not a problem
    # (publishing over it needs no reason)
    borrowed: list[dict]

    @property
    def problems(self) -> list[str]:
        return self.check.problems + [f"unverified: {v['sentence']}" for v in self.unverified]


def recheck(engine: Engine, settings: Settings, post: QueuedPost, body: str) -> Rechecked:
    """Every check the writer ran on its own text, run on an editor's: against the
    story's sources, the persona's length and the openings of the topic's other posts."""
    with engine.connect() as conn:
        story = story_store.get(conn, post.story_id)
        items = entry_store.story_entries(conn, post.story_id)
        topics = story_store.topics_by_score(conn, post.story_id)
        others = review_store.other_bodies(conn, topics, post.id, settings.writer.recent_openings)
    source = StoryInput(
        headline=story.title,
        sources=[(e.source_name, e.title, e.text, e.published) for e in items],
        topics=topics,
        story_id=post.story_id,
    )
    persona = persona_for(settings, topics)
    check = check_commentary(
        body,
        target_words=column_words(
            persona.words or settings.writer.words,
            news_words(source.sources),
            settings.writer.words_per_source_word,
        ),
        source_text=source.source_text,
        recent_openings=[opening(b) for b in others],
        stock_openings=settings.writer.stock_openings,
        restate_cosine=settings.writer.restatement_cosine,
    )
    unverified = [v.as_dict() for v in verify(body, source.source_text) if not v.supported]
    borrowed = [b.as_dict() for b in borrowed_words(body, source.source_text)]
    return Rechecked(check, unverified, borrowed)


def tidy(body: str) -> str:
    """The edited text as the store keeps bodies: paragraphs apart by one blank line."""
    return "\n\n".join(paragraphs(body.replace("\r\n", "\n")))


def need_note(post: QueuedPost, note: str | None, text: str | None) -> str | None:
    """The note kind an edit of `post` leaves for readers: one of NOTE_KINDS with a text
    for a published post (refused without), none for a post readers have not seen."""
    if post.status != "published":
        return None
    if note not in NOTE_KINDS or not (text or "").strip():
        raise ReviewError(
            f"post {post.id} is published: say what the edit changes for its readers "
            "(--correction TEXT or --update TEXT, shown dated on its page)"
        )
    return note


def edit(
    engine: Engine,
    settings: Settings,
    user: UserRow,
    post: QueuedPost,
    body: str,
    reason: str | None = None,
    note: str | None = None,
) -> Rechecked:
    """Save an editor's text as the post's new version, with the checks' findings.

    A published post stays published: its readers are told what changed, so the edit
    needs `note` ("correction" or "update") and `reason` is that note's text, shown
    dated on the page. A held post stays in the queue with its new findings.
    """
    body = tidy(body)
    if not body:
        raise ReviewError(f"post {post.id}: the edited text is empty; nothing was saved")
    if post.status in ("rejected", "retracted"):
        raise ReviewError(f"post {post.id} is {post.status}; it is not edited any more")
    note = need_note(post, note, reason)
    found = recheck(engine, settings, post, body)
    checks = post.checks | found.check.as_dict()
    checks |= {"unverified": found.unverified, "borrowed": found.borrowed}
    checks["edited_by"] = user.name
    excerpt = make_excerpt(body, settings.site.excerpt_words)
    with transaction(engine) as conn:
        kind = note or "edit"
        if not review_store.save_edit(conn, post, body, excerpt, checks, user.name, reason, kind):
            raise _conflict(engine, post)
        detail = f"version {post.version + 1}" + (f": {reason}" if reason else "")
        audit.record(conn, user.name, kind, post.id, detail)
    return found


MAX_NOTE = 1000  # characters of an editor's note for a rewrite


def rewrite(
    engine: Engine,
    settings: Settings,
    user: UserRow,
    post: QueuedPost,
    note: str,
    backend: Backend | None = None,
) -> Draft:
    """Have the writer write a held or draft post's story again, with the editor's `note`
    in its prompts (fenced: it cannot end the prompt or fake a turn). The new text is the
    post's next version (its revision and the audit line carry the note), checked like
    any written text, and held for review. For a published post whose rewritten text
    waits for review, that waiting text is written again instead: the published text
    stays up, the new text waits in place of the old one (kept as "superseded", with the
    note). `backend` defaults to the desk's writer."""
    note = " ".join(note.split())
    if not note:
        raise ReviewError(f"post {post.id}: say what to change in the rewrite (--note TEXT)")
    if len(note) > MAX_NOTE:
        raise ReviewError(
            f"post {post.id}: the note has {len(note)} characters, at most {MAX_NOTE}"
        )
    waiting = post.status == "published" and post.pending is not None
    if post.status not in review_store.QUEUE_STATUSES and not waiting:
        hint = (
            ": edit it instead (a published post is written again only while a rewrite of it"
            " waits for review)"
            if post.status == "published"
            else ""
        )
        raise ReviewError(
            f"post {post.id} is {post.status}: only a held or draft post is written again{hint}"
        )
    if load(engine, post.id).version != post.version:  # no model time on a stale page
        raise _conflict(engine, post)
    written = _write_again(engine, settings, post, note, backend)
    draft = written.draft
    checks = draft.checks_dict() | {"rewritten_by": user.name, "editor_note": note}
    excerpt = make_excerpt(draft.body, settings.site.excerpt_words)
    with transaction(engine) as conn:
        written.log(conn)
        if waiting:
            columns = written.columns(excerpt, checks)
            saved = review_store.rewrite_pending(conn, post, columns, user.name, note)
            action = "rewrite-pending"
            detail = f"waiting rewrite written again from {columns['source_count']} sources"
        else:
            saved = review_store.save_edit(
                conn, post, draft.body, excerpt, checks, user.name, note, "rewrite", status="held"
            )
            action, detail = "rewrite", ""
        if not saved:
            raise _conflict(engine, post)
        detail = "; ".join(x for x in (detail, f"version {post.version + 1}: {note}") if x)
        audit.record(conn, user.name, action, post.id, detail)
    return draft


@dataclass(slots=True)
class _Written:
    """A text the writer wrote again for a post, with what its store rows need."""

    draft: Draft
    log: Callable[[Connection], None]  # the model calls made, into the call log
    backend: str
    model: str
    sources: int

    def columns(self, excerpt: str, checks: dict) -> dict[str, object]:
        """The columns of a waiting rewrite (store/review.py), held for review."""
        return {
            "status": "held",
            "body": self.draft.body,
            "excerpt": excerpt,
            "backend": self.backend,
            "model": self.model,
            "prompt_version": self.draft.prompt_version,
            "checks": json.dumps(checks),
            "source_count": self.sources,
        }


def _write_again(
    engine: Engine, settings: Settings, post: QueuedPost, note: str, backend: Backend | None
) -> _Written:
    """The writer's new text of the post's story with `note` in its prompts; a failed
    model call is logged, then raised."""
    from columnist.commentary.backends import make_backend
    from columnist.commentary.stage import WriteStage

    own = backend is None
    backend = backend or make_backend(settings.writer)
    calls: list = []
    try:
        stage = WriteStage(engine, settings, backend)
        story = stage.load(post.story_id)
        story.note = note
        try:
            draft = stage.writer.write(story, calls)
        except ModelError:
            with transaction(engine) as conn:
                stage.log_calls(conn, calls, story)
            raise
    finally:
        if own:
            backend.close()
    return _Written(
        draft,
        lambda conn: stage.log_calls(conn, calls, story),
        backend.name,
        backend.model,
        len(story.sources),
    )
