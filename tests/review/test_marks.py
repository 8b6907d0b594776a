"""The flagged spans of a post found again in its body, as the admin highlights them."""

from __future__ import annotations

from columnist.review.marks import flags, marked

BODY = "The mayor said 2031. I agree.\n\nIn 2031 <b>homes</b> come."


def test_flagged_sentences_and_facts_become_their_own_segments() -> None:
    checks = {
        "unverified": [
            {"sentence": "The mayor said 2031.", "reason": "figure", "passage": "In 2027."}
        ],
        "unsupported": [{"kind": "number", "text": "2031"}],
    }
    first, second = marked(BODY, checks)
    assert [(s.text, s.flag is not None) for s in first] == [
        ("The mayor said 2031.", True),  # the sentence keeps its stretch whole
        (" I agree.", False),
    ]
    assert first[0].flag.passage == "In 2027."
    assert [(s.text, s.flag.why if s.flag else None) for s in second] == [
        ("In ", None),
        ("2031", "number not in the sources"),
        (" <b>homes</b> come.", None),  # escaped by the template, not here
    ]
    assert [[s.text for s in p] for p in marked(BODY, {})] == [
        ["The mayor said 2031. I agree."],
        ["In 2031 <b>homes</b> come."],
    ]


LIFTED = (
    "I worry. It is a sign that the economy is idling rather than crashing, and I agree.\n\n"
    "The economy is idling rather than crashing, as I see it."
)


def borrowing(sentence: str, speaker: str) -> dict:
    return {
        "sentence": sentence,
        "words": "the economy is idling rather than crashing",
        "quotation": "It is a sign that the economy is idling rather than crashing,",
        "speaker": speaker,
    }


def test_a_speakers_words_used_as_the_writers_own_are_marked_with_the_quotation() -> None:
    first_sentence = "It is a sign that the economy is idling rather than crashing, and I agree."
    second = "The economy is idling rather than crashing, as I see it."
    checks = {"borrowed": [borrowing(first_sentence, "Jonas Brandt"), borrowing(second, "")]}
    named, unnamed = flags(checks)
    assert named.text == first_sentence and named.why == (
        "words of Jonas Brandt's quotation used as the writer's own: "
        "“the economy is idling rather than crashing”"
    )
    assert named.passage == "“It is a sign that the economy is idling rather than crashing,”"
    assert unnamed.why.startswith("words of a quotation in the sources used as the writer's own")
    first, last = marked(LIFTED, checks)
    assert [(s.text, s.flag == named) for s in first] == [
        ("I worry. ", False),
        (first_sentence, True),
    ]
    assert [s.flag for s in last] == [unnamed]


def test_a_fact_keeps_its_mark_inside_a_borrowed_sentence() -> None:
    sentence = "It is a sign that the economy is idling rather than crashing, and I agree."
    checks = {
        "unsupported": [{"kind": "name", "text": "It is a sign"}],
        "borrowed": [borrowing(sentence, "Jonas Brandt")],
    }
    assert [f.why.split(" ")[0] for f in flags(checks)] == ["name", "words"], "both listed"
    (first, _) = marked(LIFTED, checks)
    assert [s.flag.why if s.flag else None for s in first][1] == "name not in the sources"
