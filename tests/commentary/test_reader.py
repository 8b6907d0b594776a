"""Checks a reader would make: voice, copying, repetition, seams, invented words, prose."""

from __future__ import annotations

import pytest

from columnist.commentary.checks import check_commentary
from columnist.commentary.grounding import Support
from columnist.commentary.reader import (
    READER_CHECKS,
    borrowed_voice,
    copied_sentences,
    copied_share,
    first_person,
    invented,
    invented_words,
    named_passes,
    near_copies,
    opening_seam,
    prose,
    read_as_reader,
    repetition,
    seams,
    voice,
)

SOURCE = """Xi Jinping and Vladimir Putin signed the Power of Siberia 2 gas deal in Moscow on
Tuesday. The pipeline will carry 50 billion cubic metres of gas a year from western Siberia
to northern China, Gazprom said. "This is a historic day for our two nations," Putin told
reporters after the ceremony. Neither side disclosed the price China will pay for the gas.
Russia has sought new buyers since European demand collapsed in 2022. Observers from Kenya,
Norway, Argentina and the Netherlands attended the signing."""

COLUMN = (
    "I do not believe the gas deal Xi Jinping and Vladimir Putin signed in Moscow makes the "
    "two countries equals. My reading is simpler: Russia needs a buyer far more than China "
    "needs a seller, and the missing price says so.\n\n"
    "The Power of Siberia 2 pipeline is a long bet on a single customer. If I were in "
    "Moscow, I would worry about who sets the terms in ten years. Beijing can shop "
    "elsewhere; Russian gas fields cannot move.\n\n"
    "Still, I understand why Putin signs. A Chinese buyer pays in cash, and the Kenyan and "
    "Norwegian observers saw a man who needs cash now. But I would not call this a historic "
    "day for anyone but the Chinese."
)


def test_a_first_person_opinion_column_passes_all_six() -> None:
    report = read_as_reader(COLUMN, SOURCE)
    assert list(report.checks) == list(READER_CHECKS)
    assert list(READER_CHECKS) == [
        "voice", "copying", "repetition", "seams", "invented", "prose", "facts",
    ]  # fmt: skip
    assert report.checks == {name: [] for name in READER_CHECKS}, report.problems()
    assert report.passed and report.failed == []
    assert report.copied_6gram_share < 0.05
    assert report.first_person >= 6 and report.repeated_pairs == 0
    assert report.as_dict()["voice"] == {"passed": True, "problems": []}


# -- voice -------------------------------------------------------------------------


def test_a_news_summary_has_no_voice() -> None:
    summary = (
        "Xi Jinping and Vladimir Putin signed a gas deal in Moscow. The pipeline will run "
        "from Siberia to China.\n\nThe price was not disclosed. Observers attended."
    )
    problems, count = voice(summary)
    assert count == 0
    assert problems == [
        "no first person in the opening paragraph",
        "no first person (I, me, my) anywhere",
    ]


def test_first_person_must_open_the_post_and_recur() -> None:
    late = "The deal was signed in Moscow.\n\nI doubt it will last."
    assert voice(late)[0] == [
        "no first person in the opening paragraph",
        "first person only once",
    ]
    once = "I doubt the deal will last.\n\nThe price was never published."
    assert voice(once)[0] == ["first person only once"]
    assert voice("I doubt it.\n\nThe price worries me.") == ([], 2)


def test_first_person_forms_and_quotations() -> None:
    assert first_person("I'm sure my view is mine; I’ve told myself, and me, I'd say.") == 7
    assert first_person("Minecraft, Mexico, Imagine, mystery, meaning, Iran.") == 0
    quoted = 'Putin said: "I am proud of my country and I mean it."\n\nThe deal was signed.'
    assert first_person(quoted) == 0, "the sources' first person is not the writer's"
    assert "no first person in the opening paragraph" in voice(quoted)[0]


# -- copying -----------------------------------------------------------------------

RETOLD = (
    "I think this deal deserves a harder look than it is getting.\n\n"
    "Xi Jinping and Vladimir Putin signed the Power of Siberia 2 gas deal in Moscow, and "
    "the pipeline will carry 50 billion cubic metres of gas a year from western Siberia to "
    "northern China. Neither side disclosed the price China will pay. My own view is that "
    "the price matters more than the volume.\n\n"
    "I would wait for the contract before cheering."
)


