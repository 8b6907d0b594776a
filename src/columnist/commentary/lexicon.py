"""Is a lowercase word English? For words the sampler's blocker half-wrote or glued.

The n-gram blocker stops a copied or repeated phrase at its last word; the model then
sometimes writes the first letters of that word and moves on ("4% of its ic in one
summer") or glues two words ("millionarticles", "lowerflation"). No capitalised-word rule
sees these. A word passes when the sources use it, when pyspellchecker's English word
list (US spelling) has it, its British spelling, or a common prefix on a listed word.
"""

from __future__ import annotations

import re

from columnist.wordlist import english

# British endings and their US forms, tried when the word itself is not listed.
_BRITISH = (
    ("isation", "ization"),
    ("ising", "izing"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ise", "ize"),
    ("yse", "yze"),
    ("our", "or"),
    ("tre", "ter"),
    ("ence", "ense"),
    ("ogue", "og"),
    ("mme", "m"),
    ("lled", "led"),
    ("lling", "ling"),
)
_PREFIXES = (
    "anti", "co", "counter", "cyber", "de", "inter", "mis", "multi", "non", "over",
    "post", "pre", "re", "sub", "super", "un", "under",
)  # fmt: skip
_SUFFIXES = ("'s", "s", "es", "ed", "ing", "ly")
_CONTRACTED = {"s", "t", "d", "m", "ll", "ve", "re"}  # the part after an apostrophe
# A word may follow an opening quotation mark ("with 'separateatists'", eval at e497bc0,
# went unread), not an apostrophe inside a word (the "t" of "don't").
_LOWER_WORD = re.compile(r"(?<![\w-])(?<!\w['’])[a-z][a-z'’]*(?:-[a-z'’]+)*")


def is_english(word: str) -> bool:
    """Whether a lowercase word is English (a British spelling, a prefixed word)."""
    checker = english()
    if word in checker or word in _CONTRACTED:
        return True
    for british, us in _BRITISH:
        if british in word and word.replace(british, us) in checker:
            return True
    return any(
        word.startswith(p) and len(word) - len(p) >= 4 and word[len(p) :] in checker
        for p in _PREFIXES
    )


def _in_sources(word: str, source_words: set[str]) -> bool:
    if word in source_words:
        return True
    return any(word.endswith(s) and word[: -len(s)] in source_words for s in _SUFFIXES) or any(
        word + s in source_words for s in _SUFFIXES
    )


# Two-letter parts a hyphenated word may have ("co-operation", "so-called", "in-depth",
# "well-to-do"). The word list holds most two-letter strings as abbreviations, so another
# short part is a word the blocker cut: "the UK infected-blood-sc scandal" (stories 41-50
# at 03f45e0).
_SHORT_PARTS = frozenset((
    "co", "re", "ex", "e", "x", "up", "to", "do", "in", "on", "so", "by", "at", "go",
    "it", "of", "an", "no", "or", "me", "be", "is", "un", "de", "la", "le", "mr", "ms",
    "my", "we", "he", "us", "hi", "lo", "ad", "op", "ed", "ok",
))  # fmt: skip


def non_words(text: str, source_words: set[str]) -> list[str]:
    """Lowercase words (each part of a hyphenated one) neither English nor in the sources."""
    found: list[str] = []
    for match in _LOWER_WORD.finditer(text):
        parts = match.group(0).replace("’", "'").split("-")
        for part in parts:
            part = part.strip("'")
            if not part or _in_sources(part, source_words):
                continue
            if len(parts) > 1 and len(part) <= 2 and part not in _SHORT_PARTS:
                found.append(part)
                continue
            stem = part.split("'")[0]
            if is_english(part) or (stem != part and is_english(stem)):
                continue
            found.append(part)
    return list(dict.fromkeys(found))
