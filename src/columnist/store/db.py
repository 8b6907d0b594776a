"""Opening the store: engine, schema version check, migrations.

A fresh database is created at the newest schema; an existing one at an older schema is
refused with a message naming `columnist db upgrade`, so that no command silently runs
against tables it does not understand.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, OperationalError

from columnist.errors import ColumnistError

# What code outside store/ names of the database layer: the engine and connection types
# it passes back in, and the error of a unique key taken by another writer.
__all__ = [
    "Connection",
    "Engine",
    "IntegrityError",
    "current_revision",
    "head_revision",
    "make_engine",
    "open_engine",
    "transaction",
    "upgrade",
]

MIGRATIONS = Path(__file__).parent / "migrations"


def _alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    """WAL lets the site build read while a writer works; FKs keep references honest."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str) -> Engine:
    try:
        if url.startswith("sqlite"):
            path = url.removeprefix("sqlite:///")
            if path and url != "sqlite://":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url)
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise ColumnistError(f"database.url {url!r} is not usable: {exc}") from None


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Apply pending migrations; returns (revision before, revision after)."""
    before = current_revision(engine)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    return before, head_revision()


def open_engine(url: str) -> Engine:
    """Engine for a store at the current schema (creating a new store if empty)."""
    engine = make_engine(url)
    try:
        current = current_revision(engine)
        if current is None:
            if inspect(engine).has_table("posts"):
                raise ColumnistError(
                    f"database {engine.url!r} has columnist tables but no "
                    "schema version; it was not made by this columnist"
                )
            upgrade(engine)
        elif current != head_revision():
            raise ColumnistError(
                f"database {engine.url!r} is at schema {current}, this columnist needs "
                f"{head_revision()}: run `columnist db upgrade`"
            )
    except OperationalError as exc:
        engine.dispose()
        raise ColumnistError(
            f"database {engine.url!r} cannot be opened: {str(exc.orig).splitlines()[0]}"
        ) from None
    return engine


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One unit of work: committed whole or not at all."""
    with engine.begin() as conn:
        yield conn