def test_a_post_that_is_forty_percent_source_words_fails_copying() -> None:
    share = copied_share(RETOLD, SOURCE)
    assert 0.35 <= share <= 0.45, share
    report = read_as_reader(RETOLD, SOURCE)
    assert report.copied_6gram_share == round(share, 3)
    assert report.checks["copying"] == [
        "retells a source sentence almost word for word (“Xi Jinping and Vladimir Putin "
        "signed the Power …”)",
        "38% of its 6-word runs are the sources' words (at most 15%): a retelling, not a view",
    ]
    assert report.failed == ["copying"], "in first person, no repeats: only a retelling"
    assert copied_sentences(RETOLD, SOURCE) == [], "no source sentence is copied whole"


def copying_of(body: str) -> tuple[list[str], float]:
    report = read_as_reader(body, SOURCE)
    return report.checks["copying"], report.copied_6gram_share


def test_copying_ignores_case_and_punctuation() -> None:
    shouted = "I READ: NEITHER SIDE -- DISCLOSED THE PRICE; CHINA WILL PAY FOR THE GAS!"
    assert copied_share(shouted, SOURCE) > 0.5
    assert copied_share("I would wait for the contract.", SOURCE) == 0.0


def test_a_whole_source_sentence_is_copying_even_in_a_long_post() -> None:
    body = COLUMN + "\n\nNeither side disclosed the price China will pay for the gas."
    assert copied_share(body, SOURCE) <= 0.15  # a small share...
    problems, _ = copying_of(body)  # ...but a sentence pasted whole
    assert problems == [
        'copies 1 source sentence(s) whole, e.g. "Neither side disclosed the price China will '
        'pay …"'
    ]
    # across the source's hard line breaks too
    wrapped = (
        "Xi Jinping and Vladimir Putin signed the Power of Siberia 2 gas deal in Moscow on Tuesday."
    )
    assert copied_sentences(f"I read it. {wrapped} I doubt it.", SOURCE) == [wrapped]
    # a shorter sentence, or a few words of one, is no copy
    assert copied_sentences("I read that observers attended the signing.", SOURCE) == []
    assert copying_of(COLUMN)[0] == []


# -- repetition --------------------------------------------------------------------

RESTATED = (
    "I think the gas deal Xi Jinping and Vladimir Putin signed in Moscow binds Russia to "
    "China far more tightly than it binds China to Russia. Moscow needs the buyer, and "
    "Beijing can shop elsewhere.\n\n"
    "My worry is the price. Nobody has published it, and I suspect nobody will.\n\n"
    "In the end, the gas deal signed in Moscow ties Russia to China much more tightly than "
    "China to Russia, because Moscow needs a buyer and Beijing can shop elsewhere."
)


def test_a_restated_last_paragraph_fails_repetition() -> None:
    problems, pairs = repetition(RESTATED)
    assert problems[-1] == "paragraph 3 restates paragraph 1" and pairs == 2
    assert problems[0].startswith("says again in other words what paragraph 1 said")
    report = read_as_reader(RESTATED, SOURCE)
    assert report.checks["repetition"] == problems and report.repeated_pairs == 2


def test_a_restated_sentence_fails_repetition() -> None:
    body = (
        "I think the new library in Eidfjord is a modest and sensible thing for the town to "
        "build. Books cost less than roads.\n\n"
        "The council should publish the running costs, and I will read them.\n\n"
        "In the end, the new library is a sensible and modest thing for Eidfjord to build."
    )
    problems, pairs = repetition(body)
    assert pairs == 1 and len(problems) == 1
    assert problems[0].startswith('restates an earlier sentence (1 sentences, e.g. "In the end,')


def test_a_clause_ending_on_an_earlier_paragraphs_fact_fails_repetition() -> None:
    # the closing of a demo column (ab30489): a long sentence that ends on the opening's fact
    body = (
        "The detail I cannot put down is that Tanzania declared free of Marburg after 42 "
        "days without new cases. It is a milestone.\n\n"
        "I take it seriously that Marburg has no approved treatment. I think the fact that "
        "the virus has been contained for so long suggests it is being managed, which is why "
        "I think Tanzania declared free from Marburg after 42 days."
    )
    problems, pairs = repetition(body)
    assert pairs == 1 and problems == [
        'says again what paragraph 1 said ("which is why I think Tanzania declared free …" '
        'after "The detail I cannot put down is that …")'
    ]
    referring_back = body.replace("which is why I think Tanzania declared free", "while the")
    assert repetition(referring_back) == ([], 0)


