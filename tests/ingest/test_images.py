"""Pictures at ingest, against a real server on 127.0.0.1 serving real images (Pillow)
and a real SQLite file: media:content, media:thumbnail, enclosures and the article's
og:image are found, fetched and checked; a 20 MB "image", an SVG with a script, a
redirect to a private address and an image that never comes are each refused in one
line, costing nothing else."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from columnist.config import FetchSettings
from columnist.ingest import fetch as fetch_module
from columnist.ingest.images import ImageError, check_image, fetch_image
from columnist.ingest.media import og_image
from columnist.ingest.parse import parse_feed
from columnist.ingest.stage import run_ingest
from columnist.records import ImageCandidate
from columnist.store.db import open_engine
from columnist.store.images import entry_image
from columnist.store.schema import entries, entry_images
from tests.conftest import desk_settings
from tests.ingest.imageserver import BIG, FEED, SVG, ImageServer, image_bytes, serving

LOOPBACK = ipaddress.ip_address("127.0.0.1")


@pytest.fixture
def server() -> Iterator[ImageServer]:
    with serving() as running:
        yield running


@pytest.fixture
def public_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test server on 127.0.0.1 stands in for a public host: the address policy stays
    on (fetch.allow_private = false) and refuses every other private address."""
    real = fetch_module.is_public_address
    monkeypatch.setattr(fetch_module, "is_public_address", lambda ip: ip == LOOPBACK or real(ip))


def _desk(tmp_path: Path, server: ImageServer, images: str = "hotlink", **fetch: object):
    source = (
        f'[[sources]]\nname = "Pictures Daily"\nurl = "{server.url("/feed.xml")}"\n'
        "full_text = true\n"
    )
    return desk_settings(
        tmp_path,
        source,
        fetch={"allow_private": False, "timeout": 5.0, **fetch},
        site={"images": images, "image_max_bytes": 2_000_000},
    )


def _images(settings) -> dict[str, tuple]:
    engine = open_engine(settings.database.url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(
                    entries.c.title,
                    entry_images.c.url,
                    entry_images.c.width,
                    entry_images.c.height,
                    entry_images.c.format,
                    entry_images.c.alt,
                    entry_images.c.credit,
                    entry_images.c.data,
                ).join(entry_images, entry_images.c.entry_id == entries.c.id)
            ).all()
            titles = conn.execute(select(entries.c.title)).scalars().all()
    finally:
        engine.dispose()
    return {"titles": sorted(titles), **{r[0]: tuple(r[1:]) for r in rows}}


def test_ingest_keeps_each_entrys_best_image_and_refuses_bad_ones(
    tmp_path: Path, server: ImageServer, public_loopback: None
) -> None:
    settings = _desk(tmp_path, server)
    started = time.monotonic()
    report = run_ingest(open_engine(settings.database.url), settings)
    took = time.monotonic() - started

    found = _images(settings)
    # every entry is stored, whatever became of its image
    assert len(found["titles"]) == 8 and report.new == 8 and not report.errors
    crane = found["Media content story"]
    assert crane[:4] == (server.url("/img/crane.jpg?w=800&h=600"), 800, 600, "JPEG")
    assert crane[4] == "A crane over the harbour"
    assert crane[5] == "Ann Lens <script>x</script>"  # stored as text; the site escapes it
    assert crane[6] is None  # hotlinked: no copy kept
    assert found["Thumbnail story"][:4] == (
        server.url("/img/bridge.png?w=400&h=300"),
        400,
        300,
        "PNG",
    )
    assert found["Enclosure story"][1:4] == (300, 200, "WEBP")
    harvest = found["Article image story"]
    assert harvest[:5] == (
        server.url("/img/harvest.jpg?w=1000&h=500"),
        1000,
        500,
        "JPEG",
        "Tractors in a field at dusk",
    )
    for refused in (
        "Huge image story",
        "SVG story",
        "Private redirect story",
        "Hanging image story",
    ):
        assert refused not in found

    warnings = report.warnings()
    assert all("\n" not in w and w.startswith("source 'Pictures Daily': image ") for w in warnings)
    text = "\n".join(warnings)
    assert (
        f"{server.url('/big')}: refused: larger than 2000000 bytes ([site] image_max_bytes)" in text
    )
    assert f"{server.url('/evil.svg')}: refused: SVG images are not used" in text
    assert f"{server.url('/private')}: refused: 169.254.169.254 is a private address" in text
    assert f"{server.url('/hang')}: timed out after 5s" in text
    assert len(warnings) == 4  # big, svg (its enclosure is the same URL), private, hang
    assert "4 with a picture" in report.summary()
    assert took < 40  # the hanging image cost its own timeout (5 s), not the server's 30 s


