"""Raw fields of a feed item -> a clean ParsedEntry: what the XML and JSON formats share.

Every entry goes through ``columnist.ingest.normalise``: links become canonical http(s)
URLs or None, HTML is sanitised with nh3, titles and text become plain text. An entry's
links inside its content resolve against the entry's own link, as feed readers do.
"""

from __future__ import annotations

import html
import re
import xml.sax
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from columnist.ingest.decoding import XML_INVALID_RE
from columnist.ingest.normalise import (
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    canonical_url,
    html_to_text,
    plain_title,
    sanitize_html,
    truncate_words,
)
from columnist.records import ParsedEntry

MAX_ENTRIES = 1000
MAX_GUID_CHARS = 1000
MAX_AUTHOR_CHARS = 200
MAX_HTML_CHARS = 200_000

UNTITLED = "Untitled"


def string(value: Any) -> str | None:
    """A field's text: a string as it is, a number written out, anything else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def one_line(value: Any, limit: int) -> str | None:
    """A field's text on one line, at most `limit` characters; None if empty."""
    text = string(value)
    if text is None:
        return None
    text = " ".join(XML_INVALID_RE.sub("", text).split())[:limit]
    return text or None


def one_line_reason(exc: Any) -> str:
    """Why a parser gave up, on one line of at most 200 characters."""
    if isinstance(exc, xml.sax.SAXParseException):
        reason = f"{exc.getMessage()} at line {exc.getLineNumber()}, column {exc.getColumnNumber()}"
    else:
        reason = str(exc)
    return (" ".join(reason.split()) or type(exc).__name__)[:200]


def _text_to_html(text: str) -> str:
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "".join(f"<p>{html.escape(p.strip())}</p>" for p in paragraphs if p.strip())


def _derive_title(text: str) -> str:
    """A title from the first words of the text, for entries that have none."""
    first = text.split("\n\n", 1)[0]
    words = first.split()
    if not words:
        return UNTITLED
    title = " ".join(words[:12])
    if len(words) > 12:
        title += "…"
    return truncate_words(title, 120)


def build_entry(
    *,
    guid: Any,
    link: Any,
    title: Any,
    bodies: Iterable[tuple[str, str]],
    published: datetime | None,
    author: Any,
    base: str | None,
) -> ParsedEntry | None:
    """Assemble one entry from raw fields; None when it holds nothing usable.

    `bodies` are (html, kind) candidates where kind is "html" or "text"; the one with
    the most text wins, since feeds often put a teaser in one field and the article in
    another.
    """
    best_html, best_text = "", ""
    seen: set[str] = set()
    for body, kind in bodies:
        if not body or body in seen:  # feedparser copies Atom content into summary
            continue
        seen.add(body)
        body_html = _text_to_html(body) if kind == "text" else body
        body_html = body_html[:MAX_HTML_CHARS]
        text = html_to_text(body_html)
        if len(text) > len(best_text) or not best_html:
            best_html, best_text = body_html, text
    link_url = canonical_url(link, base) if isinstance(link, str) else None
    summary_html = sanitize_html(best_html, link_url or base)
    text = best_text[:MAX_TEXT_CHARS]
    plain = plain_title(string(title) or "", MAX_TITLE_CHARS)
    guid_text = XML_INVALID_RE.sub("", string(guid) or "").strip()[:MAX_GUID_CHARS] or None
    if not (plain or text or link_url or guid_text):
        return None
    return ParsedEntry(
        guid=guid_text,
        link=link_url,
        title=plain or _derive_title(text),
        summary_html=summary_html,
        text=text,
        published=published,
        author=plain_title(string(author) or "", MAX_AUTHOR_CHARS) or None,
    )