def test_a_sentence_said_again_in_other_words_in_a_later_paragraph_fails_repetition() -> None:
    # from a column the 1.5B model wrote (tests/data/restatement_pairs.jsonl): the words
    # differ too much for the overlap checks, the meaning does not
    body = (
        "I have been thinking about how the EU has agreed to cut net greenhouse gas "
        "emissions by 90% by 2040. I find the target bold.\n\n"
        "I also think the EU has made progress in reducing emissions by 90% in 2036."
    )
    problems, pairs = repetition(body)
    assert pairs == 1 and len(problems) == 1
    assert problems[0].startswith("says again in other words what paragraph 1 said")
    same_paragraph = body.replace("\n\n", " ")
    assert repetition(same_paragraph) == ([], 0), "within a paragraph it may elaborate"
    other = body.split("\n\n")[0] + (
        "\n\nPoland and Hungary voted against, and I would like to hear their reasons."
    )
    assert repetition(other) == ([], 0), "another subject in the same story is no restatement"


@pytest.mark.parametrize(
    ("body", "said_again", "instead"),
    [
        # stories 31-40 at 03f45e0 (tests/data/restatement_pairs.jsonl): "Russia and China"
        # in one sentence only keeps the pair at 0.74 as written; masked, 0.89
        (
            "I welcome the talks. This is a positive development in the relationship between "
            "Russia and China, as it shows that both countries value mutual security and "
            "cooperation.\n\n"
            "I am struck by the concert. This is an important development in their diplomatic "
            "relationship, as it shows that both nations value mutual security and cooperation.",
            "This is an important development in their diplomatic relationship, as it shows "
            "that both nations value mutual security and cooperation.",
            "I would like to know what the two armies will do together next year.",
        ),
        # stories 31-40 at 9ebba12: 0.75 as written, the claims without "I would also point
        # out that" / "I accept that" and the "but" clause 0.92
        (
            "I would also point out that Labour's approach to making Britain a better country "
            "is similar to Tony Blair's 1997 campaign.\n\n"
            "I accept that Labour's approach to making the country a better place is similar "
            "to Tony Blair's 1997 election campaign, but it is not calling their promises "
            "pledges.",
            "Labour's approach to making the country a better place is similar to Tony "
            "Blair's 1997 election campaign",
            "the six steps are vague and their success will be hard to measure",
        ),
        # the Antarctic post, demo at bdfa0cf (published): the first claim sits behind
        # "scientists are warning us that"; 0.74 as written, 0.96 from the claim on
        (
            "I am struck that scientists who study sea ice are "
            "warning us that this year has been exceptionally cold, with less than the "
            "average amount of ice.\n\nI would also point out that this year has been "
            "unusually cold, with less than the usual amount of ice.",
            "this year has been unusually cold, with less than the usual amount of ice.",
            "the scientists who study sea ice should tell us what they need.",
        ),
    ],
    ids=["names-in-one-only", "behind-another-lead-and-tail", "behind-a-reporting-verb"],
)
def test_a_claim_said_again_in_other_dress_fails_repetition(
    body: str, said_again: str, instead: str
) -> None:
    problems, pairs = repetition(body)
    assert pairs == 1 and problems[0].startswith("says again in other words what paragraph 1")
    other = body.replace(said_again, instead)
    assert other != body
    assert repetition(other) == ([], 0)


def test_a_desk_can_hear_restatement_sooner() -> None:
    # a pair from tests/data/restatement_pairs.jsonl labelled as saying it again, at a
    # cosine of about 0.78: under the default 0.80, over a desk's stricter 0.76
    body = (
        "My own view starts from the fact that salt substitutes could help prevent strokes in "
        "rural India, where they are a common problem.\n\n"
        "This suggests that these substitutes could be an effective way to reduce the risk of "
        "stroke in rural India without requiring significant changes in diet or lifestyle."
    )
    assert repetition(body) == ([], 0)
    problems, pairs = repetition(body, restate_cosine=0.76)
    assert pairs == 1 and problems[0].startswith("says again in other words what paragraph 1")
    stricter = check_commentary(body, target_words=40, source_text="", restate_cosine=0.76)
    assert any(p.startswith("repetition: says again in other words") for p in stricter.problems)
    assert not any(
        p.startswith("repetition") for p in check_commentary(body, target_words=40).problems
    )


