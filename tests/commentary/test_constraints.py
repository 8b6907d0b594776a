"""What a model call may say, without a model: the vocabulary and its grammar, the n-gram
blocker, and the logits rules the embedded backend applies with them."""

from __future__ import annotations

import json
import re
from functools import partial

import numpy as np
import pytest
from llama_cpp import LlamaGrammar

from columnist.commentary.backends.sampler import (
    PENALTY,
    TokenIndex,
    VocabularyRule,
    VoiceRule,
    banned_tokens,
    processor,
)
from columnist.commentary.constraints import (
    STOCK_PHRASES,
    VOICED_OPENERS,
    Constraints,
    NgramBlock,
    Vocabulary,
    openers_used,
    plan_grammar,
    prose_grammar,
    trie,
    voiced_openers,
    words_of,
)

SOURCE = (
    "Kenya and Russia signed a deal in Nairobi. President Vladimir Putin met William Ruto "
    "on Monday, and the Russian-Kenyan deal is worth 1,200 million dollars over 2.5 years, "
    "said the O'Brien Institute in 2027."
)
COPIED = "the council said that nine hundred million articles were lost"  # 10 words

ALWAYS = {p for p in STOCK_PHRASES if " " not in p}  # blocked after any words


def parses(grammar: str) -> bool:
    """Whether llama.cpp's GBNF parser takes it (parsing only: no model is loaded)."""
    return LlamaGrammar.from_string(grammar, verbose=False) is not None


def as_regex(alternation: str) -> re.Pattern[str]:
    """A `trie()` alternation as a Python regex: literals, groups and bars only."""
    parts = []
    for token in re.findall(r'"(?:[^"\\]|\\.)*"|[()|]|\S', alternation):
        if token.startswith('"'):
            parts.append(re.escape(json.loads(token)))
        elif token in "()|":
            parts.append("(?:" if token == "(" else token)
        else:
            raise AssertionError(f"unexpected {token!r} in {alternation!r}")
    return re.compile("".join(parts))


def lowered_by(rule: VocabularyRule, pieces: list[str], text: str) -> set[str]:
    """The pieces `rule` lowers after `text` (and it never raises one)."""
    scores = np.zeros(len(pieces), dtype=np.float32)
    rule.apply(text, scores)
    assert not (scores > 0).any(), "nothing is ever raised above the model's own score"
    return {p for i, p in enumerate(pieces) if scores[i] < 0}


# -- vocabulary and grammar ----------------------------------------------------------


def test_the_vocabulary_is_the_sources_names_their_demonyms_and_starters() -> None:
    vocabulary = Vocabulary.of(SOURCE)
    names = vocabulary.names
    assert {"Kenya", "Russia", "Nairobi", "Putin", "Vladimir", "Ruto", "Monday"} <= names
    assert {"Kenyan", "Kenyans", "Russian"} <= names, "demonyms: Kenya -> Kenyan"
    assert {"O'Brien", "Institute"} <= names and "O" not in names
    assert {"However", "I", "I'm", "The", "When"} <= names, "ordinary sentence starters"
    assert {"Putins", "Kenyas"} <= names and names.isdisjoint({"Yous", "Mys", "Thes"}), (
        "plurals of the sources' names, not of sentence starters"
    )
    for invented in ("Putian", "Moscow", "Xi", "Kremlin", "Olsen"):
        assert invented not in names
    assert vocabulary.figures == {"1,200", "2.5", "2027"}
    labelled = vocabulary.with_names("View", "Point")
    assert {"View", "Point"} <= labelled.names and "View" not in names
    assert labelled.figures == vocabulary.figures


