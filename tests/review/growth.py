"""A desk whose published post's story grows (the `grown` fixture, conftest.py) and the
steps its tests take: grow the story, have the scripted writer offer a rewrite, read
what the site build would show."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select, update

from columnist.commentary.stage import run_write
from columnist.store.db import transaction
from columnist.store.published import published_posts
from columnist.store.review import queue
from columnist.store.schema import entries, stories
from tests.commentary.kit import ScriptedBackend
from tests.review.kit import PLAN, SOURCE

GROWN = (
    "I think the harbour homes deserve the support they now have, because 400 homes and "
    "a vote of 7 to 2 tell me the council listened to families this time."
)
TOPICS = '[[topics]]\nname = "Housing"\n[[topics]]\nname = "Energy"\n'


def writing(paragraph: str) -> ScriptedBackend:
    return ScriptedBackend([PLAN, *[paragraph] * 40])


def queue_of(engine):  # noqa: ANN001, ANN202
    with engine.connect() as conn:
        return queue(conn)


def grow(engine, story_id: int) -> None:  # noqa: ANN001
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        n = conn.execute(select(stories.c.entry_count).where(stories.c.id == story_id)).scalar()
        source_id = conn.execute(select(entries.c.source_id).limit(1)).scalar_one()
        conn.execute(
            insert(entries).values(
                source_id=source_id,
                dedupe_key=f"grown:{story_id}:{n}",
                link=f"https://example.org/{story_id}/grown/{n}",
                content_hash=f"grown-{story_id}-{n}",
                title="Harbour homes: the vote",
                summary_html="",
                text=SOURCE,
                published=now,
                fetched=now,
                story_id=story_id,
            )
        )
        conn.execute(
            update(stories)
            .where(stories.c.id == story_id)
            .values(entry_count=stories.c.entry_count + 1)
        )


def site_body(engine, post_id: int) -> str | None:  # noqa: ANN001
    """The body of the post as the site build reads it (None: not on the site)."""
    with engine.connect() as conn:
        shown = {p.id: p.body for p in published_posts(conn, [])}
    return shown.get(post_id)


def rewrite_grown(settings, engine) -> None:  # noqa: ANN001
    report = run_write(engine, settings, backend=writing(GROWN))
    assert (report.stories, report.held, report.published) == (1, 1, 0)
