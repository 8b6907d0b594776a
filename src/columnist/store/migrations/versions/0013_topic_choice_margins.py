"""the "about" topic check keeps its yes-no margin

Revision ID: 0013_topic_choice_margins
Revises: 0012_topic_choices
Create Date: 2026-12-05 15:30:00

The "about" check now files by its margin against a cut that slides with the story's
score (`[stories] topic_check_slope`), so it keeps the margin, not a yes or no taken at
one cut: a changed threshold or cut reuses the answer instead of asking again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_topic_choice_margins"
down_revision = "0012_topic_choices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("topic_choices") as batch:
        batch.add_column(sa.Column("margin", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("topic_choices") as batch:
        batch.drop_column("margin")
