"""The topic check's answers (migrations 0012, 0013): read before asking the model,
written with the filings they decided, in the same transaction.

An answer is the menu's topic (a slug, None for "none of these") or the "about" check's
yes-no margin (a float), which is filed against a cut only when it is used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from columnist.store.schema import topic_choices

Answer = str | float | None


def known(conn: Connection, keys: Iterable[str]) -> dict[str, Answer]:
    """The stored answers among `keys`: key -> slug, None or margin."""
    wanted = list(dict.fromkeys(keys))
    found: dict[str, Answer] = {}
    t = topic_choices.c
    for start in range(0, len(wanted), 500):  # under every database's parameter limit
        rows = conn.execute(
            select(t.key, t.slug, t.margin).where(t.key.in_(wanted[start : start + 500]))
        )
        found.update({key: slug if margin is None else margin for key, slug, margin in rows})
    return found


def save(conn: Connection, answers: Mapping[str, Answer]) -> None:
    """New answers; a key already stored (another worker asked too) is left as it is."""
    stored = known(conn, answers)
    fresh = {k: v for k, v in answers.items() if k not in stored}
    if fresh:
        now = datetime.now(UTC)
        conn.execute(
            insert(topic_choices),
            [
                {
                    "key": k,
                    "slug": v if isinstance(v, str) else None,
                    "margin": v if isinstance(v, float) else None,
                    "created": now,
                }
                for k, v in fresh.items()
            ],
        )
