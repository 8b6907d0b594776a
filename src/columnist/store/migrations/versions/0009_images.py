"""the picture each entry offers: entry_images

Revision ID: 0009_images
Revises: 0008_admin_state
Create Date: 2026-12-04 03:30:00

One row per entry whose feed or article page offered an image that passed the checks
at ingest (a JPEG, PNG, WebP or GIF within `[site] image_max_bytes`): its URL, size,
the publisher's alt text and credit, and, when the site copies images, a resized JPEG
copy (`data`) with its digest.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_images"
down_revision = "0008_admin_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entry_images",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("alt", sa.Text(), nullable=True),
        sa.Column("credit", sa.Text(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.Column("fetched", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"]),
        sa.PrimaryKeyConstraint("entry_id"),
    )


def downgrade() -> None:
    op.drop_table("entry_images")
