"""Turning raw model output into the plain-prose body a post stores.

Small models put single newlines between paragraphs, add a title line, markdown
emphasis or a half-finished last sentence when they hit the token limit; this tidies
those without touching the words themselves.
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"""(?<=[.!?])["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9])""")
_MARKDOWN_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|[-*•]\s+|\d+[.)]\s+|>\s*)")
_ENDS_SENTENCE = re.compile(r"""[.!?]["'”’)\]]*$""")


def ends_sentence(text: str) -> bool:
    """Whether `text` ends with a whole sentence, not broken off."""
    return bool(_ENDS_SENTENCE.search(text.rstrip()))


_PROMPT_ECHO = re.compile(r"^\s*(?:the event|headline|title)\s*:", re.IGNORECASE)
# "In conclusion, X" -> "X": small models add it however they are asked not to.
_SUMMING_UP = re.compile(
    r"(^|(?<=[.!?]\s))(?:In conclusion|To conclude|In summary|To sum up),\s+(\w)"
)


def word_count(text: str) -> int:
    return len(text.split())


def split_sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(paragraph.strip()) if s.strip()]


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]


def _looks_like_title(line: str) -> bool:
    stripped = line.strip().strip("*#_ ")
    return bool(stripped) and len(stripped.split()) <= 14 and not _ENDS_SENTENCE.search(stripped)


def clean_body(raw: str) -> str:
    """Plain paragraphs separated by one blank line, ending at a full sentence."""
    text = raw.replace("\r\n", "\n").strip()
    text = re.sub(r"\*\*|__|`", "", text)
    text = re.sub(r"</?\s*source\b[^>]*>", "", text, flags=re.IGNORECASE)
    lines = [line for line in text.split("\n")]
    while lines and _PROMPT_ECHO.match(lines[0]):  # "The event: <headline>" copied back
        lines = lines[1:]
    if lines and len(lines) > 1 and _looks_like_title(lines[0]):
        lines = lines[1:]
    paras: list[str] = []
    for line in lines:
        line = _MARKDOWN_PREFIX.sub("", line).strip()
        line = re.sub(r"(?<!\w)\*(\S[^*]*\S|\S)\*(?!\w)", r"\1", line)
        line = _SUMMING_UP.sub(lambda m: m.group(1) + m.group(2).upper(), line)
        if line:
            paras.append(re.sub(r"\s+", " ", line))
    if paras and not _ENDS_SENTENCE.search(paras[-1]):
        sentences = split_sentences(paras[-1])
        complete = [s for s in sentences if _ENDS_SENTENCE.search(s)]
        if complete:
            paras[-1] = " ".join(complete)
        elif len(paras) > 1:
            paras.pop()
    return "\n\n".join(paras)


def make_excerpt(body: str, words: int = 55) -> str:
    """The opening of a commentary, about `words` long, finishing its last sentence.

    Like Hugo's summary: whole sentences until the target is reached; a sentence that
    would run past 1.6x the target is left out unless it is the first.
    """
    sentences = [s for p in paragraphs(body) for s in split_sentences(p)]
    chosen: list[str] = []
    count = 0
    for sentence in sentences:
        n = word_count(sentence)
        if chosen and count + n > words * 1.6:
            break
        chosen.append(sentence)
        count += n
        if count >= words:
            break
    excerpt = " ".join(chosen)
    if chosen and word_count(excerpt) > words * 2:  # one giant first sentence
        excerpt = " ".join(excerpt.split()[:words]).rstrip(",;:") + "…"
    return excerpt