def test_the_trie_is_a_gbnf_alternation_of_exactly_its_words() -> None:
    words = ["Putin", "Put", "Puts", "Kenya", "Kenyan", "A", "O'Brien", "“Quoted”", 'Say "x"']
    alternation = trie(words)
    assert parses(f"root ::= {alternation}")
    pattern = as_regex(alternation)
    for word in words:
        assert pattern.fullmatch(word), word
    for other in ("Putian", "Pu", "Kenyann", "Ken", "B", "", "O'Bri"):
        assert not pattern.fullmatch(other), other
    assert trie([]) == '""' and parses('root ::= "x" ' + trie([]))


def test_the_prose_grammar_and_the_plan_grammar_parse() -> None:
    vocabulary = Vocabulary.of(SOURCE)
    opening = prose_grammar(vocabulary, lead="When I read that", sentences=(3, 4))
    assert opening.startswith('root ::= "When I read that" words end (" " sentence){2,3}')
    assert parses(opening)
    assert parses(prose_grammar(vocabulary))
    assert parses(prose_grammar(Vocabulary(frozenset({"I"}), frozenset())))
    assert parses(plan_grammar())
    name_rule = next(line for line in opening.splitlines() if line.startswith("name ::="))
    names = as_regex(name_rule.removeprefix("name ::= ").removesuffix(" suffix?"))
    assert names.fullmatch("Kenyan") and names.fullmatch("Putin")
    assert not names.fullmatch("Putian") and not names.fullmatch("Moscow")


def test_constraints_become_one_grammar_for_a_server() -> None:
    vocabulary = Vocabulary.of(SOURCE)
    assert Constraints().as_grammar() is None
    assert Constraints(grammar=plan_grammar(), vocabulary=vocabulary).as_grammar() == (
        plan_grammar()
    )
    assert Constraints(lead="I think", vocabulary=vocabulary).as_grammar() == prose_grammar(
        vocabulary, lead="I think"
    )
    only_lead = Constraints(lead="View: I").as_grammar()
    assert only_lead == 'root ::= "View: I" [^\\n]*' and parses(only_lead)


# -- the n-gram block ----------------------------------------------------------------


def test_the_block_stops_a_copied_8gram_and_a_repeated_6gram() -> None:
    earlier = "I doubt the plan will survive its first winter, and I said so."
    block = NgramBlock.build([SOURCE], [earlier])
    source = words_of(SOURCE)
    assert source[7] in block.banned_after(source[:7]), "the 8th word of a source 8-gram"
    assert source[8] in block.banned_after(["x", *source[1:8]]), "after any 7 of its words"
    assert source[6] not in block.banned_after(source[:6]), "7 words of a source may be used"
    mine = words_of(earlier)
    assert mine[5] in block.banned_after(mine[:5]), "the 6th word of an earlier 6-gram"
    assert mine[5] in block.banned_after(["so", "then", *mine[:5]])
    assert mine[4] not in block.banned_after(mine[:4])
    assert block.banned_after([]) == ALWAYS and block, "only the stock words, anywhere"


def test_stock_phrases_lose_their_last_word() -> None:
    block = NgramBlock.build([], [])
    assert "important" in block.banned_after(words_of("I think it is"))
    assert "important" in block.banned_after(words_of("Still, it’s"))
    assert "tell" in block.banned_after(words_of("only time will"))
    assert "important" not in block.banned_after(words_of("the most"))
    assert "sources" in block.banned_after(words_of("as the")), "no talk of the sources"
    assert "remember" in block.banned_after(words_of("When I was young, I")), "no memories"
    assert "children" in block.banned_after(words_of("as I told my"))
    assert "children" in block.banned_after(words_of("my own")), "the demo's invented memory"
    assert "remember" not in block.banned_after(words_of("we should")), "the word itself: free"
    assert "business" in block.banned_after(words_of("it affects my own")), "the fair-use post"
    for begun, side in (  # the warships post, demo at ce4b051
        ("maintaining our collective", "security"),
        ("to protect our shared", "interests"),
        ("could disrupt our", "diplomatic"),
    ):
        assert side in block.banned_after(words_of(begun)), begun
    assert "interests" not in block.banned_after(words_of("to protect their shared"))


