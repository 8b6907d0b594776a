"""Composing a column: a plan, then one call per paragraph, each asked again until it passes.

A scripted backend stands in for the model here. Like the embedded backend, it returns
a reply without the text it was begun with (the plan's "View: I", the opening's frame);
the same logic runs on the real models in test_stage.py and test_openai.py.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from columnist import config
from columnist.commentary import compose
from columnist.commentary.checks import length_bounds
from columnist.commentary.compose import (
    ACTION_LEADS,
    CLOSING_LEADS,
    FRAMES,
    OWN_WORDS,
    POINT_LEADS,
    Call,
    Writer,
    blocking,
    choose_frame,
    frame_echo,
    jobs_for,
    lead_for,
    paragraph_ask,
    retry_feedback,
    sentence_starts,
    source_phrases,
)
from columnist.commentary.constraints import (
    VOICED_OPENERS,
    NgramBlock,
    Vocabulary,
    openers_used,
    renumbering_phrases,
    share_phrases,
    voiced_openers,
    words_of,
)
from columnist.commentary.openings import RecentOpenings
from columnist.commentary.plan import PLAN_LEAD, Plan
from columnist.commentary.prompts import environment, fence
from columnist.commentary.text import paragraphs, word_count
from columnist.errors import ModelError
from columnist.records import StoryInput
from tests.commentary.kit import CATS, ScriptedBackend

STORY = StoryInput(
    headline=CATS.title,
    sources=[(s.outlet, s.title, s.text, None) for s in CATS.sources],
    topics=["cities"],
)
FRAME = choose_frame(STORY.headline, [])
OLSEN = "Councillor Per Olsen gave his own money."
# The middle paragraphs take two unused source sentences each: a longer story keeps some
# for the closing.
MORE_NEWS = (
    "Kommune Avis",
    "Library plans",
    "The library will hold a reading room for children and a small cafe by the fjord. "
    "The council said the building would use timber from forests in the valley. "
    "Libraries in towns of this size usually open four days a week, the council said. "
    "Ferry passengers will be able to borrow books and return them in Bergen. "
    "A retired teacher has offered to run a weekly chess club in the reading room. "
    "The architects plan a roof of grass that keeps the building warm in winter. "
    "Fishermen's records from the harbour will be kept in a room of local history. "
    "School classes from the two nearest villages will visit the library every month.",
    None,
)
PLAN = (  # as the embedded backend returns it: without its lead "View: I"
    " think a library is worth what Eidfjord will pay for it.\n"
    "Point: The council voted 9 to 2, so most of them agreed.\n"
    "Point: Mayor Anja Nygaard said it would open in 2027.\n"
    f"Point: {OLSEN}\n"
    "Other side: Some will say 14 million kroner should mend roads first."
)
P1 = (  # begun with the frame, which the backend does not return
    " the council to choose books over asphalt so readily. A small town needs one warm "
    "room where anyone may sit and read for free, and I have seen what such a room does "
    "for a place."
)
P2 = (
    "Nine votes to two is not a close call, and I read it as a town that knows its own "
    "mind. Councils rarely agree on anything that costs money, so this tells me the need "
    "was plain to them."
)
P3 = (
    "An opening in 2027 gives the builders time, but I would like the mayor to hold them "
    "to it. Late buildings cost more, and I would rather see the doors open on the "
    "promised day."
)
P4 = (
    "Some will say roads matter more than shelves of novels, and they have a point about "
    "potholes. Still, I think a place to read lasts longer than fresh tarmac, and children "
    "will remember it."
)
LONGER = 200  # three of those paragraphs (113 words) are under 60% of it: too short
SHORT_A = "Nine to two pleases me. I call that a clear vote."  # paragraphs that pass, short
SHORT_B = "My hope is an opening in 2027. I will be there."
WORDS = 160  # four paragraphs of 40 words
MARKUP = P2.replace("a close call,", "a <ul><li>close call</li></ul>,")
INVENTED = P2.replace("Councils rarely", "Councillor Per Olsen says councils rarely")
INVENTED_FIRST = P2.replace("Nine votes", "Councillor Per Olsen says nine votes")


@pytest.fixture(autouse=True)
def whole_paragraphs(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scripted replies are whole paragraphs, so the leads that begin the paragraphs
    after the opening are switched off, except in the tests of the leads themselves."""
    if "lead" not in request.node.name:
        monkeypatch.setattr(compose, "POINT_LEADS", ())
        monkeypatch.setattr(compose, "CLOSING_LEADS", ())
        monkeypatch.setattr(compose, "ACTION_LEADS", ())


def settings(
    tmp_path: Path, attempts: int = 3, extra: str = "", words: int = WORDS
) -> config.Settings:
    fitted = "" if "words_per_source_word" in extra else "words_per_source_word = 0\n"
    text = f"[writer]\nwords = {words}\nmax_attempts = {attempts}\n{fitted}{extra}"
    return config.parse_settings(tomllib.loads(text), tmp_path / "columnist.toml")


def write(
    tmp_path: Path,
    replies: list,
    attempts: int = 3,
    extra: str = "",
    openings=None,
    words: int = WORDS,
    story: StoryInput | None = None,
):
    backend = ScriptedBackend(replies)
    chosen = settings(tmp_path, attempts, extra, words)
    writer = Writer(chosen, backend, environment(), openings)
    calls: list[Call] = []
    draft = writer.write(story or STORY, calls)
    assert not backend.replies, "every scripted reply was asked for"
    return draft, backend, calls


