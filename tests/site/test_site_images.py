"""Pictures on the built site: the source image with width, height, alt, lazy loading and
a credit linking to the source, escaped; og:image and the large Twitter card; copies in
WebP and JPEG of bounded width, encoded once; share cards for posts without an image;
and, through a real SQLite store, the story's best image chosen by the build stage."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

from PIL import Image

from columnist.config import SiteSettings
from columnist.records import EntryImage, PostImage
from columnist.site.build import build_site
from columnist.site.images import COPY_WIDTH, copy_paths
from columnist.site.stage import run_build
from columnist.store.db import open_engine, transaction
from columnist.store.images import add_image
from tests.conftest import desk_settings
from tests.site.sitekit import TOPICS, make_post, read_doc
from tests.site.test_site_stage import STAGE_DESK, fill

HOSTILE_ALT = '"><script>alert("alt")</script>'
HOSTILE_CREDIT = "<img src=x onerror=alert(1)>"
HOSTILE_SOURCE = '" onmouseover="alert(2)'
DIGEST = "ab" * 32


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 30)).save(out, "JPEG")
    return out.getvalue()


def pictured(i: int, **image: object):
    post = make_post(i, [TOPICS[1]])
    values = dict(
        entry_id=10 + i,
        url=f"https://img.example/photos/{i}.jpg?size=large&v=2",
        width=2000,
        height=1000,
        alt=HOSTILE_ALT,
        credit=HOSTILE_CREDIT,
        source_name=HOSTILE_SOURCE,
        link=f"https://news.example.com/a/{i}",
        digest=None,
    )
    post.image = PostImage(**{**values, **image})  # type: ignore[arg-type]
    return post


def meta(doc, name: str) -> str | None:
    found = doc.find("meta", property=name) or doc.find("meta", name=name)
    return found[0]["content"] if found else None


def test_hotlinked_picture_on_archive_and_post_pages(settings: SiteSettings) -> None:
    posts = [pictured(1), make_post(2, [TOPICS[1]])]
    build_site(posts, TOPICS, settings)
    out = settings.output
    url = "https://img.example/photos/1.jpg?size=large&v=2"

    for page in ("index.html", "topics/energy/index.html", "posts/post-1/index.html"):
        html = (out / page).read_text()
        doc = read_doc(out / page)
        assert not doc.errors, (page, doc.errors)
        [img] = doc.find("img", src=url)
        assert img["loading"] == "lazy" and img["width"] == "2000" and img["height"] == "1000"
        assert img["alt"] == HOSTILE_ALT  # the parser unescaped it: it stayed an attribute
        assert "<script>alert(" not in html and "<img src=x" not in html
        assert not [a for _, a in doc.tags if "onmouseover" in a or "onerror" in a]
        assert not [a for t, a in doc.tags if t == "script" and not a.get("type")]
        credit = [
            a for t, a in doc.tags if t == "a" and a.get("href") == "https://news.example.com/a/1"
        ]
        assert credit and credit[0]["rel"] == "nofollow noopener"
        assert "Image: " in doc.text and HOSTILE_CREDIT in doc.text  # shown as text
    # the post without an image shows none, and no card as a photo
    other = read_doc(out / "posts/post-2/index.html")
    assert not other.find("img") and not other.find("figure")

    post = read_doc(out / "posts/post-1/index.html")
    assert meta(post, "og:image") == url
    assert meta(post, "og:image:alt") == HOSTILE_ALT
    assert (meta(post, "og:image:width"), meta(post, "og:image:height")) == ("2000", "1000")
    assert meta(post, "twitter:card") == "summary_large_image"
    assert meta(post, "twitter:image") == url


def test_alt_falls_back_to_the_source_name_only() -> None:
    from columnist.site.images import source_picture
    from columnist.site.urls import Urls

    image = PostImage(1, "https://img.example/a.png", 640, 480, None, None, "Wire", None)
    picture = source_picture(image, "hotlink", Urls("https://example.org/"))
    assert picture is not None and picture.alt == "Image from Wire"
    unsafe = dataclasses.replace(image, url="javascript:alert(1)")
    assert source_picture(unsafe, "hotlink", Urls("https://example.org/")) is None
    assert source_picture(image, "off", Urls("https://example.org/")) is None


def test_share_card_for_a_post_without_image(settings: SiteSettings) -> None:
    build_site([make_post(2, [TOPICS[1]], title="Harbour <cranes> & ships")], TOPICS, settings)
    card = settings.output / "cards/post-2.png"
    with Image.open(card) as image:
        assert image.format == "PNG" and image.size == (1200, 630)
        assert len(image.getcolors(1_000_000) or []) > 2  # text was drawn on it
    post = read_doc(settings.output / "posts/post-2/index.html")
    assert meta(post, "og:image") == "https://example.org/desk/cards/post-2.png"
    assert meta(post, "og:image:alt") == "Share card with the headline: Harbour <cranes> & ships"
    assert (meta(post, "og:image:width"), meta(post, "og:image:height")) == ("1200", "630")
    assert meta(post, "twitter:card") == "summary_large_image"
    assert not post.find("img")  # a card is never shown as a picture of the story


def test_copy_mode_without_a_store_reader_hotlinks(settings: SiteSettings) -> None:
    settings = dataclasses.replace(settings, images="copy")
    build_site([pictured(1, digest=DIGEST)], TOPICS, settings)
    post = read_doc(settings.output / "posts/post-1/index.html")
    assert post.find("img", src="https://img.example/photos/1.jpg?size=large&v=2")
    assert not (settings.output / "images").exists()


def test_images_off_shows_no_picture_but_keeps_the_card(settings: SiteSettings) -> None:
    settings = dataclasses.replace(settings, images="off")
    build_site([pictured(1)], TOPICS, settings)
    post = read_doc(settings.output / "posts/post-1/index.html")
    assert not post.find("img")
    assert meta(post, "og:image") == "https://example.org/desk/cards/post-1.png"


def test_copy_mode_writes_webp_and_jpeg_of_bounded_width_once(settings: SiteSettings) -> None:
    settings = dataclasses.replace(settings, images="copy")
    reads: list[int] = []

    def image_copy(entry_id: int) -> bytes:
        reads.append(entry_id)
        return jpeg(1600, 800)

    posts = [pictured(1, digest=DIGEST, width=1600, height=800), make_post(2, [TOPICS[1]])]
    build_site(posts, TOPICS, settings, image_copy=image_copy)
    webp, jpg = copy_paths(DIGEST)
    for path, fmt in ((webp, "WEBP"), (jpg, "JPEG")):
        with Image.open(settings.output / path) as image:
            assert image.format == fmt and image.size == (COPY_WIDTH, 600)
    assert reads == [11, 11]

    post = read_doc(settings.output / "posts/post-1/index.html")
    [source] = post.find("source", type="image/webp")
    assert source["srcset"] == f"/desk/{webp}"
    [img] = post.find("img", src=f"/desk/{jpg}")
    assert (img["width"], img["height"], img["loading"]) == ("1200", "600", "lazy")
    assert meta(post, "og:image") == f"https://example.org/desk/{jpg}"
    assert not (settings.output / "cards/post-1.png").exists()
    assert (settings.output / "cards/post-2.png").exists()

    again = build_site(posts, TOPICS, settings, image_copy=image_copy)
    assert again.written == [] and reads == [11, 11]  # nothing encoded again
    # a post that loses its image loses its copies and gets a card
    posts[0].image = None
    build_site(posts, TOPICS, settings, image_copy=image_copy)
    assert not (settings.output / jpg).exists() and not (settings.output / webp).exists()
    assert (settings.output / "cards/post-1.png").exists()


def test_build_stage_shows_each_storys_largest_image(tmp_path: Path, database_url: str) -> None:
    settings = desk_settings(tmp_path, STAGE_DESK, database=database_url)
    fill(settings)
    engine = open_engine(settings.database.url)
    with transaction(engine) as conn:
        # story 2 (post "Post 2") has entries k2-0, k2-1, k2-2; two offer images
        for key, width in (("k2-0", 800), ("k2-1", 1200)):
            image = EntryImage(
                f"https://img.example/{key}.jpg", width, width // 2, "JPEG", alt=f"alt {key}"
            )
            assert add_image(conn, key, image)
        assert not add_image(conn, "k2-0", image)  # one image per entry
        assert not add_image(conn, "no-such-entry", image)
    report = run_build(engine, settings, search=False)
    engine.dispose()
    assert report.pages_written
    site = settings.site.output
    pages = {p.parent.name: read_doc(p) for p in (site / "posts").glob("*/index.html")}
    with_image = [name for name, doc in pages.items() if doc.find("img")]
    assert len(with_image) == 1
    doc = pages[with_image[0]]
    [img] = doc.find("img")
    assert img["src"] == "https://img.example/k2-1.jpg" and img["alt"] == "alt k2-1"
    assert (img["width"], img["height"]) == ("1200", "600")
    credit = [a for t, a in doc.tags if t == "a" and a.get("href") == "https://news.example/2/1"]
    assert credit, "the credit links to the article the image came with"
    assert "Image: Wire" in doc.text or "Image: Daily" in doc.text
    others = [name for name in pages if name != with_image[0]]
    for name in others:
        assert (site / "cards" / f"{name}.png").exists()


def test_build_stage_copies_from_the_store(tmp_path: Path, database_url: str) -> None:
    desk = STAGE_DESK.replace('output = "site"\n', 'output = "site"\nimages = "copy"\n')
    settings = desk_settings(tmp_path, desk, database=database_url)
    fill(settings)
    data = jpeg(1500, 900)
    engine = open_engine(settings.database.url)
    with transaction(engine) as conn:
        image = EntryImage("https://img.example/c.jpg", 1500, 900, "JPEG", data=data, digest=DIGEST)
        assert add_image(conn, "k0-0", image)
    run_build(engine, settings, search=False)
    again = run_build(engine, settings, search=False)
    engine.dispose()
    site = settings.site.output
    webp, jpg = copy_paths(DIGEST)
    for path, fmt in ((webp, "WEBP"), (jpg, "JPEG")):
        with Image.open(site / path) as copy:
            assert copy.format == fmt and copy.size == (COPY_WIDTH, 720)
    assert again.pages_written == 0
    doc = read_doc(site / "posts/post-0/index.html")
    assert doc.find("img", src=f"/{jpg}") and doc.find("source", srcset=f"/{webp}")
