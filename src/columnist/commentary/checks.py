"""Checks a commentary must pass before it is published.

Each check returns problems as short sentences; the post stores them, so
`columnist posts --json` shows why a post was held back as a draft. Grounding problems
(facts not in the sources) weigh more than form problems when the writer picks the best
of several failed attempts. Beside length, meta-text, grounding and the opening, the
checks a reader would make (commentary/reader.py: voice, copying, repetition, seams,
invented, prose) are reported by name, each problem prefixed with it ("voice: ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from columnist.commentary.constraints import (
    HARM_DEEDS,
    HARM_MODALS,
    HARM_WISHES,
    SIDE_QUALIFIERS,
    SIDES,
    TRADES,
    words_of,
)
from columnist.commentary.grounding import Claim, Support, find_claims
from columnist.commentary.openings import opening_problem
from columnist.commentary.prompts import PROMPTS
from columnist.commentary.reader import (
    READER_CHECKS,
    ReaderReport,
    named_passes,
    read_as_reader,
    repeated_sentences,
)
from columnist.commentary.restate import RESTATE_COSINE
from columnist.commentary.text import paragraphs, word_count

__all__ = [
    "READER_CHECKS",
    "CheckResult",
    "check_commentary",
    "length_bounds",
    "named_passes",
    "repeated_sentences",
    "unsupported_numbers",
]

_REFUSALS = re.compile(
    r"\b(as an ai|i(?:'m| am) (?:sorry|unable)|i cannot (?:help|write|comply)|"
    r"i can't (?:help|write|comply)|language model)\b",
    re.IGNORECASE,
)
_META = re.compile(
    r"\b(in this (?:piece|column|article|commentary|essay|op-ed),? i (?:will|shall|'ll)|"
    r"here is (?:my|a|the) (?:column|commentary|piece)|here's (?:my|a|the) "
    r"(?:column|commentary|piece)|word count|\[insert|"
    r"(?:the|this) (?:source|article)s? (?:says?|mentions?|notes?|reports?)|source \d|"
    r"in conclusion|(?:title|headline)\s*:|the event\s*:|news text|"
    r"(?:first|second|third|fourth|this|next|last|final|closing|opening|the|that|original|"
    r"previous) paragraph|(?:the )?information (?:provided|given)|"
    r"(?:other|two|three|earlier|previous|these|my|the) paragraphs|press release|"
    r"(?:in|from|according to|stated in|said in) (?:the|this) (?:article|passage\b(?! of))|"
    r"my other side|my view continues|"
    r"the (?:facts|figures|numbers|data) (?:it|this|they) (?:rests?|relies?|rely|lies?|"
    r"is based|are based) on|"
    # "The facts it lies on, which state that ...", "The facts state that these promises
    # were drawn from ...", "The facts it states in the original news" (stories 31-40, a
    # run whose middle paragraphs asked questions, 2026-12-07)
    r"\bthe facts (?:it |this )?(?:states?|says?)\b|the original news|"
    # "The facts it reports are: Miriam Lapuníková, director of ..." (the Fico post, stories
    # 31-40 at e497bc0)
    r"the (?:facts|figures|numbers|data) (?:it|this|they) (?:reports?|gives?|lists?|cites?)\b|"
    r"facts rest on|"
    # the retry's feedback told back: "I think this event could not be used for any
    # purpose, as it is a retelling that does not state the main point" (demo at de0bf8e)
    r"could not be used|a retelling\b|"
    # a column that ends by asking the reader: "What do you think about it?" (the warships
    # post, demo at de0bf8e; the eagles post at bb6bbd3), and, that blocked, "What do you
    # make of it?" (the warships post at 9517968)
    r"\bdo you think\b|\bwhat do you make of\b|"
    r"this (?:sentence|statement|point|objection) (?:directly )?"
    r"(?:addresses|supports|states|shows)|"
    r"reinforces the idea|"
    r"(?:the|these|my) sources? (?:provided|given|above|you gave|confirm|state)|"
    r"(?:in|from|according to) the sources|recent columns|"
    r"(?:the|these) sources? (?:also |further )?(?:say|note|state|suggest|mention|indicate|"
    r"show|highlight|report)s?|the sources'|\b(?:the|these) sources\b(?! of)|"
    r"(?:the )?other side (?:argues|says|would say)|"
    r"why (?:it|this) matters to me|as an? (?:independent |opinion )?(?:columnist|commentator)|"
    # a chatbot's sign-off, "I hope this helps address their concerns", "I hope this
    # clarifies"; not a wish, "I hope this will help reduce carbon emissions" (the coal
    # post, stories 41-50 at a9ae73c)
    r"committed to reporting|i hope (?:this|that|my|these) (?:(?!(?:will|would|can|could|"
    r"might|may)\b)\w+ )?(?:helps?(?=\s*[.!,]|\s+(?:you|readers?|address|answer|clarify|"
    r"explain|understand))|clarif|answers?|address|explain)\w*|"
    r"(?:provides?|brings?|offers?) (?:some )?clarity on|"
    r"(?:take|try|choose) a different (?:approach|angle|opening))|"
    r"\(\d+ words\)|^\s*(?:sure|certainly|of course)[,!]",
    re.IGNORECASE,
)
TOLERANCE = 0.25
# "the facts presented in The Guardian article about the nine men" (the migrants' trial
# post, stories 31-40 at 03f45e0): the piece the column was written from, named by its
# outlet. Case-sensitive: the outlet is a name; "in a report" is ordinary citing.
_OUTLET_PIECE = re.compile(
    r"\b(?:[Ii]n|[Ff]rom|[Oo]f|[Bb]y) (?:the |a |an )?(?:[A-Z][\w’'.-]* ){1,3}"
    r"(?:article|piece|passage)s?\b"
)


@dataclass(slots=True)
class CheckResult:
    problems: list[str] = field(default_factory=list)
    words: int = 0
    claims: list[Claim] = field(default_factory=list)  # facts not found in the sources
    opening: str | None = None  # why the opening will not do
    reader: ReaderReport = field(default_factory=ReaderReport)  # the checks a reader makes

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def grounded(self) -> bool:
        return not self.claims

    @property
    def unsupported(self) -> list[str]:
        return [c.text for c in self.claims]

    @property
    def copied_6gram_share(self) -> float:
        """Share of the body's word 6-grams found in the sources (the "copying" check)."""
        return self.reader.copied_6gram_share

    def rank(self) -> tuple[int, int, int]:
        """Smaller is better: passing first, then fewest invented facts, then problems."""
        return (0 if self.passed else 1, len(self.claims), len(self.problems))

    def as_dict(self) -> dict:
        return {
            "passed": self.passed,
            "problems": self.problems,
            "words": self.words,
            "grounded": self.grounded,
            "unsupported": [c.as_dict() for c in self.claims],
            "opening": self.opening,
            "reader": self.reader.as_dict(),
            "copied_6gram_share": self.copied_6gram_share,
            "repeated_pairs": self.reader.repeated_pairs,
            "first_person": self.reader.first_person,
        }


