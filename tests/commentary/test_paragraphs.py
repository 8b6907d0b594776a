"""One paragraph: tidied from the model's reply (begun with its lead), then read as a
reader would before the column goes on."""

from __future__ import annotations

from columnist.commentary.paragraphs import MAX_OVER, paragraph_problems, tidy_paragraph
from columnist.commentary.text import split_sentences, word_count

SOURCE = (
    "Council approves new library in Eidfjord\nFjord Post\nEidfjord gets a library\n"
    "The Eidfjord council voted 9 to 2 on Monday to build a library costing 14 million "
    "kroner. Mayor Anja Nygaard said it would open in 2027."
)
LEAD = "When I read that"
OPENING = (
    "When I read that the council chose books over asphalt, I was glad. A small town "
    "needs one warm room where anyone may sit and read for free."
)
POINT = (
    "Nine votes to two is not a close call, and I read it as a town that knows its own "
    "mind. I know councils rarely agree on anything that costs money."
)
CLOSING = (
    "Some will say roads matter more than shelves of novels. Still, I think a place to "
    "read lasts longer than fresh tarmac, and children will remember it."
)


def problems(paragraph: str, number: int = 2, earlier: list[str] | None = None) -> list[str]:
    return paragraph_problems(paragraph, number, earlier or [], SOURCE)


# -- tidy_paragraph ------------------------------------------------------------------


def test_the_lead_is_put_back_when_the_reply_lacks_it() -> None:
    reply = OPENING.removeprefix(LEAD)
    assert reply.startswith(" the council")
    assert tidy_paragraph(reply, LEAD, 40) == OPENING
    assert tidy_paragraph(OPENING, LEAD, 40) == OPENING, "not twice"
    assert tidy_paragraph("  " + OPENING, LEAD, 40) == OPENING
    assert tidy_paragraph(POINT, "", 40) == POINT, "no lead, nothing added"


def test_a_reply_that_runs_on_keeps_its_first_paragraph() -> None:
    assert tidy_paragraph(f"{POINT}\n\n{CLOSING}", "", 40) == POINT
    assert tidy_paragraph(f"{POINT}\n{CLOSING}", "", 40) == POINT, "a single newline too"
    one, two = split_sentences(CLOSING)
    assert tidy_paragraph(f"{one}\n\n{two}\n\n{POINT}", "", 40) == f"{one} {two}", (
        "a first paragraph of one sentence takes the next one with it"
    )
    assert tidy_paragraph(f"**{POINT}**", "", 40) == POINT, "markdown emphasis goes"
    assert tidy_paragraph("", "", 40) == ""


def test_an_overlong_paragraph_is_trimmed_at_a_sentence_end() -> None:
    extra = " I would add a reading room for the old people of the valley as well."
    long = POINT + extra * 4
    assert word_count(long) > 40 * MAX_OVER
    tidy = tidy_paragraph(long, "", 40)
    assert long.startswith(tidy) and tidy.endswith(".")
    assert word_count(tidy) <= 40 * MAX_OVER and word_count(tidy) > 40 * MAX_OVER - 16
    assert set(split_sentences(tidy)) <= set(split_sentences(long)), "whole sentences only"


def test_a_paragraph_is_never_cut_mid_sentence_nor_below_two_sentences() -> None:
    one_long = "I think " + " and ".join(["the library will be a good place to read"] * 12) + "."
    assert tidy_paragraph(one_long, "", 40) == one_long, "one long sentence stays whole"
    two_long = f"{one_long} {one_long.replace('I think', 'I hope')}"
    assert tidy_paragraph(two_long, "", 40) == two_long, "two sentences are the least kept"
    cut_off = POINT + " And then the mayor said that"
    assert tidy_paragraph(cut_off, "", 40) == POINT, "a reply cut off by the token limit"


# -- paragraph_problems --------------------------------------------------------------


def test_a_good_paragraph_has_no_problems() -> None:
    assert problems(OPENING, 1) == []
    assert problems(POINT, 2, [OPENING]) == []
    assert problems(CLOSING, 3, [OPENING, POINT]) == []


def test_markup_an_invented_name_and_meta_text_are_problems() -> None:
    markup = POINT.replace("a close call", "a <ul><li>close call</li></ul>")
    assert any(p.startswith("prose: contains HTML or XML markup (<ul>)") for p in problems(markup))
    invented = POINT.replace("I know councils", "Councillor Per Olsen says councils")
    found = problems(invented)
    assert "not in the sources: Councillor Per Olsen" in found
    assert any(p.startswith("invented: ") and "Olsen" in p for p in found)
    meta = POINT + " In this column I will explain why."
    assert "contains meta-text about the writing" in problems(meta)
    assert problems("") == ["empty paragraph"]
    assert problems("I like the library a great deal.") == ["a single sentence"]


