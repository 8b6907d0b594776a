"""Which images a feed item or its article page offers, best first, before any is fetched.

A feed item's own pictures come first: Media RSS `media:content` (images only, the
largest stated first), then `media:thumbnail`, then image enclosures. An article page
adds its `og:image` (with `og:image:alt`). Alt text is only ever what the publisher
wrote (media:description or media:title, og:image:alt); credits are the feed's
`media:credit`. Nothing here fetches anything, and bad values are dropped, never raised.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from columnist.ingest.fields import one_line
from columnist.ingest.normalise import MAX_URL_CHARS
from columnist.records import ImageCandidate

MEDIA_NS = "http://search.yahoo.com/mrss/"
MAX_CANDIDATES = 4  # per entry: a feed listing fifty renditions gets four tries
MAX_ALT_CHARS = 300
MAX_CREDIT_CHARS = 200
MAX_HEAD_BYTES = 300_000  # og:image is in the head; no need to read a whole page
_RASTER_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif", "image/jpg")


def image_url(raw: Any, base: str | None) -> str | None:
    """An absolute http(s) URL for an image, or None. Unlike entry links it is not
    canonicalised: an image CDN's signed query must reach it as the feed wrote it."""
    if not isinstance(raw, str):
        return None
    raw = "".join(raw.split())  # feeds wrap long URLs; URLs hold no white space
    if not raw or len(raw) > MAX_URL_CHARS:
        return None
    try:
        url = urljoin(base or "", raw)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def _number(value: Any) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return 0


def _is_image(item: Mapping[str, Any], medium_key: str = "medium") -> bool:
    """A media item that says it is an image (or says nothing against it)."""
    kind = str(item.get("type") or "").split(";", 1)[0].strip().lower()
    medium = str(item.get(medium_key) or "").strip().lower()
    if kind:
        return kind.startswith("image/")
    return medium in ("", "image")


def _credit(entry: Mapping[str, Any]) -> str | None:
    for credit in entry.get("media_credit") or []:
        if isinstance(credit, Mapping):
            text = one_line(credit.get("content"), MAX_CREDIT_CHARS)
            if text:
                return text
    return None


def _urls(entry: Mapping[str, Any]) -> Iterable[str]:
    """Image URLs of an item in the order they are worth trying."""
    contents = [c for c in entry.get("media_content") or [] if isinstance(c, Mapping)]
    contents = [c for c in contents if _is_image(c) and c.get("url")]
    contents.sort(key=lambda c: -_number(c.get("width")) * _number(c.get("height")))
    yield from (str(c["url"]) for c in contents)
    for thumb in entry.get("media_thumbnail") or []:
        if isinstance(thumb, Mapping) and thumb.get("url"):
            yield str(thumb["url"])
    for link in entry.get("links") or []:
        if _is_image_enclosure(link):
            yield str(link["href"])


def _is_image_enclosure(link: Any) -> bool:
    return (
        isinstance(link, Mapping)
        and link.get("rel") == "enclosure"
        and bool(link.get("href"))
        and str(link.get("type") or "").lower().startswith("image/")
    )


def feed_images(
    entry: Mapping[str, Any], base: str | None, alts: Mapping[str, str]
) -> list[ImageCandidate]:
    """The images a feedparser entry offers, best first; `alts` maps a media URL to the
    alt text its feed gave (see `media_alts`)."""
    credit = _credit(entry)
    found: dict[str, ImageCandidate] = {}
    for raw in _urls(entry):
        url = image_url(raw, base)
        if url and url not in found:
            found[url] = ImageCandidate(url, alts.get(raw.strip()) or alts.get(url), credit)
        if len(found) >= MAX_CANDIDATES:
            break
    return list(found.values())


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def media_alts(text: str) -> dict[str, str]:
    """media URL -> its media:description (else media:title), for alt text.

    feedparser folds media:description into the item's summary, so the feed is read
    once more here, only when it uses Media RSS; the text has passed the XML guard. A
    description beside a media:content in a media:group belongs to that group's items.
    """
    if MEDIA_NS not in text:
        return {}
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return {}
    alts: dict[str, str] = {}
    for holder in root.iter():
        own = _own_alt(holder)
        for child in holder:
            if child.tag in (f"{{{MEDIA_NS}}}content", f"{{{MEDIA_NS}}}thumbnail"):
                url = (child.get("url") or "").strip()
                alt = _own_alt(child) or own
                if url and alt and url not in alts:
                    alts[url] = alt
    return alts


def _own_alt(element: ET.Element) -> str | None:
    """An element's own media:description, else its media:title, on one line."""
    for name in ("description", "title"):
        child = element.find(f"{{{MEDIA_NS}}}{name}")
        if child is not None:
            text = one_line("".join(child.itertext()), MAX_ALT_CHARS)
            if text:
                return text
    return None


class _OpenGraph(HTMLParser):
    """Collects <meta property="og:image…"> of a page, stopping at <body>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.done = True
        if tag != "meta" or self.done:
            return
        values = {k.lower(): v or "" for k, v in attrs}
        key = (values.get("property") or values.get("name") or "").strip().lower()
        if key in ("og:image", "og:image:url", "og:image:secure_url", "og:image:alt"):
            self.values.setdefault(key, values.get("content", ""))


def og_image(page: bytes, page_url: str) -> ImageCandidate | None:
    """The page's og:image (with og:image:alt) as a candidate, or None."""
    parser = _OpenGraph()
    try:
        parser.feed(page[:MAX_HEAD_BYTES].decode("utf-8", "replace"))
    except Exception:  # noqa: BLE001 - a page the parser chokes on offers no image
        return None
    values = parser.values
    raw = values.get("og:image:secure_url") or values.get("og:image") or values.get("og:image:url")
    url = image_url(raw, page_url)
    if not url:
        return None
    return ImageCandidate(url, one_line(values.get("og:image:alt"), MAX_ALT_CHARS))


def is_raster_type(content_type: str | None) -> bool:
    """True when a response's type is one of the raster images we use (or unstated)."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    return not kind or kind in _RASTER_TYPES or kind == "application/octet-stream"
