"""claims on stories, so several writers can share one database

Revision ID: 0004_story_claims
Revises: 0003_source_config_url
Create Date: 2026-11-25 23:20:00

A worker that takes a story to write records itself and an expiry time; a claim held
by a worker that died simply expires, and another worker takes the story over.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_story_claims"
down_revision = "0003_source_config_url"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_owner", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("claim_expires", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_column("claim_expires")
        batch_op.drop_column("claim_owner")