def verdicts(calls: list[Call]) -> list[tuple[int, str, str]]:
    return [(c.attempt, c.purpose, c.outcome) for c in calls]


def test_a_plan_and_one_call_per_paragraph_make_the_column(tmp_path: Path) -> None:
    draft, backend, calls = write(tmp_path, [PLAN, P1, P2, P3, P4])
    assert draft.body.split("\n\n") == [FRAME + P1, P2, P3, P4], "the frame begins it"
    assert draft.check.passed, draft.check.problems
    assert verdicts(calls) == [
        (1, "plan", "ok"),
        (2, "paragraph 1", "ok"),
        (3, "paragraph 2", "ok"),
        (4, "paragraph 3", "ok"),
        (5, "paragraph 4", "ok"),
    ]
    checks = draft.checks_dict()
    assert checks["attempts"] == 5 and checks["rewritten_paragraphs"] == []
    assert checks["plan"]["view"] == "I think a library is worth what Eidfjord will pay for it."
    assert checks["target_words"] == WORDS and word_count(draft.body) == checks["words"]
    # each paragraph call repeats the one before it and adds its turns: the cache's prefix
    for before, after in zip(backend.prompts[1:], backend.prompts[2:], strict=False):
        assert after[: len(before)] == before
    last = backend.prompts[-1]
    assert [m["role"] for m in last] == ["system", *["user", "assistant"] * 4, "user"]
    assert [m["content"] for m in last if m["role"] == "assistant"] == [
        draft.plan.text(),
        *draft.body.split("\n\n")[:3],
    ], "the plan and earlier paragraphs go back as the model's own turns"
    assert "Write the closing paragraph" in last[-1]["content"]
    # nobody in the news argues against the library: the closing says what should happen
    # now, and the plan's made-up objection is not put to it
    assert "Say what I think should happen now" in last[-1]["content"]
    assert "mend roads first" not in last[-1]["content"]


def test_a_column_is_no_longer_than_its_news_can_carry(tmp_path: Path) -> None:
    """The cats story's source has 39 words: asked for 200, the column runs to 130, an
    opening, one point and the closing."""
    draft, backend, calls = write(
        tmp_path, [PLAN, P1, P2, P4], words=200, extra="words_per_source_word = 1.5\n"
    )
    assert draft.checks_dict()["target_words"] == 130
    assert draft.body.split("\n\n") == [FRAME + P1, P2, P4]
    assert draft.check.passed, draft.check.problems
    assert "Write the closing paragraph" in backend.prompts[3][-1]["content"]
    assert [c.purpose for c in calls] == ["plan"] + [f"paragraph {n}" for n in (1, 2, 3)]


def test_a_column_running_short_gets_one_more_paragraph_before_the_closing(
    tmp_path: Path,
) -> None:
    draft, backend, calls = write(tmp_path, [PLAN, P1, SHORT_A, SHORT_B, P3, P4])
    assert draft.body.split("\n\n") == [FRAME + P1, SHORT_A, SHORT_B, P3, P4]
    assert "one more reason for my view" in backend.prompts[4][-1]["content"]
    assert "Write the closing paragraph" in backend.prompts[5][-1]["content"]
    assert [c.purpose for c in calls][-2:] == ["paragraph 4", "paragraph 5"]


def test_a_column_still_short_after_its_closing_gets_a_paragraph_before_it(
    tmp_path: Path,
) -> None:
    draft, backend, calls = write(tmp_path, [PLAN, P1, P2, SHORT_A, SHORT_B, P4])
    assert "Write the closing paragraph" in backend.prompts[4][-1]["content"]
    assert "one more reason for my view" in backend.prompts[5][-1]["content"]
    assert draft.body.split("\n\n") == [FRAME + P1, P2, SHORT_A, P4, SHORT_B], "closing last"
    assert draft.check.passed, draft.check.problems
    assert [c.purpose for c in calls][-2:] == ["paragraph 4", "paragraph 5"], "as written"


def test_a_column_writes_at_most_four_paragraphs_again(tmp_path: Path) -> None:
    bad3 = P3.replace("the builders time,", "the <b>builders</b> time,")
    bad4 = P4.replace("fresh tarmac,", "fresh <i>tarmac</i>,")
    replies = [PLAN, P1, MARKUP, MARKUP, MARKUP, bad3, bad3, bad3, bad4]
    draft, _, calls = write(tmp_path, replies, attempts=3)
    assert [c.purpose for c in calls].count("paragraph 4") == 1, "the budget is spent"
    assert len(calls) == 1 + 4 + 4 and draft.checks_dict()["rewritten_paragraphs"] == [2, 3]
    assert not draft.check.passed, "kept with its problems, for an editor to see"


def test_a_point_the_sources_lack_is_dropped_from_the_plan(tmp_path: Path) -> None:
    draft, backend, calls = write(tmp_path, [PLAN, P1, P2, P3, P4])
    assert draft.checks_dict()["plan_dropped"] == [OLSEN]
    assert draft.plan.points == [
        "The council voted 9 to 2, so most of them agreed.",
        "Mayor Anja Nygaard said it would open in 2027.",
    ]
    assert calls[0].problems == [f"not in the sources: {OLSEN}"]
    assert len(paragraphs(draft.body)) == 4, "opening, one per kept point, closing"
    later = [m["content"] for prompt in backend.prompts[1:] for m in prompt]
    assert not any("Olsen" in text for text in later), "no prose is asked for from it"


