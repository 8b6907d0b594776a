"""Zero-shot topic assignment: embedding similarity plus phrase rules, multi-label.

Why each rule exists (measured on tests/data/topics_eval.jsonl, see `topics test`):

- A topic is matched through several *views* (its name, "name. description", and one
  "name: clause" per clause of the description), taking the best. A headline about the
  Champions League is close to "Football: the Champions League" even when it is far from
  the long description as a whole.
- A story goes to its best-scoring topic when that score reaches the topic's threshold,
  and to further topics only when they clear a higher `topic_second_threshold` and sit
  within `topic_margin` of the best. Most stories have one topic; this stops the second
  and third nearest topics from tagging along. The best is taken over all topics, also
  those a rule refuses: a tennis story refused by Football must not fall through to the
  runner-up (that alone took micro F1 from 0.912 to 0.925 on the eval set).
- `requires` (groups of phrases, one of each group must appear) lets a pair topic such as
  "China-Russia relations" refuse a story about China alone or Putin and Trump.
- `unlike` describes near-misses ("American football and the NFL" for Football); a story
  closer to one of them than to any view of the topic is not filed by similarity.
- A `keywords` phrase always files the story; an `exclude` phrase never does.

Phrases match whole words, case-insensitively, on a stream of word tokens (so
"China-Russia" also matches "China–Russia" and "china russia", and "Xi" matches "Xi's"
but not "Xiaomi"), all of a topic set's phrases in one pass; a story's phrase hits are
the union of its entries' hits, so filing never has to re-read old entries.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from columnist.config import StorySettings, TopicSettings

_WORD = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def phrase_key(phrase: str) -> str:
    """Canonical form of a phrase: its lowercase words joined by single spaces."""
    return " ".join(tokens(phrase))


class PhraseMatcher:
    """Finds which of a fixed set of phrases occur in a text, in one pass over its words."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            words = tuple(tokens(phrase))
            if words and words not in self._by_first.get(words[0], []):
                self._by_first.setdefault(words[0], []).append(words)

    def find(self, text: str) -> set[str]:
        """Keys (see `phrase_key`) of the phrases found in `text`."""
        words = tokens(text)
        firsts = self._by_first.keys() & set(words)
        if not firsts:
            return set()
        found: set[str] = set()
        longer = False
        for word in firsts:
            for cand in self._by_first[word]:
                if len(cand) == 1:
                    found.add(word)
                else:
                    longer = True
        if longer:
            for i, word in enumerate(words):
                if word in firsts:
                    for cand in self._by_first[word]:
                        if len(cand) > 1 and tuple(words[i : i + len(cand)]) == cand:
                            found.add(" ".join(cand))
        return found


def find_phrase(phrases: Sequence[str], text: str) -> str | None:
    """First of `phrases` found in `text` as whole words (case-insensitive), or None."""
    hits = PhraseMatcher(phrases).find(text)
    return next((p for p in phrases if phrase_key(p) and phrase_key(p) in hits), None)


def _keyed(phrases: Sequence[str]) -> list[tuple[str, str]]:
    return [(p, k) for p in phrases if (k := phrase_key(p))]


def _first_hit(phrases: list[tuple[str, str]], hits: set[str]) -> str | None:
    return next((p for p, k in phrases if k in hits), None) if hits else None


_CLAUSE_SPLIT = re.compile(r"[,;]\s*|\s+and\s+(?=[a-z])")


def topic_views(topic: TopicSettings) -> list[str]:
    """Texts a story is compared with: name, name + description, one per clause."""
    views = [topic.name, f"{topic.name}. {topic.description}".strip()]
    for sentence in re.split(r"(?<=[.!?])\s+", topic.description):
        head, sep, rest = sentence.partition(":")
        parts = [head] + (_CLAUSE_SPLIT.split(rest) if sep else [])
        for part in parts:
            part = part.strip(" .").removeprefix("and ").removeprefix("or ").strip()
            if len(part.split()) >= 2:
                views.append(f"{topic.name}: {part}")
    return list(dict.fromkeys(v for v in views if v.strip()))


def topic_text(topic: TopicSettings) -> str:
    return f"{topic.name}. {topic.description}".strip()


@dataclass(slots=True)
class TopicMatch:
    slug: str
    score: float
    rule: str  # "similarity" | "keyword"