def test_violence_wished_on_someone_cannot_be_written() -> None:
    """The Fico plan's other side, "Robert Fico should have been killed immediately after
    the shooting", and its closings' "should have been shot" (stories 31-40 at 8ef1527)."""
    block = NgramBlock.build([], [])
    for begun in ("Robert Fico should have been", "the men deserved to be", "He ought to be"):
        assert {"shot", "killed", "murdered"} <= block.banned_after(words_of(begun)), begun
    assert "die" in block.banned_after(words_of("he deserved to"))
    assert "punished" not in block.banned_after(words_of("the gunman should be"))
    assert "shot" not in block.banned_after(words_of("Fico was")), "the news itself: free"


def test_the_block_does_not_reach_across_paragraphs_and_may_be_empty() -> None:
    block = NgramBlock.build([], ["one two three four five\n\nsix seven eight nine ten eleven"])
    assert block.banned_after(["two", "three", "four", "five", "six"]) == ALWAYS
    assert block.banned_after(["six", "seven", "eight", "nine", "ten"]) == {"eleven", *ALWAYS}
    empty = NgramBlock()
    empty.add(["too short"], 8)
    assert not empty and NgramBlock.build([], []), "stock phrases are always blocked"
    curly = NgramBlock.build([], ["I don’t think it will ever open"])
    assert "ever" in curly.banned_after(words_of("I don't think it will"))


def test_a_paragraph_may_not_begin_with_an_earlier_paragraphs_first_two_words() -> None:
    block = NgramBlock.build([], [], ["I think the port matters.", "What strikes me is the cost."])
    assert "think" in block.banned_after(["i"]), "a second paragraph beginning 'I think'"
    assert "strikes" in block.banned_after(["what"])
    assert "think" not in block.banned_after(["so", "i"]), "only at the paragraph's start"
    assert "believe" not in block.banned_after(["i"])


def test_a_tic_word_is_written_once_in_a_column() -> None:
    """ "crucial" three times in the demo's Harbin post: once read, twice a tic."""
    column = ["When I read that the talks began, I found the visit significant."]
    block = NgramBlock.build([], [], column, tics=True)
    assert {"significant", "significantly"} <= block.banned_after([]), "from paragraph 1"
    assert "crucial" not in block.banned_after(words_of("The talks are"))
    crucial = words_of("The talks are crucial, and the visit")
    assert {"crucial", "crucially"} <= block.banned_after(crucial)
    assert "suggest" in block.banned_after(words_of("This suggests that, as the data"))
    plain = NgramBlock.build([], [], column)
    assert "significant" not in plain.banned_after([]), "only when asked: the plan is free"
    assert "crucial" not in plain.banned_after(words_of("The talks are crucial, and the visit"))
    assert NgramBlock(tics=True), "a block of tics alone still applies"


# -- the sampler's rules, on a tiny vocabulary of token pieces ---------------------------

PIECES = [
    " the", " articles", "articles", " Articles", " art", "icles", " a", "ar", "ticles",
    " million", " lost", "t", " ARTICLES", "art", " ar",
]  # fmt: skip


def named(ids: list[int], pieces: list[str] = PIECES) -> set[str]:
    return {pieces[i] for i in ids}


def test_a_blocked_word_is_banned_in_every_spelling_that_starts_it() -> None:
    block = NgramBlock.build([COPIED], [])
    index = TokenIndex(PIECES)
    context = "I read that the council said that nine hundred million"
    banned = named(banned_tokens(context, block, index))
    assert {" articles", "articles", " Articles", " ARTICLES", " art", "art"} <= banned
    assert banned.isdisjoint({" a", " the", " million", " ar"}), "short prefixes stay"
    assert "ar" in banned, "but may not glue onto the word before: 'millionarticles'"
    assert "ar" not in named(banned_tokens(context + " ", block, index)), "after a space: a start"
    plural = [" tax", "s", "so", "st", "he", " sources"]
    stock = named(banned_tokens("the council said the tax", block, TokenIndex(plural)), plural)
    assert stock == {" sources"}, "no glue ban for a word blocked after any word ('sources')"
    assert banned_tokens("the council said that nine hundred", block, index) == []
    assert banned_tokens("the council said that nine hundred thousand", block, index) == []