def test_a_later_sentence_may_not_begin_like_one_in_an_earlier_paragraph() -> None:
    written = [
        "When I read that it passed, I smiled. My view is that it helps. I agree.",
        "I take it seriously that it costs money. My view is that it pays.",
    ]
    starts = sentence_starts(written)
    assert starts == ("my view is",), "once; leads rotate on their own; two words are no start"
    block = NgramBlock.build([], [])
    block.add_phrases(starts)
    assert "is" in block.banned_after(words_of("The vote. My view"))


def test_every_call_is_constrained_to_the_sources(tmp_path: Path) -> None:
    draft, backend, _ = write(tmp_path, [PLAN, P1, P2, P3, P4], extra="voiced = true\n")
    kept = draft.body.split("\n\n")
    assert len(backend.constraints) == 5
    for c in backend.constraints:
        assert isinstance(c.vocabulary, Vocabulary) and isinstance(c.block, NgramBlock)
        assert {"Eidfjord", "Nygaard", "Anja", "Mayor"} <= c.vocabulary.names
        assert "Olsen" not in c.vocabulary.names and "2027" in c.vocabulary.figures
        source = words_of("The Eidfjord council voted 9 to 2 on Monday")
        assert "on" in c.block.banned_after(source[:7]), "no 8 words in a row from a source"
    plan, *paras = backend.constraints
    assert plan.lead == PLAN_LEAD and {"View", "Point", "Other"} <= plan.vocabulary.names
    assert plan.shape == "plan" and all(c.shape == "prose" for c in paras), "a server: grammar"
    assert [c.lead for c in paras] == [FRAME, "", "", ""]
    assert "Point" not in paras[0].vocabulary.names, "the plan's labels are for the plan"
    assert not plan.voiced and all(c.voiced for c in paras), "later sentences say 'I'"
    for n, c in enumerate(paras):  # an opener of more words than one, once a column
        assert {"I", "But I"} <= set(c.voiced)
        assert set(c.voiced) == set(VOICED_OPENERS) - openers_used("\n\n".join(kept[:n]))
    assert "Still, I" in paras[2].voiced and "Still, I" not in voiced_openers([P4])
    _, plain, _ = write(tmp_path, [PLAN, P1, P2, P3, P4])
    assert [bool(c.voiced) for c in plain.constraints] == [False] * 4 + [True], (
        "off by default, but for the closing (VOICED_ROLES)"
    )
    closing_request = plain.prompts[-1][-1]["content"]
    assert 'begin every sentence with "I"' in closing_request
    assert 'begin every sentence with "I"' not in plain.prompts[-2][-1]["content"]
    for n, c in enumerate(paras):  # paragraph n+1 may not repeat 6 words of an earlier one
        for earlier in kept[:n]:
            words = words_of(earlier)
            assert words[5] in c.block.banned_after(words[:5])
        for later in kept[n:]:
            words = words_of(later)
            assert words[5] not in c.block.banned_after(words[:5])
    plan_words = words_of(draft.plan.text())
    assert plan_words[5] in paras[0].block.banned_after(plan_words[:5]), "nor copy the plan"
    assert plan_words[5] not in plan.block.banned_after(plan_words[:5])


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (MARKUP, "prose: contains HTML or XML markup (<ul>)"),
        (INVENTED_FIRST, "not in the sources: Councillor Per Olsen"),
    ],
)
def test_a_failing_paragraph_is_asked_again_with_feedback_last(
    tmp_path: Path, bad: str, problem: str
) -> None:
    draft, backend, calls = write(tmp_path, [PLAN, P1, bad, P2, P3, P4])
    assert draft.check.passed and draft.body.split("\n\n")[1] == P2, "the retry is kept"
    assert verdicts(calls)[2:4] == [(3, "paragraph 2", "rejected"), (4, "paragraph 2", "ok")]
    assert any(problem in p for p in calls[2].problems) and calls[3].problems == []
    assert draft.checks_dict()["rewritten_paragraphs"] == [2]
    first, again = backend.prompts[2], backend.prompts[3]
    assert again[:-1] == first[:-1], "everything before the last message is the same"
    asked, retry = first[-1]["content"], again[-1]["content"]
    assert again[-1]["role"] == "user" and retry.startswith(asked)
    feedback = retry[len(asked) :]
    assert feedback.startswith("\nThat paragraph could not be used: ") and problem in feedback
    assert feedback.rstrip().endswith("Write it again, differently.")
    assert "in your own words" not in feedback, "nothing shown to copy: no such request"
    assert backend.constraints[2].block is backend.constraints[3].block
    assert backend.constraints[2].lead == backend.constraints[3].lead == "", "from the start"
    following = backend.prompts[4]
    assert following[-3:-1] == [
        {"role": "user", "content": asked},
        {"role": "assistant", "content": P2},
    ], "the next paragraph sees the kept text, asked for without the feedback"
    assert not any(bad in m["content"] for m in following)


