"""The flagged spans of a post found again in its body, as the admin highlights them."""

from __future__ import annotations

from columnist.review.marks import marked

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