def test_a_half_written_word_may_not_be_finished_into_a_blocked_one() -> None:
    block = NgramBlock.build([COPIED], [])
    index = TokenIndex(PIECES)
    banned = named(banned_tokens("the council said that nine hundred million ar", block, index))
    assert {"ticles", "t"} <= banned, '"ar" + "ticles" would spell it'
    assert banned.isdisjoint({"icles", " the", " articles"})
    banned = named(banned_tokens("the council said that nine hundred million art", block, index))
    assert "icles" in banned and "ticles" not in banned


def test_the_processor_starts_from_the_lead_and_reads_what_it_generated() -> None:
    pieces = [*PIECES, " council", " said", " that", " nine", " hundred"]
    index = TokenIndex(pieces)
    at = {p: i for i, p in enumerate(pieces)}
    lead = "The council said that nine hundred"
    process = processor(
        Constraints(lead=lead, block=NgramBlock.build([COPIED], [])),
        index,
        lambda ids: "".join(pieces[i] for i in ids).encode(),
    )
    assert process is not None
    prompt = np.array([at[" the"], at[" a"]])
    scores = process(prompt, np.zeros(len(pieces), dtype=np.float32))
    assert not scores.any(), "the lead alone completes no 7 words of the copy"
    scores = process(np.array([*prompt, at[" million"]]), np.zeros(len(pieces), np.float32))
    assert scores[at[" articles"]] == -PENALTY and scores[at[" lost"]] == 0
    assert processor(Constraints(lead=lead), index, lambda ids: b"") is None


def test_a_paragraph_may_not_end_its_turn_before_its_second_sentence() -> None:
    pieces = [" the", " vote", ".", " I", " agree", ""]  # a turn's end reads as nothing
    end = len(pieces) - 1

    def scores_after(lead: str, constraints: Constraints | None = None) -> np.ndarray:
        c = constraints or Constraints(lead=lead, vocabulary=Vocabulary.of(SOURCE))
        process = processor(c, TokenIndex(pieces), lambda ids: b"", stops=(end,))
        assert process is not None
        return process(np.array([0]), np.zeros(len(pieces), dtype=np.float32))

    assert scores_after("I like the vote.")[end] == -PENALTY, "one sentence: go on"
    assert scores_after("I like the vote. I agree.")[end] == 0, "two: it may stop"
    broken = scores_after("I like the vote. I agree.\n")
    assert broken[end] == 0 and (broken[:end] == -PENALTY).all(), "two and a break: stop"
    assert (scores_after("I like the vote.\n")[:end] == 0).all(), "one and a break: go on"
    plan = Constraints(lead="View: I", vocabulary=Vocabulary.of(SOURCE), shape="plan")
    assert scores_after("", plan)[end] == 0, "a plan's lines are not sentences"


