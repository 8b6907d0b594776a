"""Names and numbers in an entry: the evidence that two items report the same event.

Two items about one country or one subject share an embedding neighbourhood; two items
about one event also share its rare proper names ("Fico", "Raisi", "Ausgrid") and
figures ("63", "280,000"). An entry's names are the capitalised words of its headline
and lead that are rare in English (pyspellchecker's English word counts, the list the
writer already ships with), plus the numbers there. How rare a name is among the
stories currently open is weighed by the clustering (stories/cluster.py), so "Israel"
on a day of Middle East news counts for little and "Amirabdollahian" for a lot.
"""

from __future__ import annotations

import re
from functools import lru_cache

from columnist.wordlist import english

LEAD_WORDS = 80  # headline plus this much of the text: where an event's names are
COMMON = 500  # a word seen at least this often in English text is not a name
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|[-’'.])*[^\W\d_]|[^\W\d_]")
_NUMBER = re.compile(r"\d(?:[\d,.]*\d)?")
_POSSESSIVE = re.compile(r"[’']s$")
# Capitalised in headlines and datelines, rare in the word counts, never an event's name.
_STOP = frozenset(
    ("january", "february", "november", "december", "mr", "mrs", "ms", "dr")
    + ("newsletter", "explainer")
)


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """English words frequent enough not to be a proper name (loaded once, ~0.3 s)."""
    counts = english().word_frequency.dictionary
    return frozenset(word for word, n in counts.items() if n >= COMMON)


def event_names(title: str, text: str = "") -> frozenset[str]:
    """Rare capitalised words and numbers of the headline and lead, lowercased.

    >>> sorted(event_names("Slovakia's PM Robert Fico shot", "Fico, 59, was hit five times."))
    ['59', 'fico', 'pm', 'slovakia']
    """
    common = _common_words()
    text = f"{title}\n{' '.join(text.split(None, LEAD_WORDS)[:LEAD_WORDS])}"
    out = {number.replace(",", "") for number in _NUMBER.findall(text)}
    for chunk in text.split():
        if chunk.islower():  # no capital letter: no name (most words; quick to tell)
            continue
        for word in _WORD.findall(chunk):
            if word[0].isupper():
                low = _POSSESSIVE.sub("", word).rstrip(".").lower().replace("’", "'")
                if len(low) > 1 and low not in _STOP and low not in common:
                    out.add(low)
    return frozenset(out)
