"""The `assign` stage: embed new entries, group them into stories, file stories.

Entries are read a page at a time in publication order, so memory holds one page and
the stories open in the time window, never the whole backlog or history. Each page
(embeddings, story membership, story figures, topics of the stories it touched) is one
transaction, so a killed run resumes at the next unclustered entry.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from columnist.config import Settings
from columnist.records import StoryRecord
from columnist.stages import Report
from columnist.store import entries as entry_store
from columnist.store import stories as story_store
from columnist.store import tasks as store_tasks
from columnist.store import topic_choices
from columnist.store.db import Engine, transaction
from columnist.store.stories import PendingEntry, StoryState
from columnist.stories.cluster import OpenStory, StoryIndex
from columnist.stories.embed import DIM, Embedder, from_bytes, shared_embedder, to_bytes
from columnist.stories.names import event_names
from columnist.stories.topics import TopicAssigner, TopicMatch

if TYPE_CHECKING:
    from columnist.commentary.backends.base import Backend
    from columnist.stories.topic_check import AboutCheck, ModelCheck, TopicCheck

BATCH = 1024
LEAD_WORDS = 40


@dataclass(slots=True)
class AssignReport(Report):
    entries: int = 0
    new_stories: int = 0
    joined: int = 0
    filed: dict[str, int] = field(default_factory=dict)  # topic slug -> stories filed
    peak_open: int = 0  # most stories held open at once (memory follows this)
    stopped: bool = False  # asked to stop before every entry was placed
    seconds: float = 0.0
    checked: int = 0  # questions put to the writing model (topic_check_band)
    check_seconds: float = 0.0
    refiled: str | None = None  # what the store's pending refile did (migration 0014)

    def notes(self) -> list[str]:
        return [self.refiled] if self.refiled else []

    def summary(self, brief: bool = False) -> str:
        line = f"assign: {self.entries} entries, {self.new_stories} new stories"
        if brief:
            return line + self.stopped_note()
        filed = ", ".join(f"{slug} {n}" for slug, n in sorted(self.filed.items())) or "none"
        checked = (
            f"; topic check: {self.checked} questions in {self.check_seconds:.1f}s "
            f"({self.check_seconds / self.checked:.2f}s each)"
            if self.checked
            else ""
        )
        return (
            f"{line}, {self.joined} joined existing ones; filed: {filed} "
            f"in {self.seconds:.1f}s{checked}{self.stopped_note()}"
        )


def entry_text(title: str, text: str) -> str:
    """Headline plus lead: what tells one event from another."""
    lead = " ".join(text.split()[:LEAD_WORDS])
    return f"{title}. {lead}" if lead else title


@lru_cache(maxsize=4)
def _embedded(embedder: Embedder, texts: tuple[str, ...]) -> np.ndarray:
    return embedder.embed(list(texts))


def make_assigner(settings: Settings, embedder: Embedder) -> TopicAssigner:
    """Topic views are embedded once per process and topic set (a long-lived process
    such as `columnist watch` or a test session runs `assign` many times)."""
    return TopicAssigner(
        settings.topics, settings.stories, lambda texts: _embedded(embedder, tuple(texts))
    )


def story_text(conn, story_id: int) -> str:
    return "\n".join(f"{e.title}\n{e.text}" for e in entry_store.story_entries(conn, story_id))


def unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


def _stored_vector(blob: bytes | None) -> np.ndarray | None:
    """A stored embedding, if there is one of this model's size (re-runs skip the model)."""
    if blob is None or len(blob) != DIM * 4:
        return None
    return from_bytes(blob)


def _vectors(page: list[PendingEntry], embedder: Embedder) -> tuple[np.ndarray, list[bool]]:
    """Embeddings of a page, computing only the missing ones; and which were computed."""
    stored = [_stored_vector(e.embedding) for e in page]
    missing = [i for i, v in enumerate(stored) if v is None]
    out = np.zeros((len(page), DIM), dtype=np.float32)
    if missing:
        computed = embedder.embed([entry_text(page[i].title, page[i].text) for i in missing])
        out[missing] = computed
    for i, v in enumerate(stored):
        if v is not None:
            out[i] = v
    fresh = [v is None for v in stored]
    return out, fresh


def new_index(settings: Settings) -> StoryIndex:
    s = settings.stories
    return StoryIndex(
        timedelta(days=s.window_days),
        s.same_event_threshold,
        name_weight=s.event_name_weight,
        same_source_penalty=s.event_same_source_penalty,
        crowding=s.event_crowding,
        cohesion_gap=s.event_cohesion_gap,
    )


def open_index(conn, settings: Settings, assigner: TopicAssigner, since) -> StoryIndex:
    """The stories still open at `since`, with their phrase hits, names and sources."""
    index = new_index(settings)
    return load_stories(conn, index, assigner, story_store.recent(conn, since - index.window))


