"""Bytes of a feed -> ParsedFeed, refusing hostile XML before any parser expands it.

Formats: RSS 0.9x, RSS 1.0 (RDF), RSS 2.0, Atom 0.3 and 1.0 through feedparser, and
JSON Feed 1.0/1.1 through the json module. The format is chosen by looking at the
content; the Content-Type header only helps to pick a character set.

Safety rules, applied to XML before feedparser sees a byte of it:

1. We decode the document ourselves (BOM, UTF-16/32 sniffing, declared charset, HTTP
   charset, then UTF-8 / windows-1252 fallbacks), check the decoded text, and hand
   feedparser that same text re-encoded as UTF-8 with a UTF-8 declaration. So the
   text we checked is exactly the text that gets parsed: no UTF-16, UTF-7 or EBCDIC
   trick can hide a declaration from the check.
2. Any ``<!ENTITY`` anywhere in the document is refused: entity declarations are the
   only way to build an entity-expansion bomb (billion laughs, quadratic blowup) or an
   external-entity read (``SYSTEM "file:///etc/passwd"``). Real feeds do not declare
   entities; the rare false positive (the literal text in a CDATA section) fails safe.
3. A DOCTYPE with an internal subset (``[...]``) is refused for the same reason, and so
   is a DOCTYPE naming an external DTD (``SYSTEM "http://.../x.dtd"`` or ``PUBLIC``):
   entities defined only there would be silently lost, and no DTD is ever fetched. The
   one exception is RSS 0.91's Netscape DTD, which defines only HTML's entities.
4. Any other DOCTYPE, such as ``<!DOCTYPE rss>`` or RSS 0.91's
   ``<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://...">``,
   is deleted before parsing. It carries nothing we need, and deleting it means no
   parser can ever be asked to fetch the DTD it names. The HTML entities that DTD
   would have defined (``&eacute;``, ``&nbsp;``, ...) are rewritten as numeric
   character references, which need no DTD. The scan for DOCTYPEs skips comments and
   CDATA sections as a parser does: ``<!DOCTYPE`` in a comment is no declaration, and
   in CDATA it is text, which is kept.
5. The bytes go to feedparser as a stream, never as ``bytes``: given bytes, feedparser
   first tries them as a *file name*, so a response body that names a local file
   would otherwise be answered with that file.

After parsing, every entry goes through ``columnist.ingest.normalise``: links become
canonical http(s) URLs or None, HTML is sanitised with nh3, titles and text become
plain text. Relative links resolve against an explicit xml:base first; otherwise an
entry's link resolves against ``base_url`` (the address the feed was fetched from) or
the feed's own link, and links inside an entry's content resolve against the entry's
link, as feed readers do.
"""

from __future__ import annotations

import codecs
import email.utils
import html
import html.entities
import io
import json
import re
import xml.sax
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
from feedparser.datetimes import _parse_date as _feedparser_date

from columnist.errors import FeedError
from columnist.ingest.normalise import (
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    canonical_url,
    html_to_text,
    plain_title,
    sanitize_html,
    truncate_words,
)
from columnist.records import ParsedEntry, ParsedFeed

MAX_ENTRIES = 1000
MAX_GUID_CHARS = 1000
MAX_AUTHOR_CHARS = 200
MAX_HTML_CHARS = 200_000
# Entries dated further ahead than this are mis-dated; they would sit on top forever.
FUTURE_SLACK = timedelta(days=1)
UNTITLED = "Untitled"

_ENTITY_REFUSED = "refused: XML entity declarations (possible entity-expansion attack)"
_SUBSET_REFUSED = "refused: DOCTYPE with an internal subset (possible entity-expansion attack)"
_EXTERNAL_REFUSED = (
    "refused: DOCTYPE naming an external DTD (entities defined there cannot be checked)"
)

