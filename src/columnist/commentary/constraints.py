"""What one model call may say: a grammar for its prose and word n-grams it may not complete.

A 1.5B model told "use only names and figures from the sources" still invents them, and
told "do not copy" still copies runs of eight words; asking again rarely helps. So the
writer constrains the sampler instead of repairing text afterwards:

- `prose_grammar` is a GBNF grammar (llama.cpp's; the llama.cpp server and llama-cpp-python
  take it too) in which a capitalised word must be one the sources use (or a demonym of
  one, or an ordinary sentence starter) and a figure must be one of the sources' figures;
  there are no quotation marks, since a 1.5B model quotes from memory.
  Hyphenated parts are words of their own, so "Russian-Putian" cannot be spelt.
- `NgramBlock` knows which next words would complete an 8-gram copied from the sources or
  a 6-gram already written in an earlier paragraph; the embedded backend lowers those
  words' tokens (with their space and case variants, so the model cannot glue the word
  onto the one before) by a finite penalty. A finite penalty, not -inf: beside a grammar,
  a step where every allowed token is banned would abort llama.cpp.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from columnist.commentary.grounding import (
    _MONTH_ABBR,
    _MONTHS,
    _WEEKDAYS,
    DEMONYM_SUFFIXES,
    DEMONYMS,
    SCALES,
    STOP_WORDS,
    YEAR,
    has_scale,
)
from columnist.commentary.lexicon import is_english
from columnist.commentary.text import paragraphs, split_sentences

SOURCE_NGRAM = 8  # words copied from the sources in a row that are blocked
SELF_NGRAM = 6  # words repeated from an earlier paragraph in a row that are blocked

# Capitalised words any sentence may start with; names must come from the sources.
STARTERS = """
    A About After Again Against All Also Although Among An And Another Any Anyone Are As At
    Because Before Behind Being Better Both But By Can Could Despite Did Do Does Each Either
    Even Ever Every Everyone Few For From Had Has Have He Her Here His How However I If In
    Instead Is It Its Just Less Let Like Many May Maybe Me More Most Much My Neither Never
    No Nobody None Nor Not Nothing Now Of On Once One Only Or Other Others Our Over Perhaps
    Quite Rather She Should Since So Some Someone Something Still Such That The Their Them
    Then There These They This Those Though Three Through To Today Too Two Under Unless Until
    Us We Were What Whatever When Where Whether Which While Who Whoever Why Will With Without
    Worse Would Yes Yet You Your First Second Third Last Finally Taken Seen Put Read Set
    Whoever Good Bad True Fair Few Far Nowhere Somewhere Everything Anything Behind Beyond
