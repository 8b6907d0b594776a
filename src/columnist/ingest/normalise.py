"""Normalise what feeds give us: URLs, HTML, plain text, titles and dedupe hashes.

Everything here is pure and total: bad input gives ``None`` or an empty string, never an
exception, because feeds are written by strangers and one bad field must not lose the
rest of an entry.
"""

from __future__ import annotations

import hashlib
import html
import ipaddress
import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import SplitResult, quote, unquote_plus, urljoin, urlsplit, urlunsplit

import nh3

try:  # IDNA 2008 + UTS 46, as browsers do; httpx depends on it, so it is always there.
    import idna as _idna
except ImportError:  # pragma: no cover - fallback keeps the module importable
    _idna = None

MAX_URL_CHARS = 4096
MAX_TITLE_CHARS = 300
MAX_TEXT_CHARS = 100_000
# Longest HTML we sanitise or convert; beyond this the parser costs more than it is worth.
MAX_HTML_CHARS = 400_000

_DEFAULT_PORTS = {"http": 80, "https": 443}

# Query parameters that only identify the click, never the document.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ref_src",
        "ref_url",
        "_hsenc",
        "_hsmi",
        "__hstc",
        "__hssc",
        "__hsfp",
        "hsctatracking",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "vero_conv",
        "_ga",
        "_gl",
        "wickedid",
        "s_cid",
        "cmpid",
        "ncid",
        "sr_share",
        "rss_source",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "piwik_")

