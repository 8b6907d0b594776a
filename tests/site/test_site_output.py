"""The built site against the "Site output" contract: pages, links, escaping, feeds."""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from columnist.config import SiteSettings
from columnist.site import build_site
from columnist.site.text import paragraphs
from tests.site.sitekit import (
    HOSTILE_TITLE,
    HOSTILE_URL,
    TOPICS,
    Doc,
    make_post,
    read_doc,
    sample_posts,
    sitemap_urls,
)

BASE_URL = "https://example.org/desk/"
BASE_PATH = "/desk/"
ATOM = "{http://www.w3.org/2005/Atom}"
PER_PAGE = 4
FEEDS_READ = [
    ("Wire", "https://wire.example.com/rss.xml"),
    (HOSTILE_TITLE, HOSTILE_URL),
    ("Local file", "/srv/feeds/local.xml"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "site"
    settings = SiteSettings(
        title="Test Desk", base_url=BASE_URL, output=out, posts_per_page=PER_PAGE
    )
    build_site(
        sample_posts(),
        TOPICS,
        settings,
        generator_note="Built for the tests.",
        feeds_read=FEEDS_READ,
    )
    return out


def newest_first(topic_slug: str) -> list:
    posts = [p for p in sample_posts() if topic_slug in {t.slug for t in p.topics}]
    return sorted(posts, key=lambda p: p.created, reverse=True)


def resolve(site: Path, href: str) -> Path:
    """The file a site-relative link points to."""
    assert href.startswith(BASE_PATH), href
    rel = href[len(BASE_PATH) :]
    return site / rel / "index.html" if rel == "" or rel.endswith("/") else site / rel


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_contract_files_exist(site: Path) -> None:
    for rel in [
        "index.html",
        "feed.xml",
        "feed.json",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "topics/index.html",
        "about/index.html",
        "static/style.css",
    ]:
        assert (site / rel).is_file(), rel
    for post in sample_posts():
        assert (site / "posts" / post.slug / "index.html").is_file()
    for topic in TOPICS:
        assert (site / "topics" / topic.slug / "index.html").is_file()
        assert (site / "topics" / topic.slug / "feed.xml").is_file()
        assert (site / "topics" / topic.slug / "feed.json").is_file()


@pytest.mark.parametrize("topic", [t.slug for t in TOPICS[:3]])
def test_topic_pages_list_posts_newest_first_with_pagination(site: Path, topic: str) -> None:
    expected = [f"{BASE_PATH}posts/{p.slug}/" for p in newest_first(topic)]
    pages = len(expected) // PER_PAGE  # page 1 takes the remainder: older pages stay put
    assert pages >= 2
    seen: list[str] = []
    for n in range(1, pages + 1):
        rel = f"topics/{topic}/" + (f"page/{n}/" if n > 1 else "")
        doc = read_doc(site / rel / "index.html")
        want = PER_PAGE + len(expected) % PER_PAGE if n == 1 else PER_PAGE
        assert len(doc.articles) == want, rel
        seen += [a["h2_links"][0]["href"] for a in doc.articles]
        prev_links = doc.find("link", rel="prev") + doc.find("a", rel="prev")
        next_links = doc.find("link", rel="next") + doc.find("a", rel="next")
        if n > 1:
            want = f"{BASE_PATH}topics/{topic}/" + (f"page/{n - 1}/" if n > 2 else "")
            assert {x["href"] for x in prev_links} == {want}
            assert len(prev_links) == 2  # <link> in head and a visible <a>
        else:
            assert not prev_links
        if n < pages:
            assert {x["href"] for x in next_links} == {f"{BASE_PATH}topics/{topic}/page/{n + 1}/"}
            assert len(next_links) == 2
        else:
            assert not next_links
        assert "Continue reading" in [a["text"] for a in doc.articles[0]["links"]]
    assert seen == expected
    assert not (site / f"topics/{topic}/page/{pages + 1}").exists()
    assert not (site / f"topics/{topic}/page/1").exists()


def test_every_entry_links_to_a_complete_post_page(site: Path) -> None:
    posts = {p.slug: p for p in sample_posts()}
    listing_pages = [
        site / "index.html",
        *sorted((site / "topics").glob("*/index.html")),
        *sorted((site / "topics").glob("*/page/*/index.html")),
    ]
    checked = 0
    for page in listing_pages:
        for article in read_doc(page).articles:
            (headline,) = article["h2_links"]
            more = [link for link in article["links"] if link["text"] == "Continue reading"]
            assert len(more) == 1, page
            assert more[0]["href"] == headline["href"]
            assert article["text"].rstrip().endswith("… Continue reading")
            assert " source" in article["text"]
            target = resolve(site, more[0]["href"])
            assert target.is_file(), more[0]["href"]
            post = posts[target.parent.name]
            raw = target.read_text(encoding="utf-8")
            doc = Doc(raw)
            for paragraph in paragraphs(post.body):
                assert paragraph in doc.text
                # Prose keeps its quotes in the HTML source (outside tools grep for it).
                assert html.escape(paragraph, quote=False) in raw
            hrefs = doc.hrefs()
            for source in post.sources:
                if source.url and source.url.startswith("https://"):
                    assert source.url in hrefs
            checked += 1
    assert checked >= 25


def test_home_lists_latest_posts_and_links_every_topic(site: Path) -> None:
    doc = read_doc(site / "index.html")
    latest = sorted(sample_posts(), key=lambda p: p.created, reverse=True)[:PER_PAGE]
    assert [a["h2_links"][0]["href"] for a in doc.articles] == [
        f"{BASE_PATH}posts/{p.slug}/" for p in latest
    ]
    hrefs = doc.hrefs()
    assert f"{BASE_PATH}topics/" in hrefs
    for topic in TOPICS:
        assert f"{BASE_PATH}topics/{topic.slug}/" in hrefs


def test_topic_index_shows_counts(site: Path) -> None:
    text = read_doc(site / "topics/index.html").text
    for topic in TOPICS:
        count = len(newest_first(topic.slug))
        assert topic.name in text
        assert f"{count} post" in text
    assert "0 posts" in text


def test_empty_topic_has_a_page_saying_no_posts_yet(site: Path) -> None:
    doc = read_doc(site / "topics/empty/index.html")
    assert "No posts yet" in doc.text
    assert not doc.articles
    root = ET.parse(site / "topics/empty/feed.xml").getroot()
    assert root.findall(f"{ATOM}entry") == []


def test_post_page_has_sources_disclosure_and_related(site: Path) -> None:
    post = next(p for p in sample_posts() if p.id == 10)
    doc = read_doc(site / "posts/post-10/index.html")
    (h1,) = [t for t, _ in doc.tags if t == "h1"]
    assert post.title in doc.text
    assert doc.find("time", datetime="2025-03-04T06:00:00Z")
    for topic in post.topics:
        assert f"{BASE_PATH}topics/{topic.slug}/" in doc.hrefs()
    source_links = [a for t, a in doc.tags if t == "a" and a.get("rel") == "nofollow noopener"]
    assert [a["href"] for a in source_links] == [s.url for s in post.sources]
    assert "Source A for 10" in doc.text and "Wire" in doc.text
    assert "written by a machine (model: test-model-1)" in doc.text
    assert "not been reviewed by a person" in doc.text
    post_topics = {t.slug for t in post.topics}
    by_slug = {p.slug: p for p in sample_posts()}
    related = [
        a["href"]
        for t, a in doc.tags
        if t == "a" and a.get("href", "").startswith(f"{BASE_PATH}posts/")
    ]
    assert 1 <= len(related) <= 5
    for href in related:
        other = by_slug[href.split("/")[-2]]
        assert other.id != post.id
        assert post_topics & {t.slug for t in other.topics}


def test_hostile_values_are_escaped_and_unsafe_urls_not_linked(site: Path) -> None:
    hostile_page = site / "posts/post-7/index.html"
    raw = hostile_page.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert HOSTILE_TITLE in read_doc(hostile_page).text  # shown, as text
    assert "No link" in raw  # a source without URL is listed without a link
    for path in html_files(site):
        text = path.read_text(encoding="utf-8")
        doc = Doc(text)
        assert HOSTILE_TITLE not in text, path
        assert "<img" not in text, path
        for tag, attrs in doc.tags:
            for name, value in attrs.items():
                assert not name.startswith("on"), (path, tag, name)
                if name in ("href", "src") and value:
                    assert not value.lower().lstrip().startswith("javascript:"), (path, value)
        for attrs, body in doc.scripts:
            if attrs.get("type") == "module":  # the search page's own script, nothing else
                assert path == site / "search/index.html", path
                assert attrs.get("src") == f"{BASE_PATH}static/search.js"
                continue
            assert attrs.get("type") == "application/ld+json", path
            assert "</" not in body
            json.loads(body)
    for feed in [site / "feed.json", *site.glob("topics/*/feed.json")]:
        assert HOSTILE_URL not in feed.read_text(encoding="utf-8")


def test_every_html_page_has_the_required_head(site: Path) -> None:
    for path in html_files(site):
        doc = read_doc(path)
        assert not doc.errors, (path, doc.errors)
        html = doc.find("html")
        assert html and html[0].get("lang") == "en", path
        assert doc.find("meta", name="viewport"), path
        assert doc.find("title"), path
        assert doc.find("meta", name="description")[0]["content"], path
        (canonical,) = doc.find("link", rel="canonical")
        assert canonical["href"].startswith(BASE_URL), path
        for prop in ("og:title", "og:description", "og:url", "og:type"):
            assert doc.find("meta", property=prop), (path, prop)
        assert doc.find("meta", name="twitter:card"), path
        assert doc.find("link", rel="alternate", type="application/atom+xml"), path
        assert doc.find("a", href="#main") and doc.find("main", id="main"), path
        assert doc.find("nav"), path
        for _tag, attrs in doc.tags:
            assert not (attrs.get("src") or "").startswith("http"), path  # nothing external
        assert not [
            a
            for t, a in doc.tags
            if t == "link" and a.get("rel") == "stylesheet" and not a["href"].startswith(BASE_PATH)
        ]
        for href in doc.hrefs():
            assert href.startswith((BASE_PATH, "#", "https://", "http://")), (path, href)
            if href.startswith(BASE_PATH):
                assert resolve(site, href.split("#")[0]).is_file(), (path, href)


def test_post_pages_carry_opinion_article_json_ld(site: Path) -> None:
    doc = read_doc(site / "posts/post-7/index.html")
    ((_, body),) = doc.scripts
    data = json.loads(body)
    assert data["@type"] == "OpinionNewsArticle"
    assert data["headline"] == HOSTILE_TITLE
    assert data["url"] == f"{BASE_URL}posts/post-7/"
    assert data["isBasedOn"] == []  # the javascript: source is not a URL to cite


def test_about_page_explains_and_lists_topics(site: Path) -> None:
    doc = read_doc(site / "about/index.html")
    for word in ("feeds", "stories", "topics", "language model", "sources"):
        assert word in doc.text.lower()
    assert "Built for the tests." in doc.text
    for topic in TOPICS:
        assert topic.name in doc.text


def test_about_page_lists_the_feeds_read_with_safe_links(site: Path) -> None:
    page = (site / "about/index.html").read_text()
    doc = read_doc(site / "about/index.html")
    for name, _url in FEEDS_READ:
        assert name in doc.text
    assert 'href="https://wire.example.com/rss.xml"' in page
    assert HOSTILE_TITLE not in page and "javascript:" not in page
    assert "/srv/feeds/local.xml" not in page  # a local path is named, not linked


def test_atom_feeds_are_valid_and_complete(site: Path) -> None:
    root = ET.parse(site / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    for child in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{child}") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 25
    ids = set()
    for entry in entries:
        for child in ("id", "title", "link", "updated", "published", "summary", "content"):
            assert entry.find(f"{ATOM}{child}") is not None, child
        assert entry.find(f"{ATOM}content").get("type") == "html"
        assert entry.find(f"{ATOM}link").get("href").startswith(BASE_URL)
        assert entry.findall(f"{ATOM}category")
        ids.add(entry.find(f"{ATOM}id").text)
    assert len(ids) == 25
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert HOSTILE_TITLE in titles
    for topic in TOPICS:
        feed = ET.parse(site / f"topics/{topic.slug}/feed.xml").getroot()
        assert len(feed.findall(f"{ATOM}entry")) == len(newest_first(topic.slug))
    hostile = next(e for e in entries if e.find(f"{ATOM}title").text == HOSTILE_TITLE)
    assert "javascript:" not in hostile.find(f"{ATOM}content").text


def test_json_feeds_parse(site: Path) -> None:
    data = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert len(data["items"]) == 25
    assert all(item["url"].startswith(BASE_URL) for item in data["items"])
    for topic in TOPICS:
        feed = json.loads((site / f"topics/{topic.slug}/feed.json").read_text(encoding="utf-8"))
        assert len(feed["items"]) == len(newest_first(topic.slug))


def test_sitemap_lists_every_post_and_robots_points_to_it(site: Path) -> None:
    locs = sitemap_urls(site, BASE_URL)
    for post in sample_posts():
        assert f"{BASE_URL}posts/{post.slug}/" in locs
    for topic in TOPICS:
        assert f"{BASE_URL}topics/{topic.slug}/" in locs
    assert f"Sitemap: {BASE_URL}sitemap.xml" in (site / "robots.txt").read_text()


def test_site_at_host_root_links_from_slash(tmp_path: Path) -> None:
    settings = SiteSettings(base_url="https://example.org/", output=tmp_path / "root")
    build_site(sample_posts(5), TOPICS, settings)
    doc = read_doc(tmp_path / "root/topics/china-russia/index.html")
    assert doc.articles[0]["h2_links"][0]["href"].startswith("/posts/")
    assert doc.find("link", rel="stylesheet")[0]["href"] == "/static/style.css"
    assert (
        doc.find("link", rel="canonical")[0]["href"] == "https://example.org/topics/china-russia/"
    )


def test_characters_xml_forbids_do_not_break_the_build(tmp_path: Path) -> None:
    broken = replace(
        make_post(1, [TOPICS[0]]), title="Bad\x0b title \ud800 here", body="Text\x00 body."
    )
    settings = SiteSettings(base_url=BASE_URL, output=tmp_path / "s")
    build_site([broken], TOPICS, settings)
    root = ET.parse(tmp_path / "s/feed.xml").getroot()
    assert root.find(f"{ATOM}entry/{ATOM}title").text == "Bad title  here"
    json.loads((tmp_path / "s/feed.json").read_text(encoding="utf-8"))
    assert "Bad" in (tmp_path / "s/posts/post-1/index.html").read_text(encoding="utf-8")


def test_post_pages_count_their_sources(site: Path) -> None:
    for post in sample_posts():
        doc = read_doc(site / "posts" / post.slug / "index.html")
        n = len(post.sources)
        (link,) = [a for t, a in doc.tags if t == "a" and a.get("class") == "entry-sources"]
        assert link["href"] == "#sources-heading"
        assert f"{n} source{'s' if n != 1 else ''}" in doc.text
    archive = read_doc(site / "topics/energy/index.html")
    for article in archive.articles:
        assert "2 sources" in article["text"] or "0 sources" in article["text"]


def test_search_page_works_without_javascript(site: Path) -> None:
    """Every page's header form sends ?q= to search/, which without JavaScript offers the
    topics to browse; with it, search.js reads the shard list from the form."""
    for path in (site / "index.html", site / "posts/post-3/index.html"):
        (form,) = read_doc(path).find("form", role="search")
        assert form["action"] == f"{BASE_PATH}search/" and form.get("method") == "get"
    doc = read_doc(site / "search/index.html")
    (form,) = doc.find("form", role="search", **{"aria-label": "Posts"})
    assert form["action"] == f"{BASE_PATH}search/"
    shards = form["data-shards"].split()
    assert shards and all((site / s[len(BASE_PATH) :] / "pagefind.js").is_file() for s in shards)
    assert doc.find("input", name="q", type="search")
    fallback = [a["href"] for t, a in doc.tags if t == "a" and "/topics/" in (a.get("href") or "")]
    for topic in TOPICS:
        assert f"{BASE_PATH}topics/{topic.slug}/" in fallback
    assert doc.find("meta", name="robots", content="noindex")
    assert (site / "static/search.js").is_file()
