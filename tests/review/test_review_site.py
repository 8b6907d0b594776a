"""What readers see of a person's decisions: the disclosure on each post page and in
the feeds, a retracted post's page as a dated note that has left every list and feed,
and the review policy on the About page. Built from a real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest

from columnist.review import actions
from columnist.review.users import acting_user, add_user
from columnist.site.stage import run_build
from columnist.site.text import human_date, iso
from columnist.store.db import open_engine
from tests.review.kit import BODY, load, make_desk, seed_posts


def test_disclosure_retraction_and_policy(tmp_path: Path, database_url: str) -> None:
    url = database_url
    settings = load(make_desk(tmp_path, url, 'review = "hold-flagged"\n'))
    held, plain, doomed = seed_posts(settings, ["held", "published", "published"])
    engine = open_engine(url)
    try:
        run_build(engine, settings, search=False)
        site = settings.site.output
        doomed_page = site / f"posts/council-votes-for-harbour-homes-{doomed}/index.html"
        assert BODY.split(",")[0] in doomed_page.read_text()
        assert not (site / f"posts/council-votes-for-harbour-homes-{held}").exists()

        add_user(engine, "ada", "admin", "long enough")  # an admin: she retracts
        ada = acting_user(engine, "ada")
        actions.publish(engine, ada, actions.load(engine, held))
        actions.retract(engine, ada, actions.load(engine, doomed), "The vote was 6 to 3.")
        report = run_build(engine, settings, search=False)
        today = human_date(actions.load(engine, held).reviewed_at)
    finally:
        engine.dispose()

    approved = (site / f"posts/council-votes-for-harbour-homes-{held}/index.html").read_text()
    assert f"it was reviewed and approved by ada on {today}." in approved
    unreviewed = (site / f"posts/council-votes-for-harbour-homes-{plain}/index.html").read_text()
    assert "it has not been reviewed by a person." in unreviewed

    note = doomed_page.read_text()
    assert "This commentary was retracted on <time" in note and f">{today}</time>" in note
    assert "Reason: The vote was 6 to 3." in note and BODY.split(",")[0] not in note
    assert '<meta name="robots" content="noindex">' in note
    assert str(doomed_page.relative_to(site)) not in report.removed
    listings = ["index.html", "feed.xml", "feed.json", "sitemaps/posts-1.xml"]
    for listing in [*listings, "topics/housing/index.html", "topics/housing/feed.xml"]:
        text = (site / listing).read_text()
        assert f"harbour-homes-{doomed}/" not in text, listing
        assert f"harbour-homes-{held}/" in text, listing
    feed = (site / "feed.xml").read_text()
    assert "reviewed and approved by ada" in feed and "not been reviewed by a person" in feed

    about = (site / "about/index.html").read_text()
    assert "A person reviews a post before it is published when a check flags it" in about


def test_an_edit_of_a_published_post_leaves_a_dated_note(tmp_path: Path, database_url: str) -> None:
    settings = load(make_desk(tmp_path, database_url))
    (post_id,) = seed_posts(settings, ["published"])
    engine = open_engine(database_url)
    try:
        run_build(engine, settings, search=False)
        site = settings.site.output
        feed_before = (site / "feed.xml").read_text()
        add_user(engine, "ada", "editor", "long enough")
        ada = acting_user(engine, "ada")
        post = actions.load(engine, post_id)
        with pytest.raises(actions.ReviewError, match="--correction TEXT or --update TEXT"):
            actions.edit(engine, settings, ada, post, BODY.replace("7", "8"), "why")
        fixed = BODY.replace("a long time", "twenty years")
        note = "An earlier version said <the mayor> spoke on Monday."
        actions.edit(engine, settings, ada, post, fixed, note, "correction")
        run_build(engine, settings, search=False)
        edited = actions.load(engine, post_id).updated
        when = human_date(edited)
    finally:
        engine.dispose()
    page = (site / f"posts/council-votes-for-harbour-homes-{post_id}/index.html").read_text()
    shown = "An earlier version said &lt;the mayor&gt; spoke on Monday."
    assert "<strong>Correction</strong>, <time" in page and f">{when}</time>: {shown}" in page
    assert "twenty years" in page
    listed = (site / "corrections/index.html").read_text()
    assert shown in listed and f"harbour-homes-{post_id}/" in listed
    feed = (site / "feed.xml").read_text()
    assert "Correction, " in feed and feed != feed_before
    assert f"<updated>{iso(edited)}</updated>" in feed  # the entry's and the feed's
