"""Words someone in the news said, used as the writer's own: a flag for an editor.

Under the sampler's 8-word copy block the writer still takes five to seven words in a row
of a speaker's quotation and writes them as its own ("It is a sign that the economy is
idling rather than crashing, and the engine is getting colder": an economist's words; 5
of the 16 posts of the demo at 59b8573). Blocking such runs in the sampler made posts
worse (README, branch `experiment/lifted-speech`), so they are only found here: the
finding goes to a post's `checks.borrowed` and the admin marks the sentence
(review/marks.py). It holds no post and changes no text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from columnist.commentary.grounding import (
    BLANK,
    QUOTATION,
    STOP_WORDS,
    blank_quotations,
    sentence_spans,
)
from columnist.commentary.reader import word_ngrams, word_tokens
from columnist.commentary.text import paragraphs, split_sentences

SPOKEN_RUN = 5  # words in a row of a quotation that make a borrowing
# Runs of these words alone are how anyone talks ("what we have to do is"), not a
# speaker's words; apostrophes are dropped as `word_tokens` drops them ("dont").
COMMON = frozenset(w.replace("'", "") for w in STOP_WORDS)

# "Brandt said:", "said Jonas Brandt,", "Amina Yusuf, an epidemiologist, said:" beside a
# quotation: capitalised words next to a verb of saying. A pronoun or "the ministry" gives
# no name, and the speaker is left out. A full stop ends a name ("Reuters. He said"); the
# name after "told" is the listener ("Brandt told Reuters").
_CAPITAL = r"[A-Z](?:[\w’'-]|\.(?=\w))*"
_NAME = rf"{_CAPITAL}(?:\s+{_CAPITAL}){{0,3}}"
_ASIDE = r"(?:,[^,\"“”]{1,60},)?"  # ", an economist at Nordbank,"
_VERB = r"(?:said|says|added|adds|warned|warns|noted|notes|wrote|writes)"
_NAME_SAYS = rf"({_NAME}){_ASIDE}\s+(?:{_VERB}|told|tells)\b"
_SAYS_NAME = rf"\b{_VERB}\s+({_NAME})"
_NAME_BEFORE = re.compile(rf"(?:{_NAME_SAYS}|{_SAYS_NAME})(?:\s+\w+)?\s*[,:]?\s*$")
_NAME_AFTER = re.compile(rf"^\s*[,.]?\s*(?:{_SAYS_NAME}|{_NAME_SAYS})")
_EDGES = ' ,.;:!?()[]"“”‘—–'


@dataclass(frozen=True, slots=True)
class Quotation:
    """What someone in the news said, in double quotation marks in a source."""

    text: str
    speaker: str = ""


@dataclass(frozen=True, slots=True)
class Borrowed:
    """A body sentence that uses a quotation's words outside quotation marks."""

    sentence: str  # as it stands in the body, so the admin can find and mark it
    words: str  # the run of the quotation's words, as the body writes them
    quotation: str  # the whole quotation they come from
    speaker: str = ""  # who said it, when a name stands by "said" next to it

    def as_dict(self) -> dict[str, str]:
        return {
            "sentence": self.sentence,
            "words": self.words,
            "quotation": self.quotation,
            "speaker": self.speaker,
        }


def _name(found: re.Match[str] | None) -> str:
    """The name a _NAME_BEFORE/_NAME_AFTER match holds, its opening stop words ("But",
    "He") taken off."""
    if not found:
        return ""
    words = (found.group(1) or found.group(2) or "").split()
    while words and words[0].lower() in STOP_WORDS:
        words = words[1:]
    return " ".join(words)


def speaker(line: str, start: int, end: int) -> str:
    """The name by "said" (or another verb of saying) just before or after the quotation
    at `start`-`end` of `line`; "" when there is none."""
    after = _NAME_AFTER.search(line[end : end + 120])
    return _name(after) or _name(_NAME_BEFORE.search(line[max(0, start - 120) : start]))


def quotations(source_text: str) -> list[Quotation]:
    """The sources' quotations in double marks, straight or curly (a single mark is also an
    apostrophe). Read a line at a time: a quotation running over paragraphs opens each
    one and closes only the last, and across lines its marks would pair with the wrong
    ones, making the reporter's words a quotation."""
    found = []
    for line in source_text.splitlines():
        for m in QUOTATION.finditer(line):
            text = m.group(1) or m.group(2)
            if text and text.strip():
                found.append(Quotation(" ".join(text.split()), speaker(line, *m.span())))
    return found


def _words(piece: str) -> list[tuple[str, int, int]]:
    """`word_tokens` of `piece`, each with the span of the stretch between spaces it is in."""
    return [
        (token, chunk.start(), chunk.end())
        for chunk in re.finditer(r"\S+", piece)
        for token in word_tokens(chunk.group(0))
    ]


def _runs(words: list[str], spoken: set[tuple[str, ...]]) -> list[tuple[int, int]]:
    """The stretches [i, j) of `words` that overlapping SPOKEN_RUN-grams of `spoken` cover."""
    runs: list[tuple[int, int]] = []
    for i, gram in enumerate(word_ngrams(words, SPOKEN_RUN)):
        if gram not in spoken:
            continue
        if runs and i < runs[-1][1]:
            runs[-1] = (runs[-1][0], i + SPOKEN_RUN)
        else:
            runs.append((i, i + SPOKEN_RUN))
    return [(i, j) for i, j in runs if not COMMON.issuperset(words[i:j])]


def _longest(
    sentence: str, said: list[tuple[Quotation, set[tuple[str, ...]]]]
) -> tuple[str, Quotation] | None:
    """The longest run of one quotation's words in `sentence` (its quotations blanked),
    as the sentence writes it, with the quotation."""
    best: tuple[int, str, Quotation] | None = None
    for piece in re.finditer(rf"[^{BLANK}]+", sentence):
        words = _words(piece.group(0))
        tokens = [w for w, _, _ in words]
        for quotation, spoken in said:
            for i, j in _runs(tokens, spoken):
                if best is None or j - i > best[0]:
                    text = piece.group(0)[words[i][1] : words[j - 1][2]].strip(_EDGES)
                    best = (j - i, text, quotation)
    return (best[1], best[2]) if best else None


def borrowed_words(body: str, source_text: str) -> list[Borrowed]:
    """Every body sentence holding SPOKEN_RUN or more words in a row (case and
    punctuation aside) of a quotation in the sources, outside the body's own quotation
    marks, and not only common words; one finding a sentence, its longest run."""
    said = [(q, set(word_ngrams(word_tokens(q.text), SPOKEN_RUN))) for q in quotations(source_text)]
    said = [(q, grams) for q, grams in said if grams]
    if not said:
        return []
    found = []
    for para in paragraphs(body):
        blanked = blank_quotations(para)
        for a, b in sentence_spans(para, split_sentences(para)):
            hit = _longest(blanked[a:b], said)
            if hit:
                words, quotation = hit
                found.append(Borrowed(para[a:b], words, quotation.text, quotation.speaker))
    return found
