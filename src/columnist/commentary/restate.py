"""Sentences that say again, in other words, what an earlier paragraph said.

Word overlap (reader.repetition) misses a paraphrase: "the melt season is longer, which
could indicate a warmer climate" and, three paragraphs on, "the melt season is unusually
long, which could indicate a warmer pattern" share too few words. The clustering stage's
sentence embedder (all-MiniLM-L6-v2) sees them as nearly the same sentence.

A long name shared by two sentences pulls them together whatever else they say ("I doubt
the Norwegian Water Resources and Energy Directorate enjoys ..." / "I trust the Norwegian
Water Resources and Energy Directorate more ...": 0.84), so a pair must also stay close
with its names masked. Thresholds from tests/data/restatement_pairs.jsonl
(`python bench/restatement.py`).
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported where it is used: config.py reads RESTATE_COSINE
    import numpy as np

RESTATE_COSINE = 0.80  # the sentences as written
MASKED_COSINE = 0.70  # and with their names masked
# A pair that differs in a name only one of them carries ("... between Russia and China,
# as it shows that both countries value mutual security" / "... in their diplomatic
# relationship, as it shows that both nations value mutual security": 0.74 as written,
# 0.89 masked; stories 31-40 at 03f45e0) reads as the same sentence: so does any pair this
# close with its names masked, however far apart the names put it. No pair of
# tests/data/restatement_pairs.jsonl between 0.70 and 0.80 as written is this close masked
# but a restatement.
MASKED_ALONE = 0.88
RAW_FLOOR = 0.70
# The same claim behind different leads and tails: "I would also point out that Labour's
# approach ... is similar to Tony Blair's 1997 campaign." / "I accept that Labour's approach
# ... is similar to Tony Blair's 1997 election campaign, but it is not calling ..." (0.75
# as written; 0.92 without the lead and the "but" clause; stories 31-40 at cc60f73). Each
# sentence is also compared by its pieces: the lead up to its "that" cut off, the rest cut
# at ", but", ", while", ";" and the like. On tests/data/restatement_pairs.jsonl (80
# pairs) this arm at 0.86 took the check from 12 flagged (11 right, recall 31%) to 17 (16
# right, recall 44%); at 0.82, 19 (17 right).
CLAUSE_COSINE = 0.86
CLAUSE_MASKED = 0.75
_LEAD = re.compile(r"^[^,.]{0,60}?\b(?:I|me|my|My)\b[^,.]{0,40}?\b(?:that|how)\s+")
_PIECE_BREAK = re.compile(r",\s+(?:but|while|although|though|which|and|as)\b|;|\s+but\s+")
# ... and the claim after a reporting verb: "scientists who study sea ice are warning us that
# this year has been exceptionally cold, with less than the average amount of ice" and, a
# paragraph on, "this year has been unusually cold, with less than the usual amount of
# ice" (0.74 as written, 0.96 from "this year" on; the Antarctic post, demo at bdfa0cf). No
# pair of tests/data/restatement_pairs.jsonl moves; over 103 eval bodies it adds one pair,
# a restatement ("Labour has emphasised appealing to Tory voters as its key strategy" /
# "Pat McFadden believes that appealing to Tory voters is a key strategy for Labour").
_REPORTED = re.compile(
    r"\b(?:warn|say|said|argue|note|show|suggest|believe|fear|claim)\w*"
    r"(?:\s+(?:us|me|them))?\s+that\s+"
)
MIN_WORDS = 6  # shorter sentences ("I disagree.") are too short to judge
_CACHE_SIZE = 4096
# a capitalised word or run of them, not at a sentence's start ("The", "I" stay)
_NAME = re.compile(r"(?<!^)\b[A-Z][\w'’-]*(?:\s+(?:of|and|the|de|von)?\s*[A-Z][\w'’-]*)*")

_cache: dict[str, np.ndarray] = {}
_lock = threading.Lock()


def vectors(sentences: list[str]) -> np.ndarray:
    """Unit vectors, cached: a column's paragraphs are checked again as each is added."""
    import numpy as np

    from columnist.stories.embed import DIM, shared_embedder

    missing = [s for s in dict.fromkeys(sentences) if s not in _cache]
    if missing:
        found = shared_embedder().embed(missing)
        with _lock:
            if len(_cache) + len(missing) > _CACHE_SIZE:
                _cache.clear()
            _cache.update(zip(missing, found, strict=True))
    return np.stack([_cache[s] for s in sentences]) if sentences else np.zeros((0, DIM))


def masked(sentence: str) -> str:
    return _NAME.sub(lambda m: "I" if m.group(0) == "I" else "them", sentence)


def similarities(sentences: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Cosine of every pair, as written and with names masked."""
    raw = vectors(sentences)
    hidden = vectors([masked(s) for s in sentences])
    return raw @ raw.T, hidden @ hidden.T


def restates(raw: float, hidden: float, cosine: float = RESTATE_COSINE) -> bool:
    return (raw >= cosine and hidden >= MASKED_COSINE) or (
        hidden >= MASKED_ALONE and raw >= RAW_FLOOR
    )


def pieces(sentence: str) -> list[str]:
    """The claims of a sentence without the writer's lead: its clauses of MIN_WORDS or
    more, or none when it has no lead and no break (the sentence itself is compared)."""
    bare = _LEAD.sub("", sentence, count=1)
    parts = [p.strip(" ,.") for p in _PIECE_BREAK.split(bare)]
    reported = _REPORTED.search(bare)
    if reported:
        parts.append(bare[reported.end() :].strip(" ,."))
    parts = [p for p in parts if len(p.split()) >= MIN_WORDS]
    return [] if parts == [sentence.strip(" ,.")] else parts


def _clause_closeness(texts: list[str]) -> np.ndarray:
    """For each pair of sentences, the cosine of their closest pieces, 0 where the pieces
    are not also close masked."""
    import numpy as np

    owner: list[int] = []
    parts: list[str] = []
    for k, text in enumerate(texts):
        for part in pieces(text) or [text]:
            owner.append(k)
            parts.append(part)
    raw, hidden = similarities(parts)
    close = np.where(hidden >= CLAUSE_MASKED, raw, 0.0)
    best = np.zeros((len(texts), len(texts)))
    for a, i in enumerate(owner):
        for b, j in enumerate(owner):
            if i != j and close[a, b] > best[i, j]:
                best[i, j] = close[a, b]
    return best


def restated(
    sentences: list[tuple[int, str]], cosine: float = RESTATE_COSINE
) -> list[tuple[int, int, float]]:
    """(i, j, cosine) for each sentence j that restates an earlier sentence i of another
    paragraph; one i per j, the closest. `cosine` is the desk's `restatement_cosine`."""
    judged = [k for k, (_, s) in enumerate(sentences) if len(s.split()) >= MIN_WORDS]
    if len(judged) < 2:
        return []
    texts = [sentences[k][1] for k in judged]
    raw, hidden = similarities(texts)
    clauses = _clause_closeness(texts)
    found = []
    for b, j in enumerate(judged):
        close = [
            (max(float(raw[a, b]), float(clauses[a, b])), judged[a])
            for a in range(b)
            if sentences[judged[a]][0] != sentences[j][0]
            and (
                restates(float(raw[a, b]), float(hidden[a, b]), cosine)
                or clauses[a, b] >= CLAUSE_COSINE
            )
        ]
        if close:  # not `cosine`: that is the desk's threshold for the sentences after j
            closest, i = max(close)
            found.append((i, j, closest))
    return found
