"""The write stage stores each new post with the status the review policy gives it:
a backend that always says the same thing (no model is loaded) writes the stories of
a real SQLite desk under each policy. Its summary counts held posts apart from drafts."""

from __future__ import annotations

from pathlib import Path

import pytest

from columnist.commentary.backends.base import Completion
from columnist.commentary.evalset import EvalSource, EvalStory
from columnist.commentary.stage import WriteReport, run_write
from columnist.store.db import open_engine
from columnist.store.review import get
from columnist.store.seed import seed_store
from tests.review.kit import SOURCE, load, make_desk

REPLY = "I think the council was right to vote for the homes near the harbour."


class SameReply:
    """A backend that gives the same reply to every call."""

    name = "embedded"
    model = "same-reply"
    concurrency = 1

    def complete(self, messages, *, max_tokens, temperature, seed=None, constraints=None):  # noqa: ANN001, ANN201
        return Completion(REPLY, 50, len(REPLY.split()), 0.01, "stop")

    def close(self) -> None:
        pass


@pytest.mark.parametrize(
    ("writer", "topic_review", "expected"),
    [
        ("", "", ["draft", "draft"]),  # auto: a failed check keeps a draft, as before
        ("strict = false\n", "", ["published", "published"]),
        ('review = "hold"\nstrict = false\n', "", ["held", "held"]),
        ('review = "hold-flagged"\nstrict = false\n', "", ["held", "held"]),
        ("strict = false\n", 'review = "hold"', ["held", "published"]),  # housing only
    ],
)
def test_new_posts_get_the_policys_status(
    tmp_path: Path, database_url: str, writer: str, topic_review: str, expected: list[str]
) -> None:
    url = database_url
    path = make_desk(tmp_path, url, writer)
    if topic_review:
        text = path.read_text().replace('name = "Housing"\n', f'name = "Housing"\n{topic_review}\n')
        path.write_text(text)
    settings = load(path)
    engine = open_engine(url)
    try:
        stories = [
            EvalStory(
                title,
                [EvalSource("Vote", SOURCE, "Wire"), EvalSource("Homes", SOURCE, "Daily")],
                topic,
            )
            for title, topic in (("Harbour homes", "housing"), ("Wind farm", "energy"))
        ]
        seed_store(engine, stories)
        report = run_write(engine, settings, backend=SameReply())
        assert report.stories == 2
        counts = tuple(expected.count(s) for s in ("published", "held", "draft"))
        assert (report.published, report.held, report.drafts) == counts
        with engine.connect() as conn:
            statuses = [get(conn, i).status for i in (1, 2)]
    finally:
        engine.dispose()
    assert statuses == expected


def test_the_summary_counts_held_posts_apart_from_drafts() -> None:
    report = WriteReport()
    for status in ["published"] * 3 + ["held"] * 2 + ["draft", None]:
        report.add([], status)
    assert (report.stories, report.failed) == (6, 1)
    assert report.summary(brief=True) == "write: 3 published, 2 held for review, 1 kept as draft"
    assert report.summary().startswith("write: 3 published, 2 held for review, 1 kept as draft in ")
    auto = WriteReport()
    for status in ("published", "draft", "draft"):
        auto.add([], status)
    assert auto.summary(brief=True) == "write: 1 published, 2 kept as drafts"  # nothing held
