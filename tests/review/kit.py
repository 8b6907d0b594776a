"""A desk with stories and posts already in its store (no model is loaded), shared by
the review tests."""

from __future__ import annotations

from pathlib import Path

from columnist import config
from columnist.config import Settings
from columnist.store import posts as post_store
from columnist.store.db import open_engine, transaction
from columnist.store.seed import seed_store
from columnist.writer.evalset import EvalSource, EvalStory

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


def make_desk(folder: Path, url: str, extra: str = "") -> Path:
    """columnist.toml for a desk on `url` with the topics "housing" and "energy"."""
    path = folder / "columnist.toml"
    path.write_text(
        '[site]\ntitle = "Review Desk"\nbase_url = "https://example.org/"\noutput = "site"\n'
        f'[database]\nurl = "{url}"\n[writer]\nwords = 60\n{extra}'
        '[[topics]]\nname = "Housing"\n[[topics]]\nname = "Energy"\n'
    )
    return path


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