# --- decoding ------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_DECL_ENCODING_RE = re.compile(
    rb"""^\s*<\?xml\s[^>]{0,200}?encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._:-]{0,40})["']"""
)
_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
# Encodings in which ASCII text does not mean itself: trust the declaration first.
_STATEFUL_7BIT = ("utf-7", "iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_kr", "hz")
# XML 1.0 forbids these characters; removing them lets the strict parser succeed.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _ascii_compatible(encoding: str) -> bool:
    """True when the codec writes markup characters as their ASCII bytes."""
    try:
        return '<?xml encoding="">'.encode(encoding) == b'<?xml encoding="">'
    except (UnicodeError, LookupError):
        return False


def _sniff_wide(head: bytes) -> str | None:
    """UTF-16/32 without a BOM, told apart by where the NUL bytes of '<' or '{' fall."""
    if len(head) < 4:
        return None
    b0, b1, b2, b3 = head[:4]
    if b0 == 0 and b1 == 0 and b2 == 0 and b3:
        return "utf-32-be"
    if b0 and b1 == 0 and b2 == 0 and b3 == 0:
        return "utf-32-le"
    if b0 == 0 and b1 and b2 == 0:
        return "utf-16-be"
    if b0 and b1 == 0 and b2 and b3 == 0:
        return "utf-16-le"
    if head[:4] == b"\x4c\x6f\xa7\x94":  # "<?xm" in EBCDIC
        return "cp037"
    return None


def decode_document(content: bytes, content_type: str | None = None) -> str:
    """Decode feed bytes to text, trying the likely encodings in a sensible order.

    Valid UTF-8 wins over a declared charset (a wrong declaration is far more common
    than Latin-1 text that happens to be valid UTF-8); a mostly-UTF-8 document with a
    few bad bytes keeps its UTF-8 with replacement characters; anything else falls back
    to the declared or HTTP charset, then windows-1252.
    """
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(encoding, errors="replace")
    wide = _sniff_wide(content[:4])
    if wide:
        return content.decode(wide, errors="replace")

    match = _XML_DECL_ENCODING_RE.match(content[:512])
    declared = _codec(match.group(1).decode("ascii")) if match else None
    header = _CHARSET_RE.search(content_type or "")
    http_charset = _codec(header.group(1)) if header else None
    candidates = [c for c in (declared, http_charset) if c and _ascii_compatible(c)]

    if declared in _STATEFUL_7BIT:
        try:
            return content.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for encoding in candidates:
        if encoding == "utf-8":
            continue
        try:
            return content.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    text = content.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    if good >= bad:
        return text
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        return content.decode("latin-1")


# --- the XML guard ---------------------------------------------------------------------

_ENTITY_DECL_RE = re.compile(r"<!\s*ENTITY", re.IGNORECASE)
_DOCTYPE_RE = re.compile(r"<!\s*DOCTYPE", re.IGNORECASE)
# What the DOCTYPE scan stops at: comments and CDATA sections (whose text is not markup)
# and DOCTYPEs; before the root element, also element starts, to see where the prolog ends.
_MARKUP_RE = re.compile(r"<!--|<!\[CDATA\[|<!\s*(?i:DOCTYPE)")
_PROLOG_MARKUP_RE = re.compile(r"<!--|<!\[CDATA\[|<!\s*(?i:DOCTYPE)|<[A-Za-z_]")
_EXTERNAL_ID_RE = re.compile(r"\s*[^\s\[>\"']+\s+(SYSTEM|PUBLIC)(?=[\s\"'])", re.IGNORECASE)
_QUOTED_RE = re.compile(r"\"([^\"]*)\"|'([^']*)'")
# RSS 0.91's own DTD declares only HTML 4's character entities, which are rewritten as
# numeric references below: a feed naming it loses nothing when the DOCTYPE goes.
_NETSCAPE_RSS091 = "-//netscape communications//dtd rss 0.91//en"
_NETSCAPE_RSS091_URL = "http://my.netscape.com/publish/formats/rss-0.91.dtd"
_XML_DECL_RE = re.compile(r"^<\?xml\s[^>]*\?>")
# Named references other than XML's own five (which need no rewriting, and in escaped
# HTML summaries are by far the most common: skipping them saves a call per match).
_NAMED_REF_RE = re.compile(r"&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]{0,31});")
_XML_PREDEFINED = frozenset({"amp", "lt", "gt", "quot", "apos"})
_PROLOG_SKIP_RE = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->|<!\s*DOCTYPE[^>]*>", re.DOTALL | re.I)
_ROOT_RE = re.compile(r"<([A-Za-z_][\w:.-]*)")


