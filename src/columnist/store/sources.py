"""Queries about feed sources, their fetch health and their schedule."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, bindparam, func, insert, select, update

from columnist.config import SourceSettings
from columnist.store.schema import sources


@dataclass(slots=True)
class SourceState:
    id: int
    name: str
    url: str  # where it is fetched from: the configured URL, or where it moved to
    etag: str | None
    last_modified: str | None
    failures: int
    last_fetch: datetime | None
    last_success: datetime | None
    last_error: str | None
    next_due: datetime | None
    interval_s: int | None = None
    config_url: str | None = None


@dataclass(slots=True)
class NotModified:
    """A 304 to record; many are written in one statement."""

    source_id: int
    etag: str | None
    last_modified: str | None
    next_due: datetime


def _reset_values(src: SourceSettings) -> dict:
    """A source whose configured URL changed starts over (no stale ETag is sent)."""
    return dict(
        url=src.url,
        config_url=src.url,
        etag=None,
        last_modified=None,
        failures=0,
        last_error=None,
        next_due=None,
    )


def _override_values(row, src: SourceSettings) -> dict:
    """A changed `interval` in the config takes effect now, not after the next poll."""
    if src.interval is None or row.interval_s == src.interval or row.failures:
        return {}
    values: dict = {"interval_s": src.interval}
    if row.last_fetch is not None:
        values["next_due"] = row.last_fetch + timedelta(seconds=src.interval)
    return values


def sync_sources(conn: Connection, configured: list[SourceSettings]) -> list[SourceState]:
    """Make the sources table hold every configured source; returns them in config order.

    The configured URL is kept apart from the fetched URL: after a permanent redirect
    the source is fetched from where it moved, until the config names a new URL.
    """
    now = datetime.now(UTC)
    existing = {r.name: r for r in conn.execute(select(sources))}
    for src in configured:
        row = existing.get(src.name)
        if row is None:
            conn.execute(
                insert(sources).values(
                    name=src.name,
                    url=src.url,
                    config_url=src.url,
                    failures=0,
                    interval_s=src.interval,
                    created=now,
                )
            )
            continue
        configured_before = row.config_url if row.config_url is not None else row.url
        values = _reset_values(src) if configured_before != src.url else {}
        values.update(_override_values(row, src))
        if values:
            conn.execute(update(sources).where(sources.c.id == row.id).values(**values))
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
        interval_s=row.interval_s,
        config_url=row.config_url,
    )


def all_sources(conn: Connection) -> list[SourceState]:
    return [_state(r) for r in conn.execute(select(sources).order_by(sources.c.name))]


def count(conn: Connection) -> int:
    """How many sources the store knows (configured now or before)."""
    return conn.execute(select(func.count()).select_from(sources)).scalar_one()


def earliest_due(conn: Connection, names: Iterable[str]) -> datetime | None:
    """The earliest next-due time among the named sources; None when one is due now
    (never fetched, or not in the store yet)."""
    wanted = set(names)
    rows = conn.execute(select(sources.c.name, sources.c.next_due)).all()
    times = [r.next_due for r in rows if r.name in wanted]
    if not wanted or len(times) < len(wanted) or any(t is None for t in times):
        return None
    return min(times)


def record_success(
    conn: Connection,
    source_id: int,
    *,
    etag: str | None,
    last_modified: str | None,
    next_due: datetime,
    interval_s: int,
    url: str | None = None,
    now: datetime | None = None,
) -> None:
    now = now or datetime.now(UTC)
    values = dict(
        etag=etag,
        last_modified=last_modified,
        last_fetch=now,
        last_success=now,
        failures=0,
        last_error=None,
        next_due=next_due,
        interval_s=interval_s,
    )
    if url:
        values["url"] = url
    conn.execute(update(sources).where(sources.c.id == source_id).values(**values))


def record_not_modified(conn: Connection, batch: list[NotModified]) -> None:
    """Record many 304s in one statement: they are most of a poll's answers."""
    if not batch:
        return
    now = datetime.now(UTC)
    statement = (
        update(sources)
        .where(sources.c.id == bindparam("b_id"))
        .values(
            etag=bindparam("b_etag"),
            last_modified=bindparam("b_last_modified"),
            next_due=bindparam("b_next_due"),
            last_fetch=now,
            last_success=now,
            failures=0,
            last_error=None,
        )
    )
    conn.execute(
        statement,
        [
            {
                "b_id": item.source_id,
                "b_etag": item.etag,
                "b_last_modified": item.last_modified,
                "b_next_due": item.next_due,
            }
            for item in batch
        ],
    )


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
