"""A scratch store filled with story sets (commentary/evalset.py) as if ingest and assign
had filed them: for `eval-writer`, the bench and the tests."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, insert, select

from columnist.config import slugify
from columnist.store.db import transaction
from columnist.store.schema import entries, sources, stories, story_topics

if TYPE_CHECKING:
    from columnist.commentary.evalset import EvalStory


def _source_id(conn: Connection, outlet: str, now: datetime) -> int:
    row = conn.execute(select(sources.c.id).where(sources.c.name == outlet)).first()
    if row:
        return row.id
    return conn.execute(
        insert(sources).values(name=outlet, url=f"eval:{slugify(outlet)}", failures=0, created=now)
    ).inserted_primary_key[0]


def seed_store(engine: Engine, items: list[EvalStory]) -> list[int]:
    """File each story as the stories stage would; returns the story ids, in order.

    Stories are dated a minute apart so the write stage takes them in file order.
    """
    start = datetime.now(UTC) - timedelta(minutes=len(items) + 1)
    ids = []
    with transaction(engine) as conn:
        for i, item in enumerate(items):
            when = start + timedelta(minutes=i)
            story_id = conn.execute(
                insert(stories).values(
                    title=item.title,
                    first_seen=when,
                    last_seen=when,
                    entry_count=len(item.sources),
                    created=when,
                    updated=when,
                )
            ).inserted_primary_key[0]
            for j, src in enumerate(item.sources):
                digest = hashlib.sha256(f"{story_id}:{j}:{src.text}".encode()).hexdigest()
                conn.execute(
                    insert(entries).values(
                        source_id=_source_id(conn, src.outlet, when),
                        dedupe_key=f"eval:{story_id}:{j}",
                        link=src.url or f"https://example.org/{story_id}/{j}",
                        content_hash=digest,
                        title=src.title,
                        summary_html="",
                        text=src.text,
                        published=when,
                        fetched=when,
                        story_id=story_id,
                    )
                )
            conn.execute(
                insert(story_topics).values(
                    story_id=story_id, topic=item.topic, score=1.0, rule="keyword"
                )
            )
            ids.append(story_id)
    return ids