def test_a_second_restatement_is_judged_by_the_desks_threshold_not_the_first_ones() -> None:
    # two labelled pairs (tests/data/restatement_pairs.jsonl) in one column: the EU pair at
    # a cosine of about 0.82, then the salt pair at about 0.78. The first found must not
    # raise the bar for the second (it did: the closest cosine overwrote the threshold, so
    # a column saying one thing three times was heard once)
    from columnist.commentary.restate import restated

    sentences = [
        (
            0,
            "I have been thinking about how the EU has agreed to cut net greenhouse gas "
            "emissions by 90% by 2040.",
        ),
        (
            0,
            "My own view starts from the fact that salt substitutes could help prevent "
            "strokes in rural India, where they are a common problem.",
        ),
        (1, "I also think the EU has made progress in reducing emissions by 90% in 2036."),
        (
            1,
            "This suggests that these substitutes could be an effective way to reduce the "
            "risk of stroke in rural India without requiring significant changes in diet.",
        ),
    ]
    found = restated(sentences, cosine=0.76)
    assert [(i, j) for i, j, _ in found] == [(0, 2), (1, 3)]
    assert found[0][2] > found[1][2] >= 0.76


def test_exact_repeats_and_repeated_runs_of_eight_words_fail() -> None:
    opening = "Putin arrived in Harbin on Wednesday evening for a two-day visit."
    exact = f"{opening} I think it matters.\n\nThe talks ran long.\n\n{opening.upper()}"
    problems, pairs = repetition(exact)
    assert problems == ['repeats itself (1 sentences, e.g. "PUTIN ARRIVED IN HARBIN ON WEDNESDAY '
                        'EVENING FOR …")'] and pairs == 1  # fmt: skip
    run = (
        "I think the council should hold the builders to that figure. Roads can wait.\n\n"
        "Whatever the mayor says about the roads, the council should hold the builders to "
        "that figure, and I will be watching."
    )
    problems, pairs = repetition(run)
    assert problems == [
        'says the same 8 words twice, e.g. "the council should hold the builders to that"'
    ]
    assert pairs == 1


def test_sentences_sharing_a_name_or_a_fact_are_not_repetition() -> None:
    shared_name = (
        "I doubt the Norwegian Water Resources and Energy Directorate enjoys publishing "
        "these figures. The Norwegian Water Resources and Energy Directorate measured the "
        "glacier in September.\n\n"
        "I trust the Norwegian Water Resources and Energy Directorate more than any minister "
        "on this. My own memory of the ice says the same."
    )
    assert repetition(shared_name) == ([], 0)
    fact_then_view = (
        "Xi and Putin signed the deal in Moscow on Tuesday. I doubt the deal Xi and Putin "
        "signed in Moscow will last.\n\nMy reason is simple: the price is secret."
    )
    assert repetition(fact_then_view) == ([], 0)
    assert repetition(COLUMN) == ([], 0)


# -- seams -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "word"),
    [
        ("However, the deal is done and I am not impressed.", "However"),
        ("Both leaders are committed to the pipeline, and I am not.", "Both"),
        ("They agreed on everything except the price, I notice.", "They"),
        ("But I still think the price matters most.", "But"),
        ("Moreover, I doubt it.", "Moreover"),
        ("This is a bad deal for Moscow, I think.", "This"),
        ("It will carry gas east for decades, I suppose.", "It"),
        ("Their deal leaves me cold.", "Their"),
        ("Such deals rarely last, in my experience.", "Such"),
        ("In addition, I worry about the price.", "In addition"),
    ],
)
def test_an_opening_that_leans_on_nothing_is_a_seam(first: str, word: str) -> None:
    body = f"{first} My view is that Moscow needs the buyer.\n\nI would wait for the price."
    problems = seams(body)
    assert len(problems) == 1 and f'"{word}"' in problems[0], problems


@pytest.mark.parametrize(
    "first",
    [
        "It is hard to see why Moscow signed without a price.",
        "It's worth asking who needs whom here.",
        "Both Xi and Putin smiled for the cameras, and I did not.",
        "That Putin signed without a price tells me a lot.",
        "This week I learned what a pipeline without a price looks like.",
        "So far I am not convinced by any of it.",
        "Those who remember 2014 will not be surprised.",
        "I think the price matters more than the pipeline.",
        '"This is a historic day," Putin said, and I doubt it.',  # the speaker's "This"
    ],
)
def test_ordinary_openings_are_not_seams(first: str) -> None:
    assert opening_seam(first) is None


