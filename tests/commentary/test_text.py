"""Cleaning model output, excerpts and the commentary checks."""

from columnist.commentary.checks import check_commentary, unsupported_numbers
from columnist.commentary.text import clean_body, make_excerpt, word_count


def test_clean_body_makes_paragraphs_and_drops_title_and_markdown() -> None:
    raw = (
        "**A Pipeline of Power**\nI think the deal matters.\nIt binds *two* states.\n"
        "- It is long.\nAnd the last one is cut off mid"
    )
    body = clean_body(raw)
    assert body.split("\n\n") == [
        "I think the deal matters.",
        "It binds two states.",
        "It is long.",
    ]


def test_excerpt_ends_at_a_sentence_end_near_the_target() -> None:
    sentence = "I have watched this kind of summit many times before and it rarely changes much."
    body = " ".join([sentence] * 4) + "\n\n" + " ".join([sentence] * 4)
    excerpt = make_excerpt(body, words=55)
    assert excerpt.endswith(".")
    assert 45 <= word_count(excerpt) <= 88
    assert body.startswith(excerpt)


def test_excerpt_of_a_short_body_is_the_body() -> None:
    assert make_excerpt("Short. Very short.", 55) == "Short. Very short."


def test_unsupported_numbers() -> None:
    source = "The pipeline will carry 50 billion cubic metres, up 12% from 2025."
    assert unsupported_numbers("It carries 50 billion, 12% more than in 2025.", source) == []
    assert unsupported_numbers("It carries 70 billion and 3% more.", source) == ["3%", "70"]


def test_checks_report_length_form_and_refusals() -> None:
    source = "Xi Jinping met Vladimir Putin in Moscow."
    good = (
        "I think this meeting in Moscow matters more than it looks. Two old partners "
        "are checking what is left of their trust. Both came with long lists.\n\n"
        "I doubt it will change much for the rest of us. Deals of this kind are mostly "
        "about being seen together, and the pictures will do that job well."
    )
    assert check_commentary(good, target_words=70, source_text=source).passed
    bad = "As an AI language model I cannot write this.\n\n## Heading\n- item"
    problems = check_commentary(bad, target_words=70, source_text=source).problems
    assert any("refusal" in p for p in problems)
    assert any("markdown" in p for p in problems)
    assert any("words, outside" in p for p in problems)
