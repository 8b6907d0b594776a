"""the editor's desk: users, audit log, post revisions, review state of posts

Revision ID: 0006_editors_desk
Revises: 0005_posts_heads_index
Create Date: 2026-12-03 15:40:00

Posts gain who last decided on them (approved, rejected, retracted), when and why, and
a version counter that every change raises, so that two editors saving the same post do
not overwrite each other. `users` are the people who may review (argon2 hashes),
`audit_log` what each did, `post_revisions` every text a post had. On SQLite the site
build's covering index also takes the two review columns the post pages show.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_editors_desk"
down_revision = "0005_posts_heads_index"
branch_labels = None
depends_on = None

HEADS = "ix_posts_heads"
OLD_COLUMNS = [
    "status",
    "id",
    "story_id",
    "slug",
    "title",
    "excerpt",
    "created",
    "updated",
    "model",
]
NEW_COLUMNS = [*OLD_COLUMNS, "reviewed_by", "reviewed_at"]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if _sqlite():
        op.drop_index(HEADS, table_name="posts")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("review_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    if _sqlite():
        op.create_index(HEADS, "posts", NEW_COLUMNS)
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("who", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_created", "audit_log", ["created"])
    op.create_table(
        "post_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("who", sa.String(length=100), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_post_revisions_post", "post_revisions", ["post_id"])


def downgrade() -> None:
    op.drop_index("ix_post_revisions_post", table_name="post_revisions")
    op.drop_table("post_revisions")
    op.drop_index("ix_audit_log_created", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("users")
    if _sqlite():
        op.drop_index(HEADS, table_name="posts")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("review_note")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")
    if _sqlite():
        op.create_index(HEADS, "posts", OLD_COLUMNS)
