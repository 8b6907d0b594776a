"""Feed bytes -> text: BOMs, UTF-16/32 without one, the declared and the HTTP charset.

Valid UTF-8 wins over a declared charset; the other candidates follow in a fixed order
(see `decode_document`). The text decoded here is the text the XML guard checks and the
parser reads (see xmlguard.py). Model: Miniflux's reader/encoding.
"""

from __future__ import annotations

import codecs
import re

# XML 1.0 forbids these characters; removing them lets the strict parser succeed.
XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

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
