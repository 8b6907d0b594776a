"""the topic check's answers, kept between runs

Revision ID: 0012_topic_choices
Revises: 0011_deliveries
Create Date: 2026-12-05 03:00:00

One row per question the writing model answered for `[stories] topic_check_band`: which
of the desk's topics a story's headline is mainly about. Asked once per model, menu and
headline, not once per process.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_topic_choices"
down_revision = "0011_deliveries"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "topic_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("topic_choices")
