"""Full text of a linked article, for sources whose feeds carry only a teaser.

The article is fetched like a feed (same client, time and size bounds, address
policy) and its main text extracted with trafilatura; its og:image, if any, becomes
the entry's last image candidate (ingest/media.py). Every failure (network, HTTP
status, not HTML, nothing extractable, an extractor crash) returns None: the caller
then keeps the feed's own summary, so full text can only ever add to an entry.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx

from columnist.config import FetchSettings
from columnist.errors import ColumnistError
from columnist.ingest.fetch import fetch_url
from columnist.ingest.media import og_image
from columnist.ingest.normalise import MAX_TEXT_CHARS
from columnist.records import ImageCandidate

MAX_ARTICLES_PER_FEED = 50  # per poll; a first poll of a big feed must not fetch 1,000 pages
MAX_TREE_ELEMENTS = 50_000  # larger documents are not worth (or safe) to walk
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff]")


def looks_like_html(content: bytes, content_type: str | None) -> bool:
    if content_type:
        return content_type.split(";", 1)[0].strip().lower() in _HTML_TYPES
    head = content[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


@cache
def _extractor_config() -> Any:
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MAX_TREE_SIZE", str(MAX_TREE_ELEMENTS))
    return config


def extract_text(content: bytes, url: str | None = None) -> str | None:
    """Main text of an HTML page as paragraphs separated by blank lines, or None."""
    try:
        import trafilatura

        text = trafilatura.extract(
            content,
            url=url,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            favor_precision=True,
            config=_extractor_config(),
        )
    except Exception:  # noqa: BLE001 - any extractor failure means "use the summary"
        return None
    if not text:
        return None
    lines = (" ".join(line.split()) for line in _CONTROL_RE.sub("", text).splitlines())
    cleaned = "\n\n".join(line for line in lines if line)
    return cleaned[:MAX_TEXT_CHARS] or None


@dataclass(slots=True)
class Article:
    """What a linked article page adds to its entry: its text and its og:image."""

    text: str | None
    image: ImageCandidate | None


async def fetch_article(
    client: httpx.AsyncClient, url: str, settings: FetchSettings
) -> Article | None:
    """Fetch `url` within the fetch bounds and extract its main text and og:image; None
    when the page cannot be had."""
    try:
        result = await fetch_url(client, url, settings)
    except ColumnistError:
        return None
    content = result.content
    if not content or not looks_like_html(content, result.content_type):
        return None
    text = await asyncio.to_thread(extract_text, content, result.final_url)
    return Article(text, og_image(content, result.final_url))


async def article_text(client: httpx.AsyncClient, url: str, settings: FetchSettings) -> str | None:
    """Fetch `url` within the fetch bounds and extract its main text; None on failure."""
    article = await fetch_article(client, url, settings)
    return article.text if article else None