def test_a_capitalised_word_must_be_one_of_the_vocabulary() -> None:
    pieces = [
        " the", " Putin", " Putian", " Put", "in", "ian", "Put", " Kenya", "n", " Moscow",
        "'m", "'s", " think", "I", " I", "你好", " общ", "1", ",", "2", "0", ".", "5", "Moscow",
        "_traffic", "<li>", " {", " café", "—", "…", "...", " ..", ".5",
    ]  # fmt: skip
    rule = VocabularyRule(Vocabulary.of(SOURCE), TokenIndex(pieces))

    lowered = partial(lowered_by, rule, pieces)

    after_word = lowered("I met")
    assert {" Putian", " Moscow"} <= after_word, "a spaced capitalised word not in the sources"
    assert after_word.isdisjoint({" Putin", " Put", " Kenya", " the", " I", "in", "n"})
    assert {"你好", " общ"} <= after_word, "other scripts"
    assert {"_traffic", "<li>", " {"} <= after_word, "code and markup"
    assert after_word.isdisjoint({" café", "—"}), "accents and dashes are prose"
    assert {"…", "...", " .."} <= after_word, "no fragments joined by an ellipsis"
    inside = lowered("I met Put")
    assert "in" not in inside and {"ian", "n", "Put"} <= inside, '"Put|in", not "Put|ian"'
    assert "'m" not in lowered("Today I") and "'s" not in lowered("I met Putin")
    assert {" Putin", " Kenya"} <= lowered("Kenya and I"), "no name after the pronoun"
    assert " think" not in lowered("Kenya and I") and " Putin" not in lowered("Kenya and Ruto")
    quoted = lowered("I met “")  # after a quotation mark a bare piece starts a word
    assert "Moscow" in quoted and "Put" not in quoted
    assert "ian" not in lowered("I met the ian"), "lowercase words are free"


def test_a_figure_must_be_one_of_the_sources_written_as_they_write_it() -> None:
    pieces = ["1", ",", "2", "0", ".", "5", "3", "7", " 1", " 3", " 2"]
    rule = VocabularyRule(Vocabulary.of(SOURCE), TokenIndex(pieces))

    lowered = partial(lowered_by, rule, pieces)

    assert " 3" in lowered("worth") and lowered("worth").isdisjoint({" 1", " 2"})
    everything = set(pieces)
    assert lowered("worth 1,") == everything - {"2"}, '"1,2" of "1,200", nothing else'
    assert lowered("worth 1,2") == everything - {"0"}
    assert lowered("over 2.") == everything - {"5"}, '"2.5": neither "2." nor "2. 5"'
    assert lowered("in 2") == everything - {"0"} and lowered("in 202") == everything - {"7"}
    assert lowered("in 2027") == {"1", "2", "0", "5", "3", "7", " 3"}, "whole: it may stop"


def test_a_figure_may_not_stop_half_way_nor_start_after_a_full_stop() -> None:
    source = "The index fell to 47.5 from 47 in May; the deal is worth $120bn, up 5%."
    pieces = ["1", "2", "0", "4", "7", ".", "5", " ", " billion", " in", "%", "bn", " 5"]
    rule = VocabularyRule(Vocabulary.of(source), TokenIndex(pieces))

    lowered = partial(lowered_by, rule, pieces)

    assert " billion" in lowered("worth $12") and "0" not in lowered("worth $12"), '"$12" of "$120"'
    assert " billion" not in lowered("worth $120")
    after = lowered("fell to 47.")  # "47" is a figure too: the sentence may end here
    assert "5" not in after and {" 5", "4", "1"} <= after and " " not in after
    assert {"5", " 5", "4"} <= lowered("fell to 47. "), '"47. 5" is no figure'
    assert {"4", " 5"} <= lowered("fell to 47, ") and {"4", " 5"} <= lowered("fell to 47,")
    assert "5" not in lowered("fell, up ") and " in" not in lowered("fell to 47")


@pytest.mark.parametrize("text", ["", "I met", "I met Put", "worth 1,"])
def test_the_rule_works_on_an_empty_vocabulary_of_pieces(text: str) -> None:
    rule = VocabularyRule(Vocabulary.of(SOURCE), TokenIndex([]))
    scores = np.zeros(0, dtype=np.float32)
    rule.apply(text, scores)
    assert scores.shape == (0,)