def test_a_paragraph_that_stops_after_one_sentence_is_continued_not_written_again(
    tmp_path: Path,
) -> None:
    first, rest = P2.split(". ", 1)
    draft, backend, calls = write(tmp_path, [PLAN, P1, first + ".", " " + rest, P3, P4])
    assert draft.body.split("\n\n")[1] == P2, "the sentence kept, the rest written after it"
    assert backend.constraints[3].lead == first + ". ", "continued from where it stopped"
    assert backend.prompts[3] == backend.prompts[2], "the same request: one paragraph"
    assert verdicts(calls)[2] == (3, "paragraph 2", "ok") and len(calls) == 5
    assert calls[2].completion.text.endswith(rest) and calls[2].problems == []
    assert draft.checks_dict()["rewritten_paragraphs"] == [], "not a rewrite"


def test_a_paragraph_failing_after_good_sentences_goes_on_from_them(tmp_path: Path) -> None:
    first = P2.split(". ", 1)[0] + "."  # INVENTED's first sentence, which passes
    tail = " Councils rarely agree on spending, so I take it that the need was plain."
    draft, backend, calls = write(tmp_path, [PLAN, P1, INVENTED, tail, P3, P4])
    assert backend.constraints[3].lead == first + " ", "the good sentence begins the try"
    assert "Councillor Per Olsen" in backend.prompts[3][-1]["content"], "told what failed"
    assert draft.body.split("\n\n")[1] == first + tail
    assert verdicts(calls)[2:4] == [(3, "paragraph 2", "rejected"), (4, "paragraph 2", "ok")]
    assert draft.check.passed, draft.check.problems
    # a try that went on and failed again is followed by one from the start
    again = " Councillor Per Olsen says so too."
    draft, backend, calls = write(tmp_path, [PLAN, P1, INVENTED, again, P2, P3, P4])
    assert [c.lead for c in backend.constraints[2:5]] == ["", first + " ", ""]
    assert draft.body.split("\n\n")[1] == P2
    # a paragraph failing in its first sentence has nothing to go on from
    draft, backend, _ = write(tmp_path, [PLAN, P1, INVENTED_FIRST, P2, P3, P4])
    assert backend.constraints[3].lead == ""


def test_after_the_last_try_the_best_paragraph_is_kept_with_its_problems(
    tmp_path: Path,
) -> None:
    worst = INVENTED.replace("a close call,", "a <ul><li>close call</li></ul>,")
    better = INVENTED
    # the last two: a paragraph written in place of the one left out, failing as well
    replies = [PLAN, P1, worst, better, worst, P3, P4, worst, worst]
    draft, _, calls = write(tmp_path, replies, words=LONGER)
    tries = calls[2:5]
    assert [c.purpose for c in tries] == ["paragraph 2"] * 3
    assert len(tries[0].problems) > len(tries[1].problems) > 0
    assert [c.outcome for c in tries] == ["rejected", "ok", "rejected"], "fewest problems"
    assert draft.body.split("\n\n")[1] == better
    assert not draft.check.passed and "Olsen" in " ".join(draft.check.unsupported)
    assert draft.checks_dict()["rewritten_paragraphs"] == [2]
    assert [c.outcome for c in calls[5:7]] == ["ok", "ok"], "and the column goes on"
    assert [c.purpose for c in calls[7:]] == ["paragraph 2"] * 2


def test_one_try_a_paragraph_when_max_attempts_is_one(tmp_path: Path) -> None:
    draft, _, calls = write(tmp_path, [PLAN, P1, MARKUP, P3, P4, MARKUP], 1, words=LONGER)
    assert [c.outcome for c in calls] == ["ok"] * 5 + ["rejected"] and calls[2].problems
    assert "<ul>" in draft.body and not draft.check.passed
    assert draft.checks_dict()["rewritten_paragraphs"] == []


def test_a_plan_out_of_form_is_asked_again_then_replaced(tmp_path: Path) -> None:
    draft, backend, calls = write(
        tmp_path, ["Sure! Here is a plan.", "I like libraries.", P1, P2, P3, P4]
    )
    assert verdicts(calls)[:2] == [(1, "plan", "rejected"), (2, "plan", "rejected")]
    assert calls[0].problems == ["the plan is not in the asked form"]
    assert backend.prompts[0] == backend.prompts[1]
    assert draft.plan.points == ["What happened, and who it affects."], "the fallback plan"
    assert [c.purpose for c in calls[2:]] == [f"paragraph {n}" for n in (1, 2, 3, 4)]
    assert len(paragraphs(draft.body)) == 4, "a lost point is made up by one more paragraph"
    assert "one more reason for my view" in backend.prompts[4][-1]["content"]


def test_only_the_plan_that_is_used_counts_as_kept(tmp_path: Path) -> None:
    thin = (
        " think a library is worth it.\nPoint: Mayor Anja Nygaard said it would open in "
        f"2027.\nPoint: {OLSEN}\nOther side: Roads matter more."
    )
    draft, _, calls = write(tmp_path, [thin, PLAN, P1, P2, P3, P4])
    assert verdicts(calls)[:2] == [(1, "plan", "rejected"), (2, "plan", "ok")]
    assert len(draft.plan.points) == 2 and draft.plan_dropped == [OLSEN]
    draft, _, calls = write(tmp_path, [thin, "no plan here", P1, P2, P3, P4])
    assert verdicts(calls)[:2] == [(1, "plan", "ok"), (2, "plan", "rejected")]
    assert draft.plan.points == ["Mayor Anja Nygaard said it would open in 2027."]


