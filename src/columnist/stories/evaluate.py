"""Measuring topic assignment and same-event clustering against labelled files.

Used by `columnist topics test` / `topics events` and by the tests that keep the
shipped evaluation sets from getting worse. The labelled files are JSON lines:

    topics: {"title": ..., "summary": ..., "topics": ["Climate", ...]}
    events: {"event": ..., "title": ..., "summary": ..., "published": ISO-8601, "source": ...}

A bad line is reported as `FILE:LINE: what is wrong`, never as a traceback.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from columnist.config import StorySettings, TopicSettings
from columnist.errors import ColumnistError
from columnist.stories.cluster import cluster
from columnist.stories.names import event_names
from columnist.stories.stage import entry_text
from columnist.stories.topics import TopicAssigner, TopicMatch, TopicScores

if TYPE_CHECKING:
    from columnist.stories.topic_check import ModelCheck


class EvalFileError(ColumnistError):
    """A labelled evaluation file that cannot be read; the message names file and line."""


@dataclass(slots=True)
class LabelledHeadline:
    line: int
    title: str
    summary: str
    topics: set[str]  # slugs

    @property
    def text(self) -> str:
        return entry_text(self.title, self.summary)


@dataclass(slots=True)
class LabelledEntry:
    line: int
    event: str
    title: str
    summary: str
    published: datetime
    source: str
    names: frozenset[str] = frozenset()  # stories/names.py, read once with the file

    @property
    def text(self) -> str:
        return entry_text(self.title, self.summary)


def read_jsonl(path: Path) -> list[tuple[int, dict]]:
    """(line number, object) for each non-blank line; errors name the file and line."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EvalFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"{path}: cannot be read: {exc}") from None
    out = []
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFileError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
        if not isinstance(item, dict):
            raise EvalFileError(f"{path}:{n}: must be a JSON object, not {type(item).__name__}")
        out.append((n, item))
    if not out:
        raise EvalFileError(f"{path}: holds no labelled lines")
    return out


def _text_field(path: Path, n: int, item: dict, key: str, required: bool = True) -> str:
    value = item.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise EvalFileError(f"{path}:{n}: `{key}` must be a non-empty string")
    return value


def load_topic_set(path: Path, topics: Sequence[TopicSettings]) -> list[LabelledHeadline]:
    """Read {title, summary, topics}; topic names (or slugs) must be configured topics."""
    known = {t.name.casefold(): t.slug for t in topics} | {t.slug: t.slug for t in topics}
    out = []
    for n, item in read_jsonl(path):
        title = _text_field(path, n, item, "title")
        summary = _text_field(path, n, item, "summary", required=False)
        labels = item.get("topics")
        if not isinstance(labels, list) or not all(isinstance(t, str) for t in labels):
            raise EvalFileError(f"{path}:{n}: `topics` must be a list of topic names")
        slugs = set()
        for name in labels:
            slug = known.get(name.casefold()) or known.get(name)
            if slug is None:
                names = ", ".join(t.name for t in topics) or "none configured"
                raise EvalFileError(
                    f"{path}:{n}: unknown topic {name!r} (configured topics: {names})"
                )
            slugs.add(slug)
        out.append(LabelledHeadline(n, title, summary, slugs))
    return out


def _when(path: Path, n: int, value) -> datetime:
    if not isinstance(value, str):
        raise EvalFileError(f"{path}:{n}: `published` must be an ISO-8601 date-time string")
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise EvalFileError(f"{path}:{n}: `published` {value!r} is not an ISO-8601 date") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def load_event_set(path: Path) -> list[LabelledEntry]:
    out = []
    for n, item in read_jsonl(path):
        event = item.get("event")
        if not isinstance(event, str | int) or isinstance(event, bool) or event == "":
            raise EvalFileError(f"{path}:{n}: `event` must be a non-empty string or number")
        title = _text_field(path, n, item, "title")
        summary = _text_field(path, n, item, "summary", required=False)
        out.append(
            LabelledEntry(
                n,
                str(event),
                title,
                summary,
                _when(path, n, item.get("published")),
                str(item.get("source") or ""),
                event_names(title, summary),
            )
        )
    return out


def half(key: str) -> int:
    """0 or 1, stable across runs: splits a labelled set for choosing vs checking."""
    return hashlib.sha1(key.encode()).digest()[0] & 1


# ---- clustering metrics -------------------------------------------------------------