def test_a_server_gets_the_plan_shape_and_the_prose_rules_as_grammars() -> None:
    plan = Constraints(lead="View: I", vocabulary=Vocabulary.of(SOURCE), shape="plan")
    grammar = plan.as_grammar()
    assert grammar.startswith('root ::= "View: " "I" line "\\nPoint: "') and "Other side" in grammar
    prose = Constraints(lead="When I read that", vocabulary=Vocabulary.of(SOURCE)).as_grammar()
    assert prose.startswith('root ::= "When I read that" ')
    for text in (grammar, prose):
        LlamaGrammar.from_string(text, verbose=False)  # llama.cpp's parser accepts both


# -- the voice rule: sentences after a paragraph's first open in the first person --------

VOICE_PIECES = [
    "<end>", " I", " My", "'m", " think", " This", " suggests", ".", " the", "I", "It", " But",
    " In", " my", " view", ",", " Tha", "t", " U", ".S", " The", "\n", " ", " Yet",
]  # fmt: skip


def allowed_after(text: str, openers: tuple[str, ...] = VOICED_OPENERS) -> set[str]:
    scores = np.zeros(len(VOICE_PIECES), dtype=np.float32)
    VoiceRule(VOICE_PIECES).apply(text, scores, np.array([0]), openers)
    assert not (scores > 0).any()
    return {p for i, p in enumerate(VOICE_PIECES) if scores[i] == 0}


def test_a_voiced_paragraphs_later_sentences_open_in_the_first_person() -> None:
    first = "When I read that the bill passed"
    assert allowed_after(first) == set(VOICE_PIECES), "the first sentence is free"
    after = allowed_after(first + ".")
    assert {" I", " But", " In", " Yet", "<end>", "\n"} <= after
    assert after.isdisjoint({" The", " the", " U", "It", " think", " This", " My"}), "no news"
    assert allowed_after(first + ". In") == {"<end>", " my", " "}, "only on to 'In my view,'"
    assert "t" not in allowed_after(first + ". I"), "'I' must end there: not 'It'"
    assert allowed_after(first + ". I think") == set(VOICE_PIECES), "an opener frees it"
    assert allowed_after("I read that the U.S.") == set(VOICE_PIECES), "no end after U.S."
    assert allowed_after(first + ". ") >= {"I", "<end>"}, "a lead ending in a space"
    assert "\n" in allowed_after(first + "."), "a paragraph may break between sentences"
    assert allowed_after(first + ".\n") == {"I", "<end>"}, "once, and goes on in the voice"
    assert allowed_after(first + ".\nI think") == set(VOICE_PIECES)


def test_an_opener_of_more_words_than_one_is_used_once() -> None:
    used = "I read it. But I think so. My view is plain. In my view, it is. Yet I"
    assert openers_used(used) == {"But I", "In my view,"}, "'Yet I' is not begun a sentence"
    assert " But" not in allowed_after("It passed. But I think so.")
    assert " I" in allowed_after("It passed. I think so."), "one-word openers: always"
    left = voiced_openers(["When I read it, I smiled. But I think so.", "Yet I doubt it."])
    assert "But I" not in left and "Yet I" not in left and {"I", "So I"} <= set(left)
    assert " Yet" not in allowed_after("It passed.", left)


def test_a_server_gets_the_voice_rule_in_its_grammar() -> None:
    vocabulary = Vocabulary.of(SOURCE)
    voiced = Constraints(lead="I think", vocabulary=vocabulary, voiced=("I", "But I", "To me,"))
    grammar = voiced.as_grammar()
    assert grammar is not None and parses(grammar)
    assert "sentence ::= voiced words end" in grammar
    rule = next(line for line in grammar.splitlines() if line.startswith("voiced ::="))
    openers = as_regex(rule.removeprefix("voiced ::= "))
    assert all(openers.fullmatch(o) for o in ("I", "But I", "To me,"))
    assert not openers.fullmatch("Yet I") and not openers.fullmatch("The")
    plain = Constraints(lead="I think", vocabulary=vocabulary).as_grammar()
    assert plain is not None and "voiced" not in plain
