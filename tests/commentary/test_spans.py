"""Spans of time the news does not give (commentary/spans.py), on sentences the writer
published and the sources they were written from."""

from __future__ import annotations

import json

from columnist.commentary.grounding import Support
from columnist.commentary.spans import invented_span
from columnist.commentary.verify import MISSTATED, Passages, rule_verdict
from tests.commentary.test_verify import DATA

KENYA = (
    "The plant will remove 25,000 tonnes of carbon dioxide a year. Critics say 25,000 tonnes "
    "is roughly what the world emits in 20 seconds."
)
COP = (
    "Negotiators agreed late on Friday to triple finance for adapting to climate change to "
    "$120 billion a year by 2030, after talks ran 30 hours past their scheduled close."
)
DETENTION = (
    "The Egyptian suspects, who have been held in pre-trial detention since the 14 June "
    "disaster last year, will appear in court in Kalamata on Tuesday."
)


def test_a_span_the_news_does_not_give_is_found_in_words_or_figures() -> None:
    # both in the demo at d5935af, published
    minute = "It is equivalent to what the world emits in just over a minute."
    assert invented_span(minute, KENYA) == "in just over a minute"
    decade = "COP31 agreed to $120 billion in adaptation funding over the next decade."
    assert invented_span(decade, COP) == "over the next decade"
    held = "It is unfair that they have been in pre-trial detention for years."
    assert invented_span(held, DETENTION) == "for years"
    assert invented_span("They have been friends for many decades.", KENYA) == "for many decades"


def test_a_span_the_news_gives_in_any_unit_or_that_is_no_span_passes() -> None:
    assert invented_span("The world emits that much in 20 seconds.", KENYA) is None
    assert invented_span("Talks ran for more than a day past their close.", COP) is None
    assert invented_span("They have been detained for nearly a year.", DETENTION) is None
    assert invented_span("Talks ran for 30 hours.", COP) is None
    # a guess in the writer's own vague words; a period; a rate; a date
    assert invented_span("I expect more such deals in the coming years.", COP) is None
    assert invented_span("I hope they pay within weeks, not years.", COP) is None
    assert invented_span("I would worry about who sets the terms in ten years.", COP) is None
    assert invented_span("Food prices rose 4.1% over the year.", COP) is None
    assert invented_span("It removes 25,000 tonnes a year.", KENYA) is None
    assert invented_span("The money is due by 2030, in 2030 at the latest.", COP) is None
    weeks = "Rescuers searched for six weeks."
    assert invented_span("They searched for weeks.", weeks) is None


def test_the_verifier_holds_a_span_whoever_states_it() -> None:
    check = Passages.of(DETENTION), Support(DETENTION)
    opinion = "I think it is unfair to hold them in pre-trial detention for years."
    verdict = rule_verdict(opinion, *check)
    assert not verdict.supported and verdict.reason.startswith(MISSTATED)
    assert verdict.reason.endswith("for years") and "14 June" in verdict.passage
    right = "I think it is unfair to hold them in pre-trial detention for nearly a year."
    assert "span" not in rule_verdict(right, *check).reason


def test_every_labelled_span_flag_is_on_an_unsupported_sentence() -> None:
    """Over the hand-labelled published sentences and twisted claims: precise, as a reason
    that holds a paragraph must be."""
    stories = {
        s["title"]: " ".join(f"{x['title']}. {x['text']}" for x in s["sources"])
        for s in map(json.loads, (DATA / "writer_eval.jsonl").open())
    }
    flagged = []
    for name, sentence, story, wrong in (
        ("writer_labels.jsonl", "text", "title", "unsupported"),
        ("verifier_eval.jsonl", "sentence", "story", "supported"),
        ("verifier_posts.jsonl", "sentence", "story", "supported"),
    ):
        for case in map(json.loads, (DATA / name).open()):
            if invented_span(case[sentence], stories[case[story]]):
                right = case[wrong] if wrong == "unsupported" else not case[wrong]
                flagged.append(right)
    assert len(flagged) >= 20 and all(flagged)