def unsupported_numbers(body: str, source_text: str) -> list[str]:
    """Numbers in the commentary that appear nowhere in the sources."""
    claims = find_claims(body, Support(source_text))
    return sorted({c.text for c in claims if c.kind == "number"})


# "As a nutritionist, I believe": the model giving itself a trade; the column's voice is
# the desk's persona, and no source says the writer is a scientist. Up to 100 letters:
# "As an active advocate for environmental causes and committed to sustainability, I am
# excited" (the Kenya post, eval at 8ef1527) ran past 60.
_ROLE = re.compile(
    r"\bas (?:an? |someone |somebody |one )(?!result\b|consequence\b|whole\b|rule\b|matter\b|"
    r"reminder\b|start\b|alternative\b|example\b|aside\b|first step\b)"
    r"[a-z][\w -]{1,100}, (?:i|my)\b",
    re.IGNORECASE,
)


# "As a responsible citizen of the world, it is our duty", "As responsible citizens, we":
# a civic role _ROLE misses when no "I" follows (summary of session 21's demo reading).
# "it is my responsibility as a responsible citizen to hold these institutions
# accountable" (the Devon post, stories 41-50 at 03f45e0): with its adjective it is a role
# without a comma too.
_CIVIC_ROLE = r"(?:citizens?|residents?|taxpayers?|voters?|consumers?|parents?)"
_CIVIC = re.compile(
    rf"\bas (?:an? )?(?:(?:responsible|concerned|ordinary|fellow|global|good) {_CIVIC_ROLE}\b|"
    rf"{_CIVIC_ROLE}(?: of [a-z ]{{1,40}})?,)",
    re.IGNORECASE,
)


# "I hold this wish because, as survivors of the disaster, we need to be assured that our
# voices are being heard" (the migrants' trial post, stories 31-40 with a first-person
# closing): the writer made one of a group in the news, speaking for it as "we". A group
# of people, so that "as Le Monde reports, we" and "as prices rise, we" give nobody a role.
_GROUP = (
    r"(?:survivors|victims|famil(?:y|ies)|relatives|people|journalists|workers|members|"
    r"patients|doctors|nurses|farmers|islanders|migrants|refugees|communit(?:y|ies)|nations|"
    r"countries|scientists|researchers|europeans|americans|africans|asians)"
)
_GROUP_ROLE = re.compile(
    rf"\bas (?:the |fellow |ordinary )?(?:[a-z-]+ )?{_GROUP}(?: of [\w ]{{1,40}})?, (?:we|our)\b",
    re.IGNORECASE,
)