def _line_of(text: str, i: int) -> int:
    return text.count("\n", 0, i) + 1


def _doctype_end(text: str, start: int, i: int) -> int:
    """Index just past the DOCTYPE at `start` whose keyword ends at `i`; refuse an
    internal subset."""
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            close = text.find(ch, i + 1)
            if close < 0:
                break
            i = close + 1
        elif ch == "[":
            raise FeedError(_SUBSET_REFUSED)
        elif ch == ">":
            return i + 1
        else:
            i += 1
    raise FeedError(f"not a feed: unterminated DOCTYPE at line {_line_of(text, start)}")


def _refuse_external_dtd(declaration: str) -> None:
    """Refuse a DOCTYPE that names a DTD elsewhere: entities defined only there would be
    silently lost, and fetching it would let a feed make us connect anywhere."""
    found = _EXTERNAL_ID_RE.match(declaration)
    if not found:
        return
    literals = [a or b for a, b in _QUOTED_RE.findall(declaration, found.end())]
    first = " ".join(literals[0].split()).lower() if literals else ""
    if found.group(1).upper() == "PUBLIC" and first == _NETSCAPE_RSS091:
        return
    if found.group(1).upper() == "SYSTEM" and first == _NETSCAPE_RSS091_URL:
        return
    raise FeedError(_EXTERNAL_REFUSED)


def _split_cdata(section: str) -> str:
    """A CDATA body with every `<!DOCTYPE` split across two CDATA sections: a parser
    reads the same text, and no parser can take it for a declaration."""
    return _DOCTYPE_RE.sub(lambda m: "<]]><![CDATA[" + m.group(0)[1:], section)


def _blank(text: str) -> str:
    """Whitespace standing in for removed markup: line numbers in error messages stay
    true, and the text on either side never joins up into a new declaration."""
    return "\n" * text.count("\n") or " "


def _drop_doctypes(text: str) -> str:
    """Remove every DOCTYPE, refusing internal subsets and (in the prolog) external DTDs.

    Comments and CDATA sections are skipped, as a parser skips them: `<!DOCTYPE` in a
    comment is no declaration (the comment is blanked), and in CDATA it is text (kept,
    split so that it no longer reads as a declaration).
    """
    if not _DOCTYPE_RE.search(text):  # most feeds: nothing to scan for
        return text
    pieces: list[str] = []
    pos = scan = 0
    pattern = _PROLOG_MARKUP_RE
    while match := pattern.search(text, scan):
        token, start = match.group(0), match.start()
        if token[1] != "!":  # the root element: the prolog is over
            pattern, scan = _MARKUP_RE, match.end()
            continue
        if token in ("<!--", "<![CDATA["):
            close = "-->" if token == "<!--" else "]]>"
            end = text.find(close, match.end())
            if end < 0:  # unterminated: let the parser reject it; keep scanning inside
                scan = match.end()
                continue
            end += len(close)
            scan = end
            if not _DOCTYPE_RE.search(text, match.end(), end):
                continue
            section = text[start:end]
            pieces += [
                text[pos:start],
                _blank(section) if token == "<!--" else _split_cdata(section),
            ]
            pos = end
            continue
        end = _doctype_end(text, start, match.end())
        if pattern is _PROLOG_MARKUP_RE:
            _refuse_external_dtd(text[match.end() : end - 1])
        pieces += [text[pos:start], _blank(text[start:end])]
        pos = scan = end
    pieces.append(text[pos:])
    return "".join(pieces)


