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
- A story none of whose entries has MIN_WORDS (8) words of text is never filed by
  similarity: an author page titled with a name, "Here's the latest." or "Super 6" sat
  at cosine 0.25 to "Natural disasters" on real feeds. A keyword still files it.
- `examples` and `counter_examples` (headlines a user said belong or don't, usually
  through `columnist topics tune`) move the score: view similarity + example_weight x
  (nearest example - nearest counter-example). On the real feeds of tests/data/real, 20
  answers per topic took held-out micro F1 from 0.68-0.77 to 0.77-0.84 (README).
- Names: a story gains [stories] topic_name_weight per rare name (at most 2) it shares
  with the topic's name, description and examples, and loses topic_counter_name_weight
  per name only its counter-examples have (stories/topic_names.py): "ICC prosecutor
  seeks arrest warrants for Netanyahu and Hamas leaders" sits at cosine 0.27 to every
  view of "Middle East". Names are phrases of the matcher, so they come with the hits.
- `topics tune` also sets the topic's own `threshold` from the answers (stories/
  calibrate.py): one threshold is too low for "War in Ukraine" and too high for "Sport".
- A description's lists give one view per item ("Israel, Gaza and the Palestinians,
  Iran" -> "Middle East: Iran"): "Iran's president killed in helicopter crash" is far
  from the whole description and near that view (real-feeds F1 0.588 -> 0.697).

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
from columnist.stories.topic_names import TopicNames, topic_names

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


def _clauses(sentence: str) -> list[str]:
    """The parts of a description sentence worth a view of their own.

    "Name: a, b and c" gives the head and each of a, b, c; a sentence without a colon
    ("Israel, Gaza and the Palestinians, Iran, and the wars of the region") is a list
    too. A clause of one word stands alone when it is a name ("Iran", "Congress") or the
    sentence is mostly a list of such words ("football, boxing, golf, tennis"); a lone
    "transfers" among longer clauses says too little (and "jobs" or "budgets" in a long
    description of an economy pulled in other countries' budgets: topics_eval.jsonl).
    """
    head, sep, rest = sentence.partition(":")
    parts = [head, *_CLAUSE_SPLIT.split(rest)] if sep else _CLAUSE_SPLIT.split(head)
    parts = [p.strip(" .").removeprefix("and ").removeprefix("or ").strip() for p in parts]
    single = [p for p in parts if len(p.split()) == 1]
    kinds = len(single) >= 3 and 3 * len(single) >= 2 * len(parts)
    return [
        p
        for p in parts
        if len(p.split()) >= 2 or (p in single and len(p) > 2 and (p[0].isupper() or kinds))
    ]


def topic_views(topic: TopicSettings) -> list[str]:
    """Texts a story is compared with: name, name + description, one per clause."""
    views = [topic.name, f"{topic.name}. {topic.description}".strip()]
    for sentence in re.split(r"(?<=[.!?])\s+", topic.description):
        views.extend(f"{topic.name}: {part}" for part in _clauses(sentence))
    return list(dict.fromkeys(v for v in views if v.strip()))


def topic_text(topic: TopicSettings) -> str:
    return f"{topic.name}. {topic.description}".strip()


# Text marks: a story's hits also say whether one of its entries has enough words to be
# judged by meaning. Not phrase keys (those are lowercase \w words), so never confused
# with one. Hits without either mark (a caller that only matched phrases) count as long.
MIN_WORDS = 8
TEXT_LONG = "#long"
TEXT_SHORT = "#short"
_COUNTED_WORD = re.compile(r"\S*\w\S*")


def word_count(text: str, enough: int = MIN_WORDS) -> int:
    """Words in `text` (runs of non-space holding a letter or digit), counting to `enough`."""
    count = 0
    for _ in _COUNTED_WORD.finditer(text):
        count += 1
        if count >= enough:
            break
    return count