def test_second_without_first_is_a_seam_and_finally_is_fine() -> None:
    body = (
        "I think the deal is weak. Second, it has no price.\n\n"
        "Third, nobody knows when the gas will flow. Finally, I doubt it will."
    )
    assert seams(body) == ['"Second" without an earlier "First"']
    assert seams("I think it is weak. Secondly it has no price.") == [
        '"Secondly" without an earlier "First"'
    ]
    assert seams("I think it is weak. First, no price.\n\nThird, no date.") == [
        '"Third" without an earlier "Second"'
    ]
    ordered = "I think it is weak. First, no price. Second, no date. Finally, no buyer."
    assert seams(ordered) == []
    assert seams("I think it is weak. Firstly no price.\n\nSecondly no date.") == []


def test_a_later_paragraph_may_turn_on_however_or_but() -> None:
    body = (
        "Is the deal good for Russia? I think it is the best Moscow could get.\n\n"
        "However, I would not call it a triumph. But I would sign it too."
    )
    assert seams(body) == []
    assert seams("I think it is weak.\n\nBut the price may surprise me.") == []


# -- invented ----------------------------------------------------------------------

NAMES = Support(SOURCE)


def test_each_part_of_a_hyphenated_name_must_come_from_the_sources() -> None:
    body = "I think the Russian-Putian summit in Moscow was a show, and I said so."
    assert invented_words(body, NAMES) == ["Putian (in Russian-Putian)"]
    report = read_as_reader(body, SOURCE)
    assert report.checks["invented"] == ["not in the sources: Putian (in Russian-Putian)"]
    assert invented_words("I think the Xi-Putin summit mattered to me.", NAMES) == []
    assert invented_words("I think the Sino-Russian deal is anti-Western.", NAMES) == []


def test_demonyms_of_source_names_are_not_invented() -> None:
    body = (
        "I watched the Kenyan, Norwegian, Argentine, Argentinian and Dutch observers, and "
        "the Chinese and Russian hosts. I saw Kenyans and Norwegians, not Europeans."
    )
    assert invented_words(body, NAMES) == []
    assert Support("Kenya voted.").has_word("Kenyan")
    assert Support("Kenyan officials voted.").has_word("Kenya")
    assert not Support("Kenya voted.").has_word("Kenyatta")
    germany = Support("Volkswagen will cut jobs in Germany.")
    assert germany.has_word("Germans") and not germany.has_word("Germanians"), "no such word"


def test_invented_names_are_found_but_ordinary_sentence_openers_are_not() -> None:
    body = (
        "Nothing surprised me. Officials smiled. I think Dmitry Peskov and the Kremlin "
        "knew. Peskov said as much. I read the NATO view too."
    )
    assert invented_words(body, NAMES) == ["Dmitry", "Peskov", "Kremlin", "NATO"]
    quoted = 'I read "the Kremlin is very happy" and laughed.'
    assert invented_words(quoted, NAMES) == [], "a long quotation is checked as a quotation"


def test_a_source_sentence_retold_with_a_word_or_two_swapped_is_copying() -> None:
    source = "Pix processed 250 million transactions on Friday, a record, the central bank said."
    swapped = (
        "My own view starts from the fact that Pix processed 250 transactions on Friday, a "
        "record, the central banking said. I like it."
    )
    assert near_copies(swapped, source) == [swapped.split(" I like")[0]]
    assert near_copies("I think Pix, with its record Friday, shames the card firms.", source) == []


def test_a_column_that_borrows_a_speakers_we_speaks_as_them() -> None:
    source = (
        'The ministry said the drill was "a routine exercise under our annual cooperation '
        'plan". "We replanted with our own money," he said. US tariffs rose.'
    )
    body = "I think it is a routine exercise under our cooperation plan, as I read it."
    assert borrowed_voice(body, source) == [
        "speaks as someone in the news (“our … cooperation plan”)"
    ]
    assert borrowed_voice("I think we should watch the plan; our leaders say little.", source) == []
    assert borrowed_voice("I doubt US tariffs rose for long, and US tariffs hurt.", source) == []
    assert "voice" in read_as_reader(body, source).failed


def test_a_speakers_our_turned_into_my_speaks_as_them() -> None:
    """ "My seawalls cannot be built with promises" from Tonga's negotiator's "Our seawalls
    cannot be built with promises" (the Antalya post, eval at 8ef1527)."""
    source = (
        '"We accepted this as a floor, not a ceiling. Our seawalls cannot be built with '
        "promises,\" said Tevita Manu, Tonga's lead negotiator."
    )
    body = "My seawalls cannot be built with promises, and we must adapt now."
    assert borrowed_voice(body, source) == ["speaks as someone in the news (“My … seawalls built”)"]
    assert borrowed_voice("I think my view of the seawalls is plain: build them.", source) == []
    assert borrowed_voice("My sense is that the floor will hold.", source) == []


