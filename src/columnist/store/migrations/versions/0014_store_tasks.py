"""work left for a stage: stories filed before the mid-page fix are filed again

Revision ID: 0014_store_tasks
Revises: 0013_topic_choice_margins
Create Date: 2026-12-07 15:30:00

Before 35eceb9, `assign` filed a story that aged out in the middle of a page of entries
(and stored its centroid) from a row of the story index that a newer story had zeroed or
taken: on a first run over a feed's backlog, or any page spanning more than `window_days`,
stories carried another story's topics. Repairing that needs the embedder, which a
migration does not load, so an existing store with stories gets a "refile" task that the
next `assign` or `write` does (`columnist topics refile --days 0` does it too).
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0014_store_tasks"
down_revision = "0013_topic_choice_margins"
branch_labels = None
depends_on = None

REFILE_REASON = "stories filed before the mid-page fix (35eceb9) may carry another story's topics"


def upgrade() -> None:
    tasks = op.create_table(
        "store_tasks",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    stories = op.get_bind().execute(sa.text("SELECT count(*) FROM stories")).scalar()
    if stories:
        now = datetime.now(UTC).replace(tzinfo=None)
        op.bulk_insert(tasks, [{"name": "refile", "reason": REFILE_REASON, "created": now}])


def downgrade() -> None:
    op.drop_table("store_tasks")
