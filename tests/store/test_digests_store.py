"""The newsletter's send log (migration 0010_digests) on SQLite and PostgreSQL."""

from __future__ import annotations

from columnist.store.db import open_engine, transaction
from columnist.store.digests import last_sent, record_sent


def test_a_sent_issue_is_found_again_per_topic(database_url: str) -> None:
    engine = open_engine(database_url)
    with engine.connect() as conn:
        assert last_sent(conn, "2026-48", "") is None
    with transaction(engine) as conn:
        record_sent(conn, "2026-48", "", posts=5, recipients=2)
    with transaction(engine) as conn:
        record_sent(conn, "2026-48", "", posts=5, recipients=3)  # sent --again
    with engine.connect() as conn:
        sent = last_sent(conn, "2026-48", "")
        assert sent is not None and (sent.posts, sent.recipients) == (5, 3)
        assert sent.sent.tzinfo is not None
        assert last_sent(conn, "2026-48", "energy") is None  # a topic's issue is its own
        assert last_sent(conn, "2026-49", "") is None
    engine.dispose()
