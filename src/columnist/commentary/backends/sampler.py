"""Constraints on llama.cpp's tokens, applied by a logits processor at each step.

A grammar would say the same, but llama.cpp checks a grammar against all 151k tokens of
the vocabulary at every step, which halves the 1.5B model's speed on two cores; these
rules cost a few numpy index operations a step.

- The n-gram blocker: `NgramBlock` (commentary/constraints.py) says which whole words may not
  come next; each becomes the tokens that would start it, in every spelling a tokenizer
  offers (with or without a leading space, any case), so the model can neither write the
  word nor glue it onto the word before ("millionarticles"). A word already half written
  ("ar|") bans the tokens that would finish it.
- The vocabulary: a token that starts a capitalised word or a figure must start one of
  the story's `Vocabulary`, and while such a word is being written each next piece must
  keep it one ("Put|in" yes, "Put|ian" no; after a hyphen a new word starts). A word may
  not stop half way: "$12" of "$120bn", "47." of "47.5" must go on to the whole figure,
  and no figure starts right after a full stop or a comma ("47. 5", "10, 10").
- No quotation marks: a 1.5B model quotes from memory, and a misquote is the one thing a
  column may not print.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable

import numpy as np

from columnist.commentary.constraints import (
    Constraints,
    NgramBlock,
    Vocabulary,
    openers_used,
    words_of,
)

PENALTY = 30.0  # logits lowered by this much: never chosen, but never an empty grammar stack
MIN_PREFIX = 3  # a token shorter than this is banned only when it is the whole word
_WORDLIKE = re.compile(r"[\w’']+")
# Letters outside Latin and its accents (CJK, Cyrillic, Arabic ...), the characters of
# code and markup ("in_traffic", "<li>", "{") and an ellipsis: no column needs them. Held
# off a copied run by the n-gram blocker, the model wrote fragments joined by "…" instead
# ("how the drills… which are not aimed at any…", the warships post at 2c17652).
_FOREIGN = re.compile(
    r"[\u0370-\u1dff\u2e80-\ua4ff\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef_<>{}\[\]\\|=`#*@^~\"“”…]"
    r"|\.\."
)


class TokenIndex:
    """Token ids by their text: lowercased for the blocker, exact for the vocabulary."""

    def __init__(self, pieces: list[str]) -> None:
        self.by_text: dict[str, list[int]] = defaultdict(list)
        self.bare: dict[str, list[int]] = defaultdict(list)  # no leading space: continues a word
        self.exact: dict[str, list[int]] = defaultdict(list)  # text without its leading space
        self.exact_bare: dict[str, list[int]] = defaultdict(list)
        spaced_upper, bare_upper, bare_alnum, foreign, digits = [], [], [], [], []
        for token_id, piece in enumerate(pieces):
            if _FOREIGN.search(piece):
                foreign.append(token_id)
            if piece.lstrip(" ")[:1].isdigit():
                digits.append(token_id)
            stripped = piece.lstrip(" ")
            text = stripped.lower().replace("’", "'")
            if not text or not _WORDLIKE.fullmatch(text):
                continue
            spaced = piece.startswith(" ")
            self.by_text[text].append(token_id)
            self.exact[stripped].append(token_id)
            if not spaced:
                self.bare[text].append(token_id)
                self.exact_bare[stripped].append(token_id)
            if stripped[0].isupper() or stripped[0].isdigit():
                (spaced_upper if spaced else bare_upper).append(token_id)
            if not spaced and stripped[0].isalnum():
                bare_alnum.append(token_id)
        self.spaced_upper = np.asarray(spaced_upper, dtype=np.intp)
        self.bare_upper = np.asarray(bare_upper, dtype=np.intp)
        self.bare_alnum = np.asarray(bare_alnum, dtype=np.intp)
        self.foreign = np.asarray(foreign, dtype=np.intp)  # letters of other scripts
        self.digits = np.asarray(digits, dtype=np.intp)  # pieces that start a figure
        self.pieces = pieces
        self._voice: VoiceRule | None = None

    def voice(self) -> VoiceRule:
        """The first-person opener rule over this vocabulary, built once."""
        if self._voice is None:
            self._voice = VoiceRule(self.pieces)
        return self._voice

    def starting(self, word: str) -> list[int]:
        """Tokens that begin `word` (at least MIN_PREFIX letters of it, or all of it)."""
        ids: list[int] = []
        for end in range(min(MIN_PREFIX, len(word)), len(word) + 1):
            ids += self.by_text.get(word[:end], [])
        return ids

    def finishing(self, rest: str) -> list[int]:
        """Tokens without a leading space that continue a word with (a prefix of) `rest`."""
        ids: list[int] = []
        for end in range(1, len(rest) + 1):
            ids += self.bare.get(rest[:end], [])
        return ids


def banned_tokens(text: str, block: NgramBlock, index: TokenIndex) -> list[int]:
    """Token ids that would continue `text` into a blocked n-gram."""
    words = words_of(text)
    ends_in_word = bool(text) and bool(_WORDLIKE.match(text[-1]))
    ids: list[int] = []
    # The last word is complete (the next token starts a new word, or glues onto it).
    for word in block.banned_after(words):
        ids += index.starting(word)
    # A bare piece of the first letters of a word that would end a blocked run, too short
    # to ban as a word's start, glued it on: "a floor, not aceiling" for the headline's "a
    # floor, not a ceiling" (demo at ce4b051). Only a run's end: the words blocked after
    # any word ("sources") would take the bare "s" of every plural.
    if ends_in_word:
        for word in block.continuing(words):
            ids += index.finishing(word[: MIN_PREFIX - 1])
    # The last word is still being written: finish it into a banned word.
    if ends_in_word and len(words[-1]) >= 2:
        partial = words[-1]
        for word in block.banned_after(words[:-1]):
            if word.startswith(partial) and len(word) > len(partial):
                ids += index.finishing(word[len(partial) :])
    return ids


class VocabularyRule:
    """The tokens a story's vocabulary allows, worked out once per story."""

    def __init__(self, vocabulary: Vocabulary, index: TokenIndex) -> None:
        self.words = sorted(vocabulary.names | vocabulary.figures)
        self.complete = frozenset(self.words)
        self.index = index
        starts: set[int] = set()
        for word in self.words:
            for end in range(1, len(word) + 1):
                starts.update(index.exact.get(word[:end], ()))
        allowed = np.zeros(len(index.spaced_upper) + len(index.bare_upper), dtype=bool)
        both = np.concatenate([index.spaced_upper, index.bare_upper])
        allowed[:] = [int(t) in starts for t in both]
        n = len(index.spaced_upper)
        self.banned_spaced = index.spaced_upper[~allowed[:n]]  # always start a word
        self.banned_bare = index.bare_upper[~allowed[n:]]  # start one after a non-letter

    def apply(self, text: str, scores: np.ndarray) -> None:
        scores[self.index.foreign] -= PENALTY  # "public健康", "in_traffic": a coder model's slips
        scores[self.banned_spaced] -= PENALTY
        match = _TRAILING.search(text)
        if match is None:  # at a word's start: bare pieces start it too
            scores[self.banned_bare] -= PENALTY
            if _AFTER_STOP.search(text):
                scores[self.index.digits] -= PENALTY  # "47. 5"
            return
        partial = match.group(0)
        if not (partial[0].isupper() or partial[0].isdigit()):
            return
        if _PRONOUN_I.search(text):  # "Snow and I Data Center": no name follows "I"
            scores[self.index.spaced_upper] -= PENALTY
        allowed = self._continuations(partial)
        lowered = np.zeros(len(scores), dtype=bool)  # lowering only what is not allowed:
        if not self._complete(text, partial):  # adding back would lift "'m" after "I" by 30
            lowered[:] = True  # half a name or a figure: only its rest may follow
        else:
            lowered[self.index.bare_alnum] = True  # glued on, it must stay a word
            if _AFTER_STOP.search(text):
                lowered[self.index.digits] = True  # "47." then " 5", "10," then " 10"
        if allowed:
            lowered[np.asarray(allowed, dtype=np.intp)] = False
        scores[lowered] -= PENALTY

    def _continuations(self, partial: str) -> list[int]:
        """Pieces that keep `partial` on its way to one of the vocabulary's words."""
        allowed: list[int] = []
        for word in self.words:
            if word.startswith(partial) and len(word) > len(partial):
                rest = word[len(partial) :]
                for end in range(1, len(rest) + 1):
                    allowed += self.index.exact_bare.get(rest[:end], ())
        return allowed

    def _complete(self, text: str, partial: str) -> bool:
        """Whether the word could stop here: "Putin", "47" before a full stop, "Kenya's",
        "U.S" (whose last piece alone, "S", is no word)."""
        stem = partial.rstrip(".,")
        if stem in self.complete or re.split(r"['’]", stem)[0] in self.complete:
            return True
        chunk = _CHUNK.search(text)
        return chunk is not None and chunk.group(0).rstrip(".,") in self.complete


