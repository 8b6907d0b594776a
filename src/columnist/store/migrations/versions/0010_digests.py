"""newsletter digests sent: which issue, to how many recipients, when

Revision ID: 0010_digests
Revises: 0009_images
Create Date: 2026-12-04 03:30:00

One row per `columnist digest --send`, so that sending the same issue (and topic) a
second time is refused unless asked for with `--again`.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_digests"
down_revision = "0009_images"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue", sa.String(length=20), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("sent", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_digests_issue", "digests", ["issue", "topic"])


def downgrade() -> None:
    op.drop_index("ix_digests_issue", table_name="digests")
    op.drop_table("digests")
