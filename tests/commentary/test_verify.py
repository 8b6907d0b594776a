"""The claim verifier: the passage a sentence rests on, and what the sentence adds to it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from columnist.commentary.constraints import NgramBlock, words_of
from columnist.commentary.evalset import load_stories
from columnist.commentary.grounding import Support
from columnist.commentary.opposites import opposite, turned_words
from columnist.commentary.paragraphs import paragraph_problems
from columnist.commentary.reader import misstated
from columnist.commentary.verify import (
    MISSTATED,
    Passages,
    claim_of,
    held_view,
    invented_voice,
    is_opinion,
    rule_verdict,
    verify,
    voice_phrases,
)
from tests.conftest import columnist, error_line

DATA = Path(__file__).parents[1] / "data"
BOE = "Bank of England holds rates at 4.5% as inflation edges up to 3.4%"
SOURCE = (
    "Nigeria lifts ban on raw cashew exports\n"
    "Nigeria's trade ministry said on Monday it would lift a ban on exporting raw cashew "
    "nuts, two months after it was introduced to encourage local processing. Farmers' "
    "groups had protested, saying prices had halved to 600 naira per kilogram. Tunde "
    "Olaleye, who runs a processing plant in Ogbomoso, said banks would not lend for new "
    "machinery. The ban had been meant to last a year."
)


def reason(sentence: str) -> str:
    verdict = rule_verdict(sentence, Passages.of(SOURCE), Support(SOURCE))
    return "" if verdict.supported else verdict.reason


def reasons(text: str, source: str) -> list[str]:
    """The verifier's reason for each sentence of `text` ("" where it passes)."""
    return [v.reason for v in verify(text, source)]


def test_a_faithful_paraphrase_and_an_opinion_pass() -> None:
    assert reason("Prices for farmers halved to 600 naira per kilogram after the ban.") == ""
    assert reason("I think the ministry should have listened to the processors sooner.") == ""
    assert is_opinion("Was a two-month ban ever going to change anything?")


def test_what_the_passage_does_not_say_is_caught() -> None:
    assert reason("Every farmer's price halved to 600 naira per kilogram.").startswith(
        "a sweeping word"
    )
    assert reason("Prices halved to 600 naira because farmers' groups protested.").startswith(
        "a cause the passage does not give"
    )
    assert reason("Banks in Ogbomoso would lend for new machinery, Olaleye said.").startswith(
        "drops the passage's negation"
    )
    assert reason("Olaleye said prices halved to 700 naira.").startswith("not in the sources")
    assert reason("Exporters have already signed contracts with foreign buyers.") == (
        "no passage says this"
    )
    assert reason("Olaleye said the ministry must pay farmers for their losses.").startswith(
        "pinned on someone who does not say it: Olaleye"
    )
    assert reason("In Ogbomoso, 600 banks would not lend for new machinery.").startswith(
        "the figure belongs to something else"
    )


def test_a_figure_or_an_actor_taken_from_the_next_fact_is_caught() -> None:
    source = (
        "Inflation rose to 3.4% in the year to April. Food prices rose 4.1% over the year. "
        "President William Ruto has pledged to grow 15 billion trees by 2032. Environment "
        "minister Soipan Tuya said 150,000 sites took part."
    )
    check = Passages.of(source), Support(source)
    assert rule_verdict("Inflation rose to 4.1% in the year to April.", *check).reason == (
        "the figure belongs to something else: 4.1"
    )
    assert rule_verdict("Soipan Tuya has pledged to grow 15 billion trees.", *check).reason == (
        "pinned on someone who does not say it: Soipan Tuya"
    )
    both = "Inflation rose to 3.4% in the year to April, and food prices rose 4.1%."
    assert rule_verdict(both, *check).supported, "each figure with its own fact"
    assert rule_verdict("Ruto has pledged to grow 15 billion trees by 2032.", *check).supported


def test_only_precise_flags_hold_a_paragraph() -> None:
    flagged = verify(
        "Olaleye said the ministry must pay farmers. Exporters may be glad. Exporters are glad.",
        SOURCE,
    )
    assert [v.reason for v in flagged][1:] == ["no passage says this"] * 2
    assert [v.precise for v in flagged] == [True, False, True], (
        "'no passage' on a hedged sentence is only reported; stated flat out, it holds"
    )


def test_a_paragraph_gets_one_verdict_a_sentence() -> None:
    verdicts = verify("I think it is a pity. Every farmer lost half.\nThe ban ended.", SOURCE)
    assert [v.sentence for v in verdicts] == [
        "I think it is a pity.",
        "Every farmer lost half.",
        "The ban ended.",
    ]
    assert [v.supported for v in verdicts][:2] == [True, False]


def test_a_guessed_consequence_the_sources_do_not_give_is_acted_on() -> None:
    guessed = "The lifted ban could lead to more cashew farms closing in the north."
    verdict = rule_verdict(guessed, Passages.of(SOURCE), Support(SOURCE))
    assert verdict.reason == "a consequence the news does not mention" and verdict.precise
    hedged_paraphrase = "The ban may have been meant to push local processing, I gather."
    verdict = rule_verdict(hedged_paraphrase, Passages.of(SOURCE), Support(SOURCE))
    assert verdict.supported or not verdict.precise, "a hedge alone is not a guess"
    given = "Farmers' groups said prices could halve to 600 naira per kilogram."
    assert reason(given) != "a consequence the news does not mention"


def test_a_group_in_the_news_made_to_argue_where_nobody_disagrees_is_invented() -> None:
    """The eagles post (run d of verifier_posts.jsonl): the researchers only found."""
    found = "Researchers have found that eagles shifted their flight paths to avoid the war."
    said = "Some researchers argue that the detours are not necessarily a problem."
    assert invented_voice(said, found) == "researchers who argue otherwise"
    assert "some researchers argue" in voice_phrases(found)
    quarrel = found + " Other researchers doubted the data."
    assert invented_voice(said, quarrel) is None, "someone in the news does disagree"
    assert "some researchers argue" not in voice_phrases(quarrel)
    assert invented_voice("Researchers say the eagles took detours.", found) is None


