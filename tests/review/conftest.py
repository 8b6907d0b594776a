"""Fixtures of the review tests: `grown`, a published post whose story grew, under each
policy that holds new text, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from columnist.commentary.evalset import EvalSource, EvalStory
from columnist.commentary.stage import run_write
from columnist.review import actions
from columnist.review.users import acting_user, add_user
from columnist.store.db import open_engine
from columnist.store.seed import seed_store
from tests.conftest import desk
from tests.review.growth import TOPICS, grow, queue_of, writing
from tests.review.kit import PARAGRAPH, PASSWORD, SITE, SOURCE, load


@pytest.fixture(params=["hold", "hold-flagged"])
def grown(request: pytest.FixtureRequest, tmp_path: Path, database_url: str):  # noqa: ANN201
    """A desk whose one story was written, published by bob, then grew by a source; on
    a SQLite file and on PostgreSQL."""
    writer = f'[writer]\nwords = 60\nstrict = false\nreview = "{request.param}"\n'
    path = desk(tmp_path, SITE, writer, TOPICS, stories={"rewrite_on_growth": True},
                database=database_url)  # fmt: skip
    settings = load(path)
    engine = open_engine(settings.database.url)
    add_user(engine, "bob", "editor", PASSWORD)
    sources = [EvalSource("Vote", SOURCE, "Wire")]  # one outlet: hold-flagged holds it too
    (story_id,) = seed_store(engine, [EvalStory("Council votes for harbour homes", sources,
                                                 "housing")])  # fmt: skip
    run_write(engine, settings, backend=writing(PARAGRAPH))
    bob = acting_user(engine, "bob")
    (post,) = [p for p in queue_of(engine)]
    assert post.status == "held"
    actions.publish(engine, bob, post, "Checked against the wire copy.")
    published = actions.load(engine, post.id)
    assert published.status == "published"
    grow(engine, story_id)
    yield settings, engine, published
    engine.dispose()
