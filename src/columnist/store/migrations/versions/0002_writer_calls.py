"""model call details for the writer's log

Revision ID: 0002_writer_calls
Revises: 0001
Create Date: 2026-11-26 10:00:00

Each model call also records the persona, the attempt number, the raw reply and the
problems the checks found in it, so `columnist log` can show why a draft was rejected
(as simonw/llm keeps prompts and responses). The index serves "latest calls first".
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_writer_calls"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("model_calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("persona", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("attempt", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("response", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("problems", sa.Text(), nullable=True))
        batch_op.create_index("ix_model_calls_created", ["created"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("model_calls", schema=None) as batch_op:
        batch_op.drop_index("ix_model_calls_created")
        batch_op.drop_column("problems")
        batch_op.drop_column("response")
        batch_op.drop_column("attempt")
        batch_op.drop_column("persona")