"""
STARTERS_SET = frozenset(STARTERS.split())
CONTRACTIONS = ("'s", "’s", "'m", "’m", "'ve", "’ve", "'d", "’d", "'ll", "’ll", "n't", "n’t")
_CAPITALISED = re.compile(r"[A-ZÀ-ÖØ-Þ][\w’'.&]*[\w&]|[A-ZÀ-ÖØ-Þ]")
_FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?")
_WORD = re.compile(r"[\w’']+")


def demonyms(name: str) -> set[str]:
    """Adjectives a name allows, as the grounding check derives them (Kenya -> Kenyan): an
    ending that makes no English word is no demonym ("Antarcticans", which the sampler
    let the Antarctic sea-ice post write at 2c17652, and the check then held)."""
    if not name[:1].isupper() or len(name) < 4 or not name.isalpha():
        return set()
    low = name.lower()
    stems = [name] + ([name[:-1]] if low[-1] in "aeoy" else [])
    forms = {stem + end for stem in stems for end in DEMONYM_SUFFIXES if end}
    forms = {f for f in forms if is_english(f.lower())}
    forms |= {f.capitalize() for f in DEMONYMS.get(low, ())}
    return forms


def source_names(source_text: str) -> set[str]:
    """Every capitalised word (and each hyphenated part) the sources use, with demonyms."""
    names: set[str] = set()
    for word in _CAPITALISED.findall(source_text):
        for part in word.split("-"):
            part = re.sub(r"['’]s$", "", part).rstrip(".")
            if part and part[0].isupper():
                names.add(part)
                names |= demonyms(part)
    return names


def source_figures(source_text: str) -> set[str]:
    """The figures the sources write, as they write them ("4", "1,200", "2.1")."""
    return {m.group(0).rstrip(",.") for m in _FIGURE.finditer(source_text)}


# "Power of Siberia 2", "Corvelle Lite 8B": a name word and the figure after it. Not a date
# ("Nov 2026"), a sentence's starter ("In 2027", "By 2030"), what a name owns ("the Bank's
# 2% target"), a year ("the EU 2040 goal") nor a sum ("fined Meridian Cloud 340 million").
_NAMED_FIGURE = re.compile(
    r"(?<![\w’'-])([A-Z][\w-]*) (\d[\w,.]*\w|\d)"
    r"(?![\w%])(?! (?:hundred|thousand|[mbtr]illion)\b)"
)
_DATE_WORDS = frozenset([*_MONTHS, *_WEEKDAYS, *(a.capitalize() for a in _MONTH_ABBR)])


def numbered_names(text: str) -> dict[str, set[str]]:
    """Each name word the text writes with a figure after it, and those figures: a post
    that gives the name another of the sources' figures has made a new name ("the Power of
    Siberia 14 gas pipeline" from "Power of Siberia 2" and "14 agreements", demo at 75885d6;
    every token is the sources', so the vocabulary let it by)."""
    found: dict[str, set[str]] = defaultdict(set)
    for name, figure in _NAMED_FIGURE.findall(text):
        if name in _DATE_WORDS or name in STARTERS_SET or YEAR.fullmatch(figure):
            continue
        found[name].add(figure)
    return dict(found)


@lru_cache(maxsize=16)
def sources_numbered_names(source_text: str) -> Mapping[str, frozenset[str]]:
    """`numbered_names` of the sources, computed once a story: the reader asks for it on
    every paragraph it checks and the sampler's block list on every call."""
    return MappingProxyType({n: frozenset(f) for n, f in numbered_names(source_text).items()})


def renumbering_phrases(source_text: str) -> tuple[str, ...]:
    """ "Siberia 14" for every source figure but the name's own: what the sampler blocks."""
    figures = sorted(source_figures(source_text))
    return tuple(
        f"{name} {figure}"
        for name, own in sorted(sources_numbered_names(source_text).items())
        for figure in figures
        if figure not in own
    )


@lru_cache(maxsize=16)
def always_numbered_names(source_text: str) -> Mapping[str, frozenset[str]]:
    """Each name the sources never write without its figure, with the figures the sampler
    can write for it: "Power of Siberia 2" names another pipeline than "the Power of
    Siberia gas pipeline" (demo at 15b7942). Only the last word of a longer name ("of
    Siberia", "Corvelle Lite"): a company the sources name only with a model ("Boeing
    737") is still the company. And only a writable figure: "Corvelle Lite 8B" cannot be
    spelt ("8B" is no source figure), so asking for it held the demo's Lyon post at
    4082ae0."""
    writable = source_figures(source_text)
    found = {}
    for name, given in sources_numbered_names(source_text).items():
        figures = given & writable
        if not figures or re.search(bare_name(name), source_text):
            continue
        before = re.findall(rf"\b([A-Z][\w-]*|of) {re.escape(name)} \d", source_text)
        if any(w == "of" or w.lower() not in STOP_WORDS for w in before):
            found[name] = frozenset(figures)
    return MappingProxyType(found)


