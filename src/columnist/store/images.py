"""Queries about entry images: storing the one an entry offers, reading a kept copy.

Which image a story shows is chosen where the build reads posts (store/published.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from columnist.records import EntryImage
from columnist.store.schema import entries, entry_images


def add_image(
    conn: Connection, dedupe_key: str, image: EntryImage, fetched: datetime | None = None
) -> bool:
    """Store the image of the entry stored under `dedupe_key`; False if there is no such
    entry (it was not new) or it has an image already."""
    entry_id = conn.execute(
        select(entries.c.id).where(entries.c.dedupe_key == dedupe_key)
    ).scalar_one_or_none()
    if entry_id is None:
        return False
    had = conn.execute(
        select(entry_images.c.entry_id).where(entry_images.c.entry_id == entry_id)
    ).first()
    if had is not None:
        return False
    conn.execute(
        insert(entry_images).values(
            entry_id=entry_id,
            url=image.url,
            width=image.width,
            height=image.height,
            format=image.format,
            alt=image.alt,
            credit=image.credit,
            data=image.data,
            digest=image.digest,
            fetched=fetched or datetime.now(UTC),
        )
    )
    return True


def entry_image(conn: Connection, entry_id: int) -> EntryImage | None:
    """The stored image of an entry (with its copy, if kept)."""
    row = conn.execute(select(entry_images).where(entry_images.c.entry_id == entry_id)).first()
    if row is None:
        return None
    return EntryImage(
        url=row.url,
        width=row.width,
        height=row.height,
        format=row.format,
        alt=row.alt,
        credit=row.credit,
        data=row.data,
        digest=row.digest,
    )


def image_copy(conn: Connection, entry_id: int) -> bytes | None:
    """The resized copy kept of an entry's image (copy mode), or None."""
    return conn.execute(
        select(entry_images.c.data).where(entry_images.c.entry_id == entry_id)
    ).scalar_one_or_none()