def test_a_might_have_been_the_sources_do_not_give_is_a_guess() -> None:
    """12 of 14 such sentences that no passage covers in the labelled posts are wrong:
    "the death of Iran's president could have been prevented", "could have saved his life"."""
    guess = "I take it seriously that the loss of these farms could have been prevented."
    verdict = rule_verdict(guess, Passages.of(SOURCE), Support(SOURCE))
    assert verdict.reason == "a consequence the news does not mention" and verdict.precise
    effect = "The protests could have a lasting effect on trust in the ministry."
    assert reason(effect) == "a consequence the news does not mention"
    for put in (
        "I can see the case that some people might argue the farms could have been saved.",
        "It is hard to understand how the loss of these farms could have been avoided.",
    ):
        assert reason(put) != "a consequence the news does not mention", put


def test_a_sentence_saying_the_opposite_of_its_passage_is_caught() -> None:
    morale = "German business morale fell to its lowest level since April, the Ifo survey said."
    assert opposite("Business morale rose to its highest level since April.", morale) == (
        "highest where it says lowest"
    )
    assert opposite("The firm says it will accept the ruling.", "The firm said it would appeal.")
    assert opposite("The regulator has already cleared the deal.", "The deal still needs approval.")
    assert opposite("Engineers have yet to approve it.", "Engineers have approved the design.")
    assert opposite("Morale fell to its lowest level since April.", morale) is None
    ruling = (
        "A Dutch court ordered tobacco firms to pay for quit-smoking programmes. "
        "Philip Morris Benelux said it would appeal the ruling."
    )
    verdict = rule_verdict(
        "Philip Morris Benelux says it will accept the ruling.",
        Passages.of(ruling),
        Support(ruling),
    )
    assert verdict.reason == "says the opposite of the passage: accept where it says appeal"
    assert verdict.precise


def test_a_claim_under_a_first_person_frame_is_checked_as_a_claim() -> None:
    assert claim_of("I am struck that the committee is voting for a cut.") == (
        "the committee is voting for a cut."
    )
    assert claim_of("What persuades me is that banks would not lend.") == "banks would not lend."
    assert claim_of("I understand why some would say that the ban was right.") is None
    assert claim_of("I doubt that the ban will last a year.") is None
    stories = {s.title: s for s in load_stories(DATA / "writer_eval.jsonl")}
    rates = stories[BOE].source_text
    framed = "I am struck that the Monetary Policy Committee is voting for a cut in interest rates."
    verdict = rule_verdict(framed, Passages.of(rates), Support(rates))
    assert not verdict.supported and verdict.precise, verdict
    assert rule_verdict(
        "I am struck that Olaleye said banks would not lend for new machinery.",
        Passages.of(SOURCE),
        Support(SOURCE),
    ).supported
    opinion = "I am struck that the ministry should have listened sooner."
    assert rule_verdict(opinion, Passages.of(SOURCE), Support(SOURCE)).reason == "opinion"


def test_only_the_one_who_does_the_saying_is_pinned() -> None:
    assert reason("Olaleye said the ministry must pay farmers for their losses.").startswith(
        "pinned on someone who does not say it: Olaleye"
    )
    for sentence in (
        "Some would say that Olaleye wants the ministry to pay farmers for their losses.",
        "This shows that Olaleye wants the ministry to pay farmers for their losses.",
    ):
        assert not reason(sentence).startswith("pinned"), sentence


def test_a_misstated_passage_fails_the_facts_check_and_the_next_try_is_shown_the_passage() -> None:
    stories = {s.title: s for s in load_stories(DATA / "writer_eval.jsonl")}
    source = stories[
        "Bank of England holds rates at 4.5% as inflation edges up to 3.4%"
    ].source_text
    wrong = (
        "I am struck that the Monetary Policy Committee voted to cut interest rates from 4.5% "
        "to 4.25%. I think that was brave."
    )
    problems = misstated(wrong, Support(source))
    assert problems and problems[0].startswith("the figure belongs to something else: 4.5")
    right = "I am struck that three members of the committee wanted a cut to 4.25%. I agree."
    assert misstated(right, Support(source)) == []
    feedback = paragraph_problems(wrong, 2, ["I think rates matter."], source)
    shown = [p for p in feedback if p.startswith("unsupported: the figure belongs")]
    assert shown and "the news says: “" in shown[0] and "voted 6-3" in shown[0]


