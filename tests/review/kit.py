"""A desk with stories and posts already in its store (no model is loaded), shared by
the review tests; its columnist.toml is written by the test kit's `desk()`."""

from __future__ import annotations

from pathlib import Path

from columnist import config
from columnist.commentary.evalset import EvalSource, EvalStory
from columnist.config import Settings
from columnist.review.users import add_user
from columnist.store import posts as post_store
from columnist.store.db import Engine, open_engine, transaction
from columnist.store.seed import seed_store
from tests.conftest import desk

PASSWORD = "long enough"  # every seeded user's

SOURCE = (
    "The city council voted 7 to 2 on Tuesday to build 400 new homes near the harbour. "
    "Mayor Jane Porter said the first homes would be ready in 2027."
)
BODY = (
    "I think the council was right to vote for the homes near the harbour, and I say so "
    "as someone who has watched this city argue about housing for a long time.\n\n"
    "The mayor says the first homes will be ready in 2027, and I hope she is right, "
    "because families have waited long enough for a place they can afford."
)

# What a scripted writer answers when a post is written again: a plan, then paragraphs.
PLAN = (  # as the embedded backend returns it: without its lead "View: I"
    " think the harbour homes are the right call for the city.\n"
    "Point: The council voted 7 to 2 on Tuesday to build 400 new homes.\n"
    "Point: Mayor Jane Porter said the first homes would be ready in 2027.\n"
    "Other side: Some will say 400 homes near the harbour are too few."
)
PARAGRAPH = (
    "I think a vote of 7 to 2 shows a council that knows what families need, and I am "
    "glad that 400 new homes will rise near the harbour instead of another car park."
)

SITE = '[site]\ntitle = "Review Desk"\nbase_url = "https://example.org/"\noutput = "site"\n'


def make_desk(
    folder: Path,
    url: str | None = None,
    extra: str = "",
    housing: str = "",
    *,
    writer: str | None = None,
) -> Path:
    """columnist.toml (written by the test kit's `desk()`) for a desk on `url` (default:
    columnist.db in `folder`) with the topics "housing" (its own keys `housing`) and
    "energy"; `extra` goes into [writer] after `words = 60`, or `writer` replaces that
    table whole (e.g. `small_writer()`)."""
    topics = f'[[topics]]\nname = "Housing"\n{housing}\n[[topics]]\nname = "Energy"\n'
    writer = writer if writer is not None else f"[writer]\nwords = 60\n{extra}"
    return desk(folder, SITE, writer, topics, database=url)


def seeded_desk(
    folder: Path,
    url: str | None,
    statuses: list[str],
    users: dict[str, str] | None = None,
    writer: str | None = None,
) -> tuple[Settings, Engine, list[int]]:
    """make_desk's desk with one post per status (seed_posts) and `users` (name: role,
    password "long enough"); the caller disposes of the engine."""
    settings = load(make_desk(folder, url, writer=writer))
    ids = seed_posts(settings, statuses)
    engine = open_engine(settings.database.url)
    for name, role in (users or {}).items():
        add_user(engine, name, role, PASSWORD)
    return settings, engine, ids


def seed_posts(settings: Settings, statuses: list[str], topic: str = "housing") -> list[int]:
    """One story (two outlets) and post per status, oldest first; returns the post ids.
    A draft fails a check, the others pass them all."""
    engine = open_engine(settings.database.url)
    stories = [
        EvalStory(
            f"Council votes for harbour homes {i}",
            [EvalSource("Council vote", SOURCE, "Wire"), EvalSource("Homes", SOURCE, "Daily")],
            topic,
        )
        for i in range(len(statuses))
    ]
    ids = []
    for story_id, status in zip(seed_store(engine, stories), statuses, strict=True):
        with transaction(engine) as conn:
            ids.append(
                post_store.insert_post(
                    conn,
                    post_store.NewPost(
                        story_id=story_id,
                        title=f"Council votes for harbour homes {story_id}",
                        body=BODY,
                        excerpt=BODY.split(".")[0] + ".",
                        status=status,
                        backend="embedded",
                        model="test-model",
                        prompt_version="p1",
                        checks={
                            "passed": status != "draft",
                            "problems": ["12 words, outside 45-75"] if status == "draft" else [],
                        },
                        source_count=2,
                    ),
                )
            )
    engine.dispose()
    return ids


def load(path: Path) -> Settings:
    return config.load(path)