def bare_name(name: str) -> str:
    """`name` as a word with no figure after it."""
    return rf"(?<![\w’'-]){re.escape(name)}\b(?! \d)"


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def trie(words: set[str] | list[str]) -> str:
    """A GBNF alternation of `words` sharing prefixes, so llama.cpp keeps few stacks."""
    words = sorted(set(words))
    if not words:
        return '""'
    groups: dict[str, list[str]] = defaultdict(list)
    for word in words:
        groups[word[:1]].append(word)
    alternatives = []
    for first, group in groups.items():
        if first == "":
            alternatives.append('""')
            continue
        prefix = group[0]
        for word in group[1:]:
            while not word.startswith(prefix):
                prefix = prefix[:-1]
        rests = [w[len(prefix) :] for w in group]
        if len(rests) == 1:
            alternatives.append(_literal(prefix))
        else:
            alternatives.append(f"{_literal(prefix)} ({trie(rests)})")
    return alternatives[0] if len(alternatives) == 1 else " | ".join(alternatives)


@dataclass(slots=True)
class Vocabulary:
    """The capitalised words and figures a story's prose may use: the sources' own."""

    names: frozenset[str]
    figures: frozenset[str]

    @classmethod
    def of(cls, source_text: str) -> Vocabulary:
        names = source_names(source_text)
        names |= {n + "s" for n in names if n.isalpha()}  # plurals of names, not "Yous"
        names |= STARTERS_SET | SELF
        return cls(frozenset(names), frozenset(source_figures(source_text)))

    def with_names(self, *names: str) -> Vocabulary:
        """This vocabulary and a few more words (the plan's labels)."""
        return Vocabulary(self.names | set(names), self.figures)


SELF = frozenset({"I'm", "I’m", "I've", "I’ve", "I'd", "I’d", "I'll", "I’ll"})

# How a sentence after a paragraph's first may open when the paragraph is `voiced`: in
# the first person. In 329 hand-labelled sentences of 48 published posts (run a-e of
# tests/data/verifier_posts.jsonl), sentences after a paragraph's lead that spoke in the
# first person were unsupported 7 times in 53 (13%), those that did not 65 in 132 (49%):
# "This suggests that ...", "It is also important to note that ...", "The fact that ..."
# are where the model adds news of its own. Said as "I think ...", the same thought is the
# columnist's view, which is what the paragraph is for.
# Not "This is why I" nor "That is why I": they tied any two facts into a cause ("Raisi
# had a close relationship to the province of East Azerbaijan. This is why I think he died
# suddenly"); not "As I": "As I mentioned before", and the point came again. Not "My":
# "My view suggests", "My view implies", "My view remains" (the demo at 90b58c5); not "If
# I" ("If I were an epidemiologist"), nor "Neither do I" (garbled).
VOICED_OPENERS = (
    "I", "I'm", "I’m", "I've", "I’ve", "I'd", "I’d", "But I", "Yet I", "And I",
    "Still, I", "So I", "To me,", "For me,", "In my view,", "What I", "Even so, I",
    "However, I", "Perhaps I", "Maybe I", "When I", "Where I", "Now I", "Much as I",
    "Though I", "Although I", "While I",
)  # fmt: skip


def _multiword(opener: str) -> bool:
    return " " in opener


def openers_used(text: str) -> set[str]:
    """The VOICED_OPENERS of more than one word that begin a sentence of `text`."""
    starts = [s for p in paragraphs(text) for s in split_sentences(p)]
    return {
        o for o in VOICED_OPENERS if _multiword(o) and any(s.startswith(f"{o} ") for s in starts)
    }


def voiced_openers(written: list[str]) -> tuple[str, ...]:
    """The openers a paragraph's later sentences may take after `written`: each of more
    than one word once a column ("But I wonder ... But I wonder ... But I am glad" in one
    paragraph of the first try); "I" always."""
    used = openers_used("\n\n".join(written))
    return tuple(o for o in VOICED_OPENERS if o not in used)


