"""RSS 0.9x, RSS 1.0 (RDF), RSS 2.0, Atom 0.3 and 1.0 through feedparser.

The text has passed the XML guard (xmlguard.py) first. The bytes go to feedparser as a
stream, never as ``bytes``: given bytes, feedparser first tries them as a *file name*, so
a response body that names a local file would otherwise be answered with that file.

Relative links resolve against an explicit xml:base first (feedparser does that);
otherwise an entry's link resolves against ``base_url`` (the address the feed was
fetched from) or the feed's own link.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import feedparser

from columnist.errors import FeedError
from columnist.ingest.dates import from_struct, parse_date
from columnist.ingest.fields import (
    MAX_ENTRIES,
    UNTITLED,
    build_entry,
    one_line_reason,
    string,
)
from columnist.ingest.media import feed_images, media_alts
from columnist.ingest.normalise import canonical_url, plain_title
from columnist.ingest.xmlguard import guard_xml, root_name
from columnist.records import ParsedEntry, ParsedFeed


def _detail_kind(detail: Any) -> str:
    kind = detail.get("type", "") if isinstance(detail, Mapping) else ""
    return "text" if kind == "text/plain" else "html"


def _field(item: Mapping[str, Any], key: str) -> Any:
    """A feedparser field by its real name, bypassing FeedParserDict's deprecated aliases."""
    return dict.get(item, key) if isinstance(item, dict) else item.get(key)


def _feedparser_entry(entry: Mapping[str, Any], base: str | None) -> ParsedEntry | None:
    bodies: list[tuple[str, str]] = []
    for content in _field(entry, "content") or []:
        if isinstance(content, Mapping) and isinstance(content.get("value"), str):
            bodies.append((content["value"], _detail_kind(content)))
    if isinstance(_field(entry, "summary"), str):
        bodies.append((_field(entry, "summary"), _detail_kind(_field(entry, "summary_detail"))))
    published = None
    for key in ("published", "updated", "created"):
        published = from_struct(_field(entry, f"{key}_parsed")) or parse_date(_field(entry, key))
        if published:
            break
    author_detail = _field(entry, "author_detail")
    author = author_detail.get("name") if isinstance(author_detail, Mapping) else None
    return build_entry(
        guid=_field(entry, "id"),
        link=_field(entry, "link"),
        title=_field(entry, "title"),
        bodies=bodies,
        published=published,
        author=author or _field(entry, "author"),
        base=base,
    )


def _refuse_empty(result: Mapping[str, Any], root: str | None) -> None:
    """Why a document that gave no entries is not a feed, unless it is an empty one.

    A CDF channel (<CHANNEL> with <ITEM>s) is a feed to feedparser, which gives it no
    version: with no items it is an empty feed, not an unknown document.
    """
    if result.get("bozo"):
        raise FeedError(f"not a feed: {one_line_reason(result.get('bozo_exception'))}")
    if not result.get("version") and (root or "").lower() != "channel":
        raise FeedError(f"not a feed: unknown XML document <{root or '?'}>")


def parse_xml(text: str, base_url: str | None) -> ParsedFeed:
    """RSS 0.9x/1.0/2.0 or Atom text -> ParsedFeed; FeedError for hostile XML and non-feeds."""
    # Looked for before the guard, so a web page is named as one even when its DOCTYPE
    # names the XHTML DTD (which the guard would refuse).
    root = root_name(text)
    if root and root.lower() == "html":
        raise FeedError("not a feed: got an HTML page, not RSS, Atom or JSON Feed")
    text = guard_xml(text)
    # No content-location: feedparser then resolves only against an explicit xml:base,
    # and we resolve the rest ourselves (entry links against the feed, content links
    # against the entry's own link, as feed readers do).
    headers = {"content-type": "application/xml; charset=utf-8"}
    try:
        result = feedparser.parse(
            io.BytesIO(text.encode("utf-8")),
            response_headers=headers,
            # Our own nh3 pass sanitises every field, and feedparser's sanitiser (an
            # sgmllib walk per field) was a third of the parse time; relative URIs are
            # only worth its walk when there is an xml:base for them to resolve against.
            sanitize_html=False,
            resolve_relative_uris="xml:base" in text,
        )
    except Exception as exc:  # noqa: BLE001 - a parser crash means a bad feed, not a bug here
        raise FeedError(f"not a feed: parser failed ({type(exc).__name__})") from None
    entries = result.get("entries") or []
    if not entries:
        _refuse_empty(result, root)
    feed = result.get("feed") or {}
    raw_link = _field(feed, "link")
    feed_link = canonical_url(raw_link, base_url) if isinstance(raw_link, str) else None
    base = base_url or feed_link
    alts = media_alts(text)
    parsed = ParsedFeed(
        title=plain_title(string(_field(feed, "title")) or "") or UNTITLED,
        link=feed_link,
    )
    for entry in entries:
        item = _feedparser_entry(entry, base)
        if item is not None:
            item.images = feed_images(entry, item.link or base, alts)
            parsed.entries.append(item)
            if len(parsed.entries) >= MAX_ENTRIES:
                break
    return parsed
