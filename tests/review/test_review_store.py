"""The desk's tables on a real SQLite file and on PostgreSQL: migration, users, audit
log, revisions, and the version check that makes a second editor's save a conflict."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from columnist.store import audit, review
from columnist.store import users as user_store
from columnist.store.db import (
    IntegrityError,
    current_revision,
    head_revision,
    open_engine,
    transaction,
)
from tests.review.kit import load, make_desk, seed_posts


def test_migration_adds_the_desk_tables_and_columns(tmp_path: Path, database_url: str) -> None:
    engine = open_engine(database_url)
    try:
        assert current_revision(engine) == head_revision()
        found = inspect(engine)
        tables = {"users", "audit_log", "post_revisions", "pending_rewrites"}
        tables |= {"login_failures", "session_ends", "admin_keys"}
        assert tables <= set(found.get_table_names())
        columns = {c["name"] for c in found.get_columns("posts")}
        assert {"reviewed_by", "reviewed_at", "review_note", "version"} <= columns
    finally:
        engine.dispose()


def test_sqlite_store_at_0005_upgrades_with_posts_kept(tmp_path: Path) -> None:
    """A desk made before the desk tables: its posts come through at version 1."""
    from alembic import command

    from columnist.store.db import _alembic_config, make_engine, upgrade

    url = f"sqlite:///{tmp_path}/old.db"
    engine = make_engine(url)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0005_posts_heads_index")
    engine.dispose()
    settings = load(make_desk(tmp_path, url))
    with pytest.raises(Exception, match="db upgrade"):
        open_engine(url)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    ids = seed_posts(settings, ["held"])
    engine = open_engine(url)
    with engine.connect() as conn:
        post = review.get(conn, ids[0])
        indexes = {i["name"] for i in inspect(conn).get_indexes("posts")}
    engine.dispose()
    assert post is not None and post.version == 1 and post.status == "held"
    assert "ix_posts_heads" in indexes


def test_users_are_unique_and_removable(tmp_path: Path, database_url: str) -> None:
    engine = open_engine(database_url)
    try:
        with transaction(engine) as conn:
            user_store.add(conn, "ada", "admin", "$argon2id$x")
        with pytest.raises(IntegrityError), transaction(engine) as conn:
            user_store.add(conn, "ada", "editor", "$argon2id$y")
        with transaction(engine) as conn:
            assert user_store.set_hash(conn, "ada", "$argon2id$z")
            assert not user_store.set_hash(conn, "nobody", "h")
        with engine.connect() as conn:
            ada = user_store.get(conn, "ada")
            assert ada is not None and ada.role == "admin" and ada.password_hash == "$argon2id$z"
        with transaction(engine) as conn:
            assert user_store.remove(conn, "ada")
            assert not user_store.remove(conn, "ada")
        with engine.connect() as conn:
            assert user_store.all_users(conn) == []
    finally:
        engine.dispose()


def test_queue_decisions_edits_and_conflicts(tmp_path: Path, database_url: str) -> None:
    settings = load(make_desk(tmp_path, database_url))
    held, draft, published = seed_posts(settings, ["held", "draft", "published"])
    engine = open_engine(database_url)
    try:
        with engine.connect() as conn:
            queued = review.queue(conn)
            assert [p.id for p in queued] == [draft, held]  # newest first
            assert queued[0].problems == ["12 words, outside 45-75"]
            assert queued[1].problems == []
            assert review.queue(conn, topic="energy") == []
            first = review.get(conn, held)
        assert first is not None and first.topics == ["housing"]
        with transaction(engine) as conn:
            assert review.save_edit(conn, first, "New text.\n\nMore.", "New text.", {}, "ada", None)
            audit.record(conn, "ada", "edit", held, "v2")
        with transaction(engine) as conn:  # a second editor who read version 1
            assert not review.save_edit(conn, first, "Mine.", "Mine.", {}, "bob", None)
            assert not review.decide(conn, held, first.version, "published", "bob", None)
        with transaction(engine) as conn:
            assert review.decide(conn, held, first.version + 1, "published", "ada", None)
            assert review.decide(conn, published, 1, "retracted", "ada", "wrong vote count")
        with engine.connect() as conn:
            now = review.get(conn, held)
            kept = review.revisions(conn, held)
            log = audit.recent(conn)
            gone = review.retractions(conn)
        assert now is not None and now.status == "published" and now.reviewed_by == "ada"
        assert now.version == 3 and now.body == "New text.\n\nMore."
        assert [(r["version"], r["kind"], r["who"]) for r in kept] == [
            (1, "written", None),
            (2, "edit", "ada"),
        ]
        assert kept[0]["body"] == first.body
        assert [(a.who, a.action, a.post_id) for a in log] == [("ada", "edit", held)]
        assert [(r.id, r.reason) for r in gone] == [(published, "wrong vote count")]
    finally:
        engine.dispose()


def test_stories_overview_names_entries_topics_and_post(tmp_path: Path, database_url: str) -> None:
    from columnist.store.stories import overview

    settings = load(make_desk(tmp_path, database_url))
    held, published = seed_posts(settings, ["held", "published"])
    engine = open_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = overview(conn)
    finally:
        engine.dispose()
    assert [r["post"]["id"] for r in rows] == [published, held]  # last seen first
    assert [r["post"]["status"] for r in rows] == ["published", "held"]
    assert [e["source"] for e in rows[0]["entries"]] == ["Wire", "Daily"]
    assert rows[0]["topics"] == [{"topic": "housing", "score": 1.0, "rule": "keyword"}]


def test_a_grown_story_is_rewritten_unless_a_person_rejected_or_retracted_it(
    tmp_path: Path, database_url: str
) -> None:
    from sqlalchemy import update

    from columnist.store.posts import NewPost, replace_post_body
    from columnist.store.schema import stories
    from columnist.store.stories import needing_posts

    settings = load(make_desk(tmp_path, database_url))
    ids = seed_posts(settings, ["published", "rejected", "retracted", "held"])
    engine = open_engine(database_url)
    try:
        with transaction(engine) as conn:
            conn.execute(update(stories).values(entry_count=3))  # every story grew
            assert review.decide(conn, ids[0], 1, "published", "ada", None)
        with engine.connect() as conn:
            todo = {s.post_id for s in needing_posts(conn, rewrite_on_growth=True)}
            approved = review.get(conn, ids[0])
        assert todo == {ids[0], ids[3]}
        with transaction(engine) as conn:
            rewritten = NewPost(approved.story_id, approved.title, "New.\n\nText.", "New.",
                                "published", "embedded", "m", "p", {}, 3)  # fmt: skip
            replace_post_body(conn, ids[0], rewritten)
        with engine.connect() as conn:
            after = review.get(conn, ids[0])
            kept = review.revisions(conn, ids[0])
            notes = review.notes_by_post(conn)
        assert after.reviewed_by is None and after.version == approved.version + 1
        assert [(r["version"], r["kind"], r["body"]) for r in kept] == [
            (approved.version, "written", approved.body),
            (approved.version + 1, "update", "New.\n\nText."),
        ]
        assert [n.text for n in notes[ids[0]]] == [
            "Rewritten as the story grew from 2 to 3 sources."
        ]
    finally:
        engine.dispose()
