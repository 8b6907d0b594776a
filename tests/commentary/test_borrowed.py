"""A speaker's quoted words used as the writer's own (commentary/borrowed.py), and how
eval-writer counts the posts that do it. Pure text: no model."""

from __future__ import annotations

from columnist.commentary.borrowed import Borrowed, borrowed_words, quotations
from columnist.commentary.evaluate import EvalReport, PostResult

# The PMI story of the demo at 59b8573, as its sources put it.
PMI = (
    "Euro zone factory activity shrinks again\n"
    "Wire\nPMI falls to 49.6\n"
    "The index fell to 49.6 from 50.7 in October, the third month below 50. "
    '"It is a sign that the economy is idling rather than crashing," said Jonas Brandt, '
    'an economist at Nordbank. "But the engine is getting colder."\n'
    "Daily\nMeasles cases rise\n"
    "Dr Amina Yusuf, an epidemiologist, said: “Measles is not a mild illness, and each case "
    "we see is one that two vaccines could have prevented.”\n"
    "“The drills are routine and not aimed at any third party,” the ministry said. "
    '"We will keep building," Putin told reporters.'
)
LIFTED = (
    "When I read that the index fell to 49.6, I worried. It is a sign that the economy is "
    "idling rather than crashing, and the engine is getting colder."
)


def test_the_pmi_posts_lifted_sentence_is_found_with_its_speaker() -> None:
    (found,) = borrowed_words(LIFTED, PMI)
    assert found == Borrowed(
        sentence=(
            "It is a sign that the economy is idling rather than crashing, and the engine "
            "is getting colder."
        ),
        words="It is a sign that the economy is idling rather than crashing",
        quotation="It is a sign that the economy is idling rather than crashing,",
        speaker="Jonas Brandt",
    ), "the longest run, as the post writes it, and the whole quotation"
    assert found.as_dict()["speaker"] == "Jonas Brandt"


def test_case_and_punctuation_do_not_hide_a_run() -> None:
    body = "I agree.\n\nIDLING RATHER THAN CRASHING -- but the engine: is getting colder!"
    found = borrowed_words(body, PMI)
    assert [b.words for b in found] == ["but the engine: is getting colder"]
    assert found[0].speaker == "", "the speaker is named a sentence before"


def test_a_run_in_the_posts_own_quotation_marks_is_the_speakers() -> None:
    quoted = (
        "Brandt calls it “a sign that the economy is idling rather than crashing”, and I "
        "agree. I read 'Measles is not a mild illness' twice."
    )
    assert borrowed_words(quoted, PMI) == []
    half = "He says “a sign that the economy” is idling rather than crashing, and I agree."
    (found,) = borrowed_words(half, PMI)
    assert found.words == "is idling rather than crashing", "only the words outside count"


def test_four_words_or_only_common_words_are_not_a_borrowing() -> None:
    assert borrowed_words("I think the economy is idling, slowly.", PMI) == []
    common = '"What we have to do is what we can," the mayor said.'
    assert borrowed_words("I know what we have to do is clear.", common) == []
    some = '"What we have to do is build," the mayor said.'
    assert borrowed_words("I know what we have to do is build homes.", some) != []


def test_the_reporters_own_words_are_not_a_quotation() -> None:
    narrated = "I worry that the index fell to 49.6 from 50.7 in October, and I say so."
    assert borrowed_words(narrated, PMI) == [], "copying is the copy check's business"
    assert borrowed_words(LIFTED, PMI.replace('"', "")) == [], "no marks, no quotation"


def test_each_sentence_is_found_once_and_speakers_on_either_side() -> None:
    body = (
        "Measles is not a mild illness, I am told. Measles is not a mild illness, and each "
        "case we see matters.\n\nThe drills were not aimed at any third party, I hear. "
        "I doubt we will keep building, as Putin put it."
    )
    found = borrowed_words(body, PMI)
    assert [(b.words, b.speaker) for b in found] == [
        ("Measles is not a mild illness", "Dr Amina Yusuf"),
        ("Measles is not a mild illness, and each case we see", "Dr Amina Yusuf"),
        ("not aimed at any third party", ""),  # "the ministry" is no name
    ], "the last sentence has four: 'we will keep building'"


def test_quotations_are_read_a_line_at_a_time() -> None:
    """A quotation running over two paragraphs opens each and closes the last; read whole,
    its marks would pair with the wrong ones and make the narration between a quotation."""
    source = (
        '"The first paragraph of what she said.\n'
        '"And the second," said Ada Lind. The council will meet again in the spring to vote. '
        '"Then we decide."'
    )
    assert [(q.text, q.speaker) for q in quotations(source)] == [
        ("And the second,", "Ada Lind"),
        ("Then we decide.", ""),
    ]
    told = "I expect the council will meet again in the spring to vote on it."
    assert borrowed_words(told, source) == []


def test_eval_writer_counts_the_posts_with_borrowed_words_by_name() -> None:
    def post(title: str, borrowed: list[dict], status: str = "published") -> PostResult:
        checks = {"words": 200, "passed": status == "published", "borrowed": borrowed}
        return PostResult(title, "economy", status, "I think so.", checks)

    lifted = borrowed_words(LIFTED, PMI)[0].as_dict()
    report = EvalReport("m", "embedded")
    report.posts = [post("PMI", [lifted]), post("Clean", []), post("Held", [lifted], "draft")]
    summary = report.as_dict()
    assert summary["borrowed_posts"] == 2 and summary["borrowed_titles"] == ["PMI", "Held"]
    line = next(x for x in report.lines() if "speakers' words as own" in x)
    assert line.endswith("2 of 3 posts (PMI; Held)")
    report.posts = [post("Clean", []), post("Old", [])]
    assert report.as_dict()["borrowed_posts"] == 0
    assert next(x for x in report.lines() if "words as own" in x).endswith("0 of 2 posts")
