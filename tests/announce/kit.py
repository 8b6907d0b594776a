"""A desk with posts already in its store (tests/review/kit.py's seeding) and announce
targets in its columnist.toml; its site is built without the search index."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from columnist import config
from columnist.config import Settings
from columnist.site.stage import run_build
from columnist.store.db import open_engine, transaction
from columnist.store.review import decide, get, save_edit
from tests.conftest import desk
from tests.review.kit import SITE, seed_posts

TOPICS = '[[topics]]\nname = "Housing"\n[[topics]]\nname = "Energy"\n'


def announce_desk(
    folder: Path, targets: str, statuses: list[str], database: str | None = None
) -> tuple[Settings, list[int]]:
    """A desk with `targets` ([[webhooks]] / [[social]] TOML) and one housing post per
    status; returns its settings and the post ids."""
    path = desk(folder, SITE, "[writer]\nwords = 60\n", TOPICS, targets, database=database)
    settings = config.load(path)
    return settings, seed_posts(settings, statuses)


def build(settings: Settings) -> None:
    engine = open_engine(settings.database.url)
    try:
        run_build(engine, settings, search=False)
    finally:
        engine.dispose()


def correct(settings: Settings, post_id: int, body: str, note: str) -> None:
    """An editor's correction of a published post (a dated note readers see)."""
    engine = open_engine(settings.database.url)
    with transaction(engine) as conn:
        post = get(conn, post_id)
        assert post is not None
        assert save_edit(conn, post, body, body.split(".")[0] + ".", post.checks, "ann", note,
                         kind="correction")  # fmt: skip
    engine.dispose()


def set_status(settings: Settings, post_id: int, status: str, note: str | None = None) -> None:
    """A person's decision on a post (publish a held one, retract a published one)."""
    engine = open_engine(settings.database.url)
    with transaction(engine) as conn:
        post = get(conn, post_id)
        assert post is not None
        assert decide(conn, post_id, post.version, status, "bob", note)
    engine.dispose()


def png(width: int = 2, height: int = 2) -> bytes:
    """A small real PNG (grey pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )  # fmt: skip


def add_card(page: Path, image_url: str, alt: str) -> None:
    """Put og:image meta into a built page's head, as the images branch's pages carry."""
    html = page.read_text(encoding="utf-8")
    meta = (
        f'<meta property="og:image" content="{image_url}">'
        f'<meta property="og:image:alt" content="{alt}">'
    )
    page.write_text(html.replace("</head>", meta + "</head>", 1), encoding="utf-8")