def load_stories(
    conn,
    index: StoryIndex,
    assigner: TopicAssigner,
    records: Sequence[StoryRecord],
    totals: Mapping[int, np.ndarray] | None = None,
) -> StoryIndex:
    """Put the stories `records` into `index`, with their phrase hits (of the topics
    configured now), names and sources; a story's sum of vectors from `totals` when given
    there, else its stored centroid."""
    held = [s for s in records if s.centroid is not None and len(s.centroid) == DIM * 4]
    members = story_store.members(conn, [s.id for s in held])
    for s in held:
        hits: set[str] = set()
        names: Counter[str] = Counter()
        sources: Counter[int] = Counter()
        for m in members.get(s.id, []):
            hits |= assigner.text_hits(f"{m.title}\n{m.text}")
            names.update(event_names(m.title, m.text))
            sources[m.source_id] += 1
        story = OpenStory(
            s.id,
            s.entry_count,
            s.first_seen,
            s.last_seen,
            s.title,
            hits=hits,
            names=names,
            sources=sources,
        )
        stored = from_bytes(s.centroid)
        index.add(story, totals.get(s.id, stored) if totals is not None else stored)
    return index


def story_state(index: StoryIndex, story: OpenStory) -> StoryState:
    return StoryState(
        title=story.title,
        first_seen=story.first_seen,
        last_seen=story.last_seen,
        entry_count=story.count,
        centroid=to_bytes(index.total(story)),
        id=story.id,
    )


def topic_check(settings: Settings, backend: Backend | None = None) -> ModelCheck | None:
    """The model check `[stories] topic_check_band` asks for, or None; the writing model
    is loaded only then."""
    band = settings.stories.topic_check_band
    if band <= 0 or not settings.topics:
        return None
    from columnist.commentary.backends import make_backend
    from columnist.stories.topic_check import AboutCheck, TopicCheck

    backend = backend or make_backend(settings.writer)
    if settings.stories.topic_check == "about":
        st = settings.stories
        return AboutCheck(backend, settings.topics, band, st.topic_check_cut, st.topic_check_slope)
    return TopicCheck(backend, settings.topics, band)


def _recall_choices(engine: Engine, check: TopicCheck, titles: list[str]) -> None:
    """The topic check's stored answers for these headlines, so they are not asked again."""
    if titles:
        with engine.connect() as conn:
            check.remember(topic_choices.known(conn, map(check.key, titles)), titles)


def run_assign(
    engine: Engine,
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    *,
    embedder: Embedder | None = None,
    check: ModelCheck | None = None,
) -> AssignReport:
    """Place every unclustered entry in a story and file the stories it touched; a page
    of entries at a time, each page one transaction. `should_stop` is asked between
    pages."""
    report = AssignReport()
    with engine.connect() as conn:
        refile_reason = store_tasks.reason(conn, store_tasks.REFILE)
        total = story_store.count_unclustered(conn)
        first = story_store.unclustered_page(conn, None, 1)
    if not first and refile_reason is None:
        return report
    embedder = embedder or shared_embedder()
    assigner = make_assigner(settings, embedder)
    own = check is None  # a check made here is closed here: write loads its own model
    check = check or topic_check(settings)
    try:
        if refile_reason is not None:  # before the open stories' centroids are read
            report.refiled = refile_all(engine, settings, embedder, check, refile_reason)
        if not first:
            return report
        with engine.connect() as conn:
            index = open_index(conn, settings, assigner, first[0].published)
        thresholds = {t.slug: assigner.threshold_of(t) for t in settings.topics}
        pages = AssignPages(engine, embedder, assigner, index, check, thresholds)
        pages.run(report, total, progress, should_stop)
    finally:
        if own and check is not None:
            check.backend.close()
    return report


def refile_pending(engine: Engine, settings: Settings) -> str | None:
    """The store's pending refile, done for a stage that reads stories' topics without
    filing any (`write` chooses the stories to write by them); the line that says so, or
    None when nothing is pending. Loads the embedder and topic check only when it is."""
    with engine.connect() as conn:
        why = store_tasks.reason(conn, store_tasks.REFILE)
    if why is None:
        return None
    check = topic_check(settings)
    try:
        return refile_all(engine, settings, shared_embedder(), check, why)
    finally:
        if check is not None:
            check.backend.close()


def refile_all(
    engine: Engine, settings: Settings, embedder: Embedder, check: ModelCheck | None, why: str
) -> str:
    """The store's pending refile (migration 0014), done once: every story filed again
    and its centroid taken from its entries; the line that says so."""
    from columnist.stories.refile import ALL_STORIES, run_refile  # refile builds on this module

    done = run_refile(engine, settings, ALL_STORIES, embedder=embedder, check=check)
    return f"{why}; filed again: {done.summary().removeprefix('refile: ')}"


