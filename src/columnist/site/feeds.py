"""Atom 1.0 and JSON Feed 1.1, for the whole site and for each topic.

With `[site] websub_hub` every feed names the hub (Atom `<link rel="hub">`, JSON Feed
`hubs`) beside its own URL, as WebSub asks. Atom is built with ElementTree so every
value is XML-escaped by construction; text from feeds is first stripped of characters
XML 1.0 forbids. Entry content is the commentary as escaped HTML, followed by the
sources and the machine-writing disclosure, so the disclosure travels with the text
into feed readers.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime
from html import escape
from typing import Any

from columnist.site.context import BuildContext
from columnist.site.model import Entry
from columnist.site.pending import Page, fingerprint
from columnist.site.text import disclosure, iso, utc, xml_safe

FEED_LIMIT = 50
ATOM_NS = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # "updated" of a feed with no entries yet


def entry_id(ctx: BuildContext, entry: Entry) -> str:
    """A tag: URI that survives a slug change: tag:<host>,<created date>:post-<id>."""
    return f"tag:{ctx.urls.host},{utc(entry.created):%Y-%m-%d}:post-{entry.id}"


def content_html(entry: Entry) -> str:
    """The post as an HTML fragment for feed readers (every value escaped)."""
    parts = [
        f"<p><em>{escape(n.label)}, {escape(n.date)}: {escape(n.text)}</em></p>"
        for n in entry.notes
    ]
    parts += [f"<p>{escape(p)}</p>" for p in entry.paragraphs]
    if entry.sources:
        items = []
        for s in entry.sources:
            title = escape(s.title)
            label = f'<a href="{escape(s.href)}">{title}</a>' if s.href else title
            items.append(f"<li>{label} ({escape(s.source_name)})</li>")
        parts.append(f"<p>Sources:</p><ul>{''.join(items)}</ul>")
    parts.append(
        f"<p><em>{escape(disclosure(entry.model, entry.reviewed_by, entry.reviewed_at))}</em></p>"
    )
    return "".join(parts)


def _updated(entries: list[Entry]) -> datetime:
    return max((max(utc(e.updated), utc(e.created)) for e in entries), default=_EPOCH)


def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """A child element; text and attribute values stripped of what XML forbids."""
    node = ET.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        node.text = xml_safe(text)
    return node


def hub_links(ctx: BuildContext, feed: ET.Element, self_url: str) -> None:
    """The feed's own URL (rel="self") and, with `[site] websub_hub`, the WebSub hub that
    subscribers may ask for pushes (rel="hub"); the build pings the hub (site/websub.py)."""
    sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    if ctx.settings.websub_hub:
        sub(feed, "link", rel="hub", href=ctx.settings.websub_hub)


def atom_feed(
    ctx: BuildContext,
    entries: list[Entry],
    *,
    title: str,
    subtitle: str,
    self_path: str,
    page_path: str,
    categories: list[tuple[str, str]] | None = None,
    content: Callable[[Entry], str] = content_html,
) -> str:
    """One Atom document; `self_path`/`page_path` are site-relative."""
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": ctx.site.language})
    sub(feed, "id", ctx.urls.absolute(self_path))
    sub(feed, "title", title)
    if subtitle:
        sub(feed, "subtitle", subtitle)
    sub(feed, "updated", iso(_updated(entries)))
    hub_links(ctx, feed, ctx.urls.absolute(self_path))
    sub(feed, "link", rel="alternate", type="text/html", href=ctx.urls.absolute(page_path))
    author = sub(feed, "author")
    sub(author, "name", ctx.site.title)
    sub(author, "uri", ctx.site.base_url)
    sub(feed, "generator", "columnist")
    for term, label in categories or []:
        sub(feed, "category", term=term, label=label)
    for entry in entries:
        node = sub(feed, "entry")
        sub(node, "id", entry_id(ctx, entry))
        sub(node, "title", entry.title)
        sub(node, "link", rel="alternate", type="text/html", href=entry.url)
        sub(node, "published", entry.iso_created)
        sub(node, "updated", entry.iso_updated)
        for topic in entry.topics:
            sub(node, "category", term=topic.slug, label=topic.name)
        if entry.excerpt:
            sub(node, "summary", entry.excerpt, type="text")
        sub(node, "content", content(entry), type="html")
    ET.indent(feed, space=" ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, "unicode") + "\n"


def json_feed(
    ctx: BuildContext,
    entries: list[Entry],
    *,
    title: str,
    description: str,
    self_path: str,
    page_path: str,
    content: Callable[[Entry], str] = content_html,
) -> str:
    """One JSON Feed 1.1 document."""
    author = {"name": ctx.site.title, "url": ctx.site.base_url}
    items: list[dict[str, Any]] = []
    for entry in entries:
        item: dict[str, Any] = {
            "id": entry_id(ctx, entry),
            "url": entry.url,
            "title": entry.title,
            "content_html": content(entry),
            "date_published": entry.iso_created,
            "date_modified": entry.iso_updated,
            "tags": [t.name for t in entry.topics],
            "authors": [author],
        }
        if entry.excerpt:
            item["summary"] = entry.excerpt
        items.append(item)
    data = {
        "version": JSON_FEED_VERSION,
        "title": title,
        "home_page_url": ctx.urls.absolute(page_path),
        "feed_url": ctx.urls.absolute(self_path),
        "description": description,
        "language": ctx.site.language,
        "authors": [author],
        "items": items,
    }
    if ctx.settings.websub_hub:
        data["hubs"] = [{"type": "WebSub", "url": ctx.settings.websub_hub}]
    # Without indent json's C encoder does the work: a new post rewrites four feeds.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def feed_pages(ctx: BuildContext) -> list[Page]:
    """feed.xml, feed.json, and topics/<slug>/feed.xml and feed.json."""
    pages: list[Page] = []
    hub = ctx.settings.websub_hub  # the feeds name it: a new hub rewrites them
    made: dict[int, str] = {}  # a post is in up to four feeds: its HTML is made once

    def content(entry: Entry) -> str:
        html = made.get(entry.id)
        if html is None:
            html = made[entry.id] = content_html(entry)
        return html

    def add(
        entries: list[Entry],
        title: str,
        subtitle: str,
        folder: str,
        page_path: str,
        categories: list[tuple[str, str]] | None = None,
    ) -> None:
        keys = [e.key for e in entries]
        atom_path, json_path = f"{folder}feed.xml", f"{folder}feed.json"
        pages.append(
            Page(
                atom_path,
                fingerprint(ctx.version, "atom", atom_path, hub, keys),
                lambda: atom_feed(
                    ctx,
                    entries,
                    title=title,
                    subtitle=subtitle,
                    self_path=atom_path,
                    page_path=page_path,
                    categories=categories,
                    content=content,
                ),
                entries=tuple(entries),
            )
        )
        pages.append(
            Page(
                json_path,
                fingerprint(ctx.version, "jsonfeed", json_path, hub, keys),
                lambda: json_feed(
                    ctx,
                    entries,
                    title=title,
                    description=subtitle,
                    self_path=json_path,
                    page_path=page_path,
                    content=content,
                ),
                entries=tuple(entries),
            )
        )

    add(ctx.model.entries[:FEED_LIMIT], ctx.site.title, ctx.site.description, "", "")
    for topic in ctx.topics:
        folder = f"topics/{topic.slug}/"
        add(
            ctx.model.topic_posts(topic.slug)[:FEED_LIMIT],
            f"{topic.name} — {ctx.site.title}",
            topic.description,
            folder,
            folder,
            [(topic.slug, topic.name)],
        )
    return pages
