"""Tables of the store (SQLAlchemy Core, portable between SQLite and PostgreSQL).

The Alembic migrations in `migrations/versions` create exactly these tables; a change
here needs a new migration (`alembic revision --autogenerate` against a scratch DB).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in Python, naive UTC in the database (SQLite has no zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


metadata = MetaData()

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(300), nullable=False, unique=True),
    Column("url", Text, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_fetch", UTCDateTime),
    Column("last_success", UTCDateTime),
    Column("failures", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("next_due", UTCDateTime),
    Column("interval_s", Integer),
    Column("created", UTCDateTime, nullable=False),
    # 0003_source_config_url: the URL the config gave; `url` may differ after a
    # permanent redirect
    Column("config_url", Text),
)

stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
    Column("entry_count", Integer, nullable=False, default=0),
    Column("centroid", LargeBinary),  # float32 sum of member embeddings
    Column("claim_owner", String(200)),  # the writer working on it (see store/claims.py)
    Column("claim_expires", UTCDateTime),
    Column("created", UTCDateTime, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
)
Index("ix_stories_last_seen", stories.c.last_seen)

entries = Table(
    "entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("dedupe_key", String(600), nullable=False, unique=True),
    Column("guid", Text),
    Column("link", Text),
    Column("content_hash", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("summary_html", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("author", Text),
    Column("published", UTCDateTime, nullable=False),
    Column("fetched", UTCDateTime, nullable=False),
    Column("embedding", LargeBinary),
    Column("story_id", Integer, ForeignKey("stories.id")),
)
Index("ix_entries_link", entries.c.link)
Index("ix_entries_content_hash", entries.c.content_hash)
Index("ix_entries_story_id", entries.c.story_id)
Index("ix_entries_published", entries.c.published)

story_topics = Table(
    "story_topics",
    metadata,
    Column("story_id", Integer, ForeignKey("stories.id"), primary_key=True),
    Column("topic", String(200), primary_key=True),  # topic slug
    Column("score", Float, nullable=False),
    Column("rule", String(20), nullable=False),  # "similarity" | "keyword"
)

posts = Table(
    "posts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id"), nullable=False, unique=True),
    Column("slug", String(200), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("excerpt", Text, nullable=False),
    # "published" | "draft" (failed a check) | "held" (for a person, by `review`) |
    # "rejected" | "retracted"
    Column("status", String(20), nullable=False),
    Column("backend", String(40), nullable=False),
    Column("model", String(300), nullable=False),
    Column("prompt_version", String(40), nullable=False),
    Column("checks", Text, nullable=False, default="{}"),  # JSON
    Column("source_count", Integer, nullable=False, default=0),
    Column("created", UTCDateTime, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
    # 0006_editors_desk: the person who last decided on the post (approved, rejected,
    # retracted), when, and why; `version` goes up with every change, so two editors
    # saving the same post find out (store/review.py)
    Column("reviewed_by", String(100)),
    Column("reviewed_at", UTCDateTime),
    Column("review_note", Text),
    Column("version", Integer, nullable=False, default=1, server_default="1"),
)
Index("ix_posts_created", posts.c.created)
# On SQLite migration 0005 also adds ix_posts_heads, a covering index for the site
# build's list of published posts; it is left out of this metadata because PostgreSQL
# does not get it (see that migration).

model_calls = Table(
    "model_calls",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id")),
    Column("backend", String(40), nullable=False),
    Column("model", String(300), nullable=False),
    Column("prompt_version", String(40), nullable=False),
    Column("purpose", String(40), nullable=False),
    Column("tokens_in", Integer),
    Column("tokens_out", Integer),
    Column("seconds", Float, nullable=False),
    Column("outcome", String(20), nullable=False),  # "ok" | "error" | "rejected"
    Column("error", Text),
    Column("created", UTCDateTime, nullable=False),
    # 0002_writer_calls: what `columnist log` shows beside the figures
    Column("persona", String(100)),
    Column("attempt", Integer),
    Column("response", Text),  # the raw reply
    Column("problems", Text),  # JSON list: what the checks found in the reply
)
Index("ix_model_calls_created", model_calls.c.created)

# 0006_editors_desk: the people of the desk, what they did, and every text a post had.
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", String(20), nullable=False),  # "editor" | "admin"
    Column("password_hash", Text, nullable=False),  # argon2id, PHC string
    Column("created", UTCDateTime, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("who", String(100), nullable=False),  # a user's name (kept if the user goes)
    Column("action", String(40), nullable=False),
    Column("post_id", Integer, ForeignKey("posts.id")),
    Column("detail", Text, nullable=False, default=""),
    Column("created", UTCDateTime, nullable=False),
)
Index("ix_audit_log_created", audit_log.c.created)

post_revisions = Table(
    "post_revisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("post_id", Integer, ForeignKey("posts.id"), nullable=False),
    Column("version", Integer, nullable=False),  # the post's version this text was
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("who", String(100)),  # None: the writer
    Column("kind", String(20), nullable=False),  # "written" | "edit"
    Column("reason", Text),
    Column("created", UTCDateTime, nullable=False),
)
Index("ix_post_revisions_post", post_revisions.c.post_id)

# 0007_pending_rewrites: the latest text the writer offered for a published post whose
# story grew, while the review policy holds it. The published text stays up; "held" or
# "draft" waits for a person (publishing it replaces the published text, rejecting it
# keeps the old one), "declined" was rejected. The row's source_count is what the writer
# has seen of the story, so it writes again only when the story grows further.
pending_rewrites = Table(
    "pending_rewrites",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id"), primary_key=True),
    Column("status", String(20), nullable=False),  # "held" | "draft" | "declined"
    Column("body", Text, nullable=False),
    Column("excerpt", Text, nullable=False),
    Column("backend", String(40), nullable=False),
    Column("model", String(300), nullable=False),
    Column("prompt_version", String(40), nullable=False),
    Column("checks", Text, nullable=False, default="{}"),  # JSON
    Column("source_count", Integer, nullable=False),
    Column("created", UTCDateTime, nullable=False),
)

# 0008_admin_state: what every admin process on the desk must see alike. Times are
# seconds since the epoch (Float), as the session cookie counts them.
login_failures = Table(  # one row per failed login, counted by the throttle
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),  # the name tried (need not exist)
    Column("address", String(100), nullable=False),
    Column("at", Float, nullable=False),
)
Index("ix_login_failures_who", login_failures.c.name, login_failures.c.address)

session_ends = Table(  # a user's sessions begun before `ended` are over
    "session_ends",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("ended", Float, nullable=False),
)

admin_keys = Table(  # secrets the admin processes share ("session": the cookie key)
    "admin_keys",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", Text, nullable=False),  # hex
    Column("created", UTCDateTime, nullable=False),
)

# 0009_images: the picture an entry offers, fetched and checked at ingest (one per
# entry). The site shows the best of a story's (store/published.py). `data` is a
# resized JPEG copy, kept only when the site copies images; `digest` names it.
entry_images = Table(
    "entry_images",
    metadata,
    Column("entry_id", Integer, ForeignKey("entries.id"), primary_key=True),
    Column("url", Text, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("format", String(10), nullable=False),
    Column("alt", Text),  # the publisher's alt text, if any
    Column("credit", Text),  # the feed's media:credit, if any
    Column("data", LargeBinary),
    Column("digest", String(64)),
    Column("fetched", UTCDateTime, nullable=False),
)

# 0010_digests: each sending of a newsletter digest issue (`columnist digest --send`).
digests = Table(
    "digests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("issue", String(20), nullable=False),  # ISO year-week of the period's end, "2026-48"
    Column("topic", String(200), nullable=False, default=""),  # "" for every topic
    Column("posts", Integer, nullable=False),
    Column("recipients", Integer, nullable=False),
    Column("sent", UTCDateTime, nullable=False),
    Index("ix_digests_issue", "issue", "topic"),
)

# 0011_deliveries: what the announce stage told webhooks and social accounts. A row is
# one event of one post for one target (`target`: "webhook URL", "mastodon INSTANCE
# TOKEN_ENV", "bluesky HANDLE SERVICE"), written as an intent ("pending") before the
# first try, so a crash never sends it twice blindly: `key` is the X-Columnist-Delivery
# id, Mastodon's Idempotency-Key and the Bluesky record key. `post_updated` is the text
# announced (an "updated" event follows a newer one). "skipped": a receiver did not ask
# for the event, or the post was too old when the target first saw it.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("target", String(500), nullable=False),
    Column("kind", String(20), nullable=False),  # "webhook" | "mastodon" | "bluesky"
    Column("post_id", Integer, ForeignKey("posts.id"), nullable=False),
    Column("event", String(20), nullable=False),  # "published" | "updated" | "retracted"
    Column("post_updated", UTCDateTime, nullable=False),
    Column("key", String(64), nullable=False, unique=True),
    # "pending" | "sent" | "failed" (tried again by later runs) | "gave_up" | "skipped"
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("remote", Text),  # what the service answered: a status URL, an at:// URI
    Column("error", Text),
    Column("created", UTCDateTime, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
)
Index("ix_deliveries_target_post", deliveries.c.target, deliveries.c.post_id)
Index("ix_deliveries_status", deliveries.c.status)

delivery_attempts = Table(  # every request made for a delivery (`columnist log --webhooks`)
    "delivery_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("delivery_id", Integer, ForeignKey("deliveries.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("seconds", Float, nullable=False),
    Column("status_code", Integer),  # the last HTTP status seen, if any
    Column("outcome", String(20), nullable=False),  # "ok" | "error"
    Column("error", Text),
)
Index("ix_delivery_attempts_delivery", delivery_attempts.c.delivery_id)

# 0012_topic_choices: the writing model's answers to the topic check
# ([stories] topic_check_band), kept so a story touched again after a restart is not
# asked again (0.5 s a question on two cores). `key` is a hash of the question: the
# model, the desk's menu of topics and the story's headline; a changed menu or model asks
# anew. `slug` is the topic picked, NULL for "none of these".
# 0013_topic_choice_margins: the "about" check's answer is `margin`, log P(yes) - log P(no)
# (its key: the model, the topic's prompt and the headline); `slug` is then NULL.
topic_choices = Table(
    "topic_choices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("slug", String(200)),
    Column("created", UTCDateTime, nullable=False),
    Column("margin", Float),
)

# 0014_store_tasks: work a migration leaves for a stage to do, because it needs the models
# a migration does not load. "refile": the stories a store filed before the fix in 35eceb9
# (a story that aged out mid-page was filed, and its centroid stored, from another story's
# row) are filed again, their centroids taken from their entries, by the next `assign`.
store_tasks = Table(
    "store_tasks",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("created", UTCDateTime, nullable=False),
)