# "I am the owner of Lakeshore Media Group" (the AI ruling post, demo at f1beac1; "I am
# the creator of Lakeshore Media Group" in the demo at 8244d16), "as the
# chief executive of the firm, I": the writer made one who owns, runs or speaks for
# someone in the news. "As the head of the WHO said" gives nobody a role: without "I am"
# the role must end in ", I" or ", my".
_POST = (
    r"(?:co-?)?(?:owner|founder|creator|proprietor|shareholder|investor|employee|member|"
    r"spokes(?:man|woman|person)|chief executive|ceo|chair(?:man|woman)?|director|editor|"
    r"publisher|head|president|leader|minister|manager|lawyer|representative)s?"
)
_POST_ROLE = re.compile(
    rf"\b(?:I\s+am|I['’]m|I\s+was)\s+(?:the|an?|one\s+of\s+the)\s+(?:[a-z-]+\s+)?{_POST}\b"
    rf"|\bas\s+(?:the|one\s+of\s+the)\s+(?:[a-z-]+\s+)?{_POST}\s+(?:of|at|for)\s+"
    rf"(?:(?!\b(?:said|says|put|noted|told|argued|warned|stated|wrote)\b)[^,.;]){{1,80}},\s+"
    r"(?:I|my)\b",
    re.IGNORECASE,
)


# "Montana and Wyoming, which is my home state", "a major event in my life" (eval at
# d073f71), "it affects not just my personal projects", "it could limit my ability to
# train chatbots" (the fair-use post, demos at e7a2146, de0bf8e and 4a9300c), "one of the
# deadliest shipwrecks to have taken place in my country" (the Greek trial post, stories
# 31-40 at e497bc0), "how AI training ... might affect my industry" (the fair-use post,
# demo at 8244d16): the writer made one of the people in the news. "might affect my own
# media company's ability", "violate my copyrights" (the fair-use post, published in the
# demo at 5415b20 once "my own business" was blocked): a trade or a right with a word
# before it.
_TRADES = "|".join(t.replace(" ", r"\s+") for t in TRADES)
_LIFE = re.compile(
    r"\bmy (?:home (?:state|town|country|city|region)|hometown|homeland|life|lifetime|"
    r"personal \w+|own (?:work|projects?)|(?:own )?abilit(?:y|ies) to \w+|"
    rf"(?:own )?(?:[\w-]+ )?(?:{_TRADES})|job|(?:own )?country)\b",
    re.IGNORECASE,
)


# "protecting our navy", "our region": the writer speaking as one of a nation or its
# forces, a role no source gives it (the warships post, demo at 8f1d025); "maintaining our
# collective security", "our diplomatic relations", "protect our shared interests" (the
# same post, published in the demo at ce4b051): a state's affairs in the writer's "our".
_SIDES = "|".join(SIDES)
# a side may qualify another ("our military exercises"): the whole phrase is shown
_SIDE = re.compile(
    rf"\bour (?:(?:{'|'.join(SIDE_QUALIFIERS)}|{_SIDES}) )?(?:{_SIDES})\b", re.IGNORECASE
)


# The sampler's HARM_PHRASES, read back: what got past it, and what the other backends
# (a server given a grammar has no phrase block) wrote. "should be shot down" is no harm.
_DEEDS = "|".join("shot(?! down)" if d == "shot" else d for d in HARM_DEEDS)
_HARM = re.compile(
    rf"\b(?:{'|'.join(HARM_MODALS)}) (?:{_DEEDS})\b|\b(?:{'|'.join(HARM_WISHES)})\b",
    re.IGNORECASE,
)


def harm_problem(text: str) -> str | None:
    """Violence wished on someone, in the writer's mouth or another's."""
    found = _HARM.search(text)
    return f"wishes violence on someone (“{found.group(0)}”)" if found else None