def prose_grammar(
    vocabulary: Vocabulary,
    *,
    lead: str = "",
    sentences: tuple[int, int] = (3, 6),
    voiced: tuple[str, ...] = (),
) -> str:
    """GBNF for a paragraph of `sentences` sentences whose names and figures are the sources'.

    For servers, which apply grammars cheaply; `lead` is text the paragraph begins with.
    `voiced`: every sentence after the first opens with one of these (VOICED_OPENERS).
    """
    figures = vocabulary.figures or {"1"}
    low, high = sentences
    first = "" if lead else "opener "
    head = f"{_literal(lead)} " if lead else ""
    return "\n".join(
        [
            f'root ::= {head}{first}words end (" " sentence){{{low - 1},{high - 1}}}',
            "sentence ::= voiced words end" if voiced else "sentence ::= opener words end",
            "opener ::= name",  # no sentence starts on a figure: "47. 5" is no figure
            *([f"voiced ::= {trie(list(voiced))}"] if voiced else []),
            "words ::= (gap word)*",
            "word ::= lower | name | figure",
            "lower ::= [a-zà-öø-ÿ] [a-zà-öø-ÿ’']*",
            f"name ::= ({trie(vocabulary.names)}) suffix?",
            'suffix ::= ([\'’] [a-z] [a-z]?) | "n\'t" | "n’t"',
            f"figure ::= [$€£]? ({trie(figures)}) unit?",
            'unit ::= "%" | "s" | "th" | "st" | "nd" | "rd" | "m" | "bn" | "km"',
            'gap ::= [,;:)]? " " "("? | "-" | " — " | "—"',  # no quotation marks: no misquotes
            "end ::= [.!?]",
        ]
    )


def plan_grammar(lead: str = "View: ") -> str:
    """The plan's shape: a view, two or three points, the other side, one line each."""
    view = lead.removeprefix("View: ")
    return (
        f'root ::= "View: " {_literal(view)} line "\\nPoint: " line "\\nPoint: " line '
        f'("\\nPoint: " line)? "\\nOther side: " line\nline ::= [^\\n]{{20,240}}'
    )


# Violence wished on someone: "I think Robert Fico should have been killed immediately
# after the shooting" was the other side of the Fico plan, and its closing wrote "Some
# would say that Robert Fico should have been shot (murdered) immediately" in two runs of
# two (stories 31-40 at 8ef1527). No desk prints that, in anyone's mouth. A phrase's last
# word is blocked after the rest; "should be punished" and "should not have been
# prosecuted" are opinions and pass.
# checks.harm_problem reads the same phrases back from a written text.
HARM_MODALS = (
    "should have been", "should be", "ought to have been", "ought to be", "must be",
    "must have been", "deserved to be", "deserves to be", "deserve to be", "needs to be",
    "need to be", "needs to have been", "need to have been",
)  # fmt: skip
HARM_DEEDS = (
    "shot", "killed", "murdered", "executed", "assassinated", "hanged", "lynched", "beaten",
    "tortured", "bombed", "eliminated",
)  # fmt: skip
HARM_WISHES = (
    "deserved to die", "deserves to die", "deserve to die", "should die", "should have died",
    "better off dead",
)  # fmt: skip
HARM_PHRASES = (*(f"{m} {d}" for m in HARM_MODALS for d in HARM_DEEDS), *HARM_WISHES)


# The writer speaking as one of the parties in the news. Blocked in the sampler
# (STOCK_PHRASES) and read back from a written text by checks.meta_problems, from these
# same words, so the two never drift apart.
# A trade or a right ("it concerns my business", "my own media company's ability", "violate
# my copyrights": the fair-use post spoke as a newspaper owner in three demos).
TRADES = (
    "business", "company", "firm", "newspaper", "newspapers", "newsroom",
    "employer", "clients", "customers", "industry", "archive", "archives", "copyright",
    "copyrights", "intellectual property", "content",
)  # fmt: skip
# A state's forces and affairs: "protecting our navy", "military security in our region",
# "maintaining our collective security", "our diplomatic relations" (the warships post,
# demos at 8f1d025 and ce4b051). Each is a side whatever follows it ...
SIDES = (
    "navy", "naval", "army", "military", "armed", "troops", "soldiers", "forces", "allies",
    "region", "country", "nation", "government", "borders", "security", "interests",
    "relations", "relationship", "alliance", "partnership", "sovereignty", "territory",
    "territories", "territorial", "defence", "defense", "defences", "waters", "fleet",
    "warships", "exercises", "drills", "diplomatic", "bilateral", "newspapers", "industry",
    "content",
)  # fmt: skip
# ... and these only before one of them: "our shared future", "our common humanity",
# "our own view" are the writer's and a reader's.
SIDE_QUALIFIERS = ("collective", "national", "mutual", "shared", "common", "joint", "own", "trade")
SIDE_PHRASES = tuple(
    f"our {qualifier}{side}"
    for qualifier in ("", *(f"{q} " for q in SIDE_QUALIFIERS))
    for side in SIDES
)
TRADE_PHRASES = tuple(f"my {own}{trade}" for own in ("", "own ") for trade in TRADES)


