"""Queries about feed entries: storing them once, and handing them to the stories stage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from columnist.records import ParsedEntry
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


@dataclass(slots=True)
class Added:
    """What became of a feed's entries: how many were stored, and why the rest were not
    (so a run can say that most of what it read was already there, and from where)."""

    new: int = 0
    stored_before: int = 0  # already stored from this same source (an earlier fetch)
    other_source: int = 0  # already stored from another source: the same story twice
    repeated: int = 0  # a repeat of an earlier entry of the same feed

    @property
    def skipped(self) -> int:
        return self.stored_before + self.other_source + self.repeated


def _known_keys(
    conn: Connection, source_id: int, keys: set[str], hashes: set[str], links: set[str]
) -> dict[tuple[str, str], bool]:
    """Which of these dedupe keys, content hashes and links the store already holds,
    each mapped to True when a row of `source_id` itself holds it."""
    found: dict[tuple[str, str], bool] = {}
    columns = (
        (entries.c.dedupe_key, keys, "key"),
        (entries.c.content_hash, hashes, "hash"),
        (entries.c.link, links, "link"),
    )
    for column, values, kind in columns:
        ordered = sorted(values)
        for i in range(0, len(ordered), _CHUNK):
            chunk = ordered[i : i + _CHUNK]
            rows = conn.execute(select(column, entries.c.source_id).where(column.in_(chunk)))
            for value, owner in rows:
                found[(kind, value)] = found.get((kind, value), False) or owner == source_id
    return found


def _skip_reason(
    marks: list[tuple[str, str]],
    known: dict[tuple[str, str], bool],
    taken: set[tuple[str, str]],
) -> str | None:
    """Why an entry with these marks is not stored (an Added field), or None if it is new."""
    owners = [known[mark] for mark in marks if mark in known]
    if any(owners):
        return "stored_before"
    if owners:
        return "other_source"
    if any(mark in taken for mark in marks):
        return "repeated"
    return None


def add_entries(
    conn: Connection,
    source_id: int,
    items: list[tuple[ParsedEntry, str]],
    fetched: datetime | None = None,
) -> Added:
    """Store a feed's (entry, content hash) pairs that are not known yet; says how many
    were new and why the others were skipped. Same rule as `add_entry` (key, link or
    content already stored, or earlier in the same feed), in a few statements instead
    of four per entry; if a concurrent ingest stored one first, it falls back to
    `add_entry` one by one."""
    fetched = fetched or datetime.now(UTC)
    keyed = [(dedupe_key(source_id, e, h), e, h) for e, h in items]
    known = _known_keys(
        conn,
        source_id,
        {k for k, _, _ in keyed},
        {h for _, _, h in keyed},
        {e.link for _, e, _ in keyed if e.link},
    )
    added = Added()
    taken: set[tuple[str, str]] = set()  # marks of the entries of this feed stored so far
    fresh: list[tuple[str, ParsedEntry, str]] = []
    for key, entry, digest in keyed:
        marks = [("key", key), ("hash", digest)] + ([("link", entry.link)] if entry.link else [])
        reason = _skip_reason(marks, known, taken)
        if reason:
            setattr(added, reason, getattr(added, reason) + 1)
            continue
        taken.update(marks)
        fresh.append((key, entry, digest))
    if not fresh:
        return added
    try:
        with conn.begin_nested():
            conn.execute(insert(entries), [_row(source_id, k, e, h, fetched) for k, e, h in fresh])
        added.new = len(fresh)
    except IntegrityError:  # a concurrent ingest stored some first
        added.new = sum(add_entry(conn, source_id, e, h, fetched) for _, e, h in fresh)
        added.stored_before += len(fresh) - added.new  # stored meanwhile, by that ingest
    return added


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


def newest(conn: Connection, limit: int) -> list[EntryRecord]:
    """The `limit` most recently published entries, newest first (for `topics tune`)."""
    q = (
        select(*_COLUMNS)
        .join(sources, sources.c.id == entries.c.source_id)
        .order_by(entries.c.published.desc(), entries.c.id.desc())
        .limit(limit)
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
