"""Queries of the admin's shared state: failed logins, ended sessions, the cookie key.

Kept in the store, not in one process's memory, so that every admin process on the
desk (several `columnist admin`, or uvicorn workers) throttles the same logins, ends
the same sessions and accepts the same cookies (migration 0008). Times are seconds
since the epoch, as the session cookie counts them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from columnist.store.schema import admin_keys, login_failures, session_ends

FIELD = 100  # characters kept of a name or address (what was typed may be longer)


def _upsert(conn: Connection, table):  # noqa: ANN001, ANN202 - a dialect's INSERT
    """INSERT ... ON CONFLICT for this dialect: both of ours have it, spelled alike."""
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


def failures(conn: Connection, name: str, address: str, since: float) -> int:
    """Failed logins of `name` from `address` at or after `since`."""
    return conn.execute(
        select(func.count())
        .select_from(login_failures)
        .where(
            login_failures.c.name == name[:FIELD],
            login_failures.c.address == address[:FIELD],
            login_failures.c.at >= since,
        )
    ).scalar_one()


def add_failure(conn: Connection, name: str, address: str, at: float, forget: float) -> None:
    """Count one failed login; failures older than `forget` (of anyone) are dropped."""
    conn.execute(delete(login_failures).where(login_failures.c.at < forget))
    conn.execute(insert(login_failures).values(name=name[:FIELD], address=address[:FIELD], at=at))


def clear_failures(conn: Connection, name: str, address: str) -> None:
    """A login went through: its earlier failures no longer count."""
    conn.execute(
        delete(login_failures).where(
            login_failures.c.name == name[:FIELD], login_failures.c.address == address[:FIELD]
        )
    )


def end_sessions(conn: Connection, name: str, at: float) -> None:
    """Every session of `name` begun before `at` is over (in every admin process)."""
    q = _upsert(conn, session_ends).values(name=name[:FIELD], ended=at)
    conn.execute(q.on_conflict_do_update(index_elements=["name"], set_={"ended": at}))


def sessions_ended(conn: Connection, name: str) -> float:
    """When `name`'s sessions were last ended (0.0: never)."""
    found = conn.execute(
        select(session_ends.c.ended).where(session_ends.c.name == name[:FIELD])
    ).scalar()
    return float(found or 0.0)


def shared_key(conn: Connection, name: str, made: str) -> str:
    """The secret called `name` that every admin process uses; `made` (hex) becomes it
    if there is none yet, else the one stored first (by any process) is returned."""
    q = _upsert(conn, admin_keys).values(name=name, value=made, created=datetime.now(UTC))
    conn.execute(q.on_conflict_do_nothing(index_elements=["name"]))
    return conn.execute(select(admin_keys.c.value).where(admin_keys.c.name == name)).scalar_one()
