"""A sentence that says the opposite of the passage it leans on.

The commonest twist the verifier let through (tests/data/verifier_eval.jsonl, kind
`negation`) and the worst a reader met in a published column: "companies are more
optimistic" where morale fell to its lowest since April; "Philip Morris says it will
accept the ruling" where it said it would appeal; "has already cleared the deal" where the
deal still needs approval. The words overlap, so the passage is found; only the direction
differs. Two rules, each cheap and narrow:

1. a word of one side of a pair of opposites in the sentence, the other side (and not
   this one) in the passage;
2. a thing said to be done ("already") where the passage says it is still to come, and
   the reverse ("yet to") where the passage says it is done.
"""

from __future__ import annotations

import re

# Each pair: the forms of one side, the forms of the other. Forms are lowercase words.
_PAIRS_TEXT = (
    # not rise/fall nor more/less: "prices rose 2.2%, the lowest since 2020" is inflation
    # falling, and "could have received more" answers "received less"; in the writer's
    # columns these flagged true sentences only
    ("highest", "lowest"),
    # "the melt season was the shortest since measurements began" where it was the longest
    # (eval after 1cb55d2)
    ("longest", "shortest"),
    ("largest biggest", "smallest"),
    ("fastest quickest", "slowest"),
    ("hottest warmest", "coldest coolest"),
    ("wettest", "driest"),
    ("optimistic optimism confident confidence hopeful upbeat",
     "pessimistic pessimism gloomy gloom gloomier morale-sapping"),
    ("accept accepts accepted accepting", "appeal appeals appealed appealing reject rejected"),
    ("approve approves approved approval", "reject rejects rejected rejection block blocked"),
    ("support supports supported welcome welcomes welcomed backs backed favour favor",
     "oppose opposes opposed against criticised criticized"),
    ("cheaper cheap", "dearer costlier expensive"),
    ("stronger strong strengthen strengthened", "weaker weak weaken weakened"),
    ("best", "worst"),
    ("win wins won winning", "lose loses lost losing"),
    ("reliable", "unreliable"),
    ("safe safer", "unsafe dangerous"),
    ("ahead early earlier", "behind late later delayed"),
    ("willing ready agreed agrees", "refused refuses refuse unwilling declined declines"),
    # "Russia has been looking for a new supplier for gas it no longer sells to Europe"
    # where it looks for a buyer (the Harbin post, demo at d5935af); no labelled sentence
    # uses these three pairs
    ("buyer buyers", "supplier suppliers seller sellers"),
    ("import imports imported importing importer importers",
     "export exports exported exporting exporter exporters"),
    ("surplus", "deficit"),
    # phrases read as one word by _words_with_phrases (below)
    ("more-good", "more-harm"),
    ("rate-rise", "rate-cut"),
)  # fmt: skip
PAIRS: tuple[tuple[frozenset[str], frozenset[str]], ...] = tuple(
    (frozenset(a.split()), frozenset(b.split())) for a, b in _PAIRS_TEXT
)

_WORD = re.compile(r"[a-z][a-z'-]*")
_DONE = re.compile(r"\balready\b", re.IGNORECASE)
_TO_COME = re.compile(
    r"\b(?:still|yet to|not yet|needs? (?:approval|to)|must (?:still |now )?(?:approve|decide|"
    r"vote|sign)|whether to|would decide|will decide|plans? to|is expected to|are expected to|"
    r"is due to|are due to|awaits|awaiting)\b",
    re.IGNORECASE,
)
_YET = re.compile(r"\b(?:yet to|not yet|still (?:has|have|had|needs?) to)\b", re.IGNORECASE)
_DONE_VERB = re.compile(r"\b(?:has|have|had) (?:\w+ )?\w+ed\b", re.IGNORECASE)


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower().replace("’", "'")))