# WHATWG URL parsing removes tabs and newlines anywhere and C0 controls/space at the ends.
_URL_STRIP_RE = re.compile(r"[\t\n\r]")
_ASCII_HOST_RE = re.compile(r"^[a-z0-9_.-]+$")
_PATH_SAFE = "/%:@!$&'()*+,;=~-._"
_QUERY_SAFE = "/?%:@!$&'()*+,;=~-._"

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff]")


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, so `/a/./b/../c` and `/a/c` canonicalise alike."""
    if "." not in path:
        return path
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == ".":
            if last:
                out.append("")
        elif seg == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(seg)
    result = "/".join(out)
    if path.startswith("/") and not result.startswith("/"):
        result = "/" + result
    return result


def _canonical_host(host: str) -> str | None:
    """Lowercase, IDNA-encoded host, or None if it cannot be a real host name."""
    host = host.rstrip(".")
    if not host:
        return None
    if ":" in host:  # IPv6 literal (urlsplit already removed the brackets)
        try:
            return f"[{ipaddress.IPv6Address(host.split('%', 1)[0]).compressed}]"
        except ValueError:
            return None
    if host.isascii():
        host = host.lower()
        return host if _ASCII_HOST_RE.match(host) and ".." not in host else None
    try:
        if _idna is not None:
            return _idna.encode(host, uts46=True).decode("ascii")
        return host.encode("idna").decode("ascii")  # pragma: no cover
    except (UnicodeError, ValueError):
        return None


def _is_tracking(key: str) -> bool:
    key = unquote_plus(key).strip().lower()
    return key in _TRACKING_PARAMS or key.startswith(_TRACKING_PREFIXES)


def _absolute(url: str, base: str | None) -> tuple[str, SplitResult] | None:
    """Resolve `url` against `base`; return (url, split) when it is http(s)."""
    if not isinstance(url, str):
        return None
    url = _URL_STRIP_RE.sub("", url).strip(" \x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e")
    if not url or len(url) > MAX_URL_CHARS:
        return None
    if base:
        base = _URL_STRIP_RE.sub("", base).strip()
        try:
            if urlsplit(base).scheme.lower() in _DEFAULT_PORTS:
                url = urljoin(base, url)
        except ValueError:
            pass
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.netloc:
        return None
    return url, parts


def canonical_url(url: str, base: str | None = None) -> str | None:
    """Canonical absolute http(s) URL, or None for anything else.

    Two links to the same article should compare equal, so the result has a lowercase
    scheme and IDNA host, no default port, no user info, no fragment, no tracking
    parameters, and sorted query parameters (each kept byte for byte). Schemes other
    than http/https (javascript:, data:, file:, ...) give None, which also makes this
    the gate for every link we will ever put on a page.
    """
    resolved = _absolute(url, base)
    if resolved is None:
        return None
    _, parts = resolved
    try:
        scheme = parts.scheme.lower()
        host = _canonical_host(parts.hostname or "")
        port = parts.port
    except ValueError:  # bad port such as :99999 or :abc
        return None
    if host is None:
        return None
    netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = quote(_remove_dot_segments(parts.path or "/"), safe=_PATH_SAFE)
    if not path.startswith("/"):
        path = "/" + path
    pairs = []
    for pair in parts.query.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        if _is_tracking(key):
            continue
        pairs.append((quote(key, safe=_QUERY_SAFE), quote(value, safe=_QUERY_SAFE), "=" in pair))
    pairs.sort()
    query = "&".join(f"{k}={v}" if has_eq else k for k, v, has_eq in pairs)
    return urlunsplit((scheme, netloc, path, query, ""))


def absolute_url(url: str, base: str | None = None) -> str | None:
    """Like canonical_url but keeps the fragment: for links inside article text."""
    resolved = _absolute(url, base)
    if resolved is None:
        return None
    _, parts = resolved
    canonical = canonical_url(urlunsplit(parts._replace(fragment="")))
    if canonical is None:
        return None
    fragment = quote(parts.fragment, safe=_QUERY_SAFE + "#") if parts.fragment else ""
    return f"{canonical}#{fragment}" if fragment else canonical


# --- HTML --------------------------------------------------------------------------

_ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "a",
        "em",
        "strong",
        "b",
        "i",
        "u",
        "s",
        "blockquote",
        "q",
        "cite",
        "ul",
        "ol",
        "li",
        "code",
        "pre",
        "sub",
        "sup",
        "hr",
    }
)
# Removed with everything inside them: their text is code or styling, not prose.
_DROP_CONTENT_TAGS = frozenset(
    {"script", "style", "template", "noscript", "iframe", "object", "svg", "math", "title"}
)
_BLOCK_TAG_NAMES = (
    "div|section|article|header|footer|aside|main|nav|figure|figcaption|table|thead|tbody"
    "|tfoot|tr|caption|dl|dt|dd|address|details|summary|center|hgroup"
)
_HEADING_OPEN_RE = re.compile(r"<h[1-6](?:\s[^>]*)?>", re.IGNORECASE)
_HEADING_CLOSE_RE = re.compile(r"</h[1-6]\s*>", re.IGNORECASE)
_BLOCK_RE = re.compile(rf"</?(?:{_BLOCK_TAG_NAMES})(?:\s[^>]*)?/?>", re.IGNORECASE)
_CELL_RE = re.compile(r"</?(?:td|th)(?:\s[^>]*)?>", re.IGNORECASE)
_EMPTY_P_RE = re.compile(r"<p>(?:\s|&nbsp;|<br\s*/?>)*</p>")
_BLANKS_RE = re.compile(r"\n{3,}")


def sanitize_html(html: str, base: str | None) -> str:
    """Sanitised HTML fragment that is safe to embed in our pages.

    A short allow-list of inline and block tags survives; headings become bold
    paragraphs and layout containers become paragraphs so text does not run together
    once they are gone. Links keep only http(s) targets resolved against `base` (a
    link that cannot be made absolute loses its href) and get rel="nofollow noopener";
    images, forms, frames, scripts, styles, event handlers and comments do not survive.
    """
    if not html or not isinstance(html, str):
        return ""
    html = _CONTROL_RE.sub("", html[:MAX_HTML_CHARS])
    html = _HEADING_OPEN_RE.sub("<p><strong>", html)
    html = _HEADING_CLOSE_RE.sub("</strong></p>", html)
    html = _BLOCK_RE.sub(lambda m: "</p>" if m.group(0).startswith("</") else "<p>", html)
    html = _CELL_RE.sub(" ", html)

    def keep(tag: str, attr: str, value: str) -> str | None:
        if attr == "href":
            return absolute_url(value, base)
        return value

    cleaned = nh3.clean(
        html,
        tags=set(_ALLOWED_TAGS),
        clean_content_tags=set(_DROP_CONTENT_TAGS),
        attributes={"a": {"href", "title"}},
        attribute_filter=keep,
        url_schemes={"http", "https"},
        link_rel="nofollow noopener",
        strip_comments=True,
    )
    cleaned = _EMPTY_P_RE.sub("", cleaned)
    return _BLANKS_RE.sub("\n\n", cleaned).strip()


_BLOCK_TAGS = frozenset(
    {
        "p",
        "li",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        *_BLOCK_TAG_NAMES.split("|"),
    }
)
_CELL_TAGS = frozenset({"td", "th"})
_SKIP_TAGS = frozenset(_DROP_CONTENT_TAGS | {"head"})
_TITLE_SKIP_TAGS = frozenset({"script", "style"})
_LOOKS_LIKE_HTML_RE = re.compile(r"<[a-zA-Z!/?]|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_PARAGRAPH_SPLIT_RE = re.compile(r"\n[^\S\n]*\n")
_WS_RE = re.compile(r"\s+")


class _TextExtractor(HTMLParser):
    """Collects text with "\\n" for <br> and "\\n\\n" around block elements."""

    def __init__(self, skip_tags: frozenset[str] = _SKIP_TAGS) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._skip_tags = skip_tags

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._skip_tags:
            self._skip += 1
        self._mark(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._mark(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._skip_tags:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def _mark(self, tag: str) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        elif tag in _CELL_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(_WS_RE.sub(" ", data))


def _paragraphs(text: str) -> str:
    paragraphs = (" ".join(p.split()) for p in _PARAGRAPH_SPLIT_RE.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def html_to_text(html: str) -> str:
    """Plain text: paragraphs separated by one blank line, entities decoded.

    Whitespace inside a paragraph collapses to single spaces (a lone <br> too), and
    the text of scripts, styles and the like is dropped. Input without any markup is
    treated as plain text whose blank lines already separate paragraphs.
    """
    if not html or not isinstance(html, str):
        return ""
    html = _CONTROL_RE.sub("", html[:MAX_HTML_CHARS]).replace("\r\n", "\n").replace("\r", "\n")
    if not _LOOKS_LIKE_HTML_RE.search(html):
        return _paragraphs(html)[:MAX_TEXT_CHARS]
    return _extract_text(html, _SKIP_TAGS)


def _extract_text(html: str, skip_tags: frozenset[str]) -> str:
    parser = _TextExtractor(skip_tags)
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # pragma: no cover - HTMLParser is lenient
        pass
    text = _CONTROL_RE.sub("", "".join(parser.parts))
    return _paragraphs(text)[:MAX_TEXT_CHARS]


def truncate_words(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters at a word boundary, ending with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def plain_title(s: str | None, max_len: int = MAX_TITLE_CHARS) -> str:
    """One line of plain text: tags stripped, entities decoded, whitespace collapsed.

    Titles reach us as text, as HTML and as double-escaped HTML; all three should read
    the same on the page, which escapes the result again.
    """
    if not s or not isinstance(s, str):
        return ""
    s = s[: max_len * 20]
    # Only script and style lose their content: a stray "<title>" in a headline must
    # not swallow the words after it.
    text = _extract_text(s, _TITLE_SKIP_TAGS) if _LOOKS_LIKE_HTML_RE.search(s) else s
    if "&" in text:
        text = html.unescape(text)
    text = " ".join(_CONTROL_RE.sub("", text).replace("\ufffd", "").split())
    return truncate_words(text, max_len)


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def content_hash(title: str, text: str) -> str:
    """Hex sha256 of title and text after Unicode, case and whitespace folding.

    The same article re-published with different markup, spacing or capitalisation
    gets the same hash, so the store can drop it as a duplicate.
    """
    payload = f"{_fold(title or '')}\n{_fold(text or '')}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