@dataclass(slots=True)
class TopicDecision:
    """Why a topic was or wasn't chosen, for `topics explain`."""

    slug: str
    name: str
    score: float  # best similarity to one of the topic's views
    threshold: float
    filed: bool
    rule: str  # keyword | exclude | requires | unlike | threshold | similarity | second
    reason: str
    view: str  # the view that scored best

    @property
    def match_rule(self) -> str:
        return "keyword" if self.rule == "keyword" else "similarity"


class TopicAssigner:
    """Scores a story against every topic's views and applies the phrase and margin rules."""

    def __init__(
        self,
        topics: list[TopicSettings],
        settings: StorySettings,
        embed: Callable[[list[str]], np.ndarray],
    ) -> None:
        self.topics, self.settings = topics, settings
        views: list[str] = []
        owners: list[int] = []
        unlike: list[str] = []
        unlike_owners: list[int] = []
        for i, topic in enumerate(topics):
            for view in topic_views(topic):
                views.append(view)
                owners.append(i)
            for text in topic.unlike:
                unlike.append(text)
                unlike_owners.append(i)
        self.views, self.unlike = views, unlike
        self._owners = np.array(owners, dtype=np.int64)
        self._unlike_owners = np.array(unlike_owners, dtype=np.int64)
        self._starts = np.searchsorted(self._owners, np.arange(len(topics)))
        width = max((owners.count(i) for i in range(len(topics))), default=0)
        # (topics, width) indices into the views, padded with a -inf slot at the end
        self._grid = np.full((len(topics), width), len(views), dtype=np.int64)
        for i in range(len(topics)):
            count = owners.count(i)
            self._grid[i, :count] = np.arange(self._starts[i], self._starts[i] + count)
        embedded = embed(views + unlike) if views else np.zeros((0, 1), np.float32)
        self._view_matrix = embedded[: len(views)]
        self._unlike_matrix = embedded[len(views) :]
        phrases = [p for t in topics for p in t.keywords + t.exclude]
        phrases += [p for t in topics for group in t.requires for p in group]
        self.matcher = PhraseMatcher(phrases)
        self._keywords = [_keyed(t.keywords) for t in topics]
        self._exclude = [_keyed(t.exclude) for t in topics]
        self._requires = [[{phrase_key(p) for p in g} for g in t.requires] for t in topics]
        self._missing_without_hits = np.array([bool(g) for g in self._requires], dtype=bool)
        self._no_hits = np.zeros(len(topics), dtype=bool)
        self._cache_thresholds()

    def _cache_thresholds(self) -> None:
        th = np.array([self.threshold_of(t) for t in self.topics], dtype=np.float64)
        self._th = th
        self._second = np.maximum(th, self.settings.topic_second_threshold)

    def with_settings(
        self, settings: StorySettings, thresholds: dict[str, float] | None = None
    ) -> TopicAssigner:
        """The same topics and embedded views under other thresholds (for sweeps)."""
        other = copy.copy(self)
        other.settings = settings
        if thresholds:
            other.topics = [
                replace(t, threshold=thresholds[t.slug]) if t.slug in thresholds else t
                for t in self.topics
            ]
        other._cache_thresholds()
        return other

    def phrases_in(self, text: str) -> set[str]:
        """Phrase hits of one entry's text; a story's hits are the union over entries."""
        return self.matcher.find(text)

    def threshold_of(self, topic: TopicSettings) -> float:
        return self.settings.topic_threshold if topic.threshold is None else topic.threshold

    def scores(self, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per topic: best view similarity, index of that view, best `unlike` similarity."""
        n = len(self.topics)
        if not n:
            return np.zeros(0), np.zeros(0, np.int64), np.zeros(0)
        sims = np.append(self._view_matrix @ vector, -np.inf)[self._grid]
        pos = sims.argmax(axis=1)
        best = sims[np.arange(n), pos]
        which = self._grid[np.arange(n), pos]
        unlike = np.full(n, -np.inf)
        if len(self.unlike):
            np.maximum.at(unlike, self._unlike_owners, self._unlike_matrix @ vector)
        return best.astype(np.float64), which, unlike

    def decide(
        self,
        vector: np.ndarray,
        hits: set[str],
        scores: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> list[TopicDecision]:
        """One decision per topic, in config order (`scores` may be precomputed)."""
        best, which, unlike = self.scores(vector) if scores is None else scores
        s = self.settings
        excluded = [_first_hit(keyed, hits) for keyed in self._exclude]
        missing = [
            next((j for j, keys in enumerate(groups) if not keys & hits), None)
            for groups in self._requires
        ]
        # The best topic is taken over all topics, even ones a rule rules out: a story
        # whose nearest topic is refused rarely belongs to the runner-up either.
        top = float(best.max()) if len(best) else -np.inf
        leader = self.topics[int(best.argmax())].name if len(best) else ""
        out = []
        for i, topic in enumerate(self.topics):
            score, th = float(best[i]), self.threshold_of(topic)
            second = max(s.topic_second_threshold, th)
            view = self.views[int(which[i])]
            keyword = _first_hit(self._keywords[i], hits)

            def decision(filed: bool, rule: str, reason: str) -> TopicDecision:
                return TopicDecision(topic.slug, topic.name, score, th, filed, rule, reason, view)  # noqa: B023

            if excluded[i]:
                out.append(decision(False, "exclude", f"exclude phrase {excluded[i]!r} found"))
            elif keyword:
                out.append(decision(True, "keyword", f"keyword {keyword!r} found"))
            elif missing[i] is not None:
                group = topic.requires[missing[i]]
                names = ", ".join(group[:6]) + (", ..." if len(group) > 6 else "")
                out.append(decision(False, "requires", f"none of the required [{names}] found"))
            elif unlike[i] >= best[i]:
                j = int(
                    np.argmax(
                        np.where(self._unlike_owners == i, self._unlike_matrix @ vector, -np.inf)
                    )
                )
                out.append(
                    decision(
                        False,
                        "unlike",
                        f"closer to unlike {self.unlike[j]!r} ({unlike[i]:.3f}) "
                        f"than to the topic ({score:.3f})",
                    )
                )
            elif score < th:
                out.append(decision(False, "threshold", f"similarity {score:.3f} < {th:.3f}"))
            elif score >= top:
                out.append(
                    decision(True, "similarity", f"similarity {score:.3f} >= {th:.3f}, best topic")
                )
            elif score >= second and score >= top - s.topic_margin:
                out.append(
                    decision(
                        True,
                        "similarity",
                        f"similarity {score:.3f} >= second-topic {second:.3f} and within "
                        f"{s.topic_margin:.3f} of {leader!r} ({top:.3f})",
                    )
                )
            else:
                out.append(
                    decision(
                        False,
                        "second",
                        f"similarity {score:.3f} >= {th:.3f} but {leader!r} is best "
                        f"({top:.3f}); a further topic needs >= {second:.3f} and within "
                        f"{s.topic_margin:.3f}",
                    )
                )
        return out

    def assign(self, vector: np.ndarray, hits: set[str]) -> list[TopicMatch]:
        """The topics `decide` would file, computed over all topics at once (hot path)."""
        if not self.topics:
            return []
        best = (np.append(self._view_matrix @ vector, -np.inf)[self._grid]).max(axis=1)
        unlike = np.full(len(self.topics), -np.inf)
        if len(self.unlike):
            np.maximum.at(unlike, self._unlike_owners, self._unlike_matrix @ vector)
        keyword, filed = self.filed_mask(best, unlike, hits)
        return [
            TopicMatch(
                self.topics[i].slug, float(best[i]), "keyword" if keyword[i] else "similarity"
            )
            for i in np.flatnonzero(filed)
        ]

    def filed_mask(
        self, best: np.ndarray, unlike: np.ndarray, hits: set[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(keyword files it, filed) per topic from precomputed scores: `decide`'s rules."""
        if hits:
            excluded = np.array([_first_hit(k, hits) is not None for k in self._exclude])
            keyword = np.array([_first_hit(k, hits) is not None for k in self._keywords])
            missing = np.array([any(not keys & hits for keys in g) for g in self._requires])
        else:
            excluded = keyword = self._no_hits
            missing = self._missing_without_hits
        eligible = ~excluded & ~missing & (best > unlike)
        if eligible.any():
            top = best.max()  # over all topics, as in `decide`
            th, second = self._th, self._second
            near = (best >= top) | ((best >= second) & (best >= top - self.settings.topic_margin))
            similar = eligible & (best >= th) & near
        else:
            similar = eligible
        return keyword & ~excluded, ~excluded & (keyword | similar)