def test_a_model_error_propagates_with_the_calls_so_far(tmp_path: Path) -> None:
    error = ModelError("writer.base_url x: HTTP 500")
    for replies, expected in (
        ([error], [(1, "plan", "error")]),
        (
            [PLAN, P1, error],
            [(1, "plan", "ok"), (2, "paragraph 1", "ok"), (3, "paragraph 2", "error")],
        ),
    ):
        backend = ScriptedBackend(replies)
        calls: list[Call] = []
        with pytest.raises(ModelError, match="HTTP 500"):
            Writer(settings(tmp_path), backend, environment()).write(STORY, calls)
        assert verdicts(calls) == expected
        assert calls[-1].error == "writer.base_url x: HTTP 500" and calls[-1].completion is None


def test_a_topic_persona_sets_voice_and_length(tmp_path: Path) -> None:
    extra = (
        '[[personas]]\nname = "librarian"\nvoice = "a retired librarian"\nwords = 200\n'
        '[[topics]]\nname = "Cities"\npersona = "librarian"\n'
    )
    draft, backend, _ = write(tmp_path, [PLAN, P1, P2, P3, P4], extra=extra)
    assert draft.persona == "librarian" and draft.words == 200
    assert draft.checks_dict()["persona"] == "librarian"
    system = backend.prompts[0][0]
    assert system["role"] == "system" and system["content"].startswith(
        "You are a retired librarian."
    )
    assert all(p[0] == system for p in backend.prompts), "one system message for every call"
    assert "about 65 words" in backend.prompts[1][-1]["content"], "200 words (+30%) in 4"
    assert backend.max_tokens[1] == 65 * 2 + 32
    assert all(t <= 65 * 2 + 32 for t in backend.max_tokens[2:]), "its share of what is left"
    default, plain, _ = write(tmp_path, [PLAN, P1, P2, P3, P4])
    assert default.persona == "columnist" and default.words == WORDS
    assert "about 52 words" in plain.prompts[1][-1]["content"]
    assert plain.max_tokens[1] == 52 * 2 + 32
    assert all(t <= 52 * 2 + 32 for t in plain.max_tokens[2:])


def test_the_frame_avoids_a_recent_opening(tmp_path: Path) -> None:
    assert FRAME in FRAMES and choose_frame(STORY.headline, []) == FRAME, "stable per story"
    recent = [FRAME + " the mayor would stay."]
    other = choose_frame(STORY.headline, recent)
    assert other != FRAME and words_of(other)[:3] != words_of(FRAME)[:3]
    everything = [f + " something." for f in FRAMES]
    assert choose_frame(STORY.headline, everything) == FRAME, "all taken: the story's own"
    openings = RecentOpenings()
    openings.seed("cities", recent)
    draft, backend, _ = write(tmp_path, [PLAN, P1, P2, P3, P4], openings=openings)
    assert draft.body.startswith(other + P1) and backend.constraints[1].lead == other
    assert draft.check.opening is None


def test_writer_max_tokens_caps_every_paragraph(tmp_path: Path) -> None:
    _, backend, _ = write(tmp_path, [PLAN, P1, P2, P3, P4], extra="max_tokens = 50\n")
    assert backend.max_tokens[1:] == [50] * 4


def test_a_middle_paragraph_that_never_passed_is_left_out_whole(tmp_path: Path) -> None:
    # 140 words: 105-175 pass, so the column stands on three paragraphs (113 words)
    draft, _, calls = write(tmp_path, [PLAN, P1, MARKUP, P3, P4], attempts=1, words=140)
    assert calls[2].problems, "paragraph 2 failed its one try"
    assert draft.body.split("\n\n") == [FRAME + P1, P3, P4], "left out whole, not cut into"
    assert draft.check.passed and draft.checks_dict()["left_out_paragraphs"] == [2]
    # the opening carries the frame: kept; a failing closing is left out last of all
    bad_open = P1.replace("warm room", "warm <i>room</i>")
    draft, _, _ = write(tmp_path, [PLAN, bad_open, P2, P3, P4], attempts=1, words=140)
    assert "<i>" in draft.body and not draft.check.passed
    assert draft.checks_dict()["left_out_paragraphs"] == []
    bad_close = P4.replace("fresh tarmac,", "fresh <i>tarmac</i>,")
    draft, _, _ = write(tmp_path, [PLAN, P1, P2, P3, bad_close], attempts=1, words=140)
    assert draft.body.split("\n\n") == [FRAME + P1, P2, P3] and draft.check.passed
    assert draft.checks_dict()["left_out_paragraphs"] == [4]
    # two failing paragraphs: leaving one out does not make a column that passes
    bad3 = P3.replace("the builders time,", "the <b>builders</b> time,")
    draft, _, _ = write(tmp_path, [PLAN, P1, MARKUP, bad3, P4], attempts=1, words=140)
    assert len(paragraphs(draft.body)) == 4 and not draft.check.passed
    # a column that passes as written keeps every paragraph
    draft, _, _ = write(tmp_path, [PLAN, P1, P2, P3, P4], words=140)
    assert len(paragraphs(draft.body)) == 4 and draft.checks_dict()["left_out_paragraphs"] == []


