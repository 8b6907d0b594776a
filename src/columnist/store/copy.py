"""Copying a whole desk from one database to another (`columnist migrate-store`).

Tables are copied in foreign-key order in batches, ids kept, inside one transaction
on the target, so a failed copy leaves the target as it was. PostgreSQL sequences are
moved past the copied ids so new rows do not collide.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, func, insert, select, text

from columnist.errors import ColumnistError
from columnist.store.schema import metadata

BATCH = 2000


def copy_store(
    source: Engine, target: Engine, progress: Callable[[str, int, int], None] | None = None
) -> dict[str, int]:
    """Copy every table; the target must be empty. Returns rows copied per table."""
    copied: dict[str, int] = {}
    with source.connect() as src, target.begin() as dst:
        for table in metadata.sorted_tables:
            if dst.execute(select(func.count()).select_from(table)).scalar_one():
                raise ColumnistError(
                    f"target database {target.url!r} already holds "
                    f"{table.name}; migrate-store copies into an empty store"
                )
        for table in metadata.sorted_tables:
            total = src.execute(select(func.count()).select_from(table)).scalar_one()
            done = 0
            result = src.execution_options(yield_per=BATCH).execute(
                select(table).order_by(*table.primary_key.columns)
            )
            for rows in result.partitions(BATCH):
                dst.execute(insert(table), [dict(r._mapping) for r in rows])
                done += len(rows)
                if progress:
                    progress(table.name, done, total)
            copied[table.name] = done
        if target.dialect.name == "postgresql":
            for table in metadata.sorted_tables:
                if "id" in table.c:
                    dst.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                        )
                    )
    return copied
