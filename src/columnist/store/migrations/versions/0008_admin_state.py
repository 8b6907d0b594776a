"""the admin's shared state: failed logins, ended sessions, the cookie signing key

Revision ID: 0008_admin_state
Revises: 0007_pending_rewrites
Create Date: 2026-12-04 09:00:00

What one admin process kept in memory, in the store, so that every admin process on
the desk (several `columnist admin`, or uvicorn workers) sees the same: the failed
logins the throttle counts (per name and address), when each user's sessions were
last ended (logout, a new password, a removal), and the key session cookies are
signed with, so a cookie one process made is good in another. Times are seconds since
the epoch, as the session cookie counts them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_admin_state"
down_revision = "0007_pending_rewrites"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=100), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_failures_who", "login_failures", ["name", "address"])
    op.create_table(
        "session_ends",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("ended", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "admin_keys",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("admin_keys")
    op.drop_table("session_ends")
    op.drop_index("ix_login_failures_who", table_name="login_failures")
    op.drop_table("login_failures")
