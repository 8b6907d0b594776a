"""The review policy: parsed from [writer] and [[topics]] with errors naming the key,
and the status it gives a new post."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from columnist.commentary.checks import CheckResult
from columnist.commentary.compose import Draft
from columnist.commentary.plan import Plan
from columnist.config import ConfigError
from columnist.records import StoryInput
from columnist.review.policy import policy_for, post_status
from tests.review.kit import load, make_desk

TWO_OUTLETS = [("Wire", "t", "x", None), ("Daily", "t", "x", None)]


def draft(
    problems: list[str] | None = None,
    unverified: list[dict] | None = None,
    borrowed: list[dict] | None = None,
) -> Draft:
    return Draft(
        body="I think so.",
        check=CheckResult(problems=problems or []),
        calls=[],
        plan=Plan.fallback("Headline"),
        persona="columnist",
        prompt_version="p",
        words=60,
        source_instructions=[],
        unverified=unverified or [],
        borrowed=borrowed or [],
    )


def story(topics: list[str], sources=TWO_OUTLETS) -> StoryInput:  # noqa: ANN001
    return StoryInput(headline="Headline", sources=list(sources), topics=topics)


def test_default_is_auto_and_topics_override(tmp_path: Path) -> None:
    settings = load(make_desk(tmp_path, None, 'review = "hold-flagged"', 'review = "hold"'))
    assert settings.writer.review == "hold-flagged"
    assert [t.review for t in settings.topics] == ["hold", None]
    assert policy_for(settings, ["energy"]) == "hold-flagged"  # the desk's
    assert policy_for(settings, ["housing"]) == "hold"
    assert policy_for(settings, ["energy", "housing"]) == "hold"  # the strictest
    assert policy_for(settings, []) == "hold-flagged"
    lax = load(make_desk(tmp_path, None, 'review = "hold"', 'review = "auto"'))
    assert policy_for(lax, ["housing"]) == "auto"  # a topic may be laxer than the desk
    assert load(make_desk(tmp_path)).writer.review == "auto"


@pytest.mark.parametrize(
    ("writer", "topic", "key"),
    [('review = "maybe"', "", "writer.review"), ("", "review = 1", "topics[0].review")],
)
def test_bad_values_name_the_key(tmp_path: Path, writer: str, topic: str, key: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(f"`{key}` must be")):
        load(make_desk(tmp_path, None, writer, topic))


def test_status_of_a_new_post(tmp_path: Path) -> None:
    auto = load(make_desk(tmp_path))
    assert post_status(auto, story(["housing"]), draft()) == "published"
    assert post_status(auto, story(["housing"]), draft(["too short"])) == "draft"
    # one outlet or a verifier flag does not hold a post under "auto"
    single = story(["housing"], [("Wire", "t", "x", None), ("Wire", "u", "y", None)])
    assert post_status(auto, single, draft(unverified=[{"sentence": "s"}])) == "published"

    held = load(make_desk(tmp_path, None, 'review = "hold"'))
    assert post_status(held, story(["housing"]), draft()) == "held"
    assert post_status(held, story(["housing"]), draft(["too short"])) == "held"

    flagged = load(make_desk(tmp_path, None, 'review = "hold-flagged"'))
    assert post_status(flagged, story(["housing"]), draft()) == "published"
    assert post_status(flagged, story(["housing"]), draft(["too short"])) == "held"
    assert post_status(flagged, story(["housing"]), draft(unverified=[{"s": 1}])) == "held"
    assert post_status(flagged, single, draft()) == "held"

    by_topic = load(make_desk(tmp_path, None, "", 'review = "hold"'))
    assert post_status(by_topic, story(["housing"]), draft()) == "held"
    assert post_status(by_topic, story(["energy"]), draft()) == "published"


def test_a_speakers_words_as_the_writers_own_hold_no_post(tmp_path: Path) -> None:
    """Listed for an editor, never a reason to hold: under every policy but "hold" such a
    post goes out as it would without them, and a real flag still holds it."""
    lifted = [{"sentence": "It is idling.", "words": "the economy is idling rather"}]
    for policy, plain in (("auto", "published"), ("hold-flagged", "published"), ("hold", "held")):
        settings = load(make_desk(tmp_path, None, f'review = "{policy}"'))
        assert post_status(settings, story(["housing"]), draft(borrowed=lifted)) == plain, policy
    flagged = load(make_desk(tmp_path, None, 'review = "hold-flagged"'))
    both = draft(unverified=[{"sentence": "s"}], borrowed=lifted)
    assert post_status(flagged, story(["housing"]), both) == "held"
    assert draft(borrowed=lifted).checks_dict()["borrowed"] == lifted


def test_admin_listens_on_loopback_unless_the_desk_says_otherwise(tmp_path: Path) -> None:
    path = make_desk(tmp_path)
    assert (load(path).admin.bind, load(path).admin.port) == ("127.0.0.1", 8001)
    path.write_text(path.read_text() + '[admin]\nbind = "0.0.0.0"\nport = 9000\n')
    assert (load(path).admin.bind, load(path).admin.port) == ("0.0.0.0", 9000)
    path.write_text(path.read_text().replace("port = 9000", "port = 70000"))
    with pytest.raises(ConfigError, match=re.escape("`admin.port` must be at most 65535")):
        load(path)
