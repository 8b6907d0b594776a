"""ingest -> assign -> write -> build on feeds served from 127.0.0.1, with the real
embedding model and the real small test model, driven through the `columnist` command."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import DATA, database_url_for, served, small_writer
from tests.conftest import desk as write_desk
from tests.site.sitekit import sitemap_urls

TOPICS = (DATA / "e2e" / "topics.toml").read_text()


def columnist(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "columnist", *args], capture_output=True, text=True, timeout=600
    )
    if check and done.returncode != 0:
        raise AssertionError(f"columnist {' '.join(args)} failed:\n{done.stderr}")
    return done


class Links(HTMLParser):
    """Collects hrefs, the articles of a listing page and each article's links."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.articles: list[list[tuple[str, str]]] = []  # [(href, text)]
        self._in_article = 0
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self._in_article += 1
            self.articles.append([])
        elif tag == "a":
            self._href = dict(attrs).get("href") or ""
            self.hrefs.append(self._href)
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._in_article -= 1
        elif tag == "a" and self._href is not None:
            if self._in_article:
                self.articles[-1].append((self._href, "".join(self._text).strip()))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)


def parse(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def resolve(site: Path, href: str) -> Path:
    """A site-root link such as /posts/x/ -> the file that serves it."""
    assert href.startswith("/"), href
    return site / href.lstrip("/") / "index.html" if href.endswith("/") else site / href


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def desk(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole pipeline, once on a SQLite file and once on PostgreSQL."""
    folder = tmp_path_factory.mktemp(f"desk-{request.param}")
    with served(DATA / "e2e") as base:
        yield build_desk(folder, base, database_url_for(request.param, folder))


def build_desk(folder: Path, base: str, database_url: str) -> Path:
    write_desk(
        folder,
        f"""
[site]
title = "E2E Desk"
base_url = "http://127.0.0.1:8000/"

[[sources]]
name = "Test Wire"
url = "{base}wire.xml"

[[sources]]
name = "Test Desk"
url = "{base}desk.json"

[[sources]]
name = "Dead Feed"
url = "http://127.0.0.1:9/feed.xml"
{TOPICS}
{small_writer()}""",
        database=database_url,
    )
    cfg = str(folder / "columnist.toml")
    ingest = columnist("ingest", "-c", cfg, "-q")
    (folder / "ingest.log").write_text(ingest.stderr)
    columnist("assign", "-c", cfg, "-q")
    columnist("write", "-c", cfg, "-q")
    columnist("build", "-c", cfg, "-q")
    return folder


def posts_json(desk: Path) -> list[dict]:
    out = columnist("posts", "--json", "-c", str(desk / "columnist.toml")).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_a_dead_source_is_one_line_and_the_others_go_on(desk: Path) -> None:
    log = (desk / "ingest.log").read_text()
    dead = [line for line in log.splitlines() if "Dead Feed" in line]
    assert len(dead) == 1 and "Traceback" not in log
    assert "6 new entries from 3 sources (6 read; 1 failed)" in log


def test_posts_have_bodies_excerpts_and_sources(desk: Path) -> None:
    posts = posts_json(desk)
    assert len(posts) >= 4
    for p in posts:
        assert p["body"].strip() and p["excerpt"].strip() and p["topics"] and p["sources"]
        assert p["url"] == f"http://127.0.0.1:8000/posts/{p['slug']}/"
        assert set(p) >= {
            "id",
            "slug",
            "title",
            "url",
            "topics",
            "body",
            "excerpt",
            "sources",
            "status",
            "created",
        }
    pipeline = [p for p in posts if "Power of Siberia" in p["title"] or "gas pact" in p["title"]]
    assert len(pipeline) == 1, "the two reports of the pipeline deal form one story"
    assert len(pipeline[0]["sources"]) == 2
    assert "china-russia-relations" in pipeline[0]["topics"]
    assert all("utm_source" not in (u or "") for p in posts for u in p["sources"])


def test_topic_pages_list_their_stories_and_continue_reading_resolves(desk: Path) -> None:
    site = desk / "site"
    posts = posts_json(desk)
    for topic in ("china-russia-relations", "climate", "artificial-intelligence"):
        page = site / "topics" / topic / "index.html"
        assert page.is_file()
        expected = {f"/posts/{p['slug']}/" for p in posts if topic in p["topics"]}
        assert expected, f"no post filed under {topic}"
        articles = parse(page).articles
        listed = set()
        for links in articles:
            headline, more = links[0][0], [h for h, text in links if text == "Continue reading"]
            assert more == [headline], "Continue reading links to the headline's post"
            listed.add(headline)
            post_page = resolve(site, headline)
            assert post_page.is_file()
            post = next(p for p in posts if f"/posts/{p['slug']}/" == headline)
            html = post_page.read_text()
            for paragraph in post["body"].split("\n\n"):
                first_words = " ".join(paragraph.split()[:6])
                assert escape(first_words, quote=False) in html
            hrefs = parse(post_page).hrefs
            for url in filter(None, post["sources"]):
                assert url in hrefs
            assert "machine" in html.lower()
        assert listed == expected


def test_feeds_and_sitemap_parse(desk: Path) -> None:
    site = desk / "site"
    atom = "{http://www.w3.org/2005/Atom}"
    posts = posts_json(desk)
    root = ET.parse(site / "feed.xml").getroot()
    assert len(root.findall(f"{atom}entry")) == len(posts)
    for topic in ("china-russia-relations", "climate", "artificial-intelligence"):
        feed = ET.parse(site / "topics" / topic / "feed.xml").getroot()
        n = sum(topic in p["topics"] for p in posts)
        assert len(feed.findall(f"{atom}entry")) == n
    base_url = posts[0]["url"].split("posts/")[0]
    assert {p["url"] for p in posts} <= sitemap_urls(site, base_url)


def test_nothing_hostile_reaches_the_site(desk: Path) -> None:
    for page in (desk / "site").rglob("*.html"):
        html = page.read_text()
        assert "<script>alert" not in html and "onclick" not in html
        assert not any(h.lower().startswith("javascript:") for h in parse(page).hrefs)


def test_running_the_stages_again_adds_nothing(desk: Path) -> None:
    cfg = str(desk / "columnist.toml")
    before = posts_json(desk)
    assert "0 new entries" in columnist("ingest", "-c", cfg, "-q").stderr
    assert "0 entries, 0 new stories" in columnist("assign", "-c", cfg, "-q").stderr
    assert "0 published" in columnist("write", "-c", cfg, "-q").stderr
    assert "0 pages written" in columnist("build", "-c", cfg, "-q").stderr
    assert posts_json(desk) == before
