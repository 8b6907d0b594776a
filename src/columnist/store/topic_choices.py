"""The topic check's answers (migration 0012): read before asking the model, written
with the filings they decided, in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from columnist.store.schema import topic_choices


def known(conn: Connection, keys: Iterable[str]) -> dict[str, str | None]:
    """The stored answers among `keys`: key -> slug (None: none of the topics)."""
    wanted = list(dict.fromkeys(keys))
    found: dict[str, str | None] = {}
    for start in range(0, len(wanted), 500):  # under every database's parameter limit
        rows = conn.execute(
            select(topic_choices.c.key, topic_choices.c.slug).where(
                topic_choices.c.key.in_(wanted[start : start + 500])
            )
        )
        found.update({key: slug for key, slug in rows})
    return found


def save(conn: Connection, answers: Mapping[str, str | None]) -> None:
    """New answers; a key already stored (another worker asked too) is left as it is."""
    stored = known(conn, answers)
    fresh = {k: v for k, v in answers.items() if k not in stored}
    if fresh:
        now = datetime.now(UTC)
        conn.execute(
            insert(topic_choices),
            [{"key": k, "slug": v, "created": now} for k, v in fresh.items()],
        )
