"""A speaker's quoted words used as the writer's own, as an editor meets them: listed in
`posts --json`, marked in the admin with the quotation, never a reason asked for before
publishing, and found again after an edit (gone when the edit quotes them).
On a SQLite file; no model is loaded."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.testclient import TestClient

from columnist.admin.app import create_app
from columnist.commentary.borrowed import borrowed_words
from columnist.commentary.evalset import EvalSource, EvalStory
from columnist.review import actions
from columnist.review.users import acting_user, add_user
from columnist.store import posts as post_store
from columnist.store.db import open_engine, transaction
from columnist.store.seed import seed_store
from tests.conftest import columnist
from tests.review.kit import load, make_desk
from tests.review.test_admin import log_in

SOURCE = (
    "The index fell to 49.6 from 50.7 in October, the third month below 50. "
    '"It is a sign that the economy is idling rather than crashing," said Jonas Brandt, '
    "an economist at Nordbank."
)
LIFTED = "It is a sign that the economy is idling rather than crashing, and I hope it holds."
BODY = (
    "I think the index falling to 49.6 matters, and I say so as someone who reads these "
    f"figures every month.\n\n{LIFTED}"
)
QUOTED = BODY.replace(
    LIFTED, "Brandt calls it “a sign that the economy is idling rather than crashing”, and I agree."
)


def seed(tmp_path: Path):  # noqa: ANN201 - (settings, engine, post id)
    """A desk with one held post that lifts the economist's words, checked as the writer
    checks it, and an editor."""
    settings = load(make_desk(tmp_path))
    engine = open_engine(settings.database.url)
    sources = [EvalSource("PMI", SOURCE, "Wire"), EvalSource("Factories", SOURCE, "Daily")]
    (story_id,) = seed_store(engine, [EvalStory("Factory activity shrinks", sources, "housing")])
    borrowed = [b.as_dict() for b in borrowed_words(BODY, SOURCE)]
    assert len(borrowed) == 1
    with transaction(engine) as conn:
        post_id = post_store.insert_post(
            conn,
            post_store.NewPost(
                story_id=story_id,
                title="Factory activity shrinks",
                body=BODY,
                excerpt=BODY.split(".")[0] + ".",
                status="held",
                backend="embedded",
                model="test-model",
                prompt_version="p1",
                checks={"passed": True, "problems": [], "borrowed": borrowed},
                source_count=2,
            ),
        )
    add_user(engine, "bob", "editor", "long enough")
    return settings, engine, post_id


def test_posts_json_lists_it_the_admin_marks_it_and_it_is_published_freely(tmp_path: Path) -> None:
    settings, engine, post_id = seed(tmp_path)
    try:
        done = columnist("posts", "--json", "-c", str(settings.path))
        assert done.returncode == 0, done.stderr
        (post,) = [json.loads(line) for line in done.stdout.splitlines()]
        (found,) = post["checks"]["borrowed"]
        assert found["sentence"] == LIFTED and found["speaker"] == "Jonas Brandt"
        assert found["words"] == "It is a sign that the economy is idling rather than crashing"
        with TestClient(create_app(settings, engine)) as client:
            log_in(client)
            page = client.get(f"/posts/{post_id}").text
        actions.publish(engine, acting_user(engine, "bob"), actions.load(engine, post_id))
        assert actions.load(engine, post_id).status == "published", "no reason asked for"
    finally:
        engine.dispose()
    why = "words of Jonas Brandt&#39;s quotation used as the writer&#39;s own: “It is a sign"
    assert f'<mark title="{why}' in page and f"<mark>{LIFTED}</mark>" in page
    quotation = "<blockquote>“It is a sign that the economy is idling rather than crashing,”"
    assert quotation in page
    assert "<h2>What the checks found</h2>\n<p>No problem.</p>" in page, "not a problem"


def test_an_edit_finds_it_again_or_clears_it(
    tmp_path: Path,
) -> None:
    settings, engine, post_id = seed(tmp_path)
    try:
        bob = acting_user(engine, "bob")
        kept = actions.edit(engine, settings, bob, actions.load(engine, post_id), BODY + " ")
        assert [b["sentence"] for b in kept.borrowed] == [LIFTED]
        assert not any("idling" in p for p in kept.problems), "a flag, not a problem"
        actions.edit(engine, settings, bob, actions.load(engine, post_id), QUOTED)
        edited = actions.load(engine, post_id)
        assert edited.checks["borrowed"] == [] and edited.body == QUOTED
        actions.edit(engine, settings, bob, edited, BODY)
        lifted = actions.load(engine, post_id)
        assert len(lifted.checks["borrowed"]) == 1 and lifted.status == "held"
    finally:
        engine.dispose()


def test_review_show_and_list_tell_an_editor_in_the_terminal(tmp_path: Path) -> None:
    settings, engine, post_id = seed(tmp_path)
    engine.dispose()
    shown = columnist("review", "show", str(post_id), "-c", str(settings.path))
    assert shown.returncode == 0, shown.stderr
    head = shown.stdout.split(BODY.split("\n")[0])[0]  # what is said above the text
    assert "problems: none" in head
    assert "for the editor (holds nothing):" in head
    assert "words of Jonas Brandt's quotation used as the writer's own: “It is a sign" in head
    assert f"in: {LIFTED}" in head
    listed = columnist("review", "list", "--json", "-c", str(settings.path))
    assert listed.returncode == 0, listed.stderr
    (post,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [b["sentence"] for b in post["borrowed"]] == [LIFTED] and post["problems"] == []
