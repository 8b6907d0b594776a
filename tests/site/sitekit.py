"""Synthetic posts and a small HTML reader, shared by the site tests."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

from columnist.records import PostView, SourceLink, TopicView

HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_URL = "javascript:alert(document.cookie)"
START = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)

TOPICS = [
    TopicView("china-russia", "China-Russia relations", "Beijing and Moscow."),
    TopicView("energy", "Energy", "Oil, gas & power."),
    TopicView("science", "Science", "Research news."),
    TopicView("empty", "Empty topic", "Nothing written yet."),
]


def make_post(
    i: int,
    topics: list[TopicView],
    *,
    title: str | None = None,
    sources: list[SourceLink] | None = None,
) -> PostView:
    created = START + timedelta(hours=7 * i)
    body = "\n\n".join(
        f'Paragraph {n} of post {i} says something & more, it\'s "quoted", with <b>markup</b>.'
        for n in range(1, 4)
    )
    return PostView(
        id=i,
        slug=f"post-{i}",
        title=title or f"Headline number {i}",
        body=body,
        excerpt=f"Paragraph 1 of post {i} says something.",
        created=created,
        updated=created,
        topics=topics,
        sources=sources
        if sources is not None
        else [
            SourceLink(
                f"Source A for {i}",
                f"https://news.example.com/a/{i}?x=1&y=2",
                "Wire",
                created - timedelta(hours=1),
            ),
            SourceLink(f"Source B for {i}", f"https://other.example.org/b/{i}", "Daily", None),
        ],
        model="test-model-1",
    )


def sample_posts(count: int = 25) -> list[PostView]:
    """`count` posts over the first three topics; post 7 is hostile."""
    posts = []
    for i in range(1, count + 1):
        topics = [TOPICS[i % 3]] + ([TOPICS[(i + 1) % 3]] if i % 5 == 0 else [])
        if i == 7:
            posts.append(
                make_post(
                    i,
                    topics,
                    title=HOSTILE_TITLE,
                    sources=[
                        SourceLink(
                            HOSTILE_TITLE, HOSTILE_URL, '"><img src=x onerror=alert(1)>', None
                        ),
                        SourceLink("No link", None, "Agency", None),
                    ],
                )
            )
        else:
            posts.append(make_post(i, topics))
    posts.reverse()  # callers may pass any order
    return posts


VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class Doc(HTMLParser):
    """Collects tags with their attributes, text per <article>, link targets, and nesting
    errors (the templates close every element they open, so any mismatch is a bug)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.articles: list[dict] = []
        self._article: dict | None = None
        self._in_a: dict | None = None
        self._stack: list[str] = []
        self.text_parts: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.errors: list[str] = []
        self._script: dict[str, str | None] | None = None
        self.feed(text)
        self.close()

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "article":
            self._article = {"links": [], "text": "", "h2_links": []}
            self.articles.append(self._article)
        if tag == "a":
            self._in_a = {
                "href": a.get("href"),
                "rel": a.get("rel"),
                "text": "",
                "in_h2": "h2" in self._stack,
            }
        if tag == "script":
            self._script = a
            self.scripts.append((a, ""))
        if tag not in VOID:
            self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._in_a is not None:
            if self._article is not None:
                self._article["links"].append(self._in_a)
                if self._in_a["in_h2"]:
                    self._article["h2_links"].append(self._in_a)
            self._in_a = None
        if tag == "article":
            self._article = None
        if tag == "script":
            self._script = None
        if tag in VOID:
            return
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()
        else:
            self.errors.append(f"</{tag}> closes <{self._stack[-1] if self._stack else None}>")

    def close(self) -> None:
        super().close()
        if self._stack:
            self.errors.append(f"unclosed: {self._stack}")

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
            return
        self.text_parts.append(data)
        if self._in_a is not None:
            self._in_a["text"] += data
        if self._article is not None:
            self._article["text"] += data

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]

    def hrefs(self) -> list[str]:
        return [a["href"] for t, a in self.tags if t in ("a", "link") and a.get("href")]


def read_doc(path: Path) -> Doc:
    return Doc(path.read_text(encoding="utf-8"))


SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_urls(site: Path, base_url: str) -> set[str]:
    """Every page URL the sitemap index at site/sitemap.xml leads to (each sitemap it
    lists must be a file of the site)."""
    index = ET.parse(site / "sitemap.xml").getroot()
    assert index.tag == f"{SITEMAP_NS}sitemapindex"
    urls: set[str] = set()
    for loc in index.iter(f"{SITEMAP_NS}loc"):
        assert loc.text and loc.text.startswith(base_url), loc.text
        urlset = ET.parse(site / loc.text[len(base_url) :]).getroot()
        assert urlset.tag == f"{SITEMAP_NS}urlset"
        urls |= {u.text for u in urlset.iter(f"{SITEMAP_NS}loc") if u.text}
    return urls
