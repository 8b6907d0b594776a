"""pending rewrites: a published post's new text waits for review beside it

Revision ID: 0007_pending_rewrites
Revises: 0006_editors_desk
Create Date: 2026-12-03 18:30:00

When a published post's story grows and the review policy holds the new text, the
published text stays up and the new one waits here (one row per post: the latest
offer, or the one a person declined, so the writer does not offer it again until the
story grows further).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_pending_rewrites"
down_revision = "0006_editors_desk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_rewrites",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("backend", sa.String(length=40), nullable=False),
        sa.Column("model", sa.String(length=300), nullable=False),
        sa.Column("prompt_version", sa.String(length=40), nullable=False),
        sa.Column("checks", sa.Text(), nullable=False),
        sa.Column("source_count", sa.Integer(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"]),
        sa.PrimaryKeyConstraint("post_id"),
    )


def downgrade() -> None:
    op.drop_table("pending_rewrites")
