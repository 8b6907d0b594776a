"""The card image read from a built post page's og:image: from the output folder when
it is inside the site, fetched within bounds and the address policy when it is not;
anything but a small JPEG, PNG, GIF or WebP is refused in one line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from columnist.announce.card import MAX_CARD_BYTES, read_card
from columnist.errors import ColumnistError
from tests.announce.kit import add_card, png
from tests.conftest import desk_settings, served

SITE = '[site]\nbase_url = "https://example.org/desk/"\noutput = "site"\n'


@pytest.fixture
def page(tmp_path: Path) -> Path:
    """A built post page without a card (the packaged template has none yet)."""
    file = tmp_path / "site" / "posts" / "a-post" / "index.html"
    file.parent.mkdir(parents=True)
    file.write_text("<!doctype html><html><head><title>A post</title></head><body></body></html>")
    return file


def card(tmp_path: Path, page: Path, fetch: dict | None = None):  # noqa: ANN201
    settings = desk_settings(tmp_path, SITE, fetch=fetch or {})
    return asyncio.run(read_card(settings, page))


def test_no_og_image_no_card(tmp_path: Path, page: Path) -> None:
    assert card(tmp_path, page) is None


@pytest.mark.parametrize("url", ["https://example.org/desk/img/c.png", "/desk/img/c.png"])
def test_an_image_inside_the_site_is_read_from_the_output(
    tmp_path: Path, page: Path, url: str
) -> None:
    (tmp_path / "site" / "img").mkdir()
    (tmp_path / "site" / "img" / "c.png").write_bytes(png())
    add_card(page, url, "A &quot;harbour&quot; at dusk")
    got = card(tmp_path, page)
    assert got is not None
    assert (got.mime, got.alt, got.name, got.data) == (
        "image/png",
        'A "harbour" at dusk',
        "c.png",
        png(),
    )


def test_a_path_out_of_the_site_is_refused(tmp_path: Path, page: Path) -> None:
    add_card(page, "https://example.org/desk/../../etc/passwd", "x")
    with pytest.raises(ColumnistError, match="outside the site folder"):
        card(tmp_path, page)


def test_an_image_elsewhere_is_fetched_within_bounds(tmp_path: Path, page: Path) -> None:
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    (pictures / "p.png").write_bytes(png())
    (pictures / "big.png").write_bytes(png() + b"\0" * (MAX_CARD_BYTES + 1))
    (pictures / "s.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )
    with served(pictures) as base:
        add_card(page, base + "p.png", "From the source")
        got = card(tmp_path, page)
        assert got is not None and got.data == png() and got.alt == "From the source"

        with pytest.raises(
            ColumnistError, match=r"card image http://127\.0\.0\.1.*private address"
        ):
            card(tmp_path, page, fetch={"allow_private": False})

        page.write_text(page.read_text().replace("p.png", "big.png"))
        with pytest.raises(ColumnistError, match=f"larger than {MAX_CARD_BYTES} bytes"):
            card(tmp_path, page)

        page.write_text(page.read_text().replace("big.png", "s.svg"))
        with pytest.raises(ColumnistError, match="not a JPEG, PNG, GIF or WebP"):
            card(tmp_path, page)
