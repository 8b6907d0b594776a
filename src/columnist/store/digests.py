"""Queries of the newsletter's send log: which digest issue went to how many, when.

`columnist digest --send` records every sending here (migration 0010) and asks it first,
so the same issue is not mailed twice by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from columnist.store.schema import digests


@dataclass(slots=True)
class SentDigest:
    issue: str
    topic: str
    posts: int
    recipients: int
    sent: datetime


def record_sent(conn: Connection, issue: str, topic: str, posts: int, recipients: int) -> None:
    """One sending of `issue` (for `topic`, "" for all) to `recipients` addresses."""
    conn.execute(
        insert(digests).values(
            issue=issue, topic=topic, posts=posts, recipients=recipients, sent=datetime.now(UTC)
        )
    )


def last_sent(conn: Connection, issue: str, topic: str) -> SentDigest | None:
    """The latest sending of `issue` for `topic`, if it was ever sent."""
    row = conn.execute(
        select(
            digests.c.issue, digests.c.topic, digests.c.posts, digests.c.recipients, digests.c.sent
        )
        .where(digests.c.issue == issue, digests.c.topic == topic)
        .order_by(digests.c.sent.desc(), digests.c.id.desc())
        .limit(1)
    ).first()
    return SentDigest(*row) if row is not None else None
