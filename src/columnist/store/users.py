"""Queries about the desk's users: the people who may review posts.

Only hashes are stored (argon2, made by review/users.py); names are unique.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, insert, select, update

from columnist.store.schema import users


@dataclass(slots=True)
class UserRow:
    id: int
    name: str
    role: str
    password_hash: str
    created: datetime


def add(conn: Connection, name: str, role: str, password_hash: str) -> int:
    """Raises IntegrityError when the name is taken."""
    return conn.execute(
        insert(users).values(
            name=name, role=role, password_hash=password_hash, created=datetime.now(UTC)
        )
    ).inserted_primary_key[0]


def get(conn: Connection, name: str) -> UserRow | None:
    r = conn.execute(select(users).where(users.c.name == name)).first()
    return None if r is None else UserRow(r.id, r.name, r.role, r.password_hash, r.created)


def all_users(conn: Connection) -> list[UserRow]:
    rows = conn.execute(select(users).order_by(users.c.name))
    return [UserRow(r.id, r.name, r.role, r.password_hash, r.created) for r in rows]


def remove(conn: Connection, name: str) -> bool:
    return conn.execute(delete(users).where(users.c.name == name)).rowcount > 0


def set_hash(conn: Connection, name: str, password_hash: str) -> bool:
    done = conn.execute(
        update(users).where(users.c.name == name).values(password_hash=password_hash)
    )
    return done.rowcount > 0
