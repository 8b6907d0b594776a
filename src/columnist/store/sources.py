"""Queries about feed sources and their fetch health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select, update

from columnist.config import SourceSettings
from columnist.store.schema import sources


@dataclass(slots=True)
class SourceState:
    id: int
    name: str
    url: str
    etag: str | None
    last_modified: str | None
    failures: int
    last_fetch: datetime | None
    last_success: datetime | None
    last_error: str | None
    next_due: datetime | None


def sync_sources(conn: Connection, configured: list[SourceSettings]) -> list[SourceState]:
    """Make the sources table hold every configured source; returns them in config order.

    A source whose URL changed in the config starts over (no stale ETag is sent).
    """
    now = datetime.now(UTC)
    existing = {r.name: r for r in conn.execute(select(sources))}
    for src in configured:
        row = existing.get(src.name)
        if row is None:
            conn.execute(
                insert(sources).values(name=src.name, url=src.url, failures=0, created=now)
            )
        elif row.url != src.url:
            conn.execute(
                update(sources)
                .where(sources.c.id == row.id)
                .values(url=src.url, etag=None, last_modified=None, failures=0, next_due=None)
            )
    by_name = {r.name: r for r in conn.execute(select(sources))}
    return [_state(by_name[s.name]) for s in configured]


def _state(row) -> SourceState:
    return SourceState(
        id=row.id,
        name=row.name,
        url=row.url,
        etag=row.etag,
        last_modified=row.last_modified,
        failures=row.failures,
        last_fetch=row.last_fetch,
        last_success=row.last_success,
        last_error=row.last_error,
        next_due=row.next_due,
    )


def all_sources(conn: Connection) -> list[SourceState]:
    return [_state(r) for r in conn.execute(select(sources).order_by(sources.c.name))]


def record_success(
    conn: Connection,
    source_id: int,
    *,
    etag: str | None,
    last_modified: str | None,
    url: str | None = None,
) -> None:
    now = datetime.now(UTC)
    values = dict(
        etag=etag,
        last_modified=last_modified,
        last_fetch=now,
        last_success=now,
        failures=0,
        last_error=None,
    )
    if url:
        values["url"] = url
    conn.execute(update(sources).where(sources.c.id == source_id).values(**values))


def record_failure(
    conn: Connection, source_id: int, error: str, next_due: datetime | None = None
) -> None:
    conn.execute(
        update(sources)
        .where(sources.c.id == source_id)
        .values(
            last_fetch=datetime.now(UTC),
            failures=sources.c.failures + 1,
            last_error=error,
            next_due=next_due,
        )
    )