def test_half_written_and_glued_words_are_invented_but_english_and_british_pass() -> None:
    source = Support("The glacier lost 4% of its ice. Matatu drivers organised a strike.")
    body = (
        "I think the glacier lost 4% of its ic in one summer, and the millionarticles of "
        "lowerflation worry me. The matatus' drivers organised well; I've seen the colour "
        "of the centre's overreliance on defence."
    )
    assert invented(body, source) == ["not a word: ic, millionarticles, lowerflation"]
    cut = "I think the infected-blood-sc scandal was avoidable, and so-called co-operation."
    assert invented(cut, source) == ["not a word: sc"], "stories 41-50 at 03f45e0"
    assert invented("I think the ice is going.", source) == []


def test_a_word_after_an_opening_quotation_mark_is_read_too() -> None:
    """ "a deal with 'separateatists'" (the New Caledonia draft, eval at e497bc0): the
    word after the quotation mark went unread, as if it were the rest of "don't"."""
    source = Support("The minister accused Azerbaijan of a deal with separatists.")
    body = "I doubt the deal with 'separateatists' and ‘separatedatists’ is real; don't you?"
    assert invented(body, source) == ["not a word: separateatists, separatedatists"]
    assert invented("I doubt the 'deal' with ‘separatists’ isn't o'clock talk.", source) == []


def test_a_plural_of_a_person_a_place_or_a_plural_is_invented() -> None:
    """Published posts: "Palestinianss" (the Gaza pier, e497bc0), "Keirs Starmer's" (new
    towns, 14bb0f3), "Queenslands" (Eraring, ce4d054), "Vladimir Putins met Xi", "in
    Kalamatas": a plural s passed on any name. A people takes one; a person or a place
    does not."""
    source = Support(
        "Aid will reach Palestinians, Kenyans said. Keir Starmer and Vladimir Putin spoke in "
        "Queensland and Kalamata. Israeli and Kenyan officials, Republicans and Russia too."
    )
    body = (
        "I think Palestinianss, Keirs Starmer, Vladimir Putins, the Queenslands and "
        "Kalamatas matter."
    )
    assert invented_words(body, source) == [
        "Palestinianss",
        "Keirs",
        "Putins",
        "Queenslands",
        "Kalamatas",
    ]
    people = "I think Palestinians, Kenyans, Israelis, Republicans and Russians agree."
    assert invented_words(people, source) == []


def test_a_pronoun_inside_a_name_is_invented() -> None:
    source = Support(
        "The US National Snow and Ice Data Center said sea ice fell. I Squared Capital"
    )
    garbled = "I think the figures from the National Snow and I Data Center worry me."
    assert invented(garbled, source) == ["not in the sources: I Data"]
    fine = "I think the Center is right, and I Squared Capital too. Today I read it."
    assert invented(fine, source) == []


def test_a_hyphenated_name_cut_short_is_invented() -> None:
    source = Support("Floods killed 17 people in Emilia-Romagna. Rome promised aid.")
    cut = "I find it telling that farmers in Emilia-Roman still wait for aid."
    assert invented(cut, source) == ["not in the sources: Emilia-Roman (for Emilia-Romagna)"]
    assert invented(cut.replace("Roman ", "Romagna "), source) == []
    assert invented("I doubt the Roman promise.", source) == [], "a demonym of Rome alone"


def test_a_name_with_a_word_swapped_for_one_the_sources_never_use_is_invented() -> None:
    source = Support(
        "TSMC said its plant in the United States reached a 92% yield. Ships go round the "
        "Cape of Good Hope, said Prime Minister Keir Starmer."
    )
    body = "I doubt the Under States will gain much. Ships avoid the Cape of Goods Hope."
    assert invented(body, source) == [
        "not in the sources: Goods, Under States (for United States), Goods Hope (for Good Hope)"
    ]
    fine = "I doubt the United States will gain. I think Prime Minister Starmer is right."
    assert invented(fine, source) == [], "their own Minister before their own Starmer"
    bill = Support("MPs back the Frontier AI Safety Bill. The British AI industry will cope.")
    assert invented("I think that Frontier's AI rules are strict.", bill) == [], "a possessive"
    pix = Support("Brazil's Pix payments hit 250 million transactions in a single day.")
    assert invented("I think Brazil Pix is a marvel.", pix) == [], "their name, less its 's"
    rayner = Support("Angela Rayner is to say in a speech that Labour will back developers.")
    assert invented("I read it in Angelic Rayner's speech, and I agree.", rayner) == [
        "not in the sources: Angelic Rayner (for Angela Rayner)"
    ], "stories 31-40 at 03f45e0: the swap carries a possessive"
    assert invented("I read Angela Rayner's speech, and I agree.", rayner) == []