_PRONOUN_I = re.compile(r"(?:^|[\s(—-])I$")
# a figure's digits, a full stop or comma, perhaps a space: "47. 5", "10, 10" for 1,100
_AFTER_STOP = re.compile(r"\d[.,] ?$")
_CHUNK = re.compile(r"[^\s(“\"—-]+$")


# The word being written; a figure keeps its separators ("1,2" of "1,200", "3." of "3.5").
_TRAILING = re.compile(r"(?:\d+[.,])*\d+[.,]?$|[\w’'&]+$")


# A sentence's end: not the dot of "U.S." or "Mr.", after which the sentence goes on (and
# may not be made to start again with "I", nor count to a paragraph's sentences).
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bSt)[.!?](?=\s|$)")


def _all_but(kept: np.ndarray, size: int) -> np.ndarray:
    """A mask of every token id but `kept`."""
    mask = np.ones(size, dtype=bool)
    mask[kept[kept < size]] = False
    return mask


class VoiceRule:
    """Sentences after a paragraph's first open in the first person (one of the call's
    `voiced` openers, none of more than one word twice): at a sentence's start only the
    tokens that keep it on its way to an opener are allowed, and once an opener is written
    the sentence is free. Which tokens those are depends only on what the sentence has so
    far and the openers left, so each such start is worked out once."""

    def __init__(self, pieces: list[str]) -> None:
        self.by_piece: dict[str, list[int]] = defaultdict(list)
        for token_id, piece in enumerate(pieces):
            if piece:
                self.by_piece[piece].append(token_id)
        self.sorted = sorted(self.by_piece)
        self.breaks = [i for i, p in enumerate(pieces) if p and not p.strip(" \n")]
        self._allowed: dict[tuple[str, tuple[str, ...], bool], np.ndarray] = {}
        self._used: tuple[str, set[str]] = ("", set())  # the last text's openers, per token

    def allowed(self, begun: str, openers: tuple[str, ...]) -> np.ndarray | None:
        """Token ids that may follow a sentence begun with `begun` (None: any)."""
        spaced = tuple(f" {o} " for o in openers)  # a word boundary after each
        may_break = "\n" not in begun  # one line break between sentences, not a run
        if not may_break:  # a sentence begun on a new line is begun all the same
            begun = " " + begun.lstrip()
        if any(begun.startswith(o) for o in spaced):
            return None
        key = (begun, openers, may_break)
        if key not in self._allowed:
            ids: set[int] = set()
            for rest in (o[len(begun) :] for o in spaced if o.startswith(begun)):
                for end in range(1, len(rest) + 1):  # a piece that is part of the opener
                    ids.update(self.by_piece.get(rest[:end], ()))
                at = bisect_left(self.sorted, rest)  # or one that finishes it and goes on
                while at < len(self.sorted) and self.sorted[at].startswith(rest):
                    ids.update(self.by_piece[self.sorted[at]])
                    at += 1
            if not begun.strip() and may_break:  # between sentences a paragraph may break
                ids.update(self.breaks)
            self._allowed[key] = np.asarray(sorted(ids), dtype=np.intp)
        found = self._allowed[key]
        return found if found.size else None  # off every opener already: let it be

    def apply(
        self, text: str, scores: np.ndarray, stops: np.ndarray, openers: tuple[str, ...]
    ) -> None:
        ends = list(_SENTENCE_END.finditer(text))
        if not ends:
            return  # the paragraph's first sentence
        done = text[: ends[-1].end()]
        if done != self._used[0]:  # it changes once a sentence, not once a token
            self._used = (done, openers_used(done))
        used = self._used[1]
        allowed = self.allowed(text[ends[-1].end() :], tuple(o for o in openers if o not in used))
        if allowed is None:
            return
        scores[_all_but(np.concatenate([allowed, stops]), len(scores))] -= PENALTY


