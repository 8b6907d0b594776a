"""One paragraph of a column: tidied from the model's reply, then read as a reader would.

The same checks as the whole column's (checks.py, reader.py), applied as each paragraph
is written, so a paragraph that fails is written again while the column is still being
composed, instead of having sentences cut out of it afterwards.
"""

from __future__ import annotations

from collections.abc import Callable

from columnist.commentary.checks import meta_problems
from columnist.commentary.constraints import words_of
from columnist.commentary.grounding import Support, find_claims
from columnist.commentary.openings import stock_phrase
from columnist.commentary.reader import read_as_reader
from columnist.commentary.restate import RESTATE_COSINE
from columnist.commentary.text import (
    clean_body,
    ends_sentence,
    paragraphs,
    split_sentences,
    word_count,
)
from columnist.commentary.verify import verify

# The reader checks a paragraph gets on its own; `facts` is the verifier, run below once.
ALONE = ("voice", "copying", "seams", "invented", "prose")
MAX_OVER = 1.6  # a paragraph longer than this many times its target loses trailing sentences


def tidy_paragraph(raw: str, lead: str, words: int) -> str:
    """The reply (begun with `lead`) as one paragraph of whole sentences.

    A reply that runs on into a second paragraph keeps only its first, unless that is a
    single sentence; one far over its length loses sentences from its end.
    """
    text = raw if not lead or raw.lstrip().startswith(lead) else lead + raw
    first, _, rest = text.strip().partition("\n")
    if lead and rest.strip() and not ends_sentence(first):
        # broken off at a line break (a blocked word answered with "\n"): kept unjoined, so
        # the checks send it back; clean_body would drop the lead's line as a "title"
        return " ".join(first.split())
    parts = paragraphs(clean_body(text))
    if not parts:
        return ""
    if not ends_sentence(parts[0]):
        return parts[0]  # broken off at a line break: the checks send it back, unjoined
    kept = (
        parts[0]
        if len(split_sentences(parts[0])) > 1 or len(parts) == 1
        else parts[0] + " " + parts[1]
    )
    sentences = split_sentences(kept)
    while len(sentences) > 2 and word_count(" ".join(sentences)) > words * MAX_OVER:
        sentences.pop()
    return " ".join(sentences)


def paragraph_problems(
    paragraph: str,
    number: int,
    earlier: list[str],
    source_text: str,
    stock_openings: list[str] | tuple[str, ...] = (),
    restate_cosine: float = RESTATE_COSINE,
) -> list[str]:
    """Why paragraph `number` (after `earlier`) would not do; empty when it will."""
    if not paragraph.strip():
        return ["empty paragraph"]
    support = Support(source_text)
    problems: list[str] = []
    if not ends_sentence(paragraph):
        problems.append("breaks off mid-sentence")
    elif len(split_sentences(paragraph)) < 2:
        problems.append("a single sentence")
    alone = read_as_reader(paragraph, support, only=ALONE)
    for name in ("copying", "invented", "prose"):
        problems += [f"{name}: {p}" for p in alone.checks[name]]
    problems += [f"voice: {p}" for p in alone.checks["voice"] if p.startswith("speaks as")]
    if number > 1 and alone.first_person == 0:
        problems.append("voice: no first person in this paragraph")
    if number == 1:
        problems += [f"seams: {p}" for p in alone.checks["seams"]]
        problems += [f"voice: {p}" for p in alone.checks["voice"] if "opening" in p]
        stock = stock_phrase(split_sentences(paragraph)[0], stock_openings)
        if stock:
            problems.append(f"opens with a stock phrase ({stock!r})")
    start = words_of(paragraph)[:3]
    for n, before in enumerate(earlier, 1):
        if len(start) == 3 and words_of(before)[:3] == start:
            problems.append(f"begins like paragraph {n} (“{' '.join(start)} …”)")
            break
    if earlier:  # only what this paragraph adds: the earlier ones were already accepted
        again = ("repetition",)
        before = read_as_reader("\n\n".join(earlier), support, again, restate_cosine)
        together = read_as_reader(
            "\n\n".join([*earlier, paragraph]), support, again, restate_cosine
        )
        if together.repeated_pairs > before.repeated_pairs:
            problems += [f"repetition: {p}" for p in together.checks["repetition"]]
    problems += meta_problems(paragraph)
    claims = find_claims(paragraph, support)
    if claims:
        shown = ", ".join(dict.fromkeys(c.text for c in claims))
        problems.append(f"not in the sources: {shown}")
    else:  # what the sentences say, where the verifier is precise enough to act on
        for verdict in verify(paragraph, source_text):
            if verdict.precise:  # the passage, so that the next try can say what it says
                said = f"; the news says: “{verdict.passage}”" if verdict.passage else ""
                problems.append(
                    f"unsupported: {verdict.reason} (“{_clip(verdict.sentence)}”{said})"
                )
    return problems


# What a paragraph's first sentences lack only for being a part: not a problem to keep.
_PARTIAL = ("a single sentence",)


def passing_prefix(paragraph: str, lead: str, problems_of: Callable[[str], list[str]]) -> str:
    """The paragraph's sentences before its first failing one, for the next try to go on
    from: half the rejected tries failed on one sentence after two or three good ones
    (the rejected calls were half the write stage's time in a 10-story eval at 43b9039),
    and writing those again cost as much as the sentence that failed. Empty when nothing
    beyond the lead passes. The tail is written anew by the model, never cut out of the
    text, so no seam is left."""
    sentences = split_sentences(paragraph)
    for k in range(len(sentences) - 1, 0, -1):
        prefix = " ".join(sentences[:k])
        if len(prefix) <= len(lead.strip()):
            break
        if not [p for p in problems_of(prefix) if p not in _PARTIAL]:
            return prefix
    return ""


def _clip(sentence: str, words: int = 10) -> str:
    parts = sentence.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")