# What a reader skips: talk about the sources, filler and clichés of small models. A
# phrase's last word is blocked after the rest of it.
STOCK_PHRASES = (
    "sources",
    "stakeholders",
    "it's important",
    "it is important",
    "it's crucial",
    "it is crucial",
    "it's essential",
    "it is essential",
    "only time will tell",
    "ripple effect",
    "in conclusion",
    "in today's",
    "i've written",
    "i have written",
    "the other side",
    "needs to be done",
    "remains to be seen",
    "a testament",
    "far-reaching implications",
    "far reaching",
    "still hold my view",
    "the news says",
    "the news suggests",
    "news does not",
    "news mentions",
    "news states",
    "news reports",
    "news only",
    "news also",
    # talk about the sources as "the news": "the news does mention", "the news strongly
    # suggests", a new adverb each time one was blocked (evals at 01fde94 and 42ba561); the
    # frame "My first reaction to the news that" is begun for the model, not sampled
    "the news",
    "this news",
    "news does",
    "news simply",
    "news said",
    "news text",
    "news tells",
    "news notes",
    "news shows",
    "news accurately",  # the adverbs the model reached for once "news says" was blocked
    "news clearly",
    "news explicitly",
    "news specifically",
    "news correctly",
    "news rightly",
    "news itself",
    "news highlights",
    "news indicates",
    "news implies",
    "news points",
    "news reveals",
    "news makes",
    "i am a member",  # "the Bank of which I am a member" (eval at 01fde94): a role
    "of which i",
    "facts it rests",
    # the prompt's "The facts it rests on" parroted round the block above: "The facts it
    # relies on are that", "The facts rest on that statement" (eval after 1cb55d2)
    "facts it relies",
    "facts rest",
    "the facts are that",
    "it rests on",  # "The figures it rests on are from the US National Snow ..." (demo)
    "facts suggest",
    "the facts show",
    "directly addresses",
    "reinforces the idea",
    "as an independent",
    "as a columnist",
    "headline",  # "The headline ... suggests": talk about the page, not the news
    "the paragraph",  # "the paragraph does not provide a clear picture"
    # "supported by the facts presented in the other two paragraphs", "not mentioned in the
    # press release", "as Carla Benavides stated in the article" (demo at 43c858a)
    "paragraphs",
    "press release",
    "the article",
    "this article",
    "original paragraph",
    "information provided",
    # the roles the model gives itself ("As an individual, I"); the column's voice is the
    # persona's, and the "role" check fails a paragraph that takes one
    "as an individual",
    "as an ordinary",  # "As an ordinary Kenyan, I" (eval at 42ba561)
    "as an objective",
    "as an observer",
    "as an outsider",
    "as a concerned",
    "as a citizen",
    "as a reader",
    "as a resident",
    "as a journalist",
    "as a writer",
    "as someone",  # "As someone with experience in international relations, I"
    "as somebody",
    "hope this helps",  # a chatbot's sign-off: "I hope this helps address their concerns"
    "provides clarity",
    "provide clarity",
    "as an expert",
    "as an author",
    "as a member",
    "as a commentator",
    "as an environmentalist",
    "as an advocate",
    "as an activist",
    "as an analyst",
    "as an investor",
    "as an engineer",
    "as a supporter",
    "as a researcher",
    "as a policymaker",
    "as a farmer",
    "as a human",
    "as a person",
    "as a business",
    "as a society",
    # a trade the writer gives itself without "As a" (TRADES)
    *TRADE_PHRASES,
    # "I am the owner of Lakeshore Media Group" (the AI ruling post, demo at f1beac1)
    "i am the owner",
    "i'm the owner",
    "as the owner",
    "i am the founder",
    "i am the creator",  # the AI ruling post, demo at 8244d16
    "i am the chief",
    "i am the editor",
    "i am the publisher",
    "i am a shareholder",
    "i am an employee",
    "as a scientist",
    "as an economist",
    "as a doctor",
    "as a teacher",
    "as a parent",
    "as a mother",
    "as a father",
    "as a homeowner",
    "as a taxpayer",
    "as a consumer",
    "as a voter",
    "as a citizen",
    "as a responsible",
    "as a concerned",
    "as responsible citizens",
    "as concerned citizens",
    "as citizens",
    # a nation's or an institution's "we" (SIDES); the persona is a columnist, not one of
    # the parties in the news
    *SIDE_PHRASES,
    # a past the writer does not have: "I remember when measles ...", "my own children";
    # no source can support it, and the persona is a columnist, not a witness
    "i remember",
    "i recall",
    "i grew up",
    "when i was",
    "i once",
    "i used to",
    "in my experience",
    "my family",
    "my children",
    "my own children",
    "my own family",
    "my own kids",
    "my kids",
    "my son",
    "my daughter",
    "my parents",
    "could not be used",  # the retry's feedback told back (demo at de0bf8e)
    "wish of mine",  # the closing's request told back: "This is a wish of mine because"
    "a wish i have",  # "A wish I have for them is" (stories 41-50 at bb337b2)
    "a wish i hold",  # "A wish I hold for them is" (stories 41-50 at 03f45e0)
    # "I hold this view because": 2 of 14 closings (demo at d02f5ff); "I hold this wish
    # because" once that was blocked (stories 31-40)
    "i hold this",
    "a retelling",
    "do you think",
    "my personal",
    "my own work",
    "my own projects",
    "my ability",  # "it could limit my ability to train chatbots" (demo at 4a9300c)
    "my abilities",
    "my job",  # my business, company, clients and customers: TRADES
    "my country",
    "what do you make",  # "do you think" blocked, the model asked this (demo at 9517968)
    "a friend of mine",
    "my home",
    "my hometown",
    "my homeland",
    "my life",
    "my lifetime",
    "i visited",
    "i have visited",
    # guessed consequences ("could lead to flooding"): the commonest unsupported claim in
    # the columns; blocked here they cost nothing, caught by the verifier a rewrite each
    "could lead",
    "could mean",
    "could indicate",
    "could result",
    "could potentially",
    "could be due",
    "may lead",
    "may mean",
    "may result",
    "might lead",
    "might mean",
    # guessed causes: "likely due to supply chain disruptions or geopolitical tensions"
    # (eval at 2c17652); a cause the news gives needs no hedge in front of it
    "likely due",
    "probably due",
    "possibly due",
    "partly due",
    "largely due",
    "be due",
    "be attributed",
    "likely because",
    "probably because",
    "likely reflects",
    "likely driven",
    # insinuations and worries from nowhere: "the crash may have been intentional", "could
    # be seen as a violation of housing laws", "raises concerns about the justice system"
    # (eval at bb6bbd3: 23 such phrases in 51 published posts, each opening a claim no
    # source makes)
    "may have been",
    "might have been",
    "could have led",
    "could be seen",
    "could have implications",
    "could have serious",
    "could have significant",
    "could have negative",
    "raises concerns",
    "raises questions",
    "it is possible that",
)


