"""Queries about feed entries: storing them once, and handing them to the stories stage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from columnist.domain import ParsedEntry
from columnist.store.schema import entries, sources


@dataclass(slots=True)
class EntryRecord:
    id: int
    source_name: str
    title: str
    link: str | None
    text: str
    published: datetime
    embedding: bytes | None
    story_id: int | None


def dedupe_key(source_id: int, entry: ParsedEntry, content_hash: str) -> str:
    """Identity of an entry: its guid within its feed, else its link, else its content."""
    if entry.guid:
        return f"guid:{source_id}:{entry.guid}"[:600]
    if entry.link:
        return f"link:{entry.link}"[:600]
    return f"hash:{content_hash}"


def add_entry(
    conn: Connection,
    source_id: int,
    entry: ParsedEntry,
    content_hash: str,
    fetched: datetime | None = None,
) -> bool:
    """Store an entry unless it is already known (same key, link or content); True if new."""
    key = dedupe_key(source_id, entry, content_hash)
    clauses = [entries.c.dedupe_key == key, entries.c.content_hash == content_hash]
    if entry.link:
        clauses.append(entries.c.link == entry.link)
    if conn.execute(select(entries.c.id).where(or_(*clauses)).limit(1)).first():
        return False
    fetched = fetched or datetime.now(UTC)
    with conn.begin_nested():
        try:
            conn.execute(
                insert(entries).values(
                    source_id=source_id,
                    dedupe_key=key,
                    guid=entry.guid,
                    link=entry.link,
                    content_hash=content_hash,
                    title=entry.title,
                    summary_html=entry.summary_html,
                    text=entry.text,
                    author=entry.author,
                    published=entry.published or fetched,
                    fetched=fetched,
                )
            )
        except IntegrityError:  # a concurrent ingest stored it first
            return False
    return True


def _records(rows) -> list[EntryRecord]:
    return [
        EntryRecord(
            id=r.id,
            source_name=r.name,
            title=r.title,
            link=r.link,
            text=r.text,
            published=r.published,
            embedding=r.embedding,
            story_id=r.story_id,
        )
        for r in rows
    ]


_COLUMNS = (
    entries.c.id,
    sources.c.name,
    entries.c.title,
    entries.c.link,
    entries.c.text,
    entries.c.published,
    entries.c.embedding,
    entries.c.story_id,
)


def unclustered(conn: Connection, limit: int | None = None) -> list[EntryRecord]:
    """Entries not yet in a story, oldest first, so stories grow in publication order."""
    q = (
        select(*_COLUMNS)
        .join(sources, sources.c.id == entries.c.source_id)
        .where(entries.c.story_id.is_(None))
        .order_by(entries.c.published, entries.c.id)
    )
    if limit:
        q = q.limit(limit)
    return _records(conn.execute(q))


def story_entries(conn: Connection, story_id: int) -> list[EntryRecord]:
    q = (
        select(*_COLUMNS)
        .join(sources, sources.c.id == entries.c.source_id)
        .where(entries.c.story_id == story_id)
        .order_by(entries.c.published, entries.c.id)
    )
    return _records(conn.execute(q))


def set_embedding(conn: Connection, entry_id: int, embedding: bytes) -> None:
    conn.execute(update(entries).where(entries.c.id == entry_id).values(embedding=embedding))
