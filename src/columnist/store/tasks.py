"""Work a migration leaves for a stage (migration 0014): a named task with its reason,
done once by the stage that has the models it needs, then deleted."""

from __future__ import annotations

from sqlalchemy import Connection, delete, select

from columnist.store.schema import store_tasks

REFILE = "refile"  # file every stored story again (`assign`, or `topics refile --days 0`)


def reason(conn: Connection, name: str) -> str | None:
    """Why task `name` is pending, or None when it is not."""
    return conn.execute(select(store_tasks.c.reason).where(store_tasks.c.name == name)).scalar()


def finish(conn: Connection, name: str) -> None:
    conn.execute(delete(store_tasks).where(store_tasks.c.name == name))
