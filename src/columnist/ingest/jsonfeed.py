"""JSON Feed 1.0 and 1.1 through the json module.

An item's link resolves against ``base_url`` (the address the feed was fetched from),
else the feed's ``home_page_url`` or ``feed_url``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from columnist.errors import FeedError
from columnist.ingest.dates import parse_date
from columnist.ingest.fields import (
    MAX_ENTRIES,
    UNTITLED,
    build_entry,
    one_line_reason,
    string,
)
from columnist.ingest.normalise import canonical_url, plain_title
from columnist.records import ParsedFeed


def _json_author(item: Mapping[str, Any]) -> str | None:
    authors = item.get("authors")
    candidates = authors if isinstance(authors, list) else []
    candidates = [*candidates, item.get("author")]
    for author in candidates:
        if isinstance(author, Mapping) and string(author.get("name")):
            return string(author.get("name"))
    return None


def parse_json(text: str, base_url: str | None) -> ParsedFeed:
    """JSON Feed text -> ParsedFeed; FeedError for anything that is not one."""
    try:
        doc = json.loads(text)
    except RecursionError:
        raise FeedError("not a feed: JSON nested too deeply") from None
    except ValueError as exc:
        raise FeedError(f"not a feed: invalid JSON ({one_line_reason(exc)})") from None
    version = doc.get("version") if isinstance(doc, dict) else None
    if not isinstance(version, str) or "jsonfeed.org/version/" not in version:
        raise FeedError("not a feed: JSON without a JSON Feed version")
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedError("not a feed: JSON Feed without an items list")
    home = string(doc.get("home_page_url"))
    feed_link = canonical_url(home, base_url) if home else None
    base = base_url or feed_link or canonical_url(string(doc.get("feed_url")) or "")
    parsed = ParsedFeed(
        title=plain_title(string(doc.get("title")) or "") or UNTITLED, link=feed_link
    )
    for item in items:
        if not isinstance(item, dict):
            continue
        bodies = [
            (string(item.get("content_html")) or "", "html"),
            (string(item.get("content_text")) or "", "text"),
            (string(item.get("summary")) or "", "text"),
        ]
        published = parse_date(item.get("date_published")) or parse_date(item.get("date_modified"))
        entry = build_entry(
            guid=item.get("id"),
            link=string(item.get("url")) or string(item.get("external_url")),
            title=item.get("title"),
            bodies=bodies,
            published=published,
            author=_json_author(item) or _json_author(doc),
            base=base,
        )
        if entry is not None:
            parsed.entries.append(entry)
            if len(parsed.entries) >= MAX_ENTRIES:
                break
    return parsed
