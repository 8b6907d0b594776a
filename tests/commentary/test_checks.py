"""The checks a commentary must pass: length, form, refusals, meta-text, grounding."""

from __future__ import annotations

from columnist.commentary.checks import check_commentary, length_bounds

SOURCE = "Mayor Anja Nygaard said the Eidfjord library would cost 14 million kroner."
GOOD = (
    "A library for Eidfjord is a modest, sensible thing to build. "
    "A small town needs a room where anyone may sit and read for free. "
    "I have seen what such a room does for a place over the years.\n\n"
    "At 14 million kroner it is not cheap, but I would rather fund books than car parks. "
    "The council should hold the builders to that figure and say so in public."
)


def test_a_good_commentary_passes() -> None:
    result = check_commentary(GOOD, target_words=60, source_text=SOURCE)
    assert result.passed, result.problems
    assert result.as_dict()["grounded"] and result.as_dict()["unsupported"] == []


def test_length_is_held_to_within_a_quarter_of_the_target() -> None:
    assert length_bounds(300) == (225, 375)
    result = check_commentary(GOOD, target_words=200, source_text=SOURCE)
    assert result.problems == [f"{result.words} words, outside 150-250"]


def test_form_problems_are_named() -> None:
    bad = "## A Title\n\nSure, here is my column.\n\n- point one\n\nAs an AI I cannot write this."
    problems = " | ".join(check_commentary(bad, target_words=20, source_text=SOURCE).problems)
    for needle in ("markdown", "meta-text", "refusal"):
        assert needle in problems
    one = check_commentary("Just one paragraph here.", target_words=4, source_text=SOURCE)
    assert "a single paragraph" in one.problems


def test_grounding_problems_list_each_kind_and_rank_worse() -> None:
    invented = GOOD.replace("14 million", "20 million") + " Mayor Per Olsen agrees."
    result = check_commentary(invented, target_words=60, source_text=SOURCE)
    assert "numbers not in the sources: 20" in result.problems
    assert "names not in the sources: Mayor Per Olsen" in result.problems
    too_long = check_commentary(GOOD * 3, target_words=60, source_text=SOURCE)
    assert too_long.rank() < result.rank()


def test_stock_and_repeated_openings_are_problems() -> None:
    body = "I can't help but feel this matters. " + GOOD
    result = check_commentary(body, target_words=70, source_text=SOURCE)
    assert result.opening and "stock phrase" in result.opening
    again = check_commentary(
        GOOD, target_words=60, source_text=SOURCE,
        recent_openings=["A library for Eidfjord is overdue."],
    )  # fmt: skip
    assert again.opening and "repeats" in again.opening


def test_prompt_echoes_and_talk_about_the_sources_are_meta_text() -> None:
    from columnist.commentary.text import clean_body

    assert (
        clean_body("The event: Library approved\n\nI like it. Yes.\nNo.")
        == "I like it. Yes.\n\nNo."
    )
    for meta in (
        "The sources provided in the news text confirm this.",
        "The first paragraph starts with a fact.",
        "The event: a library.",
    ):
        problems = check_commentary(meta + "\n\nMore.", target_words=10, source_text="").problems
        assert "contains meta-text about the writing" in problems, meta
    fine = check_commentary("Sources close to the mayor said no.\n\nMore.", target_words=8)
    assert "contains meta-text about the writing" not in fine.problems


def test_a_paragraph_that_repeats_the_plans_instruction_fails() -> None:
    """Published at ce4d054 (the Devon school post): the plan's line came back as prose."""
    from columnist.commentary.checks import meta_problems

    leak = (
        "I think schools should close during outbreaks. This is what I think about this "
        "event, in one sentence that starts with I: I think schools should close."
    )
    assert meta_problems(leak) == ["repeats its instructions (“what i think about this event”)"]
    assert meta_problems("What I think about this is plain: the school was right.") == []
    body = f"{leak}\n\nI would keep it shut until the water is safe again."
    assert any(
        "repeats its instructions" in p for p in check_commentary(body, target_words=30).problems
    )


