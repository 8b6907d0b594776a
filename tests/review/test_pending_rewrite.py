"""A published post whose story grows, under a policy that holds new text: the published
text stays up as it was, the rewritten text waits beside it for review; publishing it
replaces the published text with a dated update, rejecting it keeps the old text (and
the writer tries again only when the story grows further). On a real SQLite desk and
on PostgreSQL (the `grown` fixture, tests/review/conftest.py), the write stage driven
by a scripted backend (no model is loaded)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from columnist.commentary.stage import run_write
from columnist.review import actions
from columnist.review.users import acting_user
from columnist.store import audit
from columnist.store.db import open_engine
from columnist.store.review import notes_by_post, revisions
from columnist.store.schema import pending_rewrites
from columnist.store.stories import needing_posts
from tests.conftest import invoke
from tests.review.growth import GROWN, writing
from tests.review.growth import grow as _grow
from tests.review.growth import queue_of as _queue
from tests.review.growth import rewrite_grown as _rewrite
from tests.review.growth import site_body as _site_body
from tests.review.kit import PASSWORD, load


def test_the_published_text_stays_up_until_the_rewrite_is_published(grown) -> None:  # noqa: ANN001
    settings, engine, before = grown
    shown = _site_body(engine, before.id)
    assert shown == before.body
    _rewrite(settings, engine)

    now = actions.load(engine, before.id)  # still published, text and approval unchanged
    assert (now.status, now.body, now.source_count) == ("published", before.body, 1)
    assert (now.reviewed_by, now.updated) == ("bob", before.updated)
    assert now.version == before.version + 1  # a page read before is stale
    assert _site_body(engine, before.id) == shown
    assert now.pending is not None and now.pending.status == "held"
    assert GROWN[:40] in now.pending.body and now.pending.source_count == 2
    assert [p.id for p in _queue(engine)] == [before.id]  # in the queue, marked
    with engine.connect() as conn:  # nothing more to write until the story grows again
        assert needing_posts(conn, rewrite_on_growth=True) == []
    assert run_write(engine, settings, backend=writing(GROWN)).stories == 0

    stale = actions.load(engine, before.id)
    stale.version -= 1
    with pytest.raises(actions.Conflict):
        actions.publish(engine, acting_user(engine, "bob"), stale, "ok")

    actions.publish(engine, acting_user(engine, "bob"), now, "Read it; the new source checks.")
    after = actions.load(engine, before.id)
    assert (after.status, after.body, after.source_count) == ("published", now.pending.body, 2)
    assert after.pending is None and after.reviewed_by == "bob"
    assert after.version == now.version + 1 and after.updated > before.updated
    assert _site_body(engine, before.id) != shown
    assert _queue(engine) == []
    with engine.connect() as conn:
        kept = [(r["kind"], r["body"]) for r in revisions(conn, before.id)]
        notes = notes_by_post(conn)[before.id]
        log = audit.recent(conn, 1, post_id=before.id)[0]
        assert conn.execute(select(pending_rewrites)).first() is None
    assert kept == [("written", before.body), ("update", after.body)]
    assert [(n.kind, n.text) for n in notes] == [
        ("update", "Rewritten as the story grew from 1 to 2 sources.")
    ]
    assert (log.who, log.action) == ("bob", "publish-rewrite")


def test_rejecting_the_rewrite_keeps_the_published_text(grown) -> None:  # noqa: ANN001
    settings, engine, before = grown
    shown = _site_body(engine, before.id)
    _rewrite(settings, engine)
    now = actions.load(engine, before.id)
    bob = acting_user(engine, "bob")
    with pytest.raises(actions.ReviewError, match="needs a written reason"):
        actions.reject(engine, bob, now, " ")
    actions.reject(engine, bob, now, "The new source adds nothing.")

    after = actions.load(engine, before.id)
    assert (after.status, after.body, after.source_count) == ("published", before.body, 1)
    assert after.pending is None and after.reviewed_by == "bob"
    assert _site_body(engine, before.id) == shown
    assert _queue(engine) == []
    with engine.connect() as conn:
        kept = [(r["kind"], r["who"], r["reason"]) for r in revisions(conn, before.id)]
        assert notes_by_post(conn).get(before.id) is None  # readers saw no change
        assert needing_posts(conn, rewrite_on_growth=True) == []  # not offered again
        log = audit.recent(conn, 1, post_id=before.id)[0]
    assert kept == [("written", None, None),
                    ("declined", "bob", "The new source adds nothing.")]  # fmt: skip
    assert (log.action, log.detail) == ("reject-rewrite", "The new source adds nothing.")

    # A later edit keeps no second copy of the text the post kept.
    actions.edit(engine, settings, bob, after, after.body + "\n\nOne more line.", "Typo.",
                 "correction")  # fmt: skip
    with engine.connect() as conn:
        kinds = [r["kind"] for r in revisions(conn, before.id)]
    assert kinds == ["written", "declined", "correction"]

    # The story grows again: the writer offers a new text, waiting as before.
    story_id = after.story_id
    _grow(engine, story_id)
    _rewrite(settings, engine)
    assert actions.load(engine, before.id).pending.source_count == 3


def test_review_list_and_show_mark_a_waiting_rewrite(grown) -> None:  # noqa: ANN001
    settings, engine, before = grown
    _rewrite(settings, engine)
    config = str(settings.root / "columnist.toml")
    listed = invoke("review", "list", "-c", config)
    assert listed.returncode == 0, listed.stderr
    (line,) = listed.stdout.splitlines()
    assert line.startswith(f"{before.id:>5} held ")
    assert "(published; rewrite from 2 sources waits)" in line
    as_json = invoke("review", "list", "--json", "-c", config).stdout
    assert '"status": "published"' in as_json and '"pending": {"status": "held"' in as_json
    shown = invoke("review", "show", str(before.id), "-c", config).stdout
    assert "published; a rewritten text from 2 sources waits for review (held, written" in shown
    assert before.body in shown and GROWN[:40] in shown
    published = invoke("review", "publish", str(before.id), "--reason", "Fine.", "--as", "bob",
                       "-c", config)  # fmt: skip
    assert published.returncode == 0, published.stderr
    assert actions.load(engine, before.id).body != before.body


def test_a_store_at_0006_upgrades_with_its_posts(tmp_path: Path) -> None:
    from alembic import command

    from columnist.store.db import _alembic_config, make_engine, upgrade
    from tests.review.kit import make_desk, seed_posts

    url = f"sqlite:///{tmp_path}/old.db"
    engine = make_engine(url)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0006_editors_desk")
    engine.dispose()
    with pytest.raises(Exception, match="db upgrade"):
        open_engine(url)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    settings = load(make_desk(tmp_path, url))
    (post_id,) = seed_posts(settings, ["published"])
    engine = open_engine(url)
    try:
        post = actions.load(engine, post_id)
        assert (post.status, post.pending) == ("published", None)
    finally:
        engine.dispose()


def test_the_admin_shows_the_waiting_rewrite_and_publishes_it(grown) -> None:  # noqa: ANN001
    import re

    from starlette.testclient import TestClient

    from columnist.admin.app import create_app

    settings, engine, before = grown
    _rewrite(settings, engine)
    with TestClient(create_app(settings, engine)) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"name": "bob", "password": PASSWORD, "csrf": token})
        queue_page = client.get("/").text
        assert "published; its rewrite from 2 sources waits" in queue_page
        page = client.get(f"/posts/{before.id}").text
        assert "Rewritten text waiting for review" in page
        assert before.body.split("\n")[0][:60] in page and GROWN[:60] in page
        assert "Publish the rewritten text" in page and "Reject the rewritten text" in page
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
        done = client.post(
            f"/posts/{before.id}/publish",
            data={"csrf": token, "version": version, "reason": "Fine."},
            follow_redirects=False,
        )
        assert done.status_code == 303
        page = client.get(f"/posts/{before.id}").text
        assert "Rewritten text waiting for review" not in page
    after = actions.load(engine, before.id)
    assert after.status == "published" and GROWN[:40] in after.body
    assert (settings.site.output / "index.html").is_file()  # the site was rebuilt
