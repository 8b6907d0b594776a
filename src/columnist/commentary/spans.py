"""A span of time the news does not give: "held in detention for years", "friends for many
decades", "what the world emits in just over a minute" (it says 20 seconds).

The model reaches for a span to make a fact sound weightier, and the span is nearly
always its own. Of the hand-labelled sentences with a span ("for", "over", "in", "within",
"during", "after" or "throughout" a number of seconds to centuries) that no source gives,
every one was unsupported: 9 published sentences of tests/data/writer_labels.jsonl, 12
twisted claims of tests/data/verifier_eval.jsonl and 2 published sentences of
tests/data/verifier_posts.jsonl (23 flags, none on the 1,145 supported sentences).
Figures with a unit that the sources give otherwise are verify.py's (`_wrong_count`);
this is about a span as a whole, in words or figures.

A span the sources give in another unit is theirs ("a fortnight" for "14 days", "more
than a day" for "30 hours"), and so is a vague one whose unit they use ("for weeks" beside
"six weeks"). Not spans of the writer's making: a guess about the future in vague words
("in the coming years"), a deadline in a wish or a time ahead in the writer's own
hypothetical ("I hope they act within weeks", "I would worry about it in ten years"), a period
("rose 4.1% over the year"), an idiom ("over the years"), and "nearly a year" read off a
"since" in the news.
"""

from __future__ import annotations

import re

_SECONDS = {
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "fortnight": 14 * 86400,
    "week": 7 * 86400,
    "month": 30.44 * 86400,
    "year": 365.25 * 86400,
    "decade": 3652.5 * 86400,
    "century": 36525 * 86400,
}
_UNIT = (
    r"(?P<unit>seconds?|minutes?|hours?|days?|fortnights?|weeks?|months?|years?|decades?|"
    r"century|centuries)"
)
_AMOUNTS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
}  # fmt: skip
_VAGUE = r"a few|few|several|many|a couple of|couple of|a number of|some"
_AMOUNT = rf"(?P<amount>\d+(?:[.,]\d+)?|{'|'.join(_AMOUNTS)}|{_VAGUE})"
_NEAR = (
    r"just|nearly|almost|about|around|roughly|some|more than|over|under|less than|barely|"
    r"only|close to"
)
_WHEN = r"past|last|next|following|coming|recent"
_SPAN = re.compile(
    rf"\b(?:for|over|in|within|during|after|throughout)\s+(?P<the>the\s+)?"
    rf"(?P<when>(?:(?:{_WHEN})\s+)?)(?P<near>(?:(?:{_NEAR})\s+)*)(?:{_AMOUNT}[\s-]+)?"
    rf"(?:(?:full|long|short|whole)\s+)?{_UNIT}\b",
    re.IGNORECASE,
)
# In the sources any amount with a unit counts, with a preposition or not ("42 days
# after", "a 90-day period", "over two weeks").
_GIVEN = re.compile(rf"\b{_AMOUNT}[\s-]+(?:(?:full|long|short|whole)\s+)?{_UNIT}\b", re.IGNORECASE)
_SINCE = re.compile(r"\bsince\b", re.IGNORECASE)
# A deadline in a wish or a time ahead in the writer's own hypothetical is the writer's:
# "I hope they act within weeks", "I would worry about who sets the terms in ten years".
_OWN = re.compile(
    r"\b(?:should|must|ought|hope|want|wish|need to|urge|I would|I'd|I’d|if I)\b", re.IGNORECASE
)
_TOLERANCE = 0.15  # "nearly a year" is 11 months; "just over a minute" is not 20 seconds


def _unit(word: str) -> str:
    word = word.lower()
    return "century" if word == "centuries" else word.removesuffix("s")


def _amount(word: str | None) -> float | None:
    """A number of units, or None when the amount is vague ("for years", "several weeks")."""
    if not word:
        return None
    word = word.lower()
    if word in _AMOUNTS:
        return float(_AMOUNTS[word])
    try:
        return float(word.replace(",", ""))
    except ValueError:
        return None  # few, several, many, ...


def _given(source_text: str) -> tuple[set[str], list[float]]:
    """The units the sources use for a span of many ("weeks", "six weeks"), and each span
    they give, in seconds."""
    units: set[str] = set()
    lengths: list[float] = []
    for match in _GIVEN.finditer(source_text):
        unit = _unit(match.group("unit"))
        amount = _amount(match.group("amount"))
        if amount is None or amount > 1:
            units.add(unit)
        if amount is not None:
            lengths.append(amount * _SECONDS[unit])
    for match in _SPAN.finditer(source_text):  # "in the past decade"
        if match.group("amount") is None and match.group("when"):
            lengths.append(_SECONDS[_unit(match.group("unit"))])
    for match in re.finditer(rf"\b{_UNIT}\b", source_text, re.IGNORECASE):
        if match.group("unit").lower().endswith(("s", "ies")):  # "for years", "months of"
            units.add(_unit(match.group("unit")))  # not "last year": one is no span of many
    return units, lengths


def _bounds(seconds: float, near: str) -> tuple[float, float]:
    """The given spans a span as written agrees with: "more than a day" with 30 hours,
    "just over a minute" not with 20 seconds."""
    if re.search(r"\b(?:more than|over)\b", near):
        return seconds, seconds * (1 + _TOLERANCE if "just" in near else 2)
    if re.search(r"\b(?:less than|under|barely|only)\b", near):
        return seconds * (1 - _TOLERANCE if "just" in near else 0.5), seconds
    return seconds * (1 - _TOLERANCE), seconds * (1 + _TOLERANCE)


def invented_span(sentence: str, source_text: str) -> str | None:
    """The first span of time in `sentence` that the sources do not give, as written."""
    units = lengths = None
    own = _OWN.search(sentence) is not None
    for match in _SPAN.finditer(sentence):
        ahead = match.group("when").strip().lower() not in ("past", "last", "recent")
        if own and ahead and match.group(0).lower().startswith(("within", "in ")):
            continue
        unit = _unit(match.group("unit"))
        word = match.group("amount")
        amount = _amount(word)
        when = match.group("when").strip().lower()
        if word is None and match.group("the") and not when:
            continue  # "rose 4.1% over the year", "in the year to April", "over the years"
        if word is None and not match.group("unit").lower().endswith(("s", "ies")):
            amount = 1.0  # "over the next decade", "in the past year"
        future = when in ("next", "coming", "following")
        if amount is None and future:
            continue  # "in the coming years": a guess, in the writer's own vague words
        if units is None:
            units, lengths = _given(source_text)
        if amount is None:
            if unit in units:
                continue
        else:
            near = match.group("near").lower()
            low, high = _bounds(amount * _SECONDS[unit], near)
            if any(low <= given <= high for given in lengths):
                continue
            if re.search(r"\b(?:nearly|almost|about|around|roughly|close)\b", near) and (
                _SINCE.search(source_text)
            ):
                continue  # "for nearly a year", where they are held "since June last year"
        return match.group(0)
    return None
