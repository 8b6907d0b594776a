"""Small text helpers shared by the HTML pages and the feeds.

Dates are shown in UTC with English month names built here, not via the C locale, so
the output is byte-identical on every machine (incremental builds compare bytes).
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)  # not locale-dependent
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def utc(moment: datetime) -> datetime:
    """The moment in UTC; naive datetimes are taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso(moment: datetime) -> str:
    """RFC 3339 / ISO 8601 in UTC with a Z, as Atom, JSON Feed and <time> want."""
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def human_date(moment: datetime) -> str:
    """'5 March 2025' (UTC)."""
    d = utc(moment)
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def paragraphs(body: str) -> list[str]:
    """Split plain text into paragraphs on blank lines.

    A body without any blank line but with line breaks is split on the line breaks:
    small models often put single newlines between paragraphs.
    """
    text = body.replace("\r\n", "\n").strip()
    if not text:
        return []
    parts = _BLANK_LINE.split(text) if _BLANK_LINE.search(text) else text.split("\n")
    return [" ".join(p.split()) for p in parts if p.strip()]


def disclosure(
    model: str, reviewed_by: str | None = None, reviewed_at: datetime | None = None
) -> str:
    """The one-line machine-writing disclosure shown on post pages and in feeds: who
    wrote it, and whether a person reviewed and approved it (EU AI Act art. 50(4))."""
    by = f"a machine (model: {model})" if model else "a machine"
    if reviewed_by and reviewed_at:
        review = f"it was reviewed and approved by {reviewed_by} on {human_date(reviewed_at)}."
    else:
        review = "it has not been reviewed by a person."
    return f"This commentary was written by {by} from the sources listed; {review}"


def xml_safe(text: str) -> str:
    """Drop characters XML 1.0 forbids (feeds must stay well-formed whatever came in)."""
    return _XML_ILLEGAL.sub("", text)


def text_node(value: str) -> Markup:
    """Escape for an element's text: '&', '<' and '>' only, so prose keeps its quotes.

    For text between tags only, never inside an attribute value (autoescape does those).
    """
    return Markup(html.escape(str(value), quote=False))


def json_ld(data: dict[str, Any]) -> Markup:
    """JSON for a <script type="application/ld+json"> block; '<', '>' and '&' escaped."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