def too_short(hits: set[str]) -> bool:
    """Every entry of the story had fewer than MIN_WORDS words: a name, "Here's the
    latest.", "Super 6". Such a story is filed by a keyword or not at all."""
    return TEXT_SHORT in hits and TEXT_LONG not in hits


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
    score: float  # filing score: best view similarity, moved by examples
    threshold: float
    filed: bool
    rule: str  # keyword | exclude | requires | short | unlike | threshold | similarity | second
    reason: str
    view: str  # the view that scored best
    example: str = ""  # the nearest example, if the topic has any
    counter_example: str = ""  # the nearest counter-example, if the topic has any

    @property
    def match_rule(self) -> str:
        return "keyword" if self.rule == "keyword" else "similarity"


class _TextGroups:
    """Texts owned by topics (views, unlike, examples, ...), compared in one product.

    `grid` is a (topics, width) index into the texts, padded with a slot that always
    scores -inf, so a topic's best similarity is one fancy-index and one max.
    """

    def __init__(self, groups: list[list[str]]) -> None:
        self.texts = [text for group in groups for text in group]
        self.has = np.array([bool(g) for g in groups], dtype=bool)
        width = max((len(g) for g in groups), default=0)
        self.grid = np.full((len(groups), max(width, 1)), len(self.texts), dtype=np.int64)
        start = 0
        for i, group in enumerate(groups):
            self.grid[i, : len(group)] = np.arange(start, start + len(group))
            start += len(group)
        self.matrix = np.zeros((0, 1), dtype=np.float32)

    def sims(self, vector: np.ndarray) -> np.ndarray:
        """(topics, width) similarities, -inf in the padding."""
        if not self.texts:
            return np.full(self.grid.shape, -np.inf)
        return np.append(self.matrix @ vector, -np.inf)[self.grid]

    def best(self, vector: np.ndarray) -> np.ndarray:
        if not self.texts:
            return np.full(len(self.grid), -np.inf)
        return self.sims(vector).max(axis=1)

    def best_at(self, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per topic: best similarity and the index of that text (len(texts) if none)."""
        sims = self.sims(vector)
        pos = sims.argmax(axis=1)
        rows = np.arange(len(self.grid))
        return sims[rows, pos], self.grid[rows, pos]

    def best_many(self, vectors: np.ndarray) -> np.ndarray:
        """(n, topics) best similarities of many vectors at once."""
        if not self.texts or not len(vectors):
            return np.full((len(vectors), len(self.grid)), -np.inf)
        sims = np.concatenate(
            [vectors @ self.matrix.T, np.full((len(vectors), 1), -np.inf, np.float32)], axis=1
        )
        return sims[:, self.grid].max(axis=2)

    def text(self, index: int) -> str:
        return self.texts[index] if 0 <= index < len(self.texts) else ""


@dataclass(slots=True)
class TopicScores:
    """The similarities behind a story's filing, one value per topic in config order.

    For n stories at once (`TopicAssigner.score_many`) each array is (n, topics).
    """

    view: np.ndarray  # best similarity to the topic's views (name, description, clauses)
    unlike: np.ndarray  # best similarity to its `unlike` texts (-inf: none)
    example: np.ndarray  # best similarity to its `examples` (-inf: none)
    counter: np.ndarray  # best similarity to its `counter_examples` (-inf: none)
    names: np.ndarray | None = None  # evidence of names shared with the topic (None: 0)

    def row(self, i: int) -> TopicScores:
        names = None if self.names is None else self.names[i]
        return TopicScores(self.view[i], self.unlike[i], self.example[i], self.counter[i], names)


def filing_scores(
    sc: TopicScores, has_example: np.ndarray, has_counter: np.ndarray, weight: float
) -> np.ndarray:
    """view + weight x (nearest example - nearest counter-example) + names, per topic; a
    topic without examples (or counter-examples) lets its view similarity stand in."""
    pos = np.where(has_example, sc.example, sc.view)
    neg = np.where(has_counter, sc.counter, sc.view)
    score = sc.view + weight * (pos - neg)
    return score if sc.names is None else score + sc.names


class TopicAssigner:
    """Scores a story against every topic's views and examples, applies the rules."""

    def __init__(
        self,
        topics: list[TopicSettings],
        settings: StorySettings,
        embed: Callable[[list[str]], np.ndarray],
    ) -> None:
        self.topics, self.settings = topics, settings
        self._views = _TextGroups([topic_views(t) for t in topics])
        self._unlike = _TextGroups([list(t.unlike) for t in topics])
        self._examples = _TextGroups([list(t.examples) for t in topics])
        self._counter = _TextGroups([list(t.counter_examples) for t in topics])
        groups = (self._views, self._unlike, self._examples, self._counter)
        texts = [x for g in groups for x in g.texts]
        embedded = embed(texts) if texts else np.zeros((0, 1), np.float32)
        start = 0
        for group in groups:
            group.matrix = embedded[start : start + len(group.texts)]
            start += len(group.texts)
        self.views, self.unlike = self._views.texts, self._unlike.texts
        self._tuned = bool(self._examples.texts or self._counter.texts)
        phrases = [p for t in topics for p in t.keywords + t.exclude]
        phrases += [p for t in topics for group in t.requires for p in group]
        self._rule_keys = frozenset(phrase_key(p) for p in phrases) - {""}
        self.names: list[TopicNames] = [topic_names(t) for t in topics]
        self.matcher = PhraseMatcher(
            phrases + sorted({k for n in self.names for k in n.pro | n.con})
        )
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
        """The same topics and embedded texts under other thresholds (for sweeps)."""
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

    def text_hits(self, text: str) -> set[str]:
        """`phrases_in` plus a mark of whether the text is long enough to judge by meaning
        (the union over a story's entries then says whether any of them was)."""
        hits = self.matcher.find(text)
        hits.add(TEXT_LONG if word_count(text) >= MIN_WORDS else TEXT_SHORT)
        return hits

    def threshold_of(self, topic: TopicSettings) -> float:
        return self.settings.topic_threshold if topic.threshold is None else topic.threshold

    def name_evidence(
        self, hits: set[str], names: Sequence[TopicNames] | None = None
    ) -> np.ndarray:
        """Per topic: what the names in `hits` add to its score (stories/topic_names.py);
        `names` replaces the topics' own (a tune session's, with its answers)."""
        s = self.settings
        if not (s.topic_name_weight or s.topic_counter_name_weight) or not hits:
            return np.zeros(len(self.topics))
        return np.array(
            [
                n.evidence(hits, s.topic_name_weight, s.topic_counter_name_weight)
                for n in (self.names if names is None else names)
            ]
        )

    def with_names(self, sc: TopicScores, hits: set[str]) -> TopicScores:
        """`sc` with the names' evidence of one story filled in, if it has none."""
        return sc if sc.names is not None else replace(sc, names=self.name_evidence(hits))

    # ---- scores ----------------------------------------------------------------------

    def similarities(self, vector: np.ndarray, hits: set[str] | None = None) -> TopicScores:
        """One story's similarities to every topic's views, unlike texts and examples
        (and, given its phrase hits, the evidence of its names)."""
        return TopicScores(
            self._views.best(vector),
            self._unlike.best(vector),
            self._examples.best(vector),
            self._counter.best(vector),
            None if hits is None else self.name_evidence(hits),
        )

    def score_many(
        self, vectors: np.ndarray, hits: Sequence[set[str]] | None = None
    ) -> TopicScores:
        """`similarities` of n stories at once: arrays of shape (n, topics)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        names = None
        if hits is not None:
            names = np.array([self.name_evidence(h) for h in hits]).reshape(
                len(hits), len(self.topics)
            )
        return TopicScores(
            self._views.best_many(vectors),
            self._unlike.best_many(vectors),
            self._examples.best_many(vectors),
            self._counter.best_many(vectors),
            names,
        )

    def filing_score(self, sc: TopicScores) -> np.ndarray:
        """The score a threshold applies to: the best view similarity, moved up by how
        much nearer the story is to the topic's nearest example than to its nearest
        counter-example, times [stories] example_weight. A topic without examples (or
        without counter-examples) lets its views stand in for that side, so an untuned
        topic scores its views alone."""
        if not self._tuned:
            return sc.view if sc.names is None else sc.view + sc.names
        return filing_scores(
            sc, self._examples.has, self._counter.has, self.settings.example_weight
        )

    @property
    def example_vectors(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per topic: the embedded examples and counter-examples (rows: unit vectors)."""
        out = []
        for i in range(len(self.topics)):
            ex = self._examples.grid[i][self._examples.grid[i] < len(self._examples.texts)]
            co = self._counter.grid[i][self._counter.grid[i] < len(self._counter.texts)]
            out.append((self._examples.matrix[ex], self._counter.matrix[co]))
        return out

    def similarity_decides(self, i: int, hits: set[str]) -> bool:
        """Whether topic i's filing of a story with these hits turns on its score: no
        keyword or exclude phrase settles it, no required group is missing, and the
        story has enough text to be judged by meaning."""
        return not (
            too_short(hits)
            or _first_hit(self._keywords[i], hits)
            or _first_hit(self._exclude[i], hits)
            or any(not keys & hits for keys in self._requires[i])
        )

    # ---- decisions -------------------------------------------------------------------

    def decide(
        self, vector: np.ndarray, hits: set[str], scores: TopicScores | None = None
    ) -> list[TopicDecision]:
        """One decision per topic, in config order (`scores` may be precomputed)."""
        sc = self.similarities(vector, hits) if scores is None else self.with_names(scores, hits)
        score = self.filing_score(sc)
        _, which = self._views.best_at(vector)
        _, ex_at = self._examples.best_at(vector)
        _, co_at = self._counter.best_at(vector)
        s = self.settings
        short = too_short(hits)
        excluded = [_first_hit(keyed, hits) for keyed in self._exclude]
        missing = [
            next((j for j, keys in enumerate(groups) if not keys & hits), None)
            for groups in self._requires
        ]
        # The best topic is taken over all topics, even ones a rule rules out: a story
        # whose nearest topic is refused rarely belongs to the runner-up either.
        top = float(score.max()) if len(score) else -np.inf
        leader = self.topics[int(score.argmax())].name if len(score) else ""
        out = []
        for i, topic in enumerate(self.topics):
            value, th = float(score[i]), self.threshold_of(topic)
            second = max(s.topic_second_threshold, th)
            keyword = _first_hit(self._keywords[i], hits)
            view_sim = float(sc.view[i])
            how = f"{value:.3f}"
            if self._tuned and (self._examples.has[i] or self._counter.has[i]):
                how = f"{value:.3f} (views {view_sim:.3f}"
                if self._examples.has[i]:
                    how += f", nearest example {float(sc.example[i]):.3f}"
                if self._counter.has[i]:
                    how += f", nearest counter-example {float(sc.counter[i]):.3f}"
                how += ")"
            if sc.names is not None and sc.names[i]:
                shared = sorted((self.names[i].pro | self.names[i].con) & hits)
                how += f" (names {float(sc.names[i]):+.3f}: {', '.join(shared)})"

            facts = {
                "slug": topic.slug,
                "name": topic.name,
                "score": value,
                "threshold": th,
                "view": self._views.text(int(which[i])),
                "example": self._examples.text(int(ex_at[i])),
                "counter_example": self._counter.text(int(co_at[i])),
            }

            def decision(filed: bool, rule: str, reason: str, facts=facts) -> TopicDecision:
                return TopicDecision(filed=filed, rule=rule, reason=reason, **facts)

            if excluded[i]:
                out.append(decision(False, "exclude", f"exclude phrase {excluded[i]!r} found"))
            elif keyword:
                out.append(decision(True, "keyword", f"keyword {keyword!r} found"))
            elif missing[i] is not None:
                group = topic.requires[missing[i]]
                names = ", ".join(group[:6]) + (", ..." if len(group) > 6 else "")
                out.append(decision(False, "requires", f"none of the required [{names}] found"))
            elif short:
                out.append(
                    decision(
                        False,
                        "short",
                        f"fewer than {MIN_WORDS} words of text: too little to file by "
                        "similarity (a keyword would file it)",
                    )
                )
            elif sc.unlike[i] >= sc.view[i]:
                j = int(self._unlike.best_at(vector)[1][i])
                out.append(
                    decision(
                        False,
                        "unlike",
                        f"closer to unlike {self._unlike.text(j)!r} ({float(sc.unlike[i]):.3f}) "
                        f"than to the topic ({view_sim:.3f})",
                    )
                )
            elif value < th:
                out.append(decision(False, "threshold", f"score {how} < {th:.3f}"))
            elif value >= top:
                out.append(decision(True, "similarity", f"score {how} >= {th:.3f}, best topic"))
            elif value >= second and value >= top - s.topic_margin:
                out.append(
                    decision(
                        True,
                        "similarity",
                        f"score {how} >= second-topic {second:.3f} and within "
                        f"{s.topic_margin:.3f} of {leader!r} ({top:.3f})",
                    )
                )
            else:
                out.append(
                    decision(
                        False,
                        "second",
                        f"score {how} >= {th:.3f} but {leader!r} is best "
                        f"({top:.3f}); a further topic needs >= {second:.3f} and within "
                        f"{s.topic_margin:.3f}",
                    )
                )
        return out

    def assign(self, vector: np.ndarray, hits: set[str]) -> list[TopicMatch]:
        """The topics `decide` would file, computed over all topics at once (hot path)."""
        return self.assign_near(vector, hits, 0.0)[0]

    def assign_near(
        self, vector: np.ndarray, hits: set[str], band: float
    ) -> tuple[list[TopicMatch], list[TopicMatch]]:
        """`assign`'s topics, and `near_threshold`'s for `band` from the same scores (the
        stage's hot path when a model check is on)."""
        if not self.topics:
            return [], []
        sc = self.similarities(vector, hits)
        score = self.filing_score(sc)
        keyword, filed = self.filed_mask(sc, hits, score)
        matches = [
            TopicMatch(
                self.topics[i].slug, float(score[i]), "keyword" if keyword[i] else "similarity"
            )
            for i in np.flatnonzero(filed)
        ]
        return matches, self.near_threshold(score, hits, band) if band > 0 else []

    def near_threshold(self, score: np.ndarray, hits: set[str], band: float) -> list[TopicMatch]:
        """The topics whose filing turns on a score (`filing_score`) within `band` of their
        threshold, either side: those a model check reads (stories/topic_check.py)."""
        return [
            TopicMatch(self.topics[k].slug, float(score[k]), "similarity")
            for k in np.flatnonzero(np.abs(score - self._th) <= band)
            if self.similarity_decides(int(k), hits)
        ]

    def filed_mask(
        self, sc: TopicScores, hits: set[str], score: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(keyword files it, filed) per topic from precomputed scores: `decide`'s rules."""
        score = self.filing_score(self.with_names(sc, hits)) if score is None else score
        if not self._rule_keys.isdisjoint(hits):
            excluded = np.array([_first_hit(k, hits) is not None for k in self._exclude])
            keyword = np.array([_first_hit(k, hits) is not None for k in self._keywords])
            missing = np.array([any(not keys & hits for keys in g) for g in self._requires])
        else:
            excluded = keyword = self._no_hits
            missing = self._missing_without_hits
        eligible = ~excluded & ~missing & (sc.view > sc.unlike)
        if too_short(hits):
            eligible = self._no_hits
        if eligible.any():
            top = score.max()  # over all topics, as in `decide`
            th, second = self._th, self._second
            near = (score >= top) | (
                (score >= second) & (score >= top - self.settings.topic_margin)
            )
            similar = eligible & (score >= th) & near
        else:
            similar = eligible
        return keyword & ~excluded, ~excluded & (keyword | similar)