def test_a_paragraph_left_out_of_a_column_then_too_short_is_written_anew(
    tmp_path: Path,
) -> None:
    # 160 words: 120-200 pass; without paragraph 2 the column has 113 words
    draft, backend, calls = write(tmp_path, [PLAN, P1, MARKUP, P3, P4, P2], attempts=1)
    assert draft.body.split("\n\n") == [FRAME + P1, P2, P3, P4], "in its place"
    assert draft.check.passed, draft.check.problems
    checks = draft.checks_dict()
    assert checks["left_out_paragraphs"] == [2] and 2 in checks["rewritten_paragraphs"]
    request = backend.prompts[-1]
    assert [m["content"] for m in request if m["role"] == "assistant"][-1] == FRAME + P1, (
        "the conversation holds only the paragraphs before its place"
    )
    assert "one more reason" in request[-1]["content"]
    assert calls[-1].outcome == "ok"
    # the new paragraph failing too, and the column without it under 60% of its length
    # (113 words of 200): the column stays as written, held
    draft, _, calls = write(tmp_path, [PLAN, P1, MARKUP, P3, P4, MARKUP], 1, words=LONGER)
    assert not draft.check.passed and draft.checks_dict()["left_out_paragraphs"] == []
    assert draft.body.split("\n\n") == [FRAME + P1, MARKUP, P3, P4]
    assert calls[-1].outcome == "rejected", "the log says its text was not kept"


def test_later_paragraphs_may_not_echo_the_openings_frame(tmp_path: Path) -> None:
    assert frame_echo("I think it matters that Labour will act.") == ("it matters that",)
    assert frame_echo("Labour will act.") == ()
    _, backend, _ = write(tmp_path, [PLAN, P1, P2, P3, P4])
    *_, last = words_of(FRAME)[-3:]
    echo = words_of(FRAME)[-3:-1]
    assert last not in backend.constraints[1].block.banned_after(echo), "the opening: free"
    for later in backend.constraints[2:]:
        assert last in later.block.banned_after(["also", *echo])


def _continued(paragraph: str) -> str:
    """A scripted reply as the model gives it after a lead: the rest of its first sentence."""
    return " " + paragraph[0].lower() + paragraph[1:]


def test_paragraphs_after_the_opening_begin_with_a_first_person_lead(tmp_path: Path) -> None:
    replies = [PLAN, P1, *map(_continued, [P2, P3, P4])]
    draft, backend, _ = write(tmp_path, replies)
    leads = [c.lead for c in backend.constraints[1:]]
    assert leads[0] == FRAME
    assert leads[1] in POINT_LEADS and leads[2] in POINT_LEADS and leads[1] != leads[2]
    assert leads[3] in ACTION_LEADS, "with nobody against it, what should happen now"
    body = draft.body.split("\n\n")
    assert body[1] == leads[1] + _continued(P2) and body[3] == leads[3] + _continued(P4)
    assert all(p.startswith(lead) for p, lead in zip(body, leads, strict=True))


def test_a_lead_is_rotated_by_story_and_never_begins_like_an_earlier_paragraph() -> None:
    first = lead_for("point", "Story A", [])
    taken = [first + " the council voted."]
    second = lead_for("point", "Story A", taken)
    assert second != first and words_of(second)[:3] != words_of(first)[:3]
    starts = {lead_for("point", f"Story {n}", []) for n in range(40)}
    assert len(starts) > 1, "posts do not all read alike"
    assert lead_for("opening", "Story A", []) == "", "the opening has its frame instead"
    every = [lead + " x." for lead in POINT_LEADS]
    assert lead_for("point", "Story A", every) == "", "none left: the model begins it"
    for lead in POINT_LEADS + CLOSING_LEADS + ACTION_LEADS:
        assert not any(lead.endswith(e) for f in FRAMES for e in frame_echo(f + " x")), lead
    serious = [lead for lead in POINT_LEADS if "seriously" in lead]
    assert serious, "a lead with a tic word, to test on"
    for n in range(40):  # whichever lead a story starts from
        lead = lead_for("point", f"Story {n}", ["I think the attack was serious."])
        assert "seriously" not in lead, "a tic the column has written is not led with"


def test_the_closing_answers_the_other_side_from_news_the_column_has_not_used(
    tmp_path: Path,
) -> None:
    story = replace(STORY, sources=[*STORY.sources, MORE_NEWS])
    draft, backend, _ = write(tmp_path, [PLAN, P1, P2, P3, P4], story=story)
    closing = backend.prompts[-1][-1]["content"]
    assert "Write the closing paragraph" in closing
    assert "in the light of something in the news that you have not used yet: " in closing
    quoted = closing.split("not used yet: ", 1)[1].split('"')[1]
    # fenced like all source text: this story's unused sentence is an injection attempt
    assert quoted and quoted in fence(story.source_text), "a source sentence, quoted"
    assert "</source>" not in closing and "<|im_start|>" not in closing
    said = " ".join([draft.plan.text(), *draft.body.split("\n\n")[:3]])
    assert quoted not in said
    assert "Do not repeat your view" in closing


