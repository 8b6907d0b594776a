"""remember each source's configured URL beside the URL it is fetched from

Revision ID: 0003_source_config_url
Revises: 0002_writer_calls
Create Date: 2026-11-25 22:30:00

A permanent redirect moves a source's `url`; `config_url` keeps the URL the config
gave, so the next run can tell "the feed moved" (keep the new URL) from "the user
edited the config" (start over from the new configured URL). Existing rows start
with config_url = url.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_source_config_url"
down_revision = "0002_writer_calls"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("config_url", sa.Text(), nullable=True))
    op.execute("UPDATE sources SET config_url = url")


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("config_url")