def pairwise(gold: Sequence, pred: Sequence) -> tuple[float, float, float]:
    """Precision, recall, F1 over pairs of items put in the same cluster."""
    both = Counter(zip(gold, pred, strict=True))
    same = sum(c * (c - 1) // 2 for c in both.values())
    in_pred = sum(c * (c - 1) // 2 for c in Counter(pred).values())
    in_gold = sum(c * (c - 1) // 2 for c in Counter(gold).values())
    p = same / in_pred if in_pred else 1.0
    r = same / in_gold if in_gold else 1.0
    return p, r, _f1(p, r)


def bcubed(gold: Sequence, pred: Sequence) -> tuple[float, float, float]:
    """B-cubed precision, recall, F1: per item, averaged (not dominated by big clusters)."""
    if not gold:
        return 1.0, 1.0, 1.0
    both = Counter(zip(gold, pred, strict=True))
    gold_n, pred_n = Counter(gold), Counter(pred)
    p = sum(c * c / pred_n[pc] for (_, pc), c in both.items()) / len(gold)
    r = sum(c * c / gold_n[gc] for (gc, _), c in both.items()) / len(gold)
    return p, r, _f1(p, r)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(counts: Counter) -> int:
    return sum(c * (c - 1) // 2 for c in counts.values())


def cross_source_recall(gold: Sequence, pred: Sequence, sources: Sequence) -> float:
    """Share of the pairs of one event from two different sources put in one story:
    the recall that a stricter same-source rule must not cost."""
    same = _pairs(Counter(zip(gold, pred, strict=True)))
    same_src = _pairs(Counter(zip(gold, pred, sources, strict=True)))
    total = _pairs(Counter(gold)) - _pairs(Counter(zip(gold, sources, strict=True)))
    return (same - same_src) / total if total else 1.0


@dataclass(slots=True)
class EventScore:
    threshold: float
    stories: int
    pairwise: tuple[float, float, float]
    bcubed: tuple[float, float, float]
    cross_recall: float = 1.0  # pairwise recall over pairs from two different sources


def event_labels(
    entries: Sequence[LabelledEntry],
    vectors: np.ndarray,
    settings: StorySettings,
    threshold: float | None = None,
) -> list[int]:
    """Story of each entry, as the `assign` stage's StoryIndex puts them."""
    th = settings.same_event_threshold if threshold is None else threshold
    return cluster(
        vectors,
        [e.published for e in entries],
        timedelta(days=settings.window_days),
        th,
        names=[e.names for e in entries],
        sources=[e.source for e in entries],
        name_weight=settings.event_name_weight,
        same_source_penalty=settings.event_same_source_penalty,
        crowding=settings.event_crowding,
        cohesion_gap=settings.event_cohesion_gap,
    )


def score_events(
    entries: Sequence[LabelledEntry],
    vectors: np.ndarray,
    settings: StorySettings,
    threshold: float | None = None,
) -> EventScore:
    """Cluster the entries with the `assign` stage's StoryIndex and score the result."""
    th = settings.same_event_threshold if threshold is None else threshold
    labels = event_labels(entries, vectors, settings, th)
    gold = [e.event for e in entries]
    return EventScore(
        th,
        len(set(labels)),
        pairwise(gold, labels),
        bcubed(gold, labels),
        cross_source_recall(gold, labels, [e.source for e in entries]),
    )


EVENT_SWEEP = [round(0.30 + 0.025 * i, 3) for i in range(21)]  # 0.30 .. 0.80


def sweep_events(
    entries: Sequence[LabelledEntry], vectors: np.ndarray, settings: StorySettings
) -> list[EventScore]:
    return [score_events(entries, vectors, settings, th) for th in EVENT_SWEEP]


def best_event_threshold(scores: Sequence[EventScore]) -> EventScore:
    """Highest B-cubed F1; ties go to the threshold nearest the middle of the tie."""
    top = max(s.bcubed[2] for s in scores)
    tied = [s for s in scores if s.bcubed[2] >= top - 1e-9]
    return tied[len(tied) // 2]


# ---- topic metrics ------------------------------------------------------------------


@dataclass(slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        denom = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denom if denom else 1.0


@dataclass(slots=True)
class TopicScore:
    per_topic: dict[str, Counts]  # slug -> counts, in config order
    micro: Counts
    macro: tuple[float, float, float]
    errors: list[tuple[int, set[str], set[str]]] = field(default_factory=list)  # line, gold, got


def score_topics(
    items: Sequence[LabelledHeadline], predicted: Sequence[set[str]], slugs: Sequence[str]
) -> TopicScore:
    per = {s: Counts() for s in slugs}
    errors = []
    for item, got in zip(items, predicted, strict=True):
        for slug in slugs:
            if slug in got and slug in item.topics:
                per[slug].tp += 1
            elif slug in got:
                per[slug].fp += 1
            elif slug in item.topics:
                per[slug].fn += 1
        if got != item.topics:
            errors.append((item.line, item.topics, got))
    micro = Counts(
        sum(c.tp for c in per.values()),
        sum(c.fp for c in per.values()),
        sum(c.fn for c in per.values()),
    )
    k = max(len(per), 1)
    macro = (
        sum(c.precision for c in per.values()) / k,
        sum(c.recall for c in per.values()) / k,
        sum(c.f1 for c in per.values()) / k,
    )
    return TopicScore(per, micro, macro, errors)


class TopicBench:
    """A labelled set embedded once, so thresholds can be swept without the model."""

    def __init__(
        self,
        items: Sequence[LabelledHeadline],
        assigner: TopicAssigner,
        embed: Callable[[list[str]], np.ndarray],
    ) -> None:
        self.items, self.assigner = list(items), assigner
        self.vectors = embed([i.text for i in self.items])
        self.hits = [assigner.text_hits(f"{i.title}\n{i.summary}") for i in self.items]
        self.scores = assigner.score_many(self.vectors, self.hits)
        self.slugs = [t.slug for t in assigner.topics]

    def _scored(self, assigner: TopicAssigner) -> tuple[TopicScores, np.ndarray]:
        """The stored similarities with `assigner`'s name evidence, and its filing scores."""
        names = np.array([assigner.name_evidence(h) for h in self.hits])
        scores = replace(self.scores, names=names.reshape(self.scores.view.shape))
        return scores, assigner.filing_score(scores)

    def predict_with(self, assigner: TopicAssigner) -> list[set[str]]:
        """Topics filed for each item; `assigner` must have the same topics and examples
        (thresholds and weights may differ: see `TopicAssigner.with_settings`)."""
        out = []
        scores, score = self._scored(assigner)
        for i, hits in enumerate(self.hits):
            _, filed = assigner.filed_mask(scores.row(i), hits, score[i])
            out.append({self.slugs[k] for k in np.flatnonzero(filed)})
        return out

    def predict_checked(
        self,
        assigner: TopicAssigner,
        check: ModelCheck,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[set[str]]:
        """Topics filed for each item once the model check has read the borderline ones."""
        from columnist.stories.topic_check import AboutCheck

        scores, score = self._scored(assigner)
        thresholds = {t.slug: assigner.threshold_of(t) for t in assigner.topics}
        about = isinstance(check, AboutCheck)
        near_all = [
            assigner.near_threshold(score[i], h, check.band) if about else []
            for i, h in enumerate(self.hits)
        ]
        if about:  # every question first, topic by topic
            pairs = zip(self.items, near_all, strict=True)
            check.ask_all(
                [(m.slug, it.title, it.summary) for it, near in pairs for m in near], progress
            )
            progress = None
        out = []
        for i, hits in enumerate(self.hits):
            keyword, filed = assigner.filed_mask(scores.row(i), hits, score[i])
            matches = [
                TopicMatch(
                    self.slugs[k], float(score[i][k]), "keyword" if keyword[k] else "similarity"
                )
                for k in np.flatnonzero(filed)
            ]
            item = self.items[i]
            if about:  # every topic near its threshold
                kept = check.keep(matches, near_all[i], thresholds, item.title, item.summary)
            else:
                kept = check.keep(matches, thresholds, item.title, item.summary)
            out.append({m.slug for m in kept})
            if progress:
                progress(i + 1, len(self.hits))
        return out

    def score(
        self, settings: StorySettings | None = None, subset: Sequence[int] | None = None
    ) -> TopicScore:
        assigner = self.assigner if settings is None else self.assigner.with_settings(settings)
        return self.score_with(assigner, subset)

    def score_with(
        self, assigner: TopicAssigner, subset: Sequence[int] | None = None
    ) -> TopicScore:
        predicted = self.predict_with(assigner)
        idx = range(len(self.items)) if subset is None else subset
        return score_topics([self.items[i] for i in idx], [predicted[i] for i in idx], self.slugs)

    def sweep(
        self, values: Sequence[float], subset: Sequence[int] | None = None, every: bool = False
    ) -> list[tuple[float, TopicScore]]:
        """Scores as [stories] topic_threshold takes each value (`every`: per-topic
        `threshold`s too, which gives each topic's own curve in one pass)."""
        base = self.assigner.settings
        out = []
        for v in values:
            assigner = self.assigner.with_settings(
                replace(base, topic_threshold=v), dict.fromkeys(self.slugs, v) if every else None
            )
            out.append((v, self.score_with(assigner, subset)))
        return out

    def halves(self) -> tuple[list[int], list[int]]:
        a = [i for i, item in enumerate(self.items) if half(item.title) == 0]
        b = [i for i, item in enumerate(self.items) if half(item.title) == 1]
        return a, b


TOPIC_SWEEP = [round(0.10 + 0.01 * i, 2) for i in range(31)]  # 0.10 .. 0.40


def best_topic_threshold(sweep: Sequence[tuple[float, TopicScore]]) -> tuple[float, TopicScore]:
    """Highest micro F1; ties go to the middle of the tied range (less brittle)."""
    top = max(s.micro.f1 for _, s in sweep)
    tied = [(v, s) for v, s in sweep if s.micro.f1 >= top - 1e-9]
    return tied[len(tied) // 2]