def test_a_commentary_that_repeats_itself_is_caught() -> None:
    from columnist.commentary.checks import check_commentary, repeated_sentences

    opening = "Putin arrived in Harbin on Wednesday evening for a two-day visit."
    body = f"{opening} I think it matters.\n\nThe talks ran long.\n\n{opening.upper()}"
    assert repeated_sentences(body) == [opening.upper()]
    source = "Putin arrived in Harbin on Wednesday evening for a two-day visit."
    problems = check_commentary(body, target_words=25, source_text=source).problems
    assert any(p.startswith("repetition: repeats itself (1 sentences") for p in problems)
    assert repeated_sentences("Short one. Short one.") == [], "short sentences may recur"


def test_talking_about_the_sources_is_meta_text() -> None:
    from columnist.commentary.checks import check_commentary

    for first in (
        "The most striking fact in the sources is the date.",
        "While recent columns opened with the date, I take a different approach.",
    ):
        body = f"{first}\n\nI think so."
        problems = check_commentary(body, target_words=15, source_text="the date").problems
        assert "contains meta-text about the writing" in problems, first


def test_reader_checks_are_named_in_the_problems_and_the_dict() -> None:
    from columnist.commentary.checks import READER_CHECKS, named_passes

    news = (
        "They say the council has approved it. Mayor Anja Nygaard said the Eidfjord library "
        "would cost 14 million kroner.\n\nThe Russian-Nygord plan needs the money."
    )
    result = check_commentary(news, target_words=25, source_text=SOURCE + " Russia.")
    assert "voice: no first person in the opening paragraph" in result.problems
    assert "voice: no first person (I, me, my) anywhere" in result.problems
    assert 'seams: opens on "They", which refers back to nothing' in result.problems
    assert "invented: not in the sources: Nygord (in Russian-Nygord)" in result.problems
    assert "names not in the sources: Russian-Nygord" in result.problems  # grounding
    assert any(p.startswith("copying: copies 1 source sentence(s) whole") for p in result.problems)
    assert not result.passed
    d = result.as_dict()
    assert list(d["reader"]) == list(READER_CHECKS)
    assert d["reader"]["voice"]["passed"] is False
    assert d["reader"]["prose"] == {"passed": True, "problems": []}
    assert isinstance(d["copied_6gram_share"], float) and d["copied_6gram_share"] > 0.15
    assert d["copied_6gram_share"] == result.copied_6gram_share
    assert d["reader"]["copying"]["passed"] is False
    assert named_passes(d) == {
        "voice": False,
        "copying": False,
        "repetition": True,
        "seams": False,
        "invented": False,
        "prose": True,
        "facts": True,
    }
    good = check_commentary(GOOD, target_words=60, source_text=SOURCE).as_dict()
    assert named_passes(good) == dict.fromkeys(READER_CHECKS, True)
    assert good["copied_6gram_share"] == 0.0 and good["first_person"] >= 2


def test_reader_problems_count_in_the_rank() -> None:
    third_person = GOOD.replace("I have seen", "Many have seen").replace("I would", "one would")
    worse = check_commentary(third_person, target_words=60, source_text=SOURCE)
    assert worse.grounded and not worse.passed
    assert [p for p in worse.problems if not p.startswith("voice: ")] == []
    assert check_commentary(GOOD, target_words=60, source_text=SOURCE).rank() < worse.rank()


def test_markup_and_code_in_a_body_are_prose_problems() -> None:
    body = GOOD + "\n\n<ul><li>ReactDOM.createElement('p')</li></ul>"
    problems = check_commentary(body, target_words=70, source_text=SOURCE).problems
    assert "prose: contains HTML or XML markup (<ul>)" in problems
    assert any(p.startswith("prose: contains code (") for p in problems)