def test_eval_verifier_reports_precision_and_recall_on_the_labelled_set() -> None:
    done = columnist(
        "eval-verifier", str(DATA / "verifier_eval.jsonl"), "--stories",
        str(DATA / "writer_eval.jsonl"), "--rules", "-q",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["cases"] >= 150 and summary["mode"] == "rules"
    # The operating point the writer relies on (README): precise, if far from complete.
    assert summary["precision"] >= 0.8 and summary["recall"] >= 0.7
    assert set(summary["by_kind"]) >= {"supported", "opinion", "negation", "wrong_actor"}
    # what the writer acts on (Verdict.precise): fewer flags, nearly all right
    assert summary["acted_precision"] >= 0.85 and summary["acted_recall"] >= 0.6
    assert summary["by_kind"]["speculation"].endswith("acted on")
    assert int(summary["by_kind"]["speculation"].split(", ")[1].split()[0]) >= 15
    assert "precision" in done.stdout and "recall" in done.stdout
    assert summary["per_post"] is None, "no case carries a post"


def test_eval_verifier_counts_per_post_on_every_sentence_of_published_posts() -> None:
    """tests/data/verifier_posts.jsonl: every sentence of 58 posts the writer published,
    labelled by hand; the per-post figures are what a reader of those posts meets."""
    cases = [json.loads(line) for line in (DATA / "verifier_posts.jsonl").open()]
    posts = {c["post"] for c in cases}
    done = columnist("eval-verifier", str(DATA / "verifier_posts.jsonl"), "--rules", "-q")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    per_post = summary["per_post"]
    assert per_post["posts"] == len(posts) >= 38
    wrong = sum(not c["supported"] for c in cases)
    assert per_post["unsupported"] == round(wrong / len(posts), 2)
    assert 0 < per_post["unsupported_flagged"] <= min(per_post["flagged"], per_post["unsupported"])
    assert per_post["unsupported_left_by_writer"] <= per_post["unsupported"]
    assert f"per post ({len(posts)} posts, every sentence labelled)" in done.stderr


def test_eval_verifier_bad_case_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "cases.jsonl"
    bad.write_text('{"story": "No such story", "sentence": "x", "supported": true}\n')
    done = columnist("eval-verifier", str(bad), "--stories", str(DATA / "writer_eval.jsonl"), "-q")
    assert "cases.jsonl:1: not a verifier case" in error_line(done)


def test_fresh_passages_are_the_source_sentences_the_column_has_not_used() -> None:
    passages = Passages.of(SOURCE)
    used = "Prices halved to 600 naira per kilogram and the ministry lifted the ban on raw cashew."
    fresh = passages.fresh(used, k=1)
    assert fresh == [
        "Tunde Olaleye, who runs a processing plant in Ogbomoso, said banks would not lend for "
        "new machinery."
    ]
    assert passages.fresh(SOURCE) == [], "nothing left that the column has not said"


def test_a_date_is_nobody_and_two_facts_joined_keep_their_figures() -> None:
    source = (
        "Negotiators agreed to triple finance for adaptation to $120 billion a year by 2030. "
        "Adaptation finance stood at about $40 billion in 2024, according to UN estimates. "
        "The European Central Bank has kept its deposit rate at 2% since June 2025. "
        "In June, Lagarde said inflation was close to target."
    )
    check = Passages.of(source), Support(source)
    joined = (
        "The real story is that they agreed to triple adaptation finance from $40 billion "
        "in 2024 to $120 billion a year by 2030."
    )
    assert rule_verdict(joined, *check).supported, "each figure is in the sources with its fact"
    dated = (
        "The bank's decision to keep its deposit rate at 2% since June 2025 suggests that "
        "the bank is close to the end of its cuts."
    )
    assert not rule_verdict(dated, *check).reason.startswith("pinned"), "June says nothing"
    framed = "I understand why some would say that keeping the deposit rate at 40% is wise."
    assert rule_verdict(framed, *check).reason == "the figure belongs to something else: rate 40"
    placed = "That prices at shops in Brussels keep rising suggests inflation is not close."
    assert not rule_verdict(placed, *check).reason.startswith("pinned"), "Brussels is a place"
    ordered = "I note that the bank has kept a 2% deposit rate since June 2025."
    assert rule_verdict(ordered, *check).supported, "the figure's word before it in the source"
    moved = "The European Central Bank has kept its deposit rate at 40% since June 2025."
    assert rule_verdict(moved, *check).reason.startswith("the figure belongs to something else")


def test_a_voice_the_sources_do_not_have_is_caught() -> None:
    for sentence in (
        "I can see the case that some experts worry that the ban may come back.",
        "Analysts say the ministry acted too late.",
        "Many economists believe the ban was a mistake.",
        "I think the ban was wise, but there are concerns about its side effects.",
        # the Dutch asylum post (eval at 1cb55d2), whose 40-word source quotes nobody
        "I am struck that critics question its effectiveness for the farmers.",
    ):
        assert reason(sentence).startswith("a voice the sources do not have"), sentence
    assert misstated("I think the ban was wise. Critics say it hurt the farmers.", Support(SOURCE))
    for sentence in (
        "Some would say that the ban protected processors like Olaleye.",
        "Critics would argue that the ban was meant to last a year.",
        "Some farmers' groups protested, saying prices had halved.",  # the sources have them
        "I think the ban was a mistake.",
        "There is no doubt that the ban was meant to last a year.",
    ):
        assert not reason(sentence).startswith("a voice"), sentence


def test_a_view_held_by_nobody_named_is_a_voice_the_sources_do_not_have() -> None:
    """ "the pier is seen as an attempt to force Israel to cooperate" (writer_labels.jsonl):
    7 of the 8 such labelled sentences were unsupported."""
    for sentence in (
        "The installation of the pier is seen as an attempt to force Israel to cooperate.",
        "The government's actions are widely seen as furthering its anti-EU agenda.",
        "The ban is viewed by many in the region as a mistake.",
    ):
        assert reason(sentence).startswith("a voice the sources do not have: whoever"), sentence
        assert misstated(sentence, Support(SOURCE)), sentence
    for sentence in (
        "The ban could be seen as a mistake.",  # the writer's own guess
        "I think the ban might have been seen as harsh.",
        "I have seen the ban work.",
    ):
        assert not reason(sentence).startswith("a voice"), sentence
    held = SOURCE + " The ban was seen by traders as a blow."
    assert held_view("The ban is seen as a blow to trade.", held) is None, "the news holds it"
    phrases = voice_phrases(SOURCE)
    assert {"is seen as", "are viewed as", "widely regarded as"} <= set(phrases)
    assert "is seen as" not in voice_phrases(held), "nor is it blocked then"


def test_the_sampler_is_kept_from_the_voices_the_sources_do_not_have() -> None:
    phrases = voice_phrases(SOURCE)
    block = NgramBlock()
    block.add_phrases(phrases)
    assert "experts" in block.banned_after(words_of("I can see the case that some"))
    assert "experts" in block.banned_after(words_of("some health")), "the word itself"
    assert "critics" in block.banned_after(words_of("I grant that")), "the word itself"
    assert "sceptics" in block.banned_after(words_of("while"))
    assert "concerns" in block.banned_after(words_of("but there are"))
    assert "economists" in block.banned_after(words_of("many"))
    # the sources have farmers' groups and a processor who "said": not blocked
    assert "farmers" not in block.banned_after(words_of("some"))
    assert "say" not in block.banned_after(words_of("some would"))
    worried = voice_phrases(SOURCE + " Critics voiced concerns about the ban.")
    assert "critics argue" not in worried and "there are concerns" not in worried
    assert "opponents argue" not in worried, "critics and opponents are alike"


def test_a_negation_counts_only_in_the_part_of_the_sentence_the_claim_is_about() -> None:
    source = (
        "Small island nations said on Saturday that the COP31 finance deal was too small. "
        '"Our seawalls cannot be built with promises," said Tevita Manu, Tonga\'s lead '
        'negotiator. "We accepted this as a floor, not a ceiling."'
    )
    said = "Tevita Manu, Tonga's lead negotiator, said the deal is a floor rather than a ceiling."
    assert all(v.supported for v in verify(said, source)), verify(said, source)
    twisted = "Tevita Manu said that the seawalls can be built with promises."
    assert reasons(twisted, source) == ["drops the passage's negation: cannot"]


def test_a_name_that_only_qualifies_a_noun_is_no_actor() -> None:
    source = (
        "Britain's House of Commons voted 318 to 204 on Tuesday to back the Frontier AI "
        "Safety Bill. The bill would require developers that train the largest models to "
        "obtain a licence from the AI Security Institute before releasing them."
    )
    modifier = (  # the demo at 2c17652 held this sentence as "pinned on: Commons"
        "What strikes me most is that the Commons vote on the Frontier AI Safety Bill is a "
        "positive step for developers and their licence."
    )
    assert all(v.supported for v in verify(modifier, source)), verify(modifier, source)
    actor = "The AI Security Institute voted 318 to 204 to back the Frontier AI Safety Bill."
    assert not verify(actor, source)[0].supported


def test_refusing_is_the_opposite_of_being_willing() -> None:
    assert (
        opposite(
            "Sylvia Jones has refused to keep talking with the union.",
            "Sylvia Jones said the government was willing to keep talking.",
        )
        == "refused where it says willing"
    )


def test_a_figure_written_twice_where_the_source_has_it_once_is_caught() -> None:
    source = (
        "Consumer prices rose 2.2% in October, the lowest monthly figure since 2020, the "
        "statistics office said. Economists had expected 2.5%."
    )
    lost = "I find it telling that prices rose 2020, the lowest monthly figure since 2020."
    assert reasons(lost, source) == ["the figure belongs to something else: 2020"]
    assert all(v.supported for v in verify(lost.replace("rose 2020", "rose 2.2%"), source))
    amount = "It seems to me significant that inflation fell to 2020, which I welcome."
    assert reasons(amount, source) == ["the figure belongs to something else: 2020"]
    delayed = "Economists had expected 2.5%, and I think prices will rise to 2.5% soon."
    assert not any("2020" in v.reason for v in verify(delayed, source))


def test_a_name_after_by_or_of_is_not_the_one_speaking() -> None:
    source = (
        "The Bank of England's Monetary Policy Committee voted 6-3 to hold Bank Rate at "
        "4.5%. Three members voted for a cut to 4.25%."
    )
    sentence = (  # held as "pinned on: Committee" in the eval at 01fde94
        "The decision by the Monetary Policy Committee to hold rates at 4.5% shows that it "
        "is cautious about inflation."
    )
    assert all(v.supported for v in verify(sentence, source)), verify(sentence, source)


def test_a_figure_given_in_another_unit_of_its_kind_is_caught() -> None:
    source = (
        "The river peaked three weeks earlier than usual. The front retreated 61 metres. "
        "The survey has run for 60 years."
    )
    months = "I am struck that the river peaked three months earlier than usual."
    assert reasons(months, source) == ["the figure belongs to something else: three months"]
    assert all(v.supported for v in verify(months.replace("months", "weeks"), source))
    assert reasons("The front retreated 61 kilometres.", source) == [
        "the figure belongs to something else: 61 kilometres"
    ]
    # a count the sources also give in that unit is theirs
    both = source + " Farmers have pumped groundwater for three months."
    assert all(v.supported for v in verify(months, both))


def test_a_figure_is_swapped_only_for_one_the_passage_gives_in_its_place() -> None:
    source = (
        "EU ministers agreed to cut net emissions by 90% by 2040.\n"
        "Campaigners say carbon credits loophole weakens EU 2040 goal\n"
        "Food prices rose 4.1%. Inflation rose to 3.4% in the year to April."
    )
    goal = (
        "I think it matters that the EU has set a strong goal of cutting emissions by 90% by 2040."
    )
    assert not any("figure" in v.reason for v in verify(goal, source)), "no share there at all"
    swapped = "I am struck that inflation rose to 4.1% in the year to April."
    assert reasons(swapped, source) == ["the figure belongs to something else: 4.1"]


def test_the_dissent_is_the_sentence_someone_objects_in_that_the_column_has_not_used() -> None:
    passages = Passages.of(SOURCE)
    protest = "Farmers' groups had protested, saying prices had halved to 600 naira per kilogram."
    assert passages.dissent("The ministry lifted the ban.") == protest
    assert passages.dissent(protest) == "", "said already: nothing new to object with"


def test_a_thousands_comma_does_not_cut_the_clause_its_figure_is_checked_in() -> None:
    source = (
        "One year after floods killed 17 people, farmers say they have received less than a "
        "fifth of the compensation promised by the government. "
        "The union said 9,300 farms were damaged and only 1,700 had been paid."
    )
    wrong = "Only 17 out of 9,300 farms have received compensation."
    assert reasons(wrong, source) == ["the figure belongs to something else: 9,300"]
    assert all(v.supported for v in verify(wrong.replace("17 ", "1,700 "), source))


def test_a_figure_written_bare_that_the_sources_give_only_as_a_share_is_caught() -> None:
    source = (
        "The port handled 13.4 million containers, 4% fewer than a year earlier. Its new "
        "terminal, costing 1.5 billion euros, opens in 2027. The board voted 6-3."
    )
    cost = "I think the new terminal, costing 4, is worth it."
    assert reasons(cost, source) == ["the figure belongs to something else: 4"]
    assert all(v.supported for v in verify("I think handling 4% fewer containers hurts.", source))
    assert not any("figure" in v.reason for v in verify("I count the 6 votes.", source))


def test_only_the_name_s_own_sentence_says_what_it_says() -> None:
    source = (
        "The World Health Organization declared the outbreak over on Friday. Health minister "
        "Sabin Nsanzimana credited rapid testing and an experimental vaccine. WHO chief "
        "Tedros said the response showed what is possible. He said Rwanda acted fast."
    )
    assert reasons("The WHO credits rapid testing and vaccines.", source) == [
        "pinned on someone who does not say it: WHO"
    ]  # an acronym that is also a stop word is a name; the minister's sentence is not his
    assert all(v.supported for v in verify("Tedros said Rwanda acted fast.", source))
    conditional = "I think testing matters if Rwanda wants to end the next outbreak fast."
    assert not any("pinned" in v.reason for v in verify(conditional, source))


def _real(title_start: str) -> str:
    """The source text of a real outlet's story in the writer's eval set."""
    stories = load_stories(DATA / "writer_eval.jsonl")
    return next(s for s in stories if s.title.startswith(title_start)).source_text


def test_a_claim_after_the_writers_own_frame_or_lead_is_acted_on() -> None:
    """The writer's frames and leads ("I find it telling that") assert what follows them:
    on its sentences on real outlets' items these flags were right 6 times in 6."""
    fico = _real("Slovakian PM Robert Fico")
    wrong = (  # he met supporters; nothing says they shot him (eval at 1cb55d2)
        "I find it telling that Robert Fico, the Slovakian PM, is in serious but stable "
        "conditions after being shot by a group of supporters."
    )
    (verdict,) = verify(wrong, fico)
    assert not verdict.supported and verdict.precise, verdict
    # hedged after the lead, or an "I" that is no lead of the writer's: only reported
    for soft in (
        "I am struck that the shooting could make Slovakia a harsher place for reporters.",
        "I like that the journalists in Slovakia keep speaking about their fears at all.",
    ):
        verdicts = [v for v in verify(soft, fico) if not v.supported]
        assert not any(v.precise for v in verdicts), soft


def test_men_accused_of_a_crime_are_not_speakers() -> None:
    """ "Accused of" is what the men are, not what they say (a true sentence was held for
    "pinned on someone who does not say it: Egyptian", eval at 1cb55d2)."""
    trial = _real("Mediterranean migrant boat disaster")
    told = (
        "Nine Egyptian men accused of causing one of the deadliest shipwrecks in the "
        "Mediterranean will appear in court in Kalamata on Tuesday."
    )
    assert not any(v.reason.startswith("pinned") for v in verify(told, trial))
    pinned = "The Egyptian suspects accused the coastguard of causing the shipwreck."
    assert any(v.reason.startswith("pinned") for v in verify(pinned, trial))


def test_a_deed_given_to_someone_the_news_has_only_nearby_is_the_wrong_doer() -> None:
    """Fico was shot *as he met* a small group of supporters; "shot by a small group of
    supporters" was written in two of three eval runs on that story."""
    fico = _real("Slovakian PM Robert Fico")
    (wrong,) = verify(
        "He was shot on Wednesday by a small group of supporters after a meeting in Handlová.",
        fico,
    )
    assert wrong.reason == "the wrong doer: a small group of supporters" and wrong.precise
    for right in (
        "Fico was shot on Wednesday as he met a small group of supporters in Handlová.",
        "I think the independent media were blamed by senior politicians of the coalition.",
    ):
        assert not any(v.reason.startswith("the wrong doer") for v in verify(right, fico)), right
    amounts = _real("Scotland's minimum alcohol price")  # "by 13%" is an amount, not a doer
    told = "Minimum pricing cut deaths directly caused by drinking by about 13%, a study found."
    assert not any(v.reason.startswith("the wrong doer") for v in verify(told, amounts))


def test_who_does_what_turned_round_is_the_wrong_doer() -> None:
    """Two published sentences (tests/data/verifier_posts.jsonl): the coalition blamed the
    media, not the other way round; Labour will support private developers."""
    fico = _real("Slovakian PM Robert Fico")
    turned = (
        "While it is understandable that some politicians may be upset with independent "
        "media, the fact remains that they blamed senior figures from the ruling coalition."
    )
    (wrong,) = verify(turned, fico)
    assert wrong.reason.startswith("the wrong doer: blamed senior figures") and wrong.precise
    towns = _real("Labour will aim to reveal new town sites")
    (wrong,) = verify("Rayner promised that private developers will support them.", towns)
    assert wrong.reason == "the wrong doer: private developers will support"
    for right, source in (
        ("Senior figures from the ruling coalition blamed the independent media.", fico),
        ("The independent media were blamed by senior politicians from the coalition.", fico),
        ("I think Labour will strongly support private developers who build well.", towns),
        ("Labour will support private developers, Rayner says.", towns),
    ):
        assert not any(v.reason.startswith("the wrong doer") for v in verify(right, source)), right


def test_groups_the_news_does_not_quote_are_an_invented_voice() -> None:
    eraring = _real("Closure of Australia")  # the energy operator warns; no group speaks
    made_up = (
        "I grant that some environmental groups argue that the reliability of coal is more "
        "important than the speed at which renewable energy is deployed."
    )
    (verdict,) = verify(made_up, eraring)
    assert verdict.reason == "a voice the sources do not have: groups"
    assert not reason("Some farmers' groups protested, saying prices had halved.").startswith(
        "a voice"
    ), "the cashew story's groups are the news's own"


def test_the_shortest_where_the_news_says_the_longest_is_the_opposite() -> None:
    passage = "Andreassen said the melt season was the longest since measurements began in 1963."
    said = "Andreassen said the melt season was the shortest since measurements began in 1963."
    assert opposite(said, passage) == "shortest where it says longest"
    assert opposite("It was the longest season, I think.", passage) is None
    chile = _real("Chile's Atacama")  # no environmentalist speaks in the news
    (verdict,) = verify("I grant that some environmentalists have concerns about it.", chile)
    assert verdict.reason == "a voice the sources do not have: environmentalists"


def test_harm_for_good_and_a_rise_for_a_cut_are_opposites() -> None:
    """The Kenya and PMI closings of the demo at ce4b051."""
    kenya = "Critics argue that money would do more good cutting emissions at source."
    said = "I think the money would do more harm cutting emissions at the point of origin."
    assert opposite(said, kenya) == "more harm where it says more good"
    assert opposite("I think the money would do more good cutting emissions.", kenya) is None
    ecb = "Economists said the survey made a further cut in interest rates more likely."
    assert opposite("I think the ECB should raise interest rates.", ecb) == (
        "a rate rise where it says a rate cut"
    )
    assert opposite("I think the ECB should cut interest rates soon.", ecb) is None


def test_a_seller_for_a_buyer_and_exports_for_imports_are_opposites() -> None:
    """The Harbin post of the demo at d5935af."""
    harbin = (
        "Russia has been looking for a new buyer for gas it no longer sells to Europe, while "
        "Beijing has pressed for prices close to Russia's domestic rates, analysts said."
    )
    said = "I am struck that Russia has been looking for a new supplier for its gas."
    (verdict,) = verify(said, harbin)
    assert verdict.reason == "says the opposite of the passage: supplier where it says buyer"
    right = "Russia is looking for a new buyer for the gas it no longer sells to Europe."
    assert all(v.supported for v in verify(right, harbin))
    grain = "China imported 8 million tonnes of Russian grain."
    assert opposite("China exported 8 million tonnes of grain.", grain) == (
        "exported where it says imported"
    )


def test_the_side_of_a_pair_turned_against_the_news_is_what_a_retry_may_not_write() -> None:
    flagged = "unsupported: says the opposite of the passage: {} where it says {} (“…”)"
    assert turned_words([flagged.format("supplier", "buyer"), "copying: ..."]) == (
        "seller", "sellers", "supplier", "suppliers",
    )  # fmt: skip
    assert turned_words([flagged.format("more harm", "more good")]) == ("more harm",)
    assert turned_words([flagged.format("a rate rise", "a rate cut")]) == ()
    assert turned_words([flagged.format("done", "still to come")]) == ()


def test_a_retry_may_still_write_what_the_sources_say_and_words_of_timing() -> None:
    """Blocking "early" in the flu post, whose news is an early season, made it worse (demo
    at 49f7332): the block leaves the sources' own words, and the timing pair, alone."""
    flagged = "unsupported: says the opposite of the passage: {} where it says {} (“…”)"
    flu = "Early flu season fills emergency rooms; November looks like late January."
    assert turned_words([flagged.format("early", "late")], flu) == ()
    assert turned_words([flagged.format("early", "late")]) == ()
    gas = "Russia is looking for a new buyer; suppliers in Qatar are competing."
    assert turned_words([flagged.format("supplier", "buyer")], gas) == (
        "seller", "sellers", "supplier",
    )  # fmt: skip


def test_a_count_the_sources_give_with_another_figure_is_misplaced() -> None:
    """ "reduced strokes by 12% over three years" where the trial ran four (the salt post,
    demo at e7a2146): small numbers in words pass the figure check."""
    source = (
        "Replacing ordinary salt with a substitute cut strokes by 12% over four years among "
        "adults in rural India, according to a trial of 21,400 people."
    )
    said = "I am struck that the substitute reduced strokes by 12% over three years in India."
    (verdict,) = verify(said, source)
    assert verdict.reason == "the figure belongs to something else: three years"
    right = "I am struck that the substitute cut strokes by 12% over four years in India."
    assert all(v.supported for v in verify(right, source))


def test_a_clause_that_turns_round_its_own_source_sentence_is_the_opposite() -> None:
    """The salt post (demo at e7a2146): the sentence as a whole fits the strokes sentence,
    its first clause the cost sentence, which it turns round."""
    source = (
        "A substitute cut strokes by 12% over four years among adults in rural India. "
        "The substitute costs about 20 rupees more per kilogram than ordinary salt."
    )
    said = "The substitute is cheaper than ordinary salt per kilogram, and it cut strokes by 12%."
    (verdict,) = verify(said, source)
    assert verdict.reason == "says the opposite of the passage: cheaper where it says costlier"
    right = "The substitute costs more than ordinary salt per kilogram, and it cut strokes by 12%."
    assert all(v.supported for v in verify(right, source))


def test_the_reason_a_view_gives_as_fact_is_checked() -> None:
    source = (
        "Replacing ordinary salt with a potassium-enriched substitute cut strokes by 12% "
        "over four years among adults in rural India. The substitute costs about 20 rupees "
        "more per kilogram than ordinary salt, and the authors urged ration shops to stock it."
    )
    said = "I think it could save lives because it is cheaper than ordinary salt per kilogram."
    (verdict,) = verify(said, source)
    assert not verdict.supported and verdict.precise
    assert "cheaper" in verdict.reason
    fair = "I think it could save lives because it cut strokes by 12% over four years."
    judged = "I think this is a bold move because it undermines the salt industry."
    others = "Some would say it is a luxury because it costs more than ordinary salt."
    for sentence in (fair, judged, others):
        assert all(v.supported or not v.precise for v in verify(sentence, source)), sentence
    guessed = "I think strokes fell because the substitute is cheaper than ordinary salt."
    assert not verify(guessed, source)[0].supported, "a view that retells the news gives a cause"


def test_people_who_argue_otherwise_are_invented_where_no_one_in_the_news_does() -> None:
    calm = "The council approved the library. It opens in May, the mayor said."
    said = "I accept that some people argue that the library is too small."
    assert invented_voice(said, calm) == "people who argue otherwise"
    assert "some people argue" in voice_phrases(calm)
    urged = calm + " The mayor urged residents to visit."
    assert "some people argue" in voice_phrases(urged), "a call to act is no disagreement"
    split = calm + " Opposition councillors warned that it was too small."
    assert invented_voice(said, split) is None
    assert "some people argue" not in voice_phrases(split)
    hypothetical = "I accept that some would argue that the library is too small."
    assert invented_voice(hypothetical, calm) is None


def test_a_word_turned_round_against_a_sentence_other_than_the_best_fitting_one() -> None:
    source = (
        "German business morale falls to lowest since April\n"
        "German business sentiment fell more than expected in November, as companies grew "
        "gloomier about the months ahead. The index dropped to 86.2 from 87.9 in October."
    )
    said = "German business morale has been falling due to increased optimism among companies."
    (verdict,) = verify(said, source)
    assert verdict.reason == "says the opposite of the passage: optimism where it says gloomier"
    shorter = "I think morale is falling because of increased optimism."  # the demo at de0bf8e
    assert not verify(shorter, source)[0].supported
    fair = "German business morale has been falling as companies grow gloomier."
    assert all(v.supported for v in verify(fair, source))
    late, early = "Farmers need the water in late August.", "The melt began early."
    assert opposite(late, early) and not opposite(late, early, pairs_only=True)


def test_a_lead_that_points_out_asserts_what_follows() -> None:
    """ "I would also point out that X": the lead's "would" is no distance from X (the Fico
    post at 127af92 had the hospital director "one of the most trusted figures in
    Slovakia", passed as opinion)."""
    fico = _real("Slovakian PM Robert Fico")
    invented = (
        "I would also point out that the hospital director is one of the most trusted "
        "figures in Slovakia, and his words carry significant weight."
    )
    (verdict,) = verify(invented, fico)
    assert not verdict.supported and verdict.precise
    told = "I would also point out that the hospital director said Fico had five hours of surgery."
    assert all(v.supported for v in verify(told, fico)), told


def test_a_magnitude_word_the_news_gives_otherwise_is_misplaced() -> None:
    source = "Hundreds of Australian and New Zealand tourists are stranded in New Caledonia."
    said = "Thousands of Australian and New Zealand tourists are stranded in New Caledonia."
    (verdict,) = verify(said, source)
    assert verdict.reason == "the figure belongs to something else: thousands australian"
    right = "Hundreds of Australian and New Zealand tourists are stranded there, I think."
    assert all(v.supported for v in verify(right, source)), right
    # further apart: run c of verifier_posts.jsonl, and two earlier posts
    far = "I think the unrest could delay flights for thousands of people stranded there."
    assert any("thousands strand" in v.reason for v in verify(far, source)), verify(far, source)
    aid = source + " Thousands of aid parcels wait at the port."
    assert not any("thousands" in v.reason for v in verify(far, aid)), (
        "a magnitude the news uses for something else may be its own"
    )


def test_better_with_no_one_judging_is_a_claim_not_an_opinion() -> None:
    source = "Survivors of a shipwreck that killed 600 people face trial in Greece."
    said = "The death toll was too low and the coastguard could have done its job better."
    assert not verify(said, source)[0].supported
    assert verify("I think a fair trial would be better for everyone.", source)[0].supported


def test_people_held_to_be_worried_are_invented_where_no_one_in_the_news_is() -> None:
    calm = "The council approved the library. It opens in May, the mayor said."
    for said in (
        "I accept that some people are worried about its size.",
        "Some worried that the library is too small.",
        "Many people have raised concerns about the cost.",
        "I accept that some people are critical of the decision to build it.",
    ):
        assert invented_voice(said, calm) == "people who argue otherwise", said
    assert "some people are worried" in voice_phrases(calm)


def test_a_view_held_by_no_one_in_the_news_or_a_named_objector_is_invented() -> None:
    """Stories 31-40 at 9408e8d: the Labour pledges post made McFadden its objector and
    had "some people" find the pledge card offensive; nobody in the news disagrees."""
    source = (
        "Keir Starmer set out six pledges. The 1997 pledge card was seen as an innovative "
        "tactic. Pat McFadden said appealing to Tory voters wins elections."
    )
    held = "Labour used a technique that some people consider offensive or misleading."
    assert reasons(held, source) == ["a voice the sources do not have: people who argue otherwise"]
    named = "I accept that Pat McFadden disagrees with my view."
    assert reasons(named, source) == ["a voice the sources do not have: Pat McFadden disagreeing"]
    assert verify("I accept that Pat McFadden may disagree with my view.", source)[0].supported
    quarrel = source.replace("said appealing", "rejected the idea, warning that appealing")
    assert invented_voice(named, quarrel) is None, "a McFadden who disagrees in the news"
    assert invented_voice(held, quarrel) is None, "someone in the news does disagree"


def test_a_change_by_a_figure_the_news_gives_as_the_level_reached_is_caught() -> None:
    """The demo's Harbin post and an eval's COP31 post (over 429 earlier posts, the only
    two places): "by" where the news has "to" changes the fact."""
    source = (
        "The leaders agreed on the Power of Siberia 2 gas pipeline and a plan to raise "
        "Russian grain shipments to China to 8 million tonnes a year by 2028. Exports of "
        "oil rose by 3 million barrels. Eagles deviated from their routes by up to 155 miles."
    )
    turned = (
        "The agreement also includes plans to raise Russian grain shipments to China by 8 "
        "million tonnes a year by 2028, which I find telling."
    )
    assert reasons(turned, source) == ["the figure belongs to something else: by 8"]
    assert all(v.supported for v in verify(turned.replace("by 8", "to 8"), source))
    level = "I note that exports of oil rose to 3 million barrels, which I welcome."
    assert reasons(level, source) == ["the figure belongs to something else: to 3"]
    kept = "I think eagles deviating from their routes by 155 miles is worrying."
    assert not any("155" in v.reason for v in verify(kept, source)), "'by up to' is 'by'"
    date = "I doubt the plan can raise Russian grain shipments that far by 2028."
    assert not any("2028" in v.reason for v in verify(date, source)), "a year is a date"


MEASLES = (
    "England has recorded 1,142 confirmed measles cases so far in 2026, the highest yearly "
    "total since 2012. Uptake of the second dose of the MMR vaccine by age five fell to "
    "83.4% in the latest quarter, well short of the 95% needed to stop the virus spreading. "
    "GP surgeries in Birmingham will open on Saturdays to offer catch-up jabs."
)


def test_a_doubt_about_a_vaccine_the_news_does_not_have_holds_the_paragraph() -> None:
    """The measles post, demo at 7b1ef8d: hedged, and so only reported until this rule."""
    doubts = [
        "The fact that the uptake has fallen so sharply suggests that there may be an issue "
        "with the vaccine or the way it is being administered.",
        "I grant that some people may feel that the vaccine is necessary and could have "
        "caused more damage than good.",
        "I suspect the MMR jab may not work as well as we were told.",
        # the closing of the demo at f1beac1, which the rule's "more harm than good" missed
        "Some people might object that the vaccine is unnecessary because it could have "
        "caused more harm.",
        # published in the demo at ed9f438: the vaccine blamed for the cases
        "I am struck that the government is still allowing children to get vaccines, which "
        "could be contributing to the rising measles cases.",
    ]
    for sentence in doubts:
        (verdict,) = verify(sentence, MEASLES)
        assert verdict.reason.startswith("doubts a vaccine or medicine"), sentence
        assert verdict.precise and verdict.reason.startswith(MISSTATED), "it holds the post"
    for sentence in (
        "I think two doses of the MMR vaccine could have prevented most of these cases.",
        "I worry that the risk of measles is high for every child who misses the vaccine.",
        "I am glad GP surgeries will open on Saturdays to offer catch-up jabs.",
        # the news: fewer doses, more cases
        "I think the fall in uptake of the MMR vaccine is contributing to more cases.",
        "Low vaccination rates are causing the rise in cases, in my view.",
    ):
        assert all(v.supported or "vaccine" not in v.reason for v in verify(sentence, MEASLES))
    doubted = MEASLES + " Some parents told the agency they had concerns about the MMR jab."
    (verdict,) = verify(doubts[0], doubted)
    assert not verdict.reason.startswith("doubts a vaccine"), "a doubt the news has may be put"
    problems = paragraph_problems("I read the figures twice. " + doubts[0], 2, [], MEASLES)
    assert any("doubts a vaccine or medicine" in p for p in problems)


RULING = (
    "The plaintiff, Lakeshore Media Group, which owns 19 newspapers in Ohio and Michigan, "
    'sued San Francisco-based Parallax AI in March 2025. "The court has told every newsroom '
    "in America that its work is free raw material,\" said Lakeshore's chief executive, Tom "
    'Brennan. Parallax said the ruling "confirms that learning from public text is lawful." '
    "Lakeshore said it would appeal."
)


def test_a_view_given_to_the_side_that_did_not_hold_it_is_pinned() -> None:
    """The AI ruling post, demo at 7b1ef8d: the AI company's words given to the newspapers
    that sued it, as their "stance" or "position", with no speaker's verb to find."""
    wrong = (
        "I give real weight to how the judge's ruling aligns with Lakeshore Media Group's "
        "position that learning from public text is lawful."
    )
    (verdict,) = verify(wrong, RULING)
    assert verdict.reason == "pinned on someone who does not say it: Lakeshore Media Group"
    assert verdict.precise
    (right,) = verify(
        "I side with Parallax's view that learning from public text is lawful.", RULING
    )
    assert not right.reason.startswith("pinned"), "the view is Parallax's"


FORECAST = (
    "The European Commission cut its forecast for euro area growth in 2027 to 0.9% from 1.2% "
    "on Wednesday, pointing to weak German industry, higher US tariffs on European goods and "
    "softer demand from China. In its autumn economic forecast, the Commission said the euro "
    "area economy would grow 1.0% this year, with Spain again the fastest-growing large "
    "economy at 2.4% and Germany lagging at 0.3%. Inflation is expected to average 1.9% in "
    "2027, close to the European Central Bank's 2% target. The forecast puts the EU's "
    "combined government deficit at 3.2% of GDP next year, with France's at 5.1%. \"Europe's "
    'economy is resilient, but resilience is not the same as dynamism," Commission '
    "spokesperson Lena Vogt told reporters in Brussels."
)


def test_the_passage_a_sentence_rests_on_does_not_depend_on_the_process() -> None:
    """The demo's Commission post came out two ways from the same code: two passages tied
    in rare weight, and a sum over a set of words gave the tie a different last bit in each
    process (string hashing is salted per process), so a retry's prompt quoted another
    passage. The same sentence must get the same passage under any hash seed."""
    sentence = (
        "The fact that France's deficit is higher than expected suggests that the commission "
        "may be underestimating future inflation, which could have an impact on the euro "
        "area's economic resilience and dynamism."
    )
    program = (
        "import json, sys\n"
        "from columnist.commentary.verify import Passages\n"
        "source, sentence = json.load(sys.stdin)\n"
        "print(json.dumps(Passages.of(source).best(sentence)))\n"
    )
    answers = set()
    for seed in range(6):
        run = subprocess.run(
            [sys.executable, "-c", program],
            input=json.dumps([FORECAST, sentence]),
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            check=True,
        )
        answers.add(run.stdout)
    assert len(answers) == 1, answers


def test_a_year_of_the_nineteenth_century_is_a_year_not_a_moved_figure() -> None:
    """The DeSantis post (stories 41-50): "hottest year since 1895" was flagged as "the
    figure belongs to something else: 1895 expert" while years began at 1900."""
    source = (
        "State, which just had its hottest year since 1895, will ban offshore wind power. "
        "The law ignores the reality of Florida's climate threats, experts say."
    )
    check = (Passages.of(source), Support(source))
    said = "The state has had its hottest year since 1895, and experts say the law ignores it."
    assert not rule_verdict(said, *check).reason.startswith("the figure belongs")
    moved = "The state has had its hottest year since 1985."
    assert not rule_verdict(moved, *check).supported, "a year the sources lack still fails"
