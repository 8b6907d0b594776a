"""The store on SQLite and PostgreSQL: dedupe, schema versions, copying a desk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from columnist.config import SourceSettings, TopicSettings
from columnist.errors import ColumnistError
from columnist.records import ParsedEntry
from columnist.store import entries, posts, sources, stories
from columnist.store.db import head_revision, open_engine, transaction
from tests.conftest import invoke, new_pg_database

TOPICS = [TopicSettings(name="Climate", slug="climate")]


def fill(url: str, n: int = 3) -> None:
    """A small desk: n entries, each its own story and post."""
    engine = open_engine(url)
    now = datetime(2026, 11, 20, tzinfo=UTC)
    with transaction(engine) as conn:
        (src,) = sources.sync_sources(conn, [SourceSettings(name="Wire", url="/x.xml")])
        for i in range(n):
            entry = ParsedEntry(
                guid=f"g{i}",
                link=f"https://ex.org/{i}",
                title=f"Story {i}",
                summary_html="<p>x</p>",
                text=f"Text {i}",
                published=now + timedelta(hours=i),
            )
            assert entries.add_entry(conn, src.id, entry, f"hash{i}")
            sid = stories.create(conn, entry.title, entry.published, b"\0" * 4)
            (rec,) = [e for e in entries.unclustered(conn) if e.title == entry.title]
            stories.attach_entry(conn, sid, rec.id, entry.published, b"\0" * 4)
            stories.set_topics(conn, sid, [("climate", 0.5, "similarity")])
            posts.insert_post(
                conn,
                posts.NewPost(
                    story_id=sid,
                    title=entry.title,
                    body="I think. So.\n\nYes.",
                    excerpt="I think.",
                    status="published",
                    backend="embedded",
                    model="m",
                    prompt_version="p",
                    checks={},
                    source_count=1,
                ),
            )
    engine.dispose()


def test_entries_are_stored_once(database_url: str) -> None:
    fill(database_url, 1)
    engine = open_engine(database_url)
    with transaction(engine) as conn:
        (src,) = sources.sync_sources(conn, [SourceSettings(name="Wire", url="/x.xml")])
        same_guid = ParsedEntry(
            guid="g0", link=None, title="Other", summary_html="", text="other", published=None
        )
        same_link = ParsedEntry(
            guid="new",
            link="https://ex.org/0",
            title="Other 2",
            summary_html="",
            text="other 2",
            published=None,
        )
        assert not entries.add_entry(conn, src.id, same_guid, "h-a")
        assert not entries.add_entry(conn, src.id, same_link, "h-b")
        fresh = ParsedEntry(
            guid="g9", link=None, title="Fresh", summary_html="", text="fresh", published=None
        )
        assert entries.add_entry(conn, src.id, fresh, "h-c")
        assert not entries.add_entry(
            conn,
            src.id,
            ParsedEntry(
                guid="g10", link=None, title="Fresh", summary_html="", text="fresh", published=None
            ),
            "h-c",
        ), "same content hash"
    engine.dispose()


def test_an_old_schema_is_refused_with_the_command_to_run(database_url: str) -> None:
    engine = open_engine(database_url)
    with transaction(engine) as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    engine.dispose()
    with pytest.raises(
        ColumnistError,
        match=f"at schema 0000, .* needs {head_revision()}: run `columnist db upgrade`",
    ):
        open_engine(database_url)


def test_migrate_store_copies_a_sqlite_desk_to_postgresql(tmp_path: Path) -> None:
    source = f"sqlite:///{tmp_path}/a.db"
    target = new_pg_database()
    fill(source, 5)
    done = invoke("migrate-store", "--from", source, "--to", target)
    assert done.returncode == 0, done.stderr
    assert "posts 5" in done.stderr
    a, b = open_engine(source), open_engine(target)
    with a.connect() as ca, b.connect() as cb:
        assert posts.post_views(ca, TOPICS) == posts.post_views(cb, TOPICS)
    with transaction(b) as conn:  # ids continue after the copied ones
        (src,) = sources.sync_sources(conn, [SourceSettings(name="Wire", url="/x.xml")])
        assert entries.add_entry(
            conn,
            src.id,
            ParsedEntry(
                guid="later",
                link=None,
                title="Later",
                summary_html="",
                text="later",
                published=None,
            ),
            "h-later",
        )
    again = invoke("migrate-store", "--from", source, "--to", target)
    assert again.returncode == 1 and "already holds" in again.stderr
    assert "Traceback" not in again.stderr
    a.dispose()
    b.dispose()


def test_topic_check_answers_keep_a_topic_none_or_a_margin(database_url: str) -> None:
    from columnist.store import topic_choices

    engine = open_engine(database_url)
    answers = {"menu picked": "sport", "menu none": None, "about": 2.25, "about no": -3.5}
    with transaction(engine) as conn:
        topic_choices.save(conn, answers)
    with transaction(engine) as conn:
        topic_choices.save(conn, {"about": 9.0, "new": 0.0})  # a stored key is left alone
        found = topic_choices.known(conn, [*answers, "new", "never asked"])
    engine.dispose()
    assert found == {**answers, "new": 0.0}
    assert isinstance(found["about"], float) and found["menu none"] is None