MIN_SENTENCES = 2  # a paragraph may not end before this many sentences


def processor(
    constraints: Constraints,
    index: TokenIndex,
    detokenize: Callable[[list[int]], bytes],
    stops: tuple[int, ...] = (),
) -> Callable[[np.ndarray, np.ndarray], np.ndarray] | None:
    """A llama-cpp-python logits processor enforcing the block and the vocabulary, and, for
    prose, holding back the end of the turn (`stops`: its token ids) until the paragraph has
    two sentences. After a lead the model often ended its turn at the first full stop: "a
    single sentence" was among the commonest reasons to write a paragraph again, and 3 of
    the 8 drafts the demo held at 2c17652 had kept one. Once it has two, a line break ends
    the turn: what follows is a second paragraph that `tidy_paragraph` throws away (14 of
    99 paragraph calls of stories 31-50 at f2823d7 wrote one, 40-150 tokens each), or with
    the small test model a run of 120 line breaks."""
    block = constraints.block
    rule = VocabularyRule(constraints.vocabulary, index) if constraints.vocabulary else None
    if not block and rule is None:
        return None
    prose = rule is not None and constraints.shape == "prose" and not constraints.grammar
    held = np.asarray(stops if prose else (), dtype=np.intp)
    voice = index.voice() if prose and constraints.voiced else None  # prose: `held` = stops
    lead = constraints.lead
    state: dict[str, int] = {}

    def process(input_ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
        start = state.setdefault("prompt", len(input_ids))  # first call: the prompt's end
        generated = input_ids[start:].tolist()
        text = lead + (detokenize(generated).decode("utf-8", errors="ignore") if generated else "")
        if block:
            ids = banned_tokens(text, block, index)
            if ids:
                scores[np.asarray(ids, dtype=np.intp)] -= PENALTY
        if rule is not None:
            rule.apply(text, scores)
        if voice is not None:
            voice.apply(text, scores, held, constraints.voiced)
        if held.size:
            ends = list(_SENTENCE_END.finditer(text))
            if len(ends) < MIN_SENTENCES:
                scores[held] -= PENALTY
            elif "\n" in text[ends[-1].end() :]:
                scores[_all_but(held, len(scores))] -= PENALTY
        return scores

    return process