# Phrases that carry a direction, read as one word of a pair above. "costs about 20
# rupees more per kilogram than ordinary salt" is "costlier", which the salt post turned
# into "cheaper than regular salt" (demo at e7a2146). "money would do more harm cutting
# emissions" where the critics say it "would do more good cutting emissions at source"
# (the Kenya post), "raise interest rates" where economists expect "a further cut in
# interest rates" (the PMI post; both demo at ce4b051). Not "raises" alone: "raises
# questions" is no direction.
_PHRASES = tuple(
    (re.compile(pattern, re.IGNORECASE), word)
    for pattern, word in (
        (r"\bcosts?\b[^.;]{0,40}?\bmore\b", "costlier"),
        (r"\bcosts?\b[^.;]{0,40}?\bless\b", "cheaper"),
        (r"\bmore good\b", "more-good"),
        (r"\bmore harm\b", "more-harm"),
        (r"\b(?:rais|hik|increas|lift)\w*(?: \w+)?(?: interest)? rates?\b|\brate (?:rise|hike)s?\b",
         "rate-rise"),
        (r"\b(?:cut|lower|reduc)\w*(?: \w+)?(?: in)?(?: interest)? rates?\b|\brate cuts?\b",
         "rate-cut"),
    )
)  # fmt: skip


# how the phrases' words read in a reason given back to the writer
_SHOWN = {"more-good": "more good", "more-harm": "more harm", "rate-rise": "a rate rise",
          "rate-cut": "a rate cut"}  # fmt: skip


def _shown(word: str) -> str:
    return _SHOWN.get(word, word)


def _words_with_phrases(text: str) -> set[str]:
    words = _words(text)
    words.update(word for pattern, word in _PHRASES if pattern.search(text))
    return words


# Pairs whose words have other senses too ("late August" against "an early start"): read
# only against the passage a sentence leans on, not against every sentence on its subject.
_TIMING = frozenset({"early", "late"})


def opposite(sentence: str, passage: str, pairs_only: bool = False) -> str | None:
    """What the sentence says against its passage ("more where it says lower"), or None;
    with `pairs_only`, by the pairs of opposites alone (rule 1) and not those of timing."""
    said, source = _words_with_phrases(sentence), _words_with_phrases(passage)
    for one, other in PAIRS:
        if pairs_only and (one | other) & _TIMING:
            continue
        for mine, theirs in ((one, other), (other, one)):
            if said & mine and source & theirs and not source & mine and not said & theirs:
                ours, their = _shown(sorted(said & mine)[0]), _shown(sorted(source & theirs)[0])
                return f"{ours} where it says {their}"
    if pairs_only:
        return None
    if _DONE.search(sentence) and _TO_COME.search(passage) and not _DONE.search(passage):
        return "done where it says still to come"
    if _YET.search(sentence) and not _YET.search(passage) and _DONE_VERB.search(passage):
        return "still to come where it says done"
    return None


_TURNED = re.compile(r"says the opposite of the passage: (.+?) where it says ")


def turned_words(problems: list[str], source_text: str = "") -> tuple[str, ...]:
    """The words a paragraph's tries may no longer write, from its problems: the whole side
    of a pair the paragraph used against its passage ("supplier" where the news says
    "buyer": supplier, suppliers, seller, sellers), or the phrase ("more harm"). Told the
    passage, the model wrote "a new supplier for gas" three times in the Harbin post (demo
    at ed9f438), and the column was held. Not a word the sources use themselves, nor the
    words of timing: blocking "early" where the flu news says the season began early made
    the flu post worse (demo at 49f7332)."""
    used = _words(source_text)
    out: list[str] = []
    for problem in problems:
        found = _TURNED.search(problem)
        if not found:
            continue
        said = found.group(1)
        phrase = next((k for k, shown in _SHOWN.items() if shown == said), said)
        for one, other in PAIRS:
            if (one | other) & _TIMING:
                continue
            for side in (one, other):
                if phrase not in side:
                    continue
                if "-" in phrase:  # read as one word from a phrase: block the phrase itself
                    out.append(said)
                else:
                    out.extend(sorted(side - used))
    return tuple(dict.fromkeys(w for w in out if not w.startswith("a ")))