def test_a_name_joined_up_by_hyphens_and_bent_is_invented() -> None:
    """ "the Power-of-Siberian 2 gas pipeline" (demo at e7a2146): each part is a source
    word or a demonym of one, so the part-by-part check let it by."""
    source = Support("They signed a framework for the Power of Siberia 2 gas pipeline.")
    body = "I think the Power-of-Siberian 2 pipeline matters. The Power-of-Siberians 2 too."
    assert invented(body, source) == [
        "not in the sources: Power-of-Siberian (for Power of Siberia), "
        "Power-of-Siberians (for Power of Siberia)"
    ]
    fine = "I think the Power of Siberia 2 matters, and so does a state-of-the-art pipe."
    assert invented(fine, source) == []


def test_a_figure_or_word_glued_by_a_full_stop_is_not_a_word_but_decimals_and_sites_pass() -> None:
    source = Support("Tanzania was declared free of Marburg after 42 days without new cases.")
    body = "I think they declared it free after 42.days. The economy.inflation worried me."
    assert invented(body, source) == ["not a word: 42.days, economy.inflation"]
    heating = "I think it is driven primarily.by.global heating."  # the demo at e7a2146
    assert invented(heating, source) == ["not a word: primarily.by"]
    fine = "I think 4.2% is small, 42. Days pass; see example.com, e.g. this, at 9 a.m. today."
    assert invented(fine, source) == []
    garbled = "I think the men held since the 14 six disaster last year deserve a trial."
    assert invented(garbled, source) == ["not a word: 14 six"]  # stories 31-40 at 9ebba12
    counted = "I think 42 days, 2 million doses and 1,100 cases, one by one, tell the story."
    counted += " Since 2024 one in five has waited."
    assert invented(counted, source) == []


# -- prose -------------------------------------------------------------------------


def test_markup_and_code_are_not_prose() -> None:
    body = (
        "I think the deal is weak.\n\n<ul><li>No price</li></ul>\n\n"
        "ReactDOM.createElement('div', null, 'gas') is what I got back."
    )
    problems = prose(body)
    assert problems == [
        "contains HTML or XML markup (<ul>)",
        "contains code (ReactDOM.createElement('div',)",
    ]
    report = read_as_reader(body, SOURCE)
    assert report.checks["prose"] == problems and "prose" in report.failed


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('<div class="note">I agree.</div>', "markup"),
        ("I agree &amp; so do they.", "markup"),
        ("function (a, b) { return a; }", "code"),
        ("const price = 5;", "code"),
        ("import React from 'react'", "code"),
        ("I logged it with console.log and moved on.", "code"),
        ("The answer => yes.", "code"),
        ("Read more at example.com/path today.", "web address"),
        ("See https://gazprom.ru/deal for the text.", "web address"),
        ("I see three problems:\n- no price\n- no date", "a list"),
        ("I see three problems:\n1. no price\n2. no date", "a list"),
        ("## My view\n\nI agree.", "markdown"),
        ("I **really** agree.", "markdown"),
        ("I give real weight to how the drills… which are not aimed at any…", "ellipsis"),
        ("The ships will be returning... to Vladivostok.", "ellipsis"),
    ],
)
def test_anything_but_prose_is_named(text: str, needle: str) -> None:
    assert any(needle in p for p in prose(text)), prose(text)


def test_ordinary_punctuation_is_prose() -> None:
    body = (
        "I think, as Mr. Smith said, the U.S. and the E.U. agree (mostly); so do I.\n\n"
        "It cost 3.5 billion, e.g. more than the 2.1bn of 2020 - a lot - and 41% more. "
        "The function (if any) of the summit was a photograph: 3:1 for Beijing."
    )
    assert prose(body) == []
    assert prose(COLUMN) == []


# -- reporting ---------------------------------------------------------------------


def test_named_passes_reads_the_reader_table_or_the_prefixes() -> None:
    report = read_as_reader(RETOLD, SOURCE)
    table = {"words": 80, "problems": report.problems(), "reader": report.as_dict()}
    assert named_passes(table) == {name: name != "copying" for name in READER_CHECKS}
    first_draft = {"passed": False, "problems": ["copying: 40% ...", "a single paragraph"]}
    assert named_passes(first_draft) == {name: name != "copying" for name in READER_CHECKS}
    assert named_passes({"words": 80, "problems": [], "passed": True}) == {}


