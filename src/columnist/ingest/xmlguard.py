"""Refuse hostile XML before any parser expands it; hand the parser text it cannot misread.

Rules, applied to the decoded text (decoding.py) before feedparser sees a byte of it:

1. The document is decoded by us, checked as text, and handed to feedparser as that
   same text re-encoded as UTF-8 with a UTF-8 declaration (`guard_xml` writes it). So
   the text we checked is exactly the text that gets parsed: no UTF-16, UTF-7 or EBCDIC
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

Model: Miniflux's reader/xml.
"""

from __future__ import annotations

import html.entities
import re

from columnist.errors import FeedError

_ENTITY_REFUSED = "refused: XML entity declarations (possible entity-expansion attack)"
_SUBSET_REFUSED = "refused: DOCTYPE with an internal subset (possible entity-expansion attack)"
_EXTERNAL_REFUSED = (
    "refused: DOCTYPE naming an external DTD (entities defined there cannot be checked)"
)

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


def root_name(text: str) -> str | None:
    """The name of the root element, past the XML declaration, comments and DOCTYPEs."""
    head = text[:8192]
    pos = 0
    while True:
        m = _PROLOG_SKIP_RE.match(head, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
    m = _ROOT_RE.match(head, pos)
    return m.group(1) if m else None