def test_the_try_kept_is_the_one_whose_problems_would_not_hold_the_column(
    tmp_path: Path,
) -> None:
    soft = SOFT
    draft, _, calls = write(tmp_path, [PLAN, P1, P2, P2, soft, P2, P4])
    tries = calls[3:6]
    assert [c.purpose for c in tries] == ["paragraph 3"] * 3
    assert len(tries[0].problems) == len(tries[1].problems) == 2, "as many problems"
    assert blocking(tries[0].problems) == 2 and blocking(tries[1].problems) == 0
    assert [c.outcome for c in tries] == ["rejected", "ok", "rejected"]
    assert draft.body.split("\n\n")[2] == soft and draft.check.passed
    assert len(draft.unverified) >= 2, "the soft flags are still reported"


SOFT = (  # two sentences no passage says: reported, not a reason to hold the column
    "I would put the library first, and I say so plainly. The library will have a "
    "garden on its roof. Its reading room will stay open all night for shift workers."
)


def test_a_word_turned_against_its_passage_is_not_written_again_in_that_paragraph(
    tmp_path: Path,
) -> None:
    """The Harbin post (demo at ed9f438) wrote "a new supplier for gas" where the news has
    a buyer in three tries of one paragraph, and the column was held."""
    sale = "The council is looking for a buyer for the old school on the quay."
    story = replace(STORY, sources=[*STORY.sources, ("Kommune Avis", "The old school", sale, None)])
    turned = "The council is looking for a seller for the old school, I note. " + P2
    draft, backend, calls = write(tmp_path, [PLAN, P1, turned, P2, P3, P4], story=story)
    second = [c for c in calls if c.purpose == "paragraph 2"]
    assert len(second) == 2 and "seller where it says buyer" in " ".join(second[0].problems)
    retry, later = backend.constraints[3], backend.constraints[4]
    for word in ("seller", "sellers", "supplier", "suppliers"):
        assert word in retry.block.banned_after(words_of("looking for a"))
        assert word not in later.block.banned_after(words_of("looking for a")), "one paragraph"
    assert "buyer" not in retry.block.banned_after(words_of("looking for a"))
    assert draft.body.split("\n\n")[1].endswith(P2)


def test_a_paragraph_with_only_soft_flags_is_written_again_once(tmp_path: Path) -> None:
    draft, _, calls = write(tmp_path, [PLAN, P1, P2, SOFT, SOFT, P4])
    third = [c for c in calls if c.purpose == "paragraph 3"]
    assert len(third) == 2 and all(c.problems and blocking(c.problems) == 0 for c in third)
    assert draft.body.split("\n\n")[2] == SOFT and draft.check.passed


def test_soft_retries_leave_the_rewrite_budget_to_problems_that_hold_the_column(
    tmp_path: Path,
) -> None:
    bad4 = P4.replace("fresh tarmac,", "fresh <i>tarmac</i>,")
    replies = [PLAN, P1, SOFT, SOFT, MARKUP, MARKUP, P3, bad4, bad4, P4]
    draft, _, calls = write(tmp_path, replies, attempts=3)
    # two rewrites of paragraph 3 spent; paragraph 2's soft retry did not count, so the
    # closing still has its three tries (it had two when every retry counted)
    assert [c.purpose for c in calls].count("paragraph 4") == 3
    assert draft.body.split("\n\n")[2:] == [P3, P4] and draft.check.passed


def test_the_closing_puts_the_objection_someone_in_the_news_makes(
    tmp_path: Path,
) -> None:
    doubt = "Librarian Kari Dahl warned that the town cannot afford staff for the library."
    story = replace(
        STORY,
        sources=[(*STORY.sources[0][:2], STORY.sources[0][2] + " " + doubt, None), MORE_NEWS],
    )
    _, backend, _ = write(tmp_path, [PLAN, P1, P2, P3, P4], story=story)
    closing = backend.prompts[-1][-1]["content"]
    assert f'Not everyone in the news sees it my way: "{doubt}"' in closing
    assert "mend roads first" not in closing, "not the objection the plan imagined"
    assert doubt not in closing.split("not used yet: ", 1)[1], "the answer is other news"


def test_paragraphs_before_the_closing_leave_the_objection_to_it(tmp_path: Path) -> None:
    _, backend, _ = write(tmp_path, [PLAN, P1, P2, P3, P4])
    *before, closing = backend.constraints[1:]
    assert len(before) == 3, "the opening and the two points"
    for c in before:
        assert "argue" in c.block.banned_after(words_of("However, some"))
        assert "hand" in c.block.banned_after(words_of("on the other"))
    # no one in these sources sees it otherwise: the closing may put an objection only as
    # a hypothetical ("some would argue"), not as what some people do argue
    assert "argue" in closing.block.banned_after(words_of("I grant that some"))
    assert "would" not in closing.block.banned_after(words_of("I grant that some"))
    for c in backend.constraints:  # no source here quotes an expert: nor may the column
        assert "experts" in c.block.banned_after(words_of("some"))


def test_no_call_may_write_a_share_the_sources_do_not(tmp_path: Path) -> None:
    _, backend, _ = write(tmp_path, [PLAN, P1, P2, P3, P4])
    for c in backend.constraints:
        assert "half" in c.block.banned_after(words_of("less than"))
        assert "fifth" in c.block.banned_after(words_of("less than a"))