def test_a_paragraph_that_breaks_off_mid_sentence_is_a_seam() -> None:
    body = (
        "I think the library is worth it, and I said so. Books last.\n\n"
        "The virus might come back, so more testing and surveillance may"
    )
    assert seams(body) == ["paragraph 2 breaks off mid-sentence"]
    assert seams(body + " be needed.") == []


def test_a_fact_told_again_behind_another_lead_fails_repetition() -> None:
    # the warships post (demo at 87abc2b): the same quote told in two paragraphs, in
    # words neither the embedder nor the overlap checks paired
    source = (
        'Six warships began a joint exercise in the Sea of Japan on Monday. "These are '
        "routine exercises under our annual cooperation plan and are not aimed at any third "
        'party," a defence ministry spokesperson said.'
    )
    body = (
        "I think the drills matter. The reason is that these exercises are part of their "
        "annual cooperation plan and do not aim at any third party.\n\n"
        "I would also point out that the drills are part of their annual naval cooperation "
        "plan and are not aimed at any third party."
    )
    problems, pairs = repetition(body, source)
    assert pairs == 1 and problems[0].startswith("tells again the fact paragraph 1 told")
    assert repetition(body)[1] == 0, "without the sources the pair is not seen"
    other = body.split("\n\n")[0] + "\n\nI would also point out that six warships took part."
    assert repetition(other, source) == ([], 0), "another fact of the same story"


def test_a_name_with_its_small_word_swapped_is_invented() -> None:
    support = Support("Xi and Putin agreed on the Power of Siberia 2 pipeline.")
    said = "I think the Power and Siberia 2 pipeline matters to Xi and Putin."
    assert invented(said, support) == [
        "not in the sources: Power and Siberia (for Power of Siberia)"
    ]
    assert invented("I think the Power of Siberia 2 pipeline matters.", support) == []


HARBIN = (
    "Putin and Xi signed 14 agreements in Harbin, but none on the Power of Siberia 2 "
    "pipeline. The European Central Bank's 2% target. Meridian Cloud 340 million euros."
)


def test_a_name_the_sources_number_takes_only_their_figure() -> None:
    """The Harbin post, demo at 75885d6: "the Power of Siberia 14 gas pipeline", the
    sources' name with the figure of their 14 agreements; every token is theirs."""
    said = "I think the Power of Siberia 14 gas pipeline matters to Xi and Putin."
    assert invented(said, Support(HARBIN)) == ["not in the sources: Siberia 14 (for Siberia 2)"]
    for fine in (
        "I think the Power of Siberia 2 pipeline matters, and so do the 14 agreements.",
        "I doubt the Bank's 14 reasons; the Bank's 2% target stands.",  # what a name owns
        "I note the fine cost Meridian Cloud 14 million euros.",  # a sum, not a name
        "I think Putin in 2026 matters.",
    ):
        assert invented(fine, Support(HARBIN)) == [], fine


def test_a_name_the_sources_always_number_keeps_its_figure() -> None:
    """The Harbin post, demo at 15b7942: "the Power of Siberia gas pipeline", another
    pipeline than the sources' Power of Siberia 2."""
    said = "I think the Power of Siberia gas pipeline matters to Xi and Putin."
    assert invented(said, Support(HARBIN)) == [
        "not in the sources: Siberia without its figure (for Siberia 2)"
    ]
    boeing = Support("The airline ordered 40 Boeing 737 jets. Its Lite 8 fares rose.")
    for fine, support in (
        ("I think the Power of Siberia 2 pipeline matters to Xi and Putin.", HARBIN),
        ("I doubt Boeing can deliver 40 jets on time.", boeing),  # the company, not a model
        ("I think Lite fares matter.", boeing),  # no longer name in the sources
    ):
        assert invented(fine, Support(support) if isinstance(support, str) else support) == []
    lyon = Support("The model, Corvelle Lite 8B, has 8 billion parameters.")
    assert invented("I think Corvelle Lite is a fine model.", lyon) == [], (
        "8B is no figure the sampler can write, so it is not asked for"
    )
    once_bare = Support(HARBIN + " Power of Siberia was built in 2019.")
    assert invented(said, once_bare) == [], "the sources write the name bare themselves"