def test_copy_mode_keeps_a_resized_jpeg(
    tmp_path: Path, server: ImageServer, public_loopback: None
) -> None:
    settings = _desk(tmp_path, server, images="copy")
    run_ingest(open_engine(settings.database.url), settings)
    found = _images(settings)
    data = found["Article image story"][6]
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as copy:
        assert copy.format == "JPEG" and copy.size == (1000, 500)
    engine = open_engine(settings.database.url)
    with engine.connect() as conn:
        image = entry_image(conn, 1)
    engine.dispose()
    assert image is not None and image.digest and len(image.digest) == 64


def test_images_off_fetches_none(
    tmp_path: Path, server: ImageServer, public_loopback: None
) -> None:
    settings = _desk(tmp_path, server, images="off")
    report = run_ingest(open_engine(settings.database.url), settings)
    assert report.new == 8 and not report.warnings()
    assert not [p for p in server.requests if p.startswith(("/img/", "/big", "/hang"))]


def test_without_the_stand_in_the_loopback_server_itself_is_refused(
    tmp_path: Path, server: ImageServer
) -> None:
    fetch = FetchSettings(timeout=2.0, allow_private=False)
    candidate = ImageCandidate(server.url("/img/a.jpg"))
    import asyncio

    from columnist.ingest.fetch import make_client

    async def go() -> None:
        async with make_client(fetch) as client:
            await fetch_image(client, candidate, fetch, 1_000_000, False)

    refused = r"image http://127\.0\.0\.1:\d+/img/a\.jpg: refused: 127\.0\.0\.1 is a private"
    with pytest.raises(ImageError, match=refused):
        asyncio.run(go())


def test_streamed_20mb_without_length_is_cut_at_the_bound(
    server: ImageServer, public_loopback: None
) -> None:
    import asyncio

    from columnist.ingest.fetch import make_client

    fetch = FetchSettings(timeout=5.0, allow_private=False)
    candidate = ImageCandidate(server.url("/big?length=0"))

    async def go() -> None:
        async with make_client(fetch) as client:
            await fetch_image(client, candidate, fetch, 1_000_000, False)

    with pytest.raises(ImageError, match=r"refused: larger than 1000000 bytes"):
        asyncio.run(go())
    assert BIG > 1_000_000


def test_check_image_refuses_what_pillow_should_not_take() -> None:
    good = check_image(image_bytes("GIF", 200, 100), ImageCandidate("https://x.test/a.gif"), False)
    assert (good.width, good.height, good.format) == (200, 100, "GIF")
    with pytest.raises(ImageError, match="not a JPEG, PNG, WebP or GIF image"):
        check_image(SVG, ImageCandidate("https://x.test/a.svg"), False)
    with pytest.raises(ImageError, match="not a JPEG, PNG, WebP or GIF image"):
        check_image(image_bytes("BMP", 200, 100), ImageCandidate("https://x.test/a.bmp"), False)
    with pytest.raises(ImageError, match="too small"):
        check_image(image_bytes("PNG", 1, 1), ImageCandidate("https://x.test/pixel.png"), False)
    with pytest.raises(ImageError, match="unreadable|not a JPEG"):
        check_image(
            image_bytes("JPEG", 200, 100)[:300], ImageCandidate("https://x.test/t.jpg"), False
        )


def test_feed_candidates_in_order_with_alt_and_credit() -> None:
    base = "https://news.example"
    feed = parse_feed(FEED.format(base=base).encode(), base_url=base + "/feed.xml")
    by_title = {e.title: e.images for e in feed.entries}
    crane = by_title["Media content story"]
    assert [c.url for c in crane] == [
        f"{base}/img/crane.jpg?w=800&h=600",
        f"{base}/img/crane-small.jpg?w=120&h=90",
    ]
    assert crane[0].alt == "A crane over the harbour" and crane[1].alt is None
    assert crane[0].credit == "Ann Lens <script>x</script>"
    assert by_title["Article image story"] == []
    assert [c.url for c in by_title["SVG story"]] == [f"{base}/evil.svg"]  # once, deduplicated


def test_og_image_from_the_page_head() -> None:
    page = (
        b'<html><head><meta property="og:image" content="/p/1.jpg">'
        b'<meta property="og:image:alt" content="A  quiet\nstreet"></head>'
        b'<body><meta property="og:image" content="/late.jpg"></body></html>'
    )
    found = og_image(page, "https://site.example/story/1")
    assert found == ImageCandidate("https://site.example/p/1.jpg", "A quiet street")
    assert og_image(b"<html><head></head></html>", "https://site.example/") is None
    assert (
        og_image(b'<meta property="og:image" content="javascript:alert(1)">', "https://s.example/")
        is None
    )
