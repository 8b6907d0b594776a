"""Checks a commentary must pass before it is published.

Each check returns problems as short sentences; the post stores them, so
`columnist posts --json` shows why a post was held back as a draft.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from columnist.writer.text import paragraphs, word_count

_REFUSALS = re.compile(
    r"\b(as an ai|i(?:'m| am) (?:sorry|unable)|i cannot (?:help|write|comply)|"
    r"i can't (?:help|write|comply)|language model)\b",
    re.IGNORECASE,
)
_META = re.compile(
    r"\b(in this (?:piece|column|article|commentary|essay),? i (?:will|shall|'ll)|"
    r"here is (?:my|a|the) (?:column|commentary|piece)|word count|\[insert|"
    r"(?:the|this) (?:source|article)s? (?:says?|mentions?|notes?|reports?)|source \d|"
    r"in conclusion)\b",
    re.IGNORECASE,
)
_MARKDOWN = re.compile(r"(^|\n)\s*(#{1,6}\s|[-*•]\s|\d+[.)]\s)|\*\*")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*%?")


@dataclass(slots=True)
class CheckResult:
    problems: list[str] = field(default_factory=list)
    words: int = 0
    unsupported: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "passed": self.passed,
            "problems": self.problems,
            "words": self.words,
            "unsupported": self.unsupported,
        }


def _normal_number(token: str) -> str:
    return token.rstrip(".,").replace(",", "")


def unsupported_numbers(body: str, source_text: str) -> list[str]:
    """Numbers in the commentary that appear nowhere in the sources."""
    known = {_normal_number(t) for t in _NUMBER.findall(source_text)}
    found = []
    for token in _NUMBER.findall(body):
        number = _normal_number(token)
        if number and number not in known and number.rstrip("%") not in known:
            found.append(number)
    return sorted(set(found))


def check_commentary(
    body: str, *, target_words: int, source_text: str, tolerance: float = 0.25
) -> CheckResult:
    result = CheckResult(words=word_count(body))
    if not body.strip():
        result.problems.append("empty commentary")
        return result
    low, high = int(target_words * (1 - tolerance)), int(target_words * (1 + tolerance))
    if not low <= result.words <= high:
        result.problems.append(f"{result.words} words, outside {low}-{high}")
    if len(paragraphs(body)) < 2:
        result.problems.append("a single paragraph")
    if _REFUSALS.search(body):
        result.problems.append("reads as a refusal or mentions being an AI")
    if _META.search(body):
        result.problems.append("contains meta-text about the writing")
    if _MARKDOWN.search(body):
        result.problems.append("contains markdown, a heading or a list")
    result.unsupported = unsupported_numbers(body, source_text)
    if result.unsupported:
        result.problems.append("numbers not in the sources: " + ", ".join(result.unsupported))
    return result
