"""Tuning a topic from a user's yes/no answers on borderline stories (`topics tune`).

A topic written as a name and one sentence files too much or too little on real feeds.
The quickest fix is the user's judgement on the stories the topic is least sure about:
those whose score is nearest its threshold, taken in turn from just above (filed now:
is it right?) and just below (not filed now: is it missed?). Each answer becomes an
example or a counter-example headline of the topic (stories/topics.py says how they
move the score), and the next question is chosen with the answers so far counted in, so
no two questions ask the same thing and each one moves the boundary where it is least
certain. One question per story: the other entries of a story ask nothing new.

With `[stories] tune_calibrate` (the default) the answers also set the topic's own
threshold (stories/calibrate.py), and "nearest its threshold" means nearest the
threshold the answers so far calibrate: when the answers just above it are all "no",
it rises and the next question is asked higher up, until the boundary is found. A
fixed threshold kept asking about the items at 0.26-0.30 while the "War in Ukraine"
items that were wrongly filed sat at 0.33-0.51. The names of the answered headlines
join the topic's names and counter names (stories/topic_names.py) as they come.

The same session runs the interactive command and the simulation in bench/topics_tune.py
(where the hand labels answer), so the figures measure what a user gets.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import numpy as np

from columnist.config import TopicSettings
from columnist.config_edit import write_atomically
from columnist.errors import ColumnistError
from columnist.stories.calibrate import calibrated_threshold
from columnist.stories.evaluate import Counts, read_jsonl
from columnist.stories.topic_names import TopicNames, names_of
from columnist.stories.topics import PhraseMatcher, TopicAssigner, TopicScores, filing_scores


@dataclass(slots=True)
class Candidate:
    """A stored entry (or a labelled line) that the user may be asked about."""

    key: str  # entry id, or line number of a labelled file
    title: str
    text: str  # summary or lead
    source: str = ""
    published: datetime | None = None
    story: int | None = None  # entries of one story are asked about once


@dataclass(slots=True)
class Tally(Counts):
    """Precision and recall of a topic's filing against the user's answers."""

    tn: int = 0

    def add(self, filed: bool, belongs: bool) -> None:
        if filed and belongs:
            self.tp += 1
        elif filed:
            self.fp += 1
        elif belongs:
            self.fn += 1
        else:
            self.tn += 1


@dataclass(slots=True)
class Asked:
    index: int  # into the session's candidates
    score: float  # the topic's score when it was asked
    belongs: bool | None  # None: skipped


@dataclass
class TuneSession:
    """Borderline questions for one topic, and what the answers make of it."""

    assigner: TopicAssigner
    slug: str
    candidates: Sequence[Candidate]
    vectors: np.ndarray  # (n, dim) unit vectors of the candidates (headline + lead)
    embed: Callable[[list[str]], np.ndarray]
    asked: list[Asked] = field(default_factory=list)

    def __post_init__(self) -> None:
        slugs = [t.slug for t in self.assigner.topics]
        if self.slug not in slugs:
            raise ColumnistError(f"no topic {self.slug!r}")
        self.i = slugs.index(self.slug)
        self.topic: TopicSettings = self.assigner.topics[self.i]
        self.threshold = self.assigner.threshold_of(self.topic)  # before the answers
        texts = [f"{c.title}\n{c.text}" for c in self.candidates]
        self.hits = [self.assigner.text_hits(text) for text in texts]
        self.base: TopicScores = self.assigner.score_many(self.vectors, self.hits)
        # Names: each candidate's headline names (an answer adds them to the topic's
        # names or counter names) and which of all those names each candidate has.
        self.title_names = [names_of([c.title]) for c in self.candidates]
        own = self.assigner.names[self.i]
        every = set(own.pro | own.con).union(*self.title_names)
        matcher = PhraseMatcher(sorted(every))
        self.cand_names = [matcher.find(text) for text in texts]
        # Examples are saved as headlines, so they are compared as headlines.
        self.headlines = (
            self.embed([c.title for c in self.candidates])
            if len(self.candidates)
            else np.zeros((0, self.vectors.shape[1] if self.vectors.ndim == 2 else 1))
        )
        self.sims = self.vectors @ self.headlines.T if len(self.candidates) else None
        known = {h.casefold() for h in self.topic.examples + self.topic.counter_examples}
        self._open = np.array(
            [
                c.title.casefold() not in known and self.assigner.similarity_decides(self.i, hits)
                for c, hits in zip(self.candidates, self.hits, strict=True)
            ],
            dtype=bool,
        )

    # ---- scores with the answers so far ----------------------------------------------

    def _answers(self, without: int | None = None) -> tuple[list[int], list[int]]:
        pos = [a.index for a in self.asked if a.belongs and a.index != without]
        neg = [a.index for a in self.asked if a.belongs is False and a.index != without]
        return pos, neg

    def _scores_of(self, rows: np.ndarray, without: int | None = None) -> np.ndarray:
        """(len(rows), topics) filing scores with the answers as extra examples."""
        pos, neg = self._answers(without)
        example = self.base.example[rows].copy()
        counter = self.base.counter[rows].copy()
        if pos:
            example[:, self.i] = np.maximum(example[:, self.i], self.sims[np.ix_(rows, pos)].max(1))
        if neg:
            counter[:, self.i] = np.maximum(counter[:, self.i], self.sims[np.ix_(rows, neg)].max(1))
        has_ex = np.array([bool(t.examples) for t in self.assigner.topics])
        has_co = np.array([bool(t.counter_examples) for t in self.assigner.topics])
        has_ex[self.i] |= bool(pos)
        has_co[self.i] |= bool(neg)
        names = self.base.names[rows].copy()
        topic_names = self._names(pos, neg)
        s = self.assigner.settings
        for k, row in enumerate(rows):
            names[k, self.i] = topic_names.evidence(
                self.cand_names[row], s.topic_name_weight, s.topic_counter_name_weight
            )
        sc = TopicScores(self.base.view[rows], self.base.unlike[rows], example, counter, names)
        return filing_scores(sc, has_ex, has_co, s.example_weight)

    def _names(self, pos: list[int], neg: list[int]) -> TopicNames:
        """The topic's names with those of the answered headlines."""
        own = self.assigner.names[self.i]
        pro = own.pro.union(*(self.title_names[j] for j in pos))
        con = own.con.union(*(self.title_names[j] for j in neg)) - pro
        return TopicNames(pro, con)

    def scores(self) -> np.ndarray:
        """This topic's score of every candidate, with the answers so far."""
        if not len(self.candidates):
            return np.zeros(0)
        return self._scores_of(np.arange(len(self.candidates)))[:, self.i]

    def _filed(
        self, j: int, score: np.ndarray | None, assigner: TopicAssigner | None = None
    ) -> bool:
        """Whether the whole rule set (best topic, margins, keywords...) files candidate j
        under this topic, given all topics' scores (None: the configuration as it was)."""
        _, filed = (assigner or self.assigner).filed_mask(self.base.row(j), self.hits[j], score)
        return bool(filed[self.i])

    # ---- the topic's own threshold ---------------------------------------------------

    def _answer_scores(self) -> tuple[np.ndarray, np.ndarray]:
        """Each answered candidate's score judged by the other answers, and the answers."""
        answered = self.answered
        scores = [
            self._scores_of(np.array([a.index]), without=a.index)[0, self.i] for a in answered
        ]
        return np.array(scores, dtype=np.float64), np.array([bool(a.belongs) for a in answered])

    def _calibrate(self, scores: np.ndarray, belongs: np.ndarray) -> float:
        s = self.assigner.settings
        return calibrated_threshold(
            scores,
            belongs,
            self.threshold,
            prior_answers=s.tune_prior_answers,
            floor=s.tune_threshold_floor,
        )

    def current_threshold(self) -> float:
        """The threshold the answers so far calibrate (the topic's own when
        `[stories] tune_calibrate` is off or nothing is answered yet)."""
        if not self.assigner.settings.tune_calibrate or not self.answered:
            return self.threshold
        return self._calibrate(*self._answer_scores())

    # ---- questions -------------------------------------------------------------------

    def next(self) -> int | None:
        """The next candidate to ask about, or None when none is left.

        Nearest the threshold first, alternately from above (filed: a wrong one costs
        precision) and below (not filed: a missed one costs recall), skipping stories
        already asked about and candidates whose filing does not turn on the score.
        """
        usable = self._open.copy()
        stories = {self.candidates[a.index].story for a in self.asked} - {None}
        for a in self.asked:
            usable[a.index] = False
        if stories:
            usable &= np.array([c.story not in stories for c in self.candidates], dtype=bool)
        if not usable.any():
            return None
        margin = self.scores() - self.current_threshold()
        above = len(self.asked) % 2 == 0
        side = usable & ((margin >= 0) if above else (margin < 0))
        pool = side if side.any() else usable
        return int(np.flatnonzero(pool)[np.argmin(np.abs(margin[pool]))])

    def answer(self, index: int, belongs: bool | None) -> None:
        """Record a yes (True), no (False) or skip (None) for candidate `index`."""
        self.asked.append(Asked(index, float(self.scores()[index]), belongs))

    # ---- results ---------------------------------------------------------------------

    @property
    def answered(self) -> list[Asked]:
        return [a for a in self.asked if a.belongs is not None]

    def tallies(self) -> tuple[Tally, Tally]:
        """Precision/recall on the answered candidates before and after the answers.

        After: each candidate is judged with the other answers only (leave one out),
        since a headline always looks like the topic when it is one of its examples;
        so is the calibrated threshold it is judged against.
        """
        before, after = Tally(), Tally()
        calibrate = self.assigner.settings.tune_calibrate
        own, belongs = self._answer_scores() if calibrate else (None, None)
        for k, a in enumerate(self.answered):
            before.add(self._filed(a.index, None), bool(a.belongs))
            score = self._scores_of(np.array([a.index]), without=a.index)[0]
            judge = self.assigner
            if calibrate:
                others = np.arange(len(own)) != k
                th = self._calibrate(own[others], belongs[others])
                judge = self.assigner.with_settings(self.assigner.settings, {self.slug: th})
            after.add(self._filed(a.index, score, judge), bool(a.belongs))
        return before, after

    def tuned_topic(self) -> TopicSettings:
        """The topic with the answers added to its examples and counter-examples, and
        its threshold calibrated from them (`[stories] tune_calibrate`)."""
        yes = [self.candidates[a.index].title for a in self.answered if a.belongs]
        no = [self.candidates[a.index].title for a in self.answered if a.belongs is False]
        threshold = self.topic.threshold
        if self.assigner.settings.tune_calibrate and self.answered:
            threshold = round(self.current_threshold(), 3)
        return replace(
            self.topic,
            examples=[*self.topic.examples, *_new(yes, self.topic.examples)],
            counter_examples=[*self.topic.counter_examples, *_new(no, self.topic.counter_examples)],
            threshold=threshold,
        )


