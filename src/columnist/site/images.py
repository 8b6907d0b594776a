"""Pictures on the site: a post's source image, its local copies, and share cards.

A post shows its story's best source image (store/published.py chose it) with a
credit linking to the source article: hotlinked by default, or, with `[site] images =
"copy"`, from resized copies in the site (`images/<digest>.webp` and `.jpg`, at most
COPY_WIDTH wide, written like any page: only when the copy is new, so an unchanged
image is never encoded again). `images = "off"` shows none.

No photograph is ever made up. A post without a source image gets a share card, a
plain picture of its headline and topic in the site's colours (`cards/<slug>.png`,
1200x630), used only as its og:image and named as a card in its alt text.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from columnist.records import PostImage
from columnist.site.pending import Page, fingerprint
from columnist.site.urls import Urls, safe_href

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

    from columnist.site.context import BuildContext
    from columnist.site.model import Entry

COPY_WIDTH = 1200  # widest copy the site serves
CARD_SIZE = (1200, 630)  # what OpenGraph and Twitter's large card expect
CARD_VERSION = "card-1"  # bump when the drawing changes, so every card is drawn again
# The site's light colours (static/style.css: --bg, --text, --muted, --accent, --rule).
BACKGROUND, TEXT, MUTED, ACCENT, RULE = "#fbfaf7", "#1c1b19", "#57534e", "#a3231b", "#d9d4c9"

ImageCopy = Callable[[int], bytes | None]  # entry id -> the stored copy (store/images.py)


class Picture(NamedTuple):
    """An image as pages show it; `card` pictures are share cards, never credited."""

    src: str  # link for <img src>
    webp: str | None  # link to a WebP copy (copy mode), for a <picture> source
    width: int
    height: int
    alt: str
    og_url: str  # absolute URL, for og:image
    credit: str | None = None  # the feed's media:credit
    source_name: str | None = None  # the outlet, always credited on a source image
    link: str | None = None  # the source article
    card: bool = False


def copy_paths(digest: str) -> tuple[str, str]:
    """Output paths of an image's WebP and JPEG copies."""
    stem = f"images/{digest[:24]}"
    return f"{stem}.webp", f"{stem}.jpg"


def card_path(slug: str) -> str:
    return f"cards/{slug}.png"


def _fit(width: int, height: int) -> tuple[int, int]:
    """A copy's size: at most COPY_WIDTH wide, in proportion."""
    if width <= COPY_WIDTH:
        return width, height
    return COPY_WIDTH, max(1, round(height * COPY_WIDTH / width))


def source_picture(image: PostImage, mode: str, urls: Urls) -> Picture | None:
    """How a post shows its source image under `mode` ("hotlink" | "copy" | "off").

    In copy mode an image fetched before copies were kept has none, and is hotlinked.
    """
    if mode == "off":
        return None
    src = safe_href(image.url)
    if src is None:
        return None
    alt = image.alt or f"Image from {image.source_name}"
    common = dict(
        alt=alt,
        credit=image.credit,
        source_name=image.source_name,
        link=safe_href(image.link),
    )
    if mode == "copy" and image.digest:
        webp, jpeg = copy_paths(image.digest)
        width, height = _fit(image.width, image.height)
        return Picture(
            urls.link(jpeg),
            urls.link(webp),
            width,
            height,
            og_url=urls.absolute(jpeg),
            **common,
        )
    return Picture(src, None, image.width, image.height, og_url=src, **common)


def card_picture(entry: Entry, urls: Urls) -> Picture:
    path = card_path(entry.slug)
    return Picture(
        urls.link(path),
        None,
        *CARD_SIZE,
        alt=f"Share card with the headline: {entry.title}",
        og_url=urls.absolute(path),
        card=True,
    )


# --- the files -----------------------------------------------------------------------


def encode_copy(data: bytes, fmt: str) -> bytes:
    """A stored copy as a WebP or JPEG at most COPY_WIDTH wide."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        picture = image.convert("RGB")
    if picture.width > COPY_WIDTH:
        picture = picture.resize(_fit(picture.width, picture.height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if fmt == "WEBP":
        picture.save(out, "WEBP", quality=80, method=4)
    else:
        picture.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    return out.getvalue()


@cache
def _font(size: int) -> FreeTypeFont:
    """Pillow's own scalable font (shipped with Pillow: no network, no system fonts)."""
    from PIL import ImageFont

    return ImageFont.load_default(size=size)  # type: ignore[return-value]


def _lines(text: str, size: int, width: int, most: int) -> list[str]:
    """`text` wrapped to `width` pixels in `size`, at most `most` lines (… on the last)."""
    font = _font(size)
    lines: list[str] = []
    for word in text.split():
        while font.getlength(word) > width and len(word) > 1:  # a word wider than a line
            cut = len(word) - 1
            while cut > 1 and font.getlength(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(joined) <= width:
            lines[-1] = joined
        else:
            lines.append(word)
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1].rstrip(" ,;:.-") + "…"
    return lines or [""]


def draw_card(title: str, topic: str, site_title: str) -> bytes:
    """A 1200x630 PNG: the topic as a kicker, the headline, the site's name. Text only."""
    from PIL import Image, ImageDraw

    width, height = CARD_SIZE
    margin = 80
    image = Image.new("RGB", CARD_SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 14), fill=ACCENT)
    y = margin
    if topic:
        draw.text((margin, y), topic.upper(), font=_font(30), fill=ACCENT)
        y += 60
    for line in _lines(title, 64, width - 2 * margin, 5):
        draw.text((margin, y), line, font=_font(64), fill=TEXT)
        y += 78
    draw.line((margin, height - 110, width - margin, height - 110), fill=RULE, width=2)
    draw.text((margin, height - 90), site_title, font=_font(34), fill=MUTED)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=3)  # half the time of the default, 15% larger
    return out.getvalue()


def card_pages(ctx: BuildContext) -> list[Page]:
    """cards/<slug>.png for each post without a source picture (its og:image)."""
    pages = []
    for entry in ctx.model.entries:
        if entry.picture is not None:
            continue
        topic = entry.post.topics[0].name if entry.post.topics else ""
        title, site = entry.title, ctx.site.title
        key = fingerprint(CARD_VERSION, title, topic, site)
        pages.append(
            Page(
                card_path(entry.slug),
                key,
                lambda title=title, topic=topic, site=site: draw_card(title, topic, site),
            )
        )
    return pages


def copy_pages(ctx: BuildContext) -> list[Page]:
    """images/<digest>.webp and .jpg of each copied source image a post shows.

    Their render reads the copy from the store: the build writes them in its own process
    (site/build.py), never in a forked helper.
    """
    read = ctx.image_copy
    if ctx.model.images != "copy" or read is None:
        return []
    pages: dict[str, Page] = {}
    for entry in ctx.model.entries:
        image = entry.post.image
        if image is None or not image.digest or entry.picture is None:
            continue
        for path, fmt in zip(copy_paths(image.digest), ("WEBP", "JPEG"), strict=True):
            if path not in pages:
                key = fingerprint(COPY_WIDTH, fmt, image.digest)
                pages[path] = Page(path, key, _copy_renderer(read, image.entry_id, fmt, path))
    return list(pages.values())


def _copy_renderer(read: ImageCopy, entry_id: int, fmt: str, path: str) -> Callable[[], bytes]:
    def render() -> bytes:
        data = read(entry_id)
        if data is None:  # the store lost it since the build read the posts
            from columnist.errors import ColumnistError

            raise ColumnistError(f"{path}: the image copy of entry {entry_id} is not in the store")
        return encode_copy(data, fmt)

    return render