# A share or a multiple is a figure, and figures are the sources' own: the Emilia-Romagna
# post said farmers had "less than half of the compensation" where the news says a fifth
# (eval at 8fdfdae). Blocked unless the sources use the phrase.
SHARES = (
    "half",
    "halved",
    "a third",
    "two thirds",
    "a quarter",
    "a fifth",
    "a tenth",
    "twice",
    "doubled",
    "tripled",
)


# Talk about the prompt's fenced text as a text ("as Carla Benavides stated in the
# passage", demo at 8f1d025), once "the article" and "the news" were blocked. Blocked
# unless the sources use the phrase themselves ("the passage of the bill").
PAGE_PHRASES = ("the passage", "this passage", "that passage")

# How long something has gone on, where the sources give no span: "held in pre-trial
# detention for years" (a year since the June disaster; stories 31-40, three posts of
# three runs at c3ce5f2), "the Tories have made progress in recent years", "chemicals
# persist for decades", "Putin and Xi ... their relationship has strengthened over the
# past few years" (stories 31-40 at 02e5dd6), "asset prices have already been volatile for
# some time" (demo at 15b7942). Blocked unless the sources write the phrase.
SPANS = (
    "for years",
    "for decades",
    "for months",
    "for generations",
    "for centuries",
    "in recent years",
    "in recent months",
    "in recent decades",
    "over the years",
    "over the decades",
    "for many years",
    "over the past few years",
    "in the past few years",
    "over the last few years",
    "for some time",
    "for a long time",
)

