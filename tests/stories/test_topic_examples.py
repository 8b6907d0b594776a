"""Examples, counter-examples and the short-text rule of topic filing.

The rules with a fake embedding whose similarities are set by hand, then the short-text
rule through the real `assign` stage on a SQLite desk with the real model.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from columnist.config import StorySettings, TopicSettings
from columnist.store import stories as story_store
from columnist.stories.stage import run_assign
from columnist.stories.topics import (
    MIN_WORDS,
    TEXT_LONG,
    TEXT_SHORT,
    TopicAssigner,
    too_short,
    topic_views,
    word_count,
)
from tests.stories.conftest import add_entries

# Dimension 0: Sport's views; 1: Weather's views; 2: Sport's examples; 3: its counter-examples.
DIM = 6


def fake_embed(texts: list[str]) -> np.ndarray:
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for i, text in enumerate(texts):
        if text.startswith("Sport"):
            out[i, 0] = 1.0
        elif text.startswith("Weather"):
            out[i, 1] = 1.0
        elif text.startswith("YES"):
            out[i, 2] = 1.0
        elif text.startswith("NO"):
            out[i, 3] = 1.0
    return out


def story(view: float, example: float = 0.0, counter: float = 0.0, weather: float = 0.0):
    v = np.zeros(DIM, dtype=np.float32)
    v[[0, 1, 2, 3]] = view, weather, example, counter
    return v


def assigner(examples=(), counter=(), keywords=(), **stories) -> TopicAssigner:
    topics = [
        TopicSettings(
            "Sport",
            "sport",
            "Games",
            keywords=list(keywords),
            examples=list(examples),
            counter_examples=list(counter),
        ),
        TopicSettings("Weather", "weather", "Forecasts"),
    ]
    settings = replace(StorySettings(), topic_threshold=0.3, **stories)
    return TopicAssigner(topics, settings, fake_embed)


LONG = "a story told in well over eight words of text, about a match"


def decided(a: TopicAssigner, vector: np.ndarray, text: str = LONG) -> dict:
    hits = a.text_hits(text)
    decisions = a.decide(vector, hits)
    fast = {m.slug: m for m in a.assign(vector, hits)}
    assert set(fast) == {d.slug for d in decisions if d.filed}  # fast path == explained
    for d in decisions:
        if d.filed:
            assert fast[d.slug].score == pytest.approx(d.score)
    return {d.slug: d for d in decisions}


def test_an_untuned_topic_scores_its_views_alone() -> None:
    a = assigner()
    got = decided(a, story(0.35, example=0.9, counter=0.9))
    assert got["sport"].score == pytest.approx(0.35) and got["sport"].filed


def test_nearer_an_example_than_a_counter_example_raises_the_score() -> None:
    a = assigner(examples=["YES a match report"], counter=["NO a chess final"])
    near_yes = decided(a, story(0.25, example=0.6, counter=0.2))["sport"]
    assert near_yes.score == pytest.approx(0.25 + 0.5 * (0.6 - 0.2))
    assert near_yes.filed and near_yes.rule == "similarity"
    assert near_yes.example == "YES a match report"
    assert near_yes.counter_example == "NO a chess final"
    assert "nearest example 0.600" in near_yes.reason
    near_no = decided(a, story(0.40, example=0.1, counter=0.7))["sport"]
    assert near_no.score == pytest.approx(0.40 + 0.5 * (0.1 - 0.7))
    assert not near_no.filed and near_no.rule == "threshold"


def test_example_weight_sets_how_far_examples_move_the_score() -> None:
    a = assigner(examples=["YES x"], counter=["NO y"], example_weight=0.0)
    assert decided(a, story(0.25, example=0.9))["sport"].score == pytest.approx(0.25)
    b = assigner(examples=["YES x"], counter=["NO y"], example_weight=1.0)
    assert decided(b, story(0.25, example=0.5, counter=0.1))["sport"].score == pytest.approx(0.65)


def test_one_sided_examples_compare_with_the_views() -> None:
    """Only examples: the views stand in for the missing counter-examples, and the other
    way round, so a topic with one kind of answer still moves both ways."""
    only_yes = assigner(examples=["YES x"])
    assert decided(only_yes, story(0.2, example=0.6))["sport"].score == pytest.approx(0.4)
    assert decided(only_yes, story(0.4, example=0.0))["sport"].score == pytest.approx(0.2)
    only_no = assigner(counter=["NO y"])
    assert decided(only_no, story(0.4, counter=0.8))["sport"].score == pytest.approx(0.2)


def test_a_text_of_fewer_than_eight_words_is_never_filed_by_similarity() -> None:
    a = assigner(keywords=["derby"])
    for text in ("Here's the latest.", "Rachel Reeves", "Super 6", ""):
        assert word_count(text) < MIN_WORDS
        got = decided(a, story(0.9), text)["sport"]
        assert not got.filed and got.rule == "short", text
        assert f"fewer than {MIN_WORDS} words" in got.reason
    # ... but a keyword still files it
    got = decided(a, story(0.0), "Derby tonight")["sport"]
    assert got.filed and got.rule == "keyword"
    # eight words are enough
    eight = "one two three four five six seven eight"
    assert word_count(eight) == 8 and decided(a, story(0.9), eight)["sport"].filed


def test_a_story_is_judged_when_any_of_its_entries_has_enough_text() -> None:
    a = assigner()
    short, long = a.text_hits("Super 6"), a.text_hits(LONG)
    assert TEXT_SHORT in short and TEXT_LONG in long
    assert too_short(short) and not too_short(short | long)
    assert not too_short(set())  # hits from phrases alone: nothing known about length
    assert a.assign(story(0.9), short) == []
    assert [m.slug for m in a.assign(story(0.9), short | long)] == ["sport"]


def test_fast_path_agrees_with_decide_with_examples_and_short_texts() -> None:
    a = assigner(examples=["YES x", "YES z"], counter=["NO y"], keywords=["derby"])
    rng = np.random.default_rng(7)
    texts = [LONG, "Super 6", "derby", "the derby " + LONG, ""]
    for _ in range(300):
        decided(a, rng.uniform(-0.1, 0.8, DIM).astype(np.float32), str(rng.choice(texts)))


def test_descriptions_without_a_colon_and_lists_of_kinds_give_views() -> None:
    east = TopicSettings("Middle East", "middle-east", "Israel, Gaza and the Palestinians, Iran.")
    assert {"Middle East: Iran", "Middle East: Gaza", "Middle East: Israel"} <= set(
        topic_views(east)
    )
    sport = TopicSettings("Sport", "sport", "Sport news: football, boxing, golf and tennis.")
    assert {"Sport: football", "Sport: golf", "Sport: tennis"} <= set(topic_views(sport))
    vague = TopicSettings("Economy", "economy", "The economy: the central bank, jobs, prices.")
    assert "Economy: jobs" not in topic_views(vague)  # one word among longer clauses


def test_short_entries_are_not_filed_by_similarity_on_a_real_desk(desk, embedder) -> None:
    """Through `assign` with the real model: an author page titled with a name and a
    "Here's the latest." item stay unfiled even under a threshold that files anything,
    while the same short text with a keyword is filed, and a long entry is filed."""
    settings, engine = desk
    settings.stories.topic_threshold = -1.0  # any similarity would do
    start = datetime(2026, 5, 1, 8, tzinfo=UTC)
    items = [
        ("Rachel Reeves", "", start, 0),
        ("Here's the latest.", "", start + timedelta(days=5), 1),
        ("Ransomware update", "", start + timedelta(days=10), 2),  # Cybersecurity keyword
        (
            "Arsenal beat Chelsea two-nil in the London derby on Sunday",
            "Goals either side of half-time settled the match at the Emirates.",
            start + timedelta(days=15),
            0,
        ),
    ]
    add_entries(engine, settings, items)
    run_assign(engine, settings, embedder=embedder)
    with engine.connect() as conn:
        filed = {}
        for sid in range(1, story_store.count(conn) + 1):
            record = story_store.get(conn, sid)
            filed[record.title] = story_store.filed_topics(conn, sid)
    assert filed["Rachel Reeves"] == [] and filed["Here's the latest."] == []
    assert [(slug, rule) for slug, _, rule in filed["Ransomware update"]] == [
        ("cybersecurity", "keyword")
    ]
    assert ("football", "similarity") in [(s, rule) for s, _, rule in filed[items[3][0]]]
