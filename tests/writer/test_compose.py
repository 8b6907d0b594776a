"""The attempt logic around the model: repair, rewrite with feedback, best draft.

A scripted backend stands in for the model here; the same logic runs on the real
models in test_stage.py and test_openai.py.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from columnist import config
from columnist.errors import ModelError
from columnist.writer.compose import Call, StoryInput, Writer
from columnist.writer.openings import RecentOpenings
from columnist.writer.prompts import environment
from columnist.writer.text import word_count
from tests.writer.kit import CATS, ScriptedBackend

P1 = (
    "A library for Eidfjord is a modest and sensible thing to build, and I am glad the "
    "council said yes. Books cost less than roads, and they last longer in the mind."
)
P2 = (
    "At 14 million kroner it is not cheap, but I would rather fund reading rooms than car "
    "parks. If it opens in 2027 as promised, I will be among the first through the door."
)
GOOD = f"{P1}\n\n{P2}"
STORY = StoryInput(
    headline=CATS.title,
    sources=[(s.outlet, s.title, s.text, None) for s in CATS.sources],
    topics=["cities"],
)


def settings(tmp_path: Path, attempts: int = 3, extra: str = "") -> config.Settings:
    text = f"[writer]\nwords = 70\nmax_attempts = {attempts}\n{extra}"
    return config.parse_settings(tomllib.loads(text), tmp_path / "columnist.toml")


def write(tmp_path: Path, replies: list, attempts: int = 3, extra: str = "", openings=None):
    backend = ScriptedBackend(replies)
    writer = Writer(settings(tmp_path, attempts, extra), backend, environment(), openings)
    calls: list[Call] = []
    return writer.write(STORY, calls), backend, calls


def test_a_good_first_reply_is_kept_after_one_call(tmp_path: Path) -> None:
    assert 53 <= word_count(GOOD) <= 87
    draft, backend, calls = write(tmp_path, [GOOD])
    assert draft.check.passed and draft.body == GOOD
    assert [(c.attempt, c.purpose, c.outcome) for c in calls] == [(1, "commentary", "ok")]
    assert draft.checks_dict()["first_draft"]["passed"] is True


def test_an_invented_fact_is_removed_by_the_second_pass(tmp_path: Path) -> None:
    reply = f"{P1} Councillor Per Olsen voted against it.\n\n{P2}"
    draft, backend, calls = write(tmp_path, [reply])
    assert len(calls) == 1 and draft.check.passed
    assert draft.body == GOOD
    checks = draft.checks_dict()
    assert checks["removed"] == ["Councillor Per Olsen voted against it."]
    assert checks["first_draft"]["unsupported"] == [
        {"kind": "name", "text": "Councillor Per Olsen"}
    ]


def test_a_failing_reply_is_rewritten_with_feedback(tmp_path: Path) -> None:
    draft, backend, calls = write(tmp_path, [P1, GOOD])
    assert draft.check.passed and draft.body == GOOD
    assert [(c.purpose, c.outcome) for c in calls] == [
        ("commentary", "rejected"),
        ("rewrite", "ok"),
    ]
    retry = backend.prompts[1][1]["content"]
    assert "It had 32 words: this time write between 52 and 87 words" in retry
    assert "Separate the paragraphs with a blank line." in retry
    assert backend.prompts[0][0] == backend.prompts[1][0], "same system prompt: cache reuse"
    assert retry.startswith(backend.prompts[0][1]["content"].split("Write your column")[0])


def test_after_n_tries_the_best_attempt_is_kept_with_its_problems(tmp_path: Path) -> None:
    invented = f"{P1} It cost 99 million kroner.\n\n{P2} Olsen's Library Trust paid."
    draft, backend, calls = write(tmp_path, [P1, P1 + " " + P2, P2])
    assert len(calls) == 3 and not draft.check.passed
    assert draft.body == P1 + " " + P2, "fewest problems wins"
    assert sum(c.outcome == "ok" for c in calls) == 1 and calls[1].outcome == "ok"
    draft, _, _ = write(tmp_path, [invented], attempts=1)
    assert draft.check.grounded, "the repaired text beats the one with invented facts"
    assert "99" not in draft.body and "Olsen" not in draft.body


def test_a_model_error_propagates_with_the_calls_so_far(tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        write(tmp_path, [P1, ModelError("writer.base_url x: HTTP 500")])
    backend = ScriptedBackend([P1, ModelError("writer.base_url x: HTTP 500")])
    calls: list[Call] = []
    with pytest.raises(ModelError):
        Writer(settings(tmp_path), backend, environment()).write(STORY, calls)
    assert [c.outcome for c in calls] == ["rejected", "error"]
    assert calls[1].error == "writer.base_url x: HTTP 500"


def test_a_repeated_opening_is_asked_again(tmp_path: Path) -> None:
    openings = RecentOpenings()
    openings.seed("cities", ["A library for Eidfjord is overdue, and here it is."])
    other = GOOD.replace("A library for Eidfjord is", "Eidfjord has chosen")
    draft, backend, calls = write(tmp_path, [GOOD, other], openings=openings)
    assert len(calls) == 2 and draft.body == other
    retry = backend.prompts[1][1]["content"]
    assert "Its opening will not do (opening repeats a recent post" in retry
    assert '"A library for Eidfjord is overdue, and here …"' in retry


def test_a_topic_persona_sets_voice_and_length(tmp_path: Path) -> None:
    extra = (
        '[[personas]]\nname = "librarian"\nvoice = "a retired librarian"\nwords = 200\n'
        '[[topics]]\nname = "Cities"\npersona = "librarian"\n'
    )
    draft, backend, _ = write(tmp_path, [GOOD], attempts=1, extra=extra)
    assert draft.persona == "librarian" and draft.words == 200
    assert "You are a retired librarian." in backend.prompts[0][0]["content"]
    assert "words, outside 150-250" in draft.check.problems[0]


def test_a_stock_lead_in_is_cut_without_asking_again(tmp_path: Path) -> None:
    reply = "As I reflect on the vote in Eidfjord, " + GOOD[0].lower() + GOOD[1:]
    draft, backend, calls = write(tmp_path, [reply])
    assert len(calls) == 1 and draft.check.passed and draft.body == GOOD
    assert draft.checks_dict()["removed"] == ["As I reflect on the vote in Eidfjord,"]


def test_an_outlet_named_in_the_commentary_is_supported(tmp_path: Path) -> None:
    reply = GOOD.replace("Books cost", "The Fjord Post is right: books cost")
    draft, _, calls = write(tmp_path, [reply])
    assert draft.check.grounded and len(calls) == 1