def test_a_name_the_sources_number_may_not_take_another_of_their_figures() -> None:
    source = "Putin and Xi signed 14 agreements but none on the Power of Siberia 2 pipeline."
    phrases = renumbering_phrases(source)
    assert "Siberia 14" in phrases and "Siberia 2" not in phrases
    block = NgramBlock.build([], [])
    block.add_phrases(source_phrases(source))
    assert "14" in block.banned_after(words_of("the Power of Siberia"))
    assert "2" not in block.banned_after(words_of("the Power of Siberia"))
    assert "14" not in block.banned_after(words_of("they signed")), "the figure stays free"


def test_a_share_the_sources_write_may_be_told() -> None:
    phrases = share_phrases("Farmers got less than a fifth of the money; half left.")
    assert "a fifth" not in phrases and "half" not in phrases
    assert "a third" in phrases and "doubled" in phrases
    assert "the passage" in phrases, "talk about the prompt's text is a page phrase"
    assert "the passage" not in share_phrases("The passage of the bill took a year.")
    assert {"billion", "billions"} <= set(phrases), "a scale the sources lack is a figure"
    assert "billion" not in share_phrases("It cost $2.1bn."), "an abbreviation counts"
    assert "for years" in phrases and "in recent years" in phrases, "a span is a fact"
    assert "for years" not in share_phrases("They have waited for years.")
    assert "over the past few years" in phrases and "for some time" in phrases
    assert "than expected" in phrases, "what was expected is a fact"
    assert "than expected" not in share_phrases("Inflation fell faster than expected.")


def test_a_column_without_its_restating_closing_may_run_short_rather_than_be_held(
    tmp_path: Path,
) -> None:
    restating = [P2] * 3 + [P2] * 2  # the closing's three tries, then two in its place
    draft, _, calls = write(tmp_path, [PLAN, P1, P2, P3, *restating], words=180)
    assert draft.left_out == [4] and draft.check.passed, draft.check.problems
    assert draft.body.split("\n\n") == [FRAME + P1, P2, P3]
    assert word_count(draft.body) < length_bounds(180)[0], "shorter than asked"
    fourth = [c.outcome for c in calls if c.purpose == "paragraph 4"]
    assert fourth[-2:] == ["rejected", "rejected"], "nothing written in its place is kept"
    # under 60% of what was asked it is held: too little column to publish
    held, _, _ = write(tmp_path, [PLAN, P1, P2, P3, *restating], words=LONGER)
    assert not held.check.passed and held.left_out == []


def test_a_try_shown_the_passage_or_told_it_copied_is_asked_for_its_own_words() -> None:
    shown = "unsupported: the figure belongs to something else: 14 (“…”; the news says: “…”)"
    for problems in ([shown], ["copying: retells a source sentence almost word for word"]):
        told = retry_feedback(problems)
        assert OWN_WORDS in told and told.endswith("Write it again, differently.")
    assert OWN_WORDS not in retry_feedback(["a single sentence"])


def test_a_paragraph_is_asked_for_its_share_of_what_the_column_has_left() -> None:
    assert paragraph_ask(184, [], 4, 59) == 59, "at the start: its share"
    long = ["word " * 80, "word " * 78]  # two paragraphs that ran past their ask
    assert paragraph_ask(184, long, 2, 59) == 40, "no room left: the shortest ask"
    assert paragraph_ask(220, ["word " * 50], 3, 71) == 71, "never more than its share"
    assert 40 < paragraph_ask(220, ["word " * 75, "word " * 70], 2, 71) < 71


def test_every_middle_paragraph_rests_on_the_sources_not_on_a_plan_point() -> None:
    plan = Plan("I like it.", ["One.", "Two.", "Three."], "Roads.")
    roles = [job.role for job in jobs_for(plan, FRAME, most=3)]
    assert roles == ["opening", "more", "more", "more", "closing"]
    assert all(not job.passage for job in jobs_for(plan, FRAME)), "chosen when written"
    fewer = replace(plan, points=["One."])
    assert [j.role for j in jobs_for(fewer, FRAME)] == ["opening", "more", "more", "closing"]
    assert [j.role for j in jobs_for(plan, FRAME, most=1)] == ["opening", "more", "closing"]


def test_a_speakers_words_as_the_writers_own_are_listed_never_held(tmp_path: Path) -> None:
    """The column's check and its text are the same with the quotation in the sources or
    not; the sentence that takes its words is listed under `borrowed` for an editor."""
    said = '"Councils rarely agree on anything that costs money," said Mayor Anja Nygaard.'
    quoting = replace(STORY, sources=[*STORY.sources, ("Kommune Avis", "Vote", said, None)])
    draft, _, calls = write(tmp_path, [PLAN, P1, P2, P3, P4], story=quoting)
    plain, _, _ = write(tmp_path, [PLAN, P1, P2, P3, P4])
    assert draft.body == plain.body and draft.check.passed, draft.check.problems
    assert [c.outcome for c in calls] == ["ok"] * 5, "no paragraph written again for it"
    assert draft.checks_dict()["borrowed"] == [
        {
            "sentence": "Councils rarely agree on anything that costs money, so this tells me "
            "the need was plain to them.",
            "words": "Councils rarely agree on anything that costs money",
            "quotation": "Councils rarely agree on anything that costs money,",
            "speaker": "Mayor Anja Nygaard",
        }
    ]
    assert plain.checks_dict()["borrowed"] == []
