"""digest/: a page per ISO week of posts, the index and the Atom feed of the issues."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from columnist.config import SiteSettings
from columnist.site.build import build_site
from columnist.site.issues import select_issue, week_bounds, week_name, weekly_issues
from columnist.site.model import SiteModel
from columnist.site.urls import Urls
from tests.site.sitekit import HOSTILE_TITLE, TOPICS, make_post, read_doc, sample_posts

ATOM = "{http://www.w3.org/2005/Atom}"


def test_each_week_has_a_page_with_that_weeks_posts_by_topic(settings: SiteSettings) -> None:
    posts = [*sample_posts(), make_post(99, [TOPICS[2]], title=HOSTILE_TITLE)]
    build_site(posts, TOPICS, settings, search=False)
    site = Path(settings.output)
    model = SiteModel(posts, TOPICS, Urls(settings.base_url))
    weeks = {week_name(p.created) for p in posts}
    made = {p.parent.name for p in (site / "digest").glob("*/index.html")}
    assert made == weeks and len(weeks) >= 2
    for name in weeks:
        doc = read_doc(site / "digest" / name / "index.html")
        assert not doc.errors, doc.errors
        start, end = week_bounds(name)
        issue = select_issue(model, start, end)  # what `columnist digest --week` mails
        listed = [a["href"] for a in doc.find("a") if a["href"].startswith("/desk/posts/")]
        shown = list(dict.fromkeys(listed))  # headline and "continue reading" link each post
        assert shown == [e.href for e in issue.entries]
        headings = [a["href"] for t, a in doc.tags if t == "a" and "topics/" in (a["href"] or "")]
        for section in issue.sections:
            assert f"/desk/topics/{section.slug}/" in headings
        assert not doc.scripts or all(
            a.get("type") == "application/ld+json" for a, _ in doc.scripts
        )
    hostile = read_doc(site / "digest" / week_name(posts[-1].created) / "index.html")
    assert HOSTILE_TITLE in hostile.text  # shown as text, never as a tag
    assert all(a.get("type") == "application/ld+json" for a, _ in hostile.scripts)


def test_a_post_in_two_topics_is_listed_once_under_the_first(settings: SiteSettings) -> None:
    both = make_post(1, [TOPICS[2], TOPICS[1]])  # science first in the post, energy first in config
    model = SiteModel([both, make_post(2, [TOPICS[2]])], TOPICS, Urls(settings.base_url))
    (issue,) = weekly_issues(model)
    assert [(s.slug, [e.id for e in s.entries]) for s in issue.sections] == [
        ("energy", [1]),
        ("science", [2]),
    ]
    start, end = week_bounds(issue.name)
    only = select_issue(model, start, end, "science")
    assert [(s.slug, [e.id for e in s.entries]) for s in only.sections] == [("science", [2, 1])]


def test_index_and_feed_list_every_week_newest_first(settings: SiteSettings) -> None:
    posts = sample_posts()
    build_site(posts, TOPICS, settings, search=False)
    site = Path(settings.output)
    weeks = sorted({week_name(p.created) for p in posts}, reverse=True)
    index = read_doc(site / "digest" / "index.html")
    links = [a["href"] for a in index.find("a") if a["href"].startswith("/desk/digest/20")]
    assert links == [f"/desk/digest/{w}/" for w in weeks]
    feed = ET.parse(site / "digest" / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [
        f"https://example.org/desk/digest/{w}/" for w in weeks
    ]
    content = entries[0].find(f"{ATOM}content").text or ""
    assert "https://example.org/desk/posts/" in content
    home = read_doc(site / "index.html")
    assert "/desk/digest/" in home.hrefs() and "/desk/digest/feed.xml" in home.hrefs()
    week = read_doc(site / "digest" / weeks[0] / "index.html")
    assert {"rel": "alternate", "type": "application/atom+xml"}.items() <= next(
        a for a in week.find("link") if a.get("href") == "/desk/digest/feed.xml"
    ).items()


def test_an_empty_site_has_an_empty_digest(settings: SiteSettings) -> None:
    build_site([], TOPICS, settings, search=False)
    site = Path(settings.output)
    assert "No posts yet." in read_doc(site / "digest" / "index.html").text
    feed = ET.parse(site / "digest" / "feed.xml").getroot()
    assert feed.findall(f"{ATOM}entry") == []
    assert [p.name for p in (site / "digest").iterdir()] != []
    assert not [p for p in (site / "digest").iterdir() if p.is_dir()]