def test_a_writer_given_a_trade_or_talking_about_its_paragraphs_is_meta() -> None:
    from columnist.commentary.checks import meta_problems

    assert meta_problems("As a climate scientist, I believe we must act.") == [
        "gives the writer a role (“As a climate scientist”)"
    ]
    assert meta_problems("My closing paragraph acknowledges the objection.") == [
        "contains meta-text about the writing"
    ]
    assert meta_problems(  # the warships post at 2c17652
        "As someone with experience in international relations, I believe the drills work."
    ) == ["gives the writer a role (“As someone with experience in international relations”)"]
    assert meta_problems(  # the Fico closings, stories 31-40 at 8ef1527
        "I understand why some would say that Robert Fico should have been shot immediately."
    ) == ["wishes violence on someone (“should have been shot”)"]
    assert meta_problems("Some say he deserved to be killed.") == [
        "wishes violence on someone (“deserved to be killed”)"
    ]
    assert meta_problems("He should not be executed, but his guard should be killed.") == [
        "wishes violence on someone (“should be killed”)"
    ], "an earlier 'should not' does not hide a later wish"
    for opinion in (
        "The gunman should be punished, and the men should not have been prosecuted.",
        "Drones that cross the border should be shot down.",
        "Fico was shot five times.",
    ):
        assert meta_problems(opinion) == [], opinion
    assert meta_problems(  # the Greek trial post, stories 31-40 at e497bc0
        "I think it was an unjust trial for one of the deadliest shipwrecks in my country."
    ) == ["gives the writer a life in the news (“my country”)"]
    assert meta_problems(  # the Fico post, stories 31-40 at e497bc0
        "The facts it reports are: Miriam Lapuníková said Fico was in surgery for five hours."
    ) == ["contains meta-text about the writing"]
    for parroted in (  # stories 31-40, middle paragraphs that asked (2026-12-07)
        "The facts it lies on, which state that the promises are vague, make me wonder.",
        "The facts state that these promises were drawn from Blair's 1997 pledge card.",
        "The facts it states in the original news don't mention this aspect of the plan.",
    ):
        assert meta_problems(parroted) == ["contains meta-text about the writing"], parroted
    assert meta_problems("I think the facts of the case state otherwise.") == []
    long_role = (  # the Kenya post, eval at 8ef1527: 70 letters of role
        "As an active advocate for environmental causes and committed to sustainability, I am "
        "excited about this development."
    )
    assert meta_problems(long_role) == [
        "gives the writer a role (“As an active advocate for environmental causes and "
        "committed to sustainability”)"
    ]
    for chatbot in (  # the flu post at 2c17652 ended so
        "I hope this helps address their concerns and provides clarity on why I think so.",
        "I hope this clarifies why the vote matters.",
    ):
        assert meta_problems(chatbot) == ["contains meta-text about the writing"], chatbot
    assert meta_problems("I hope this deal holds, and I hope the council helps.") == []
    assert meta_problems("I hope this will help reduce carbon emissions.") == []  # coal post
    assert meta_problems("I hope this helps.") == ["contains meta-text about the writing"]
    assert meta_problems("As a result, I think the port will shrink.") == []
    assert meta_problems(  # the coal and Raisi posts of the eval at d073f71
        "It is a lease in Montana and Wyoming, which is my home state."
    ) == ["gives the writer a life in the news (“my home state”)"]
    assert meta_problems("The crash has become a major event in my life.") != []
    assert meta_problems("I think my view of the deal has changed.") == []
    assert meta_problems("It affects not just my personal projects but my own work.") != []
    assert meta_problems("It could limit my ability to train chatbots effectively.") == [
        "gives the writer a life in the news (“my ability to train”)"
    ]
    assert meta_problems("It is a test of the court's ability to judge.") == []
    assert meta_problems("What do you make of it?") == ["contains meta-text about the writing"]
    assert meta_problems("What do you think about it?") == ["contains meta-text about the writing"]
    assert meta_problems("As an alternative, I would fund the library first.") == []
    assert meta_problems(  # the AI ruling post, demo at f1beac1
        "I am the owner of Lakeshore Media Group, and the ruling takes my work."
    ) == ["gives the writer a role (“I am the owner”)"]
    assert meta_problems("As the chief executive of the firm, I would appeal.") == [
        "gives the writer a role (“As the chief executive of the firm”)"
    ]
    fair_use = (  # the fair-use post, demo at 8244d16
        "I have been thinking about how AI training might affect my industry, as I am the "
        "creator of Lakeshore Media Group. It could undermine our ability to sell our content."
    )
    assert meta_problems(fair_use) == [
        "gives the writer a role (“I am the creator”)",
        "gives the writer a life in the news (“my industry”)",
        "gives the writer a side (“our content”)",
    ]
    assert meta_problems("I think the ruling is a test for the industry and its content.") == []
    for trade, said in (  # the fair-use post, published in the demo at 5415b20
        ("It might affect my own media company's ability.", "my own media company"),
        ("It could be used to train models that violate my copyrights.", "my copyrights"),
    ):
        assert meta_problems(trade) == [f"gives the writer a life in the news (“{said}”)"]
    assert meta_problems("I think my own view of the company is plain.") == []
    assert meta_problems("As responsible citizens, we must act now.") == [
        "gives the writer a role (“As responsible citizens”)"
    ]
    assert meta_problems("As a responsible citizen of the world, it is my duty.") != []
    assert meta_problems(  # the migrants' trial post, stories 31-40, first-person closing
        "I want it because, as survivors of the disaster, we need to be heard."
    ) == ["gives the writer a role (“as survivors of the disaster”)"]
    assert meta_problems("As families of the victims, our grief is shared.") != []
    assert meta_problems(  # the Devon post, stories 41-50 at 03f45e0
        "I believe it is my responsibility as a responsible citizen to hold them to account."
    ) == ["gives the writer a role (“as a responsible citizen”)"]
    for nobody in (
        "The court treated him as a citizen of France.",
        "As the head of the WHO said, I think the risk is grave.",
        "As Le Monde reports, we are seeing it in November.",
        "As prices rise, we should expect the survivors to need help.",
        "As the victims' families said, we owe them answers.",
        "I am not a lawyer, but the ruling looks narrow to me.",
        "I am the first to admit the ruling surprised me.",
    ):
        assert meta_problems(nobody) == [], nobody
    for page in (  # the Harbin and flu posts of the demo at 43c858a
        "This was not mentioned in the press release, but the facts support it.",
        "It is supported by the facts presented in the other two paragraphs.",
        "As Carla Benavides stated in the article, we are seeing it in November.",
        "As Carla Benavides stated in the passage, we are seeing it in November.",
        "The facts it relies on are that hundreds of tourists are stranded.",
        "The facts rest on that statement, and I believe it matters.",
        "The figures it rests on are from the US National Snow and Ice Data Center.",
        "I think this event could not be used for any purpose, as it is a retelling.",
        # the Labour pledges and migrants' trial posts, stories 31-40 at 03f45e0
        "The facts it is based on are that the party has unveiled a set of pledges.",
        "I weigh the facts presented in The Guardian article about the nine men.",
    ):
        assert meta_problems(page) == ["contains meta-text about the writing"], page
    assert meta_problems("I doubt that the passage of the bill will come soon.") == []
    assert meta_problems("As Le Monde reported, I think the piece of land is theirs.") == []
    assert meta_problems(  # the warships post of the demo at 8f1d025
        "The drills are important for protecting our navy from submarines."
    ) == ["gives the writer a side (“our navy”)"]
    assert meta_problems("I think it is about military security in our region.") == [
        "gives the writer a side (“our region”)"
    ]
    for side, said in (  # the warships post of the demo at ce4b051
        ("It is a matter of maintaining our collective security.", "our collective security"),
        ("Threats could disrupt our diplomatic relations.", "our diplomatic relations"),
        ("We can work together to protect our shared interests.", "our shared interests"),
    ):
        assert meta_problems(side) == [f"gives the writer a side (“{said}”)"], side
    assert meta_problems("I think our cities need more trees, and our children too.") == []
    assert meta_problems("I hope it secures our shared future and our water resources.") == []
    assert meta_problems("I doubt the ruling on newspaper articles will stand.") == []
    for talk in (
        "However, the paragraph does not provide a clear picture of this technology.",
        "The information provided in the original paragraph is incomplete.",
    ):
        assert meta_problems(talk) == ["contains meta-text about the writing"], talk
    assert meta_problems("This statement directly addresses my view, I think.") == [
        "contains meta-text about the writing"
    ]


def test_a_column_is_asked_for_no_more_words_than_its_news_carries() -> None:
    from columnist.commentary.checks import column_words, news_words

    assert column_words(220, 40, 1.5) == 130, "a 40-word item: the shortest column"
    assert column_words(220, 100, 1.5) == 150
    assert column_words(220, 300, 1.5) == 220, "never over what the desk asks"
    assert column_words(100, 40, 1.5) == 100, "nor over a shorter length asked for"
    assert column_words(220, 40, 0) == 220, "0 turns it off"
    assert news_words([("Outlet", "A long title of eight words here", "Four words of text.")]) == 4