def test_repetition_counts_only_when_the_new_paragraph_adds_it() -> None:
    said_twice = f"{POINT} {split_sentences(POINT)[0]}"  # an accepted paragraph that repeats
    assert any(p.startswith("repetition: ") for p in problems(said_twice, 2, [OPENING]))
    assert not any(
        p.startswith("repetition: ") for p in problems(CLOSING, 3, [OPENING, said_twice])
    )
    again = CLOSING + " " + split_sentences(OPENING)[1]  # says the opening's sentence again
    assert any(p.startswith("repetition: ") for p in problems(again, 3, [OPENING, POINT]))
    assert not any(p.startswith("repetition: ") for p in problems(again, 1, []))


def test_the_desk_restatement_cosine_reaches_the_paragraph_check() -> None:
    first = (
        "My own view starts from the fact that salt substitutes could help prevent strokes in "
        "rural India, where they are a common problem. I think that matters."
    )
    later = (
        "This suggests that these substitutes could be an effective way to reduce the risk of "
        "stroke in rural India without requiring significant changes in diet or lifestyle. "
        "I would still like to know the price."
    )

    def restating(cosine: float) -> bool:
        found = paragraph_problems(later, 2, [first], SOURCE, (), cosine)
        return any(p.startswith("repetition: says again in other words") for p in found)

    assert not restating(0.80) and restating(0.76)


def test_a_paragraph_that_begins_like_an_earlier_one_or_speaks_as_a_columnist_fails() -> None:
    same_start = "Nine votes to two " + CLOSING
    assert "begins like paragraph 2 (“nine votes to …”)" in problems(
        same_start, 3, [OPENING, POINT]
    )
    assert not any(p.startswith("begins like") for p in problems(CLOSING, 3, [OPENING, POINT]))
    speaking_as = POINT + " As an independent columnist, I am committed to reporting it."
    assert "contains meta-text about the writing" in problems(speaking_as)


def test_seams_voice_and_stock_phrases_count_only_in_the_opening() -> None:
    leaning = "However, " + POINT[0].lower() + POINT[1:]
    assert any(p.startswith("seams: opens on the connective") for p in problems(leaning, 1))
    assert not any(p.startswith("seams") for p in problems(leaning, 2, [OPENING]))
    third_person = (
        "The council voted for a library, which the town has wanted. Books cost less than "
        "roads and last longer."
    )
    assert "voice: no first person in the opening paragraph" in problems(third_person, 1)
    later = [p for p in problems(third_person, 2, [OPENING]) if p.startswith("voice")]
    assert later == ["voice: no first person in this paragraph"], "each paragraph says I"
    stock = "As I reflect on the vote, I am glad. " + split_sentences(OPENING)[1]
    assert "opens with a stock phrase ('As I reflect on')" in problems(stock, 1)
    assert problems(stock, 2, [POINT]) == []
    own = paragraph_problems(OPENING, 1, [], SOURCE, ["When I read"])
    assert own == ["opens with a stock phrase ('When I read')"], "the desk's own stock list"


def test_a_sentence_pinned_on_a_speaker_who_never_said_it_fails_the_paragraph() -> None:
    text = (
        "I like the plan. Mayor Anja Nygaard said the library will replace the old school "
        "and end the housing shortage."
    )
    found = [p for p in problems(text, 2, [OPENING]) if p.startswith("unsupported")]
    assert found and "pinned on someone who does not say it" in found[0]


def test_a_reply_broken_off_at_a_line_break_is_not_joined_and_is_sent_back() -> None:
    # the demo's Tanzania opening: a blocked word answered with a line break, twice
    raw = (
        " Tanzania's health ministry and the World Health\nisolation within two days of "
        "falling ill. The virus might come back, so more testing and surveillance may\nneeded."
    )
    paragraph = tidy_paragraph(raw, LEAD, 60)
    expected = "When I read that Tanzania's health ministry and the World Health"
    assert paragraph == expected, "not glued to the next line"
    assert "breaks off mid-sentence" in paragraph_problems(paragraph, 1, [], SOURCE)
    assert "breaks off mid-sentence" not in paragraph_problems(OPENING, 1, [], SOURCE)