def _new(titles: list[str], have: list[str]) -> list[str]:
    seen = {h.casefold() for h in have}
    out = []
    for title in titles:
        if title.casefold() not in seen:
            seen.add(title.casefold())
            out.append(title)
    return out


LABELS_NAME = "topics_labelled.jsonl"


def save_labels(path: Path | str, topic_name: str, session: TuneSession) -> int:
    """Merge the session's answers into a labelled set in the topics_eval format.

    One line per headline: {title, summary, topics, asked, source, published, entry}.
    `topics` lists the topics answered yes, `asked` every topic the user was asked about
    (about the others nothing is known). A headline answered again, or for another
    topic, updates its line; new headlines are appended. Returns the lines written.
    """
    path = Path(path)
    lines: list[dict] = []
    if path.exists():
        for n, item in read_jsonl(path):
            if not isinstance(item.get("title"), str):
                raise ColumnistError(f"{path}:{n}: must be an object with a `title`")
            lines.append(item)
    by_title = {item["title"].casefold(): item for item in lines}
    for a in session.answered:
        c = session.candidates[a.index]
        item = by_title.get(c.title.casefold())
        if item is None:
            item = {"title": c.title, "summary": c.text, "topics": [], "asked": []}
            if c.source:
                item["source"] = c.source
            if c.published is not None:
                item["published"] = c.published.isoformat()
            item["entry"] = c.key
            lines.append(item)
            by_title[c.title.casefold()] = item
        topics = [t for t in item.get("topics", []) if t != topic_name]
        item["topics"] = topics + ([topic_name] if a.belongs else [])
        item["asked"] = [t for t in item.get("asked", []) if t != topic_name] + [topic_name]
    if not path.parent.is_dir():
        raise ColumnistError(f"{path.parent}: no such folder for the labelled set")
    if not path.exists():
        path.write_text("", encoding="utf-8")
    write_atomically(path, "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    return len(session.answered)
