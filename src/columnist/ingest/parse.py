"""Bytes of a feed -> ParsedFeed: the one entry point; the work is in the modules below.

Formats: RSS 0.9x, RSS 1.0 (RDF), RSS 2.0, Atom 0.3 and 1.0 through feedparser, and
JSON Feed 1.0/1.1 through the json module. The format is chosen by looking at the
content; the Content-Type header only helps to pick a character set.

    decoding.py   bytes -> text (BOM, UTF-16/32 sniffing, declared and HTTP charset)
    xmlguard.py   refuses hostile XML (entity declarations, DTDs) before any parser
    xmlfeed.py    RSS, RDF and Atom through feedparser
    jsonfeed.py   JSON Feed
    dates.py      item dates -> UTC
    fields.py     an item's raw fields -> a clean ParsedEntry (through normalise.py)

Model: Miniflux's reader/parser/parser.go, which looks at the content and hands it to
the format's own parser.
"""

from __future__ import annotations

from columnist.errors import FeedError
from columnist.ingest.decoding import XML_INVALID_RE, decode_document
from columnist.ingest.jsonfeed import parse_json
from columnist.ingest.xmlfeed import parse_xml
from columnist.records import ParsedFeed


def parse_feed(
    content: bytes, base_url: str | None = None, content_type: str | None = None
) -> ParsedFeed:
    """Parse RSS, RDF, Atom or JSON Feed bytes into a ParsedFeed of clean entries.

    `base_url` (the address the feed came from) resolves relative links; `content_type`
    only helps to choose a character set. Raises FeedError, with a one-line message,
    for hostile XML and for anything that is not a feed.
    """
    if isinstance(content, str):  # be forgiving to callers that already decoded
        content = content.encode("utf-8")
    if not content or not content.strip():
        raise FeedError("not a feed: empty document")
    text = XML_INVALID_RE.sub("", decode_document(content, content_type)).lstrip("\ufeff")
    start = len(text) - len(text.lstrip())
    first = text[start : start + 1]
    if first == "{":
        return parse_json(text, base_url)
    if first != "<":
        lt = text.find("<?xml", 0, 4096)
        if lt < 0:
            raise FeedError("not a feed: neither XML nor JSON")
        start = lt  # junk (a PHP warning, say) before the declaration
    return parse_xml(text[start:], base_url)