@dataclass(slots=True)
class AssignPages:
    """What placing and filing one page of entries needs, kept across the pages (and
    what `topics refile` needs to file stored stories again)."""

    engine: Engine
    embedder: Embedder
    assigner: TopicAssigner
    index: StoryIndex
    check: ModelCheck | None
    thresholds: dict[str, float]  # topic slug -> its filing threshold, for the check

    def run(
        self,
        report: AssignReport,
        total: int,
        progress: Callable[[int, int], None] | None,
        should_stop: Callable[[], bool] | None,
    ) -> None:
        filed: dict[int, list[str]] = {}  # story id -> its topics after its last page
        after = None
        while True:
            if should_stop is not None and should_stop():
                report.stopped = True
                break
            with self.engine.connect() as conn:
                page = story_store.unclustered_page(conn, after, BATCH)
            if not page:
                break
            after = (page[-1].published, page[-1].id)
            filed.update(self.place(page, report))
            report.entries += len(page)
            if progress:
                progress(report.entries, max(total, report.entries))
        for slugs in filed.values():
            for slug in slugs:
                report.filed[slug] = report.filed.get(slug, 0) + 1
        report.peak_open = self.index.peak_open
        if self.check is not None:
            report.checked, report.check_seconds = self.check.asked, self.check.seconds

    def place(self, page: list[PendingEntry], report: AssignReport) -> dict[int, list[str]]:
        """Put one page's entries into stories and file the stories touched, in one
        transaction; the topics of each touched story."""
        vectors, fresh = _vectors(page, self.embedder)
        placements = self.index.place(
            vectors,
            [e.published for e in page],
            [e.title for e in page],
            [event_names(e.title, e.text) for e in page],
            [e.source_id for e in page],
        )
        touched: dict[OpenStory, str] = {}  # story -> text of its latest entry here
        for entry, placed in zip(page, placements, strict=True):
            placed.story.hits |= self.assigner.text_hits(f"{entry.title}\n{entry.text}")
            touched[placed.story] = entry.text
            report.new_stories += placed.created
            report.joined += not placed.created
        matches = self.topics(touched)  # before the transaction: a model check takes seconds
        with transaction(self.engine) as conn:
            if self.check is not None:
                topic_choices.save(conn, self.check.take_unsaved())
            new = [s for s in touched if s.id is None]
            made = story_store.create_many(conn, [story_state(self.index, s) for s in new])
            for story, sid in zip(new, made, strict=True):
                story.id = sid
            story_store.update_many(
                conn, [story_state(self.index, s) for s in touched if s not in new]
            )
            story_store.attach_many(
                conn,
                [
                    (e.id, p.story.id, to_bytes(v) if is_new else None)
                    for e, p, v, is_new in zip(page, placements, vectors, fresh, strict=True)
                ],
            )
            filings = {s.id: [(m.slug, m.score, m.rule) for m in matches[s]] for s in touched}
            story_store.set_topics_many(conn, filings)
        return {sid: [slug for slug, _, _ in triples] for sid, triples in filings.items()}

    def topics(self, touched: dict[OpenStory, str]) -> dict[OpenStory, list[TopicMatch]]:
        """Each touched story's topic matches, the borderline ones put to the check."""
        check = self.check
        if check is None:
            return {s: self.assigner.assign(unit(self.index.total(s)), s.hits) for s in touched}
        from columnist.stories.topic_check import AboutCheck

        band = check.band if isinstance(check, AboutCheck) else 0.0
        scored = {
            s: self.assigner.assign_near(unit(self.index.total(s)), s.hits, band) for s in touched
        }
        matches = {s: found for s, (found, _) in scored.items()}
        if isinstance(check, AboutCheck):
            near = {s: close for s, (_, close) in scored.items()}
            return self._asked_about(check, touched, near, matches)
        return self._asked_menu(check, touched, matches)

    def _asked_about(
        self,
        check: AboutCheck,
        touched: dict[OpenStory, str],
        near: dict[OpenStory, list[TopicMatch]],
        matches: dict[OpenStory, list[TopicMatch]],
    ) -> dict[OpenStory, list[TopicMatch]]:
        """ "Is this about X?" for every topic near its threshold (`near`), stored answers
        first."""
        keys = [k for s in touched for k in check.questions(near[s], s.title)]
        if keys:
            with self.engine.connect() as conn:
                check.remember(topic_choices.known(conn, keys))
        check.ask_all([(m.slug, s.title, touched[s]) for s in touched for m in near[s]])
        th = self.thresholds
        return {
            s: check.keep(found, near[s], th, s.title, touched[s]) for s, found in matches.items()
        }

    def _asked_menu(
        self,
        check: TopicCheck,
        touched: dict[OpenStory, str],
        matches: dict[OpenStory, list[TopicMatch]],
    ) -> dict[OpenStory, list[TopicMatch]]:
        """Which topic a story just above a threshold is mainly about, stored answers first."""
        thresholds = self.thresholds
        asking = [s.title for s, found in matches.items() if check.asks(found, thresholds, s.title)]
        _recall_choices(self.engine, check, asking)
        return {
            story: check.keep(found, thresholds, story.title, touched[story])
            for story, found in matches.items()
        }
