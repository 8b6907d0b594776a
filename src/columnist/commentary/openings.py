"""Openings: commentaries on one topic page must not all begin alike.

A reader scanning a topic page sees the first ~55 words of every post, so a stock
opening ("I can't help but feel ...") or one that echoes a recent post on the same topic
shows at once. A new opening is compared with recent openings of its topics (same first
words, or a first sentence that is mostly the same) and with stock phrases; a repeat is
a problem the writer answers by asking again, with a different opening style.
"""

from __future__ import annotations

import re
import threading
from difflib import SequenceMatcher

from columnist.commentary.text import paragraphs, split_sentences

STOCK_OPENINGS = (
    "As I reflect on",
    "Reflecting on",
    "In today's world",
    "In today's fast-paced",
    "In a world where",
    "In an era",
    "In recent years",
    "In the heart of",
    "As I watch",
    "As I observe",
    "As I step into",
    "As I sit",
    "As I read",
    "As I ponder",
    "As I consider",
    "As someone who",
    "As a columnist",
    "As the world",
    "It's no secret that",
    "It is no secret that",
    "It's hard to believe",
    "I find myself",
    "I must say",
    "I have always believed",
    "I was struck by",
    "When I first heard",
    "When I first read",
    "Reading about",
    "Reading the news",
    "The news that",
    "Imagine a world",
    "Picture this",
    "Once again",
    "In the ever",
    "It is with",
    "Let me be clear",
)
# Clichés caught anywhere in the first sentence, not only at its start.
STOCK_ANYWHERE = re.compile(
    r"\b(?:can't|cannot|couldn't|could not) help but\b|\bi find myself\b|\bi must say\b|"
    r"\bi was struck by\b|\bi am struck by\b"
)
SAME_FIRST_WORDS = 3  # openings sharing their first three words repeat
SIMILAR = 0.6  # SequenceMatcher ratio of the first 15 words above which they repeat


def _words(text: str) -> list[str]:
    text = text.replace("’", "'").replace("‘", "'").lower()
    return re.findall(r"[a-z0-9']+", text)


def opening(body: str) -> str:
    """The first sentence of a commentary."""
    first = paragraphs(body)[:1]
    sentences = split_sentences(first[0]) if first else []
    return sentences[0] if sentences else ""


def stock_phrase(sentence: str, extra: tuple[str, ...] | list[str] = ()) -> str | None:
    """The stock phrase a sentence opens with (within its first few words), if any."""
    words = _words(sentence)
    anywhere = STOCK_ANYWHERE.search(" ".join(words))
    if anywhere:
        return anywhere.group(0)
    for phrase in (*STOCK_OPENINGS, *extra):
        target = _words(phrase)
        for start in range(0, 4):
            if words[start : start + len(target)] == target:
                return phrase
    return None


def repeats(sentence: str, earlier: str) -> bool:
    """Whether an opening repeats an earlier one: same first words, or mostly the same."""
    a, b = _words(sentence), _words(earlier)
    if not a or not b:
        return False
    if len(a) >= SAME_FIRST_WORDS and a[:SAME_FIRST_WORDS] == b[:SAME_FIRST_WORDS]:
        return True
    return SequenceMatcher(None, a[:15], b[:15], autojunk=False).ratio() >= SIMILAR


def opening_problem(
    body: str, recent: list[str], extra_stock: tuple[str, ...] | list[str] = ()
) -> str | None:
    """Why the opening of `body` will not do, or None."""
    first = opening(body)
    if not first:
        return None
    phrase = stock_phrase(first, extra_stock)
    if phrase:
        return f'opens with the stock phrase "{phrase}"'
    for earlier in recent:
        if repeats(first, earlier):
            return f'opening repeats a recent post on the topic ("{_clip(earlier)}")'
    return None


def _clip(sentence: str, words: int = 8) -> str:
    parts = sentence.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


class RecentOpenings:
    """Recent openings per topic, shared by the write stage's threads.

    Seeded from the store and updated as each post is written, so stories written in
    the same run are compared with each other too.
    """

    def __init__(self, limit: int = 12) -> None:
        self.limit = limit
        self._by_topic: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def add(self, topics: list[str], sentence: str) -> None:
        if not sentence:
            return
        with self._lock:
            for topic in topics or [""]:
                found = self._by_topic.setdefault(topic, [])
                found.insert(0, sentence)
                del found[self.limit :]

    def seed(self, topic: str, sentences: list[str]) -> None:
        """Openings from the store, newest first, for a topic not seen yet in this run."""
        with self._lock:
            if topic not in self._by_topic:
                self._by_topic[topic] = [s for s in sentences if s][: self.limit]

    def known(self, topic: str) -> bool:
        with self._lock:
            return topic in self._by_topic

    def recent(self, topics: list[str]) -> list[str]:
        with self._lock:
            seen: list[str] = []
            for topic in topics or [""]:
                for sentence in self._by_topic.get(topic, []):
                    if sentence not in seen:
                        seen.append(sentence)
            return seen
