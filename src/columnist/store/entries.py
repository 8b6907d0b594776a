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


def is_known(conn: Connection, source_id: int, entry: ParsedEntry, content_hash: str) -> bool:
    """True if the store already holds this entry (same key, link or content)."""
    key = dedupe_key(source_id, entry, content_hash)
    clauses = [entries.c.dedupe_key == key, entries.c.content_hash == content_hash]
    if entry.link:
        clauses.append(entries.c.link == entry.link)
    return conn.execute(select(entries.c.id).where(or_(*clauses)).limit(1)).first() is not None


def add_entry(
    conn: Connection,
    source_id: int,
    entry: ParsedEntry,
    content_hash: str,
    fetched: datetime | None = None,
) -> bool:
    """Store an entry unless it is already known (same key, link or content); True if new."""
    if is_known(conn, source_id, entry, content_hash):
        return False
    key = dedupe_key(source_id, entry, content_hash)
    fetched = fetched or datetime.now(UTC)
    with conn.begin_nested():
        try:
            conn.execute(insert(entries).values(_row(source_id, key, entry, content_hash, fetched)))
        except IntegrityError:  # a concurrent ingest stored it first
            return False
    return True


_CHUNK = 300  # values per IN (...) list: far below every database's parameter limit


def _known_keys(conn: Connection, keys: set[str], hashes: set[str], links: set[str]) -> set:
    """Which of these dedupe keys, content hashes and links the store already holds."""
    found: set = set()
    columns = (
        (entries.c.dedupe_key, keys, "key"),
        (entries.c.content_hash, hashes, "hash"),
        (entries.c.link, links, "link"),
    )
    for column, values, kind in columns:
        ordered = sorted(values)
        for i in range(0, len(ordered), _CHUNK):
            rows = conn.execute(select(column).where(column.in_(ordered[i : i + _CHUNK])))
            found.update((kind, value) for (value,) in rows)
    return found


def add_entries(
    conn: Connection,
    source_id: int,
    items: list[tuple[ParsedEntry, str]],
    fetched: datetime | None = None,
) -> int:
    """Store a feed's (entry, content hash) pairs that are not known yet; returns how
    many were new. Same rule as `add_entry` (key, link or content already stored, or
    earlier in the same feed), in a few statements instead of four per entry; if a
    concurrent ingest stored one first, it falls back to `add_entry` one by one."""
    fetched = fetched or datetime.now(UTC)
    keyed = [(dedupe_key(source_id, e, h), e, h) for e, h in items]
    known = _known_keys(
        conn,
        {k for k, _, _ in keyed},
        {h for _, _, h in keyed},
        {e.link for _, e, _ in keyed if e.link},
    )
    rows = []
    for key, entry, digest in keyed:
        marks = [("key", key), ("hash", digest)] + ([("link", entry.link)] if entry.link else [])
        if any(mark in known for mark in marks):
            continue
        known.update(marks)
        rows.append(_row(source_id, key, entry, digest, fetched))
    if not rows:
        return 0
    try:
        with conn.begin_nested():
            conn.execute(insert(entries), rows)
    except IntegrityError:  # a concurrent ingest stored some first
        return sum(add_entry(conn, source_id, e, h, fetched) for _, e, h in keyed)
    return len(rows)


def _row(source_id: int, key: str, entry: ParsedEntry, digest: str, fetched: datetime) -> dict:
    return dict(
        source_id=source_id,
        dedupe_key=key,
        guid=entry.guid,
        link=entry.link,
        content_hash=digest,
        title=entry.title,
        summary_html=entry.summary_html,
        text=entry.text,
        author=entry.author,
        published=entry.published or fetched,
        fetched=fetched,
    )


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


def by_id(conn: Connection, entry_id: int) -> EntryRecord | None:
    """One entry with its source name (for explaining an entry not yet in a story)."""
    q = (
        select(*_COLUMNS)
        .join(sources, sources.c.id == entries.c.source_id)
        .where(entries.c.id == entry_id)
    )
    found = _records(conn.execute(q))
    return found[0] if found else None
