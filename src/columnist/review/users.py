"""The people of a desk: adding, listing, removing them, and checking their passwords.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's low-memory
profile); the store keeps only the hash. Every error names the user.
"""

from __future__ import annotations

import os
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from columnist.errors import ColumnistError
from columnist.store import admin_state
from columnist.store import users as user_store
from columnist.store.db import Engine, IntegrityError, transaction
from columnist.store.users import UserRow

ROLES = ("editor", "admin")
USER_ENV = "COLUMNIST_USER"
MIN_PASSWORD = 8
_hasher = PasswordHasher()


class UserError(ColumnistError):
    """A user that does not exist, exists already, or a password that will not do."""


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100 or any(c.isspace() or not c.isprintable() for c in name):
        raise UserError(f"user name {name!r} must be 1-100 printable characters, no spaces")
    return name


def check_password(name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"user {name!r}: the password must have at least {MIN_PASSWORD} characters")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_user(engine: Engine, name: str, role: str, password: str) -> None:
    name = check_name(name)
    if role not in ROLES:
        raise UserError(f"user {name!r}: role must be editor or admin, not {role!r}")
    check_password(name, password)
    try:
        with transaction(engine) as conn:
            user_store.add(conn, name, role, hash_password(password))
    except IntegrityError:
        raise UserError(f"user {name!r} exists already") from None


def remove_user(engine: Engine, name: str) -> None:
    """Remove the user; their admin sessions end in every admin process."""
    with transaction(engine) as conn:
        if not user_store.remove(conn, name):
            raise UserError(f"user {name!r} does not exist")
        admin_state.end_sessions(conn, name, time.time())


def set_password(engine: Engine, name: str, password: str, *, end_sessions: bool = True) -> None:
    """Set the user's password; their admin sessions end (a stolen cookie with them),
    unless `end_sessions` is False (an admin setting their own in the admin)."""
    check_password(name, password)
    with transaction(engine) as conn:
        if not user_store.set_hash(conn, name, hash_password(password)):
            raise UserError(f"user {name!r} does not exist")
        if end_sessions:
            admin_state.end_sessions(conn, name, time.time())


def verify(engine: Engine, name: str, password: str) -> UserRow | None:
    """The user if the password is theirs, else None (also for an unknown name)."""
    with engine.connect() as conn:
        user = user_store.get(conn, name)
    if user is None:
        _hasher.hash(password)  # take as long as for a known name
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def user_manager(engine: Engine, name: str | None, target: str | None = None) -> str | None:
    """Who may add, remove or set the password of users: anyone while the desk has no
    admin (how its first users are added; None is returned), after that an admin named
    by `--as NAME` or $COLUMNIST_USER, or for `target`'s own password that user."""
    with engine.connect() as conn:
        if not any(u.role == "admin" for u in user_store.all_users(conn)):
            return None
    user = acting_user(engine, name)
    if user.role != "admin" and user.name != target:
        raise UserError(
            f"user {user.name!r} is an {user.role}: only an admin manages users (--as an admin)"
        )
    return user.name


def acting_user(engine: Engine, name: str | None) -> UserRow:
    """The user a review action is done as: `--as NAME`, else $COLUMNIST_USER."""
    name = name or os.environ.get(USER_ENV, "").strip() or None
    if name is None:
        raise UserError(
            f"say who you are: --as NAME or {USER_ENV}=NAME (a user of `columnist users list`)"
        )
    with engine.connect() as conn:
        user = user_store.get(conn, name)
    if user is None:
        raise UserError(f"user {name!r} does not exist: add it with `columnist users add {name}`")
    return user
