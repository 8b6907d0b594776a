"""pyspellchecker's English word list, loaded once per process (~0.3 s, ~10 MB).

The writer asks it whether a lowercase word is English (commentary/lexicon.py); the
same-event clustering asks how common a capitalised word is (stories/names.py).
"""

from __future__ import annotations

from functools import cache

from spellchecker import SpellChecker


@cache
def english() -> SpellChecker:
    return SpellChecker(language="en", distance=1)
