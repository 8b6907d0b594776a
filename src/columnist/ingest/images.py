"""Fetch a candidate image within bounds and keep it only if it is a raster image we use.

The image is fetched like a feed (ingest/fetch.py: the same client, deadline, address
policy at every redirect and at connect time) with its own byte cap, `[site]
image_max_bytes`. Pillow then reads its header: only JPEG, PNG, WebP and GIF are
accepted (an SVG, which can carry script, never is), and the stated size must be sane
(Pillow's decompression-bomb limit). When the site copies images, a resized JPEG copy is
kept for the build to encode; hotlinked images keep only their URL and size.

Every refusal is an `ImageError` whose message names the URL and says why in one line.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import io
import warnings

import httpx

from columnist.config import FetchSettings
from columnist.errors import ColumnistError
from columnist.ingest.fetch import fetch_url
from columnist.ingest.media import is_raster_type
from columnist.records import EntryImage, ImageCandidate

FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
ACCEPT = "image/webp, image/jpeg, image/png, image/gif;q=0.8"
COPY_WIDTH = 1600  # the copy kept for the build, which makes its own (narrower) ones
MIN_SIDE = 50  # smaller images are spacers and tracking pixels, not pictures
MAX_PIXELS = 50_000_000


class ImageError(ColumnistError):
    """An image that was not used, and why (one line, naming its URL)."""


def _looks_like_svg(data: bytes, content_type: str | None) -> bool:
    kind = (content_type or "").lower()
    head = data[:512].lstrip().lower()
    return (
        "svg" in kind or head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or (b"<svg" in head)
    )


def check_image(data: bytes, candidate: ImageCandidate, keep_copy: bool) -> EntryImage:
    """The image's format and size from its bytes (and a copy if `keep_copy`), or ImageError.

    CPU work: callers run it off the event loop.
    """
    from PIL import Image, UnidentifiedImageError

    url = candidate.url
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                width, height = image.size
                kind = image.format or "?"
                if width * height > MAX_PIXELS:
                    raise ImageError(f"image {url}: refused: {width}x{height} is too many pixels")
                if min(width, height) < MIN_SIDE:
                    raise ImageError(f"image {url}: not used: {width}x{height} is too small")
                copy = _copy(image) if keep_copy else None
    except UnidentifiedImageError:
        raise ImageError(f"image {url}: refused: not a JPEG, PNG, WebP or GIF image") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"image {url}: refused: too many pixels (a decompression bomb?)") from None
    except (OSError, ValueError, SyntaxError) as exc:  # a truncated or corrupt file
        raise ImageError(f"image {url}: refused: unreadable ({str(exc)[:100]})") from None
    return EntryImage(
        url=url,
        width=width,
        height=height,
        format=kind,
        alt=candidate.alt,
        credit=candidate.credit,
        data=copy,
        digest=hashlib.sha256(copy).hexdigest() if copy else None,
    )


def _copy(image) -> bytes:  # noqa: ANN001 - a PIL image
    """The image as a JPEG at most COPY_WIDTH wide (transparency onto white)."""
    from PIL import Image

    image.seek(0)  # the first frame of an animation
    frame = image.convert("RGBA")
    if frame.width > COPY_WIDTH:
        frame = frame.resize((COPY_WIDTH, max(1, round(frame.height * COPY_WIDTH / frame.width))))
    flat = Image.new("RGB", frame.size, "white")
    flat.paste(frame, mask=frame.getchannel("A"))
    out = io.BytesIO()
    flat.save(out, "JPEG", quality=90, optimize=True)
    return out.getvalue()


async def fetch_image(
    client: httpx.AsyncClient,
    candidate: ImageCandidate,
    fetch: FetchSettings,
    max_bytes: int,
    keep_copy: bool,
) -> EntryImage:
    """Fetch and check one candidate; ImageError (one line, naming the URL) if refused."""
    url = candidate.url
    bounded = dataclasses.replace(fetch, max_bytes=max_bytes)
    try:
        result = await fetch_url(client, url, bounded, accept=ACCEPT)
    except ColumnistError as exc:
        reason = str(exc)
        if reason.startswith("response larger than"):
            reason = f"refused: larger than {max_bytes} bytes ([site] image_max_bytes)"
        raise ImageError(f"image {url}: {reason}") from None
    data = result.content or b""
    if _looks_like_svg(data, result.content_type):
        raise ImageError(f"image {url}: refused: SVG images are not used")
    if not is_raster_type(result.content_type):
        kind = (result.content_type or "").split(";", 1)[0].strip()
        raise ImageError(f"image {url}: refused: {kind} is not an image type we use")
    return await asyncio.to_thread(check_image, data, candidate, keep_copy)