def _numeric_refs(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _XML_PREDEFINED:
        return match.group(0)
    value = html.entities.html5.get(name + ";")
    if value is None:
        return match.group(0)
    return "".join(f"&#{ord(ch)};" for ch in value)


def guard_xml(text: str) -> str:
    """Refuse entity declarations, internal subsets and external DTDs; drop DOCTYPEs;
    fix up the rest.

    Returns the text to parse. Raises FeedError for anything that could make a parser
    expand entities or read external resources.
    """
    if _ENTITY_DECL_RE.search(text):
        raise FeedError(_ENTITY_REFUSED)
    text = _NAMED_REF_RE.sub(_numeric_refs, _drop_doctypes(text))
    # The text feedparser will see must hold no declaration at all, however it was built.
    if _ENTITY_DECL_RE.search(text) or _DOCTYPE_RE.search(text):
        raise FeedError(_ENTITY_REFUSED)
    declaration = '<?xml version="1.0" encoding="utf-8"?>'
    if _XML_DECL_RE.match(text):
        return _XML_DECL_RE.sub(declaration, text, count=1)
    return declaration + text  # on the same line, so error line numbers stay true


def _root_name(text: str) -> str | None:
    head = text[:8192]
    pos = 0
    while True:
        m = _PROLOG_SKIP_RE.match(head, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
    m = _ROOT_RE.match(head, pos)
    return m.group(1) if m else None


# --- shared field helpers --------------------------------------------------------------


def _str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _one_line(value: Any, limit: int) -> str | None:
    text = _str(value)
    if text is None:
        return None
    text = " ".join(_XML_INVALID_RE.sub("", text).split())[:limit]
    return text or None


def _utc(dt: datetime | None) -> datetime | None:
    """Aware UTC datetime, or None for dates before 1970 or more than a day ahead."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        dt = dt.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    if dt.year < 1970 or dt > datetime.now(UTC) + FUTURE_SLACK:
        return None
    return dt


def _from_struct(value: Any) -> datetime | None:
    if not isinstance(value, tuple) or len(value) < 6:
        return None
    try:
        return _utc(datetime(*value[:6], tzinfo=UTC))
    except (TypeError, ValueError, OverflowError):
        return None


def parse_date(value: Any) -> datetime | None:
    """RFC 3339 / ISO 8601 first, then every format feedparser knows; UTC or None."""
    text = _one_line(value, 100)
    if not text:
        return None
    iso = text.replace("z", "Z").replace("t", "T") if len(text) >= 10 else text
    try:
        return _utc(datetime.fromisoformat(iso))
    except ValueError:
        pass
    try:
        parsed = _from_struct(_feedparser_date(text))
    except Exception:  # noqa: BLE001 - third-party date handlers raise all sorts
        parsed = None
    if parsed is None:  # RFC 822 without a zone, which feedparser gives up on
        try:
            parsed = _utc(email.utils.parsedate_to_datetime(text))
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed = None
    return parsed


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


def _build_entry(
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
    plain = plain_title(_str(title) or "", MAX_TITLE_CHARS)
    guid_text = _XML_INVALID_RE.sub("", _str(guid) or "").strip()[:MAX_GUID_CHARS] or None
    if not (plain or text or link_url or guid_text):
        return None
    return ParsedEntry(
        guid=guid_text,
        link=link_url,
        title=plain or _derive_title(text),
        summary_html=summary_html,
        text=text,
        published=published,
        author=plain_title(_str(author) or "", MAX_AUTHOR_CHARS) or None,
    )


# --- feedparser (RSS, RDF, Atom) -------------------------------------------------------


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
        published = _from_struct(_field(entry, f"{key}_parsed")) or parse_date(_field(entry, key))
        if published:
            break
    author_detail = _field(entry, "author_detail")
    author = author_detail.get("name") if isinstance(author_detail, Mapping) else None
    return _build_entry(
        guid=_field(entry, "id"),
        link=_field(entry, "link"),
        title=_field(entry, "title"),
        bodies=bodies,
        published=published,
        author=author or _field(entry, "author"),
        base=base,
    )


def _one_line_reason(exc: Any) -> str:
    if isinstance(exc, xml.sax.SAXParseException):
        reason = f"{exc.getMessage()} at line {exc.getLineNumber()}, column {exc.getColumnNumber()}"
    else:
        reason = str(exc)
    return (" ".join(reason.split()) or type(exc).__name__)[:200]


def _refuse_empty(result: Mapping[str, Any], root: str | None) -> None:
    """Why a document that gave no entries is not a feed, unless it is an empty one.

    A CDF channel (<CHANNEL> with <ITEM>s) is a feed to feedparser, which gives it no
    version: with no items it is an empty feed, not an unknown document.
    """
    if result.get("bozo"):
        raise FeedError(f"not a feed: {_one_line_reason(result.get('bozo_exception'))}")
    if not result.get("version") and (root or "").lower() != "channel":
        raise FeedError(f"not a feed: unknown XML document <{root or '?'}>")


def _parse_xml(text: str, base_url: str | None) -> ParsedFeed:
    # Looked for before the guard, so a web page is named as one even when its DOCTYPE
    # names the XHTML DTD (which the guard would refuse).
    root = _root_name(text)
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
    parsed = ParsedFeed(
        title=plain_title(_str(_field(feed, "title")) or "") or UNTITLED,
        link=feed_link,
    )
    for entry in entries:
        item = _feedparser_entry(entry, base)
        if item is not None:
            parsed.entries.append(item)
            if len(parsed.entries) >= MAX_ENTRIES:
                break
    return parsed


# --- JSON Feed -------------------------------------------------------------------------


def _json_author(item: Mapping[str, Any]) -> str | None:
    authors = item.get("authors")
    candidates = authors if isinstance(authors, list) else []
    candidates = [*candidates, item.get("author")]
    for author in candidates:
        if isinstance(author, Mapping) and _str(author.get("name")):
            return _str(author.get("name"))
    return None


def _parse_json(text: str, base_url: str | None) -> ParsedFeed:
    try:
        doc = json.loads(text)
    except RecursionError:
        raise FeedError("not a feed: JSON nested too deeply") from None
    except ValueError as exc:
        raise FeedError(f"not a feed: invalid JSON ({_one_line_reason(exc)})") from None
    version = doc.get("version") if isinstance(doc, dict) else None
    if not isinstance(version, str) or "jsonfeed.org/version/" not in version:
        raise FeedError("not a feed: JSON without a JSON Feed version")
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedError("not a feed: JSON Feed without an items list")
    home = _str(doc.get("home_page_url"))
    feed_link = canonical_url(home, base_url) if home else None
    base = base_url or feed_link or canonical_url(_str(doc.get("feed_url")) or "")
    parsed = ParsedFeed(title=plain_title(_str(doc.get("title")) or "") or UNTITLED, link=feed_link)
    for item in items:
        if not isinstance(item, dict):
            continue
        bodies = [
            (_str(item.get("content_html")) or "", "html"),
            (_str(item.get("content_text")) or "", "text"),
            (_str(item.get("summary")) or "", "text"),
        ]
        published = parse_date(item.get("date_published")) or parse_date(item.get("date_modified"))
        entry = _build_entry(
            guid=item.get("id"),
            link=_str(item.get("url")) or _str(item.get("external_url")),
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


# --- entry point -----------------------------------------------------------------------


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
    text = _XML_INVALID_RE.sub("", decode_document(content, content_type)).lstrip("\ufeff")
    start = len(text) - len(text.lstrip())
    first = text[start : start + 1]
    if first == "{":
        return _parse_json(text, base_url)
    if first != "<":
        lt = text.find("<?xml", 0, 4096)
        if lt < 0:
            raise FeedError("not a feed: neither XML nor JSON")
        start = lt  # junk (a PHP warning, say) before the declaration
    return _parse_xml(text[start:], base_url)