# What was expected, where the sources say nothing of expectations: "the Dutch
# government's new asylum policy is more restrictive than expected" was the plan's view
# and the opening's claim in 17 of 17 kept runs of stories 31-40; the news called it the
# strictest ever and quoted no forecast. Blocked unless the sources write it (the next
# run wrote "more restrictive than previously announced": no truer, but no longer the
# phrase every run wrote).
EXPECTATIONS = (
    "than expected",
    "than anticipated",
    "than predicted",
    "than forecast",
    "than feared",
    "than hoped",
    "than thought",
)


# Words a 1.5B model leans on to sound like a columnist: once in a column, each is read;
# twice, the reader hears the tic ("crucial" three times in the demo's Harbin post;
# "significant" in 52 of 82 published posts, 19 of them more than once). A word of a group
# written once, in an earlier paragraph or earlier in the reply, may not be written again,
# nor another word of its group.
TIC_GROUPS: tuple[tuple[str, ...], ...] = (
    ("significant", "significantly", "significance"),
    ("crucial", "crucially"),
    ("important", "importantly", "importance"),
    ("suggests", "suggest", "suggesting", "suggested"),
    ("highlights", "highlight", "highlighted", "highlighting"),
    ("underscores", "underscore", "underscored"),
    ("notable", "notably"),
    ("vital",),
    ("pivotal",),
    ("serious", "seriously"),
    ("fact",),
)


def tics_used(words: list[str] | set[str]) -> set[str]:
    """Every form of each TIC_GROUPS group one of `words` belongs to."""
    present = set(words)
    return {form for group in TIC_GROUPS if present.intersection(group) for form in group}


def share_phrases(source_text: str) -> tuple[str, ...]:
    """The SHARES, SPANS, EXPECTATIONS, SCALES and PAGE_PHRASES the sources do not write
    themselves."""
    said = f" {' '.join(words_of(source_text))} "
    told = SHARES + SPANS + EXPECTATIONS + PAGE_PHRASES
    phrases = [p for p in told if f" {p} " not in said]
    for scale in SCALES:
        if not has_scale(source_text, scale):
            phrases += [scale, scale + "s"]
    return tuple(phrases)


def words_of(text: str) -> list[str]:
    return [w.replace("’", "'") for w in _WORD.findall(text.lower())]


