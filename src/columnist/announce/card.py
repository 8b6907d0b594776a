"""The card image of a post, read from its BUILT page: the `og:image` and
`og:image:alt` meta of the page's head, as social sites read them.

An image inside the site (its URL under `base_url`, or site-relative) is read from the
output folder; any other is fetched within `fetch`'s bounds and address policy, since a
source's picture URL comes from a feed. Only JPEG, PNG, GIF and WebP of at most
MAX_CARD_BYTES are used (what Bluesky takes for a link card's thumb); anything else
means a post without a picture and a one-line note.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from columnist.config import Settings
from columnist.errors import ColumnistError, FetchError

MAX_CARD_BYTES = 1_000_000
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@dataclass(frozen=True, slots=True)
class Card:
    data: bytes
    mime: str
    alt: str
    name: str  # a file name for the upload


class _HeadMeta(HTMLParser):
    """The `property` -> `content` of <meta> tags (first of each), until </head>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done or tag != "meta":
            return
        a = dict(attrs)
        name = (a.get("property") or a.get("name") or "").strip().lower()
        if name and a.get("content") is not None:
            self.meta.setdefault(name, a["content"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.done = True


def head_meta(html: str) -> dict[str, str]:
    parser = _HeadMeta()
    parser.feed(html)
    return parser.meta


def image_type(data: bytes) -> str | None:
    """The image's MIME type from its first bytes; None for anything else (SVG, HTML)."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _local_file(settings: Settings, url: str) -> Path | None:
    """The output file an image URL inside the site names; None for one outside it."""
    base = urlsplit(settings.site.base_url)
    parts = urlsplit(urljoin(settings.site.base_url, url))
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    if not parts.path.startswith(base.path):
        return None
    output = settings.site.output.resolve()
    file = (output / unquote(parts.path[len(base.path) :])).resolve()
    if not file.is_relative_to(output):
        raise ColumnistError(f"card image {url[:200]} points outside the site folder")
    return file


async def _download(settings: Settings, url: str) -> bytes:
    from columnist.ingest.fetch import fetch_url, make_client

    bounded = replace(settings.fetch, max_bytes=min(settings.fetch.max_bytes, MAX_CARD_BYTES))
    async with make_client(bounded) as client:
        result = await fetch_url(client, url, bounded)
    return result.content or b""


async def read_card(settings: Settings, page: Path) -> Card | None:
    """The card of a built post page; None when it names no image. ColumnistError (one
    line, naming the image) when it names one that cannot be used."""
    try:
        meta = head_meta(page.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None
    url = (meta.get("og:image") or "").strip()
    if not url:
        return None
    alt = " ".join((meta.get("og:image:alt") or "").split())
    try:
        local = _local_file(settings, url)
        if local is not None:
            if not local.is_file() or local.stat().st_size > MAX_CARD_BYTES:
                raise ColumnistError(
                    f"card image {url[:200]}: missing or over {MAX_CARD_BYTES} bytes"
                )
            data = local.read_bytes()
        else:
            data = await _download(settings, url)
    except FetchError as exc:
        raise ColumnistError(f"card image {url[:200]}: {exc}") from None
    mime = image_type(data)
    if mime is None:
        raise ColumnistError(f"card image {url[:200]}: not a JPEG, PNG, GIF or WebP image")
    name = Path(urlsplit(url).path).name or "card"
    return Card(data, mime, alt, name)