def meta_problems(text: str) -> list[str]:
    """Talk about the writing or about being a model, which no column holds; and violence
    wished on someone, which no column prints."""
    problems = []
    harm = harm_problem(text)
    if harm:
        problems.append(harm)
    role = (
        _ROLE.search(text)
        or _POST_ROLE.search(text)
        or _CIVIC.search(text)
        or _GROUP_ROLE.search(text)
    )
    if role:
        problems.append(f"gives the writer a role (“{role.group(0).rsplit(',', 1)[0]}”)")
    life = _LIFE.search(text)
    if life:
        problems.append(f"gives the writer a life in the news (“{life.group(0)}”)")
    side = _SIDE.search(text)
    if side:
        problems.append(f"gives the writer a side (“{side.group(0)}”)")
    if _REFUSALS.search(text):
        problems.append("reads as a refusal or mentions being an AI")
    if _META.search(text) or _OUTLET_PIECE.search(text):
        problems.append("contains meta-text about the writing")
    echo = prompt_echo(text)
    if echo:
        problems.append(f"repeats its instructions (“{echo}”)")
    return problems


PROMPT_ECHO_WORDS = 6  # a run this long of the prompts' own wording is an echo


@cache
def _prompt_runs() -> frozenset[tuple[str, ...]]:
    """Word runs of the shipped prompts' wording, their Jinja tags taken out."""
    runs: set[tuple[str, ...]] = set()
    n = PROMPT_ECHO_WORDS
    for path in sorted(PROMPTS.glob("*.j2")):
        text = re.sub(r"\{[{%#].*?[}%#]\}", "\n", path.read_text(encoding="utf-8"), flags=re.S)
        for line in text.splitlines():
            words = words_of(line)
            runs.update(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    return frozenset(runs)


def prompt_echo(text: str) -> str | None:
    """The first run of the prompts' own wording in `text`: a published post said "This
    is what I think about this event, in one sentence that starts with I: I think ..."
    (the plan's instruction, stories 41-50 at ce4d054). A desk's own templates are not
    read here."""
    words, n, runs = words_of(text), PROMPT_ECHO_WORDS, _prompt_runs()
    for i in range(len(words) - n + 1):
        if tuple(words[i : i + n]) in runs:
            return " ".join(words[i : i + n])
    return None


def length_bounds(target_words: int, tolerance: float = TOLERANCE) -> tuple[int, int]:
    return int(target_words * (1 - tolerance)), int(target_words * (1 + tolerance))


SHORTEST_COLUMN = 130  # three paragraphs: what happened and my view, one reason, closing


def column_words(target: int, news_words: int, ratio: float) -> int:
    """The length a column is asked for: `target`, or `ratio` times the words of its news
    when that is less (never under SHORTEST_COLUMN); a ratio of 0 keeps `target`. Most
    feed items carry 40-120 words, and a 220-word column on a 40-word item was 3 to 4
    guesses a post (ten real outlets' items, eval at 1cb55d2): a column says what it can
    say about the news, and a reader would rather finish 130 words than skim 220."""
    if ratio <= 0:
        return target
    return min(target, max(SHORTEST_COLUMN, round(ratio * news_words)))


def news_words(sources: list[tuple]) -> int:
    """The words of a story's source texts (outlet, title, text, ...), titles aside."""
    return sum(word_count(s[2]) for s in sources)


def check_commentary(
    body: str,
    *,
    target_words: int,
    source_text: str | None = None,
    support: Support | None = None,
    recent_openings: list[str] | None = None,
    stock_openings: tuple[str, ...] | list[str] = (),
    tolerance: float = TOLERANCE,
    restate_cosine: float = RESTATE_COSINE,
) -> CheckResult:
    """All checks on one commentary; `support` (or `source_text`) is what grounds it."""
    support = support or Support(source_text or "")
    reader = read_as_reader(body, support, restate_cosine=restate_cosine)
    result = CheckResult(words=word_count(body), reader=reader)
    if not body.strip():
        result.problems.extend(["empty commentary", *result.reader.problems()])
        return result
    low, high = length_bounds(target_words, tolerance)
    if not low <= result.words <= high:
        result.problems.append(f"{result.words} words, outside {low}-{high}")
    if len(paragraphs(body)) < 2:
        result.problems.append("a single paragraph")
    result.problems += meta_problems(body)
    result.claims = find_claims(body, support)
    by_kind: dict[str, list[str]] = {}
    for claim in result.claims:
        by_kind.setdefault(claim.kind, []).append(claim.text)
    labels = {"number": "numbers", "date": "dates", "name": "names", "quote": "quotations"}
    for kind, texts in by_kind.items():
        shown = ", ".join(f'"{t}"' if kind == "quote" else t for t in dict.fromkeys(texts))
        result.problems.append(f"{labels[kind]} not in the sources: {shown}")
    result.opening = opening_problem(body, recent_openings or [], stock_openings)
    if result.opening:
        result.problems.append(result.opening)
    # markdown and repeated sentences are reported under "prose" and "repetition"
    result.problems.extend(result.reader.problems())
    return result