@dataclass(slots=True)
class NgramBlock:
    """Next words that would complete a copied or repeated word n-gram."""

    tables: list[tuple[int, dict[tuple[str, ...], set[str]]]] = field(default_factory=list)
    # A reply's first word -> second words it may not take: the first two words of each
    # earlier paragraph, so paragraphs do not all begin "I think ...".
    openers: dict[str, set[str]] = field(default_factory=dict)
    tics: bool = False  # a TIC_GROUPS word once written in the reply is not written again

    @classmethod
    def build(
        cls,
        sources: list[str],
        earlier: list[str],
        paragraphs: list[str] = (),
        *,
        tics: bool = False,
    ) -> NgramBlock:
        """The block for one call: `earlier` may not be repeated, `paragraphs` (the column
        so far) may not be begun alike, and with `tics` a TIC_GROUPS word is written once."""
        block = cls()
        block.add(sources, SOURCE_NGRAM)
        block.add(earlier, SELF_NGRAM)
        block.add_phrases(STOCK_PHRASES)
        block.add_phrases(HARM_PHRASES)
        block.tics = tics
        if tics and paragraphs:
            block.add_phrases(tuple(sorted(tics_used(words_of("\n".join(paragraphs))))))
        for para in paragraphs:
            first = words_of(para)[:2]
            if len(first) == 2:
                block.openers.setdefault(first[0], set()).add(first[1])
        return block

    def add_phrases(self, phrases: tuple[str, ...]) -> None:
        """Phrases whose last word may not follow the others (one word: never written)."""
        by_length: dict[int, list[str]] = defaultdict(list)
        for phrase in phrases:
            by_length[len(words_of(phrase))].append(phrase)
        for n, group in sorted(by_length.items()):
            self.add(group, n)

    def add(self, texts: list[str], n: int) -> None:
        table: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for text in texts:
            for para in re.split(r"\n\s*\n", text):
                words = words_of(para)
                for i in range(len(words) - n + 1):
                    table[tuple(words[i : i + n - 1])].add(words[i + n - 1])
        if table:
            self.tables.append((n, dict(table)))

    def banned_after(self, words: list[str]) -> set[str]:
        """Words that may not follow `words` (the complete words written so far)."""
        banned: set[str] = set(self.openers.get(words[0], ())) if len(words) == 1 else set()
        if self.tics:
            banned |= tics_used(words)
        return banned | self._ending(words, 1)

    def continuing(self, words: list[str]) -> set[str]:
        """The words blocked after these words in particular: a run of two or more words
        ends here. (Not the words blocked after any word, "sources", nor the tics.)"""
        return self._ending(words, 2)

    def _ending(self, words: list[str], shortest: int) -> set[str]:
        """The last words of the blocked runs of `shortest` words or more that `words`
        would complete."""
        banned: set[str] = set()
        for n, table in self.tables:
            if n >= shortest and len(words) >= n - 1:
                banned |= table.get(tuple(words[len(words) - n + 1 :]), set())
        return banned

    def __bool__(self) -> bool:
        return bool(self.tables or self.openers or self.tics)


@dataclass(slots=True)
class Constraints:
    """What a backend enforces on one call; a backend that cannot enforce a part skips it."""

    lead: str = ""  # the reply begins with this text (returned without it)
    vocabulary: Vocabulary | None = None  # capitalised words and figures allowed
    block: NgramBlock | None = None  # n-grams the reply may not complete
    grammar: str | None = None  # a grammar every backend applies (the verifier's yes/no)
    sentences: tuple[int, int] = (3, 6)
    shape: str = "prose"  # "plan": labelled lines, for a server's grammar
    voiced: tuple[str, ...] = ()  # prose: openers of every sentence after the first

    def as_grammar(self) -> str | None:
        """All of it as one grammar, for a server (which has no logits processor)."""
        if self.grammar:
            return self.grammar
        if self.shape == "plan":
            return plan_grammar(self.lead)
        if self.vocabulary:
            return prose_grammar(
                self.vocabulary, lead=self.lead, sentences=self.sentences, voiced=self.voiced
            )
        if self.lead:
            return f"root ::= {_literal(self.lead)} [^\\n]*"
        return None
