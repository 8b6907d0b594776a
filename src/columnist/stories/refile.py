"""`columnist topics refile`: file the stored stories again under the topics as they are now.

`assign` files a story when an entry joins it, so a topic tuned, narrowed or added later
changes only the stories that grow afterwards: the wrong stories a desk tuned a topic
to refuse stay on its page, and may still be written. Refiling runs the very filing
`assign` runs (the sum of a story's vectors, its entries' phrase hits and names, the
model check when one is configured) over the stories seen since a date. The sum is taken
from the entries again, and the stored centroid set to it where it differs.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import Engine, select

from columnist.config import Settings
from columnist.store import stories as story_store
from columnist.store import tasks as store_tasks
from columnist.store import topic_choices
from columnist.store.db import transaction
from columnist.store.posts import topics_by_story
from columnist.store.schema import entries
from columnist.stories.cluster import OpenStory
from columnist.stories.embed import DIM, Embedder, from_bytes, shared_embedder
from columnist.stories.stage import (
    AssignPages,
    load_stories,
    make_assigner,
    new_index,
    story_state,
    topic_check,
)
from columnist.stories.topics import TopicAssigner

if TYPE_CHECKING:
    from columnist.stories.topic_check import ModelCheck

CHUNK = 256  # stories filed (and put to the check) per transaction
ALL_STORIES = datetime.min.replace(tzinfo=UTC)  # `since` for every stored story


@dataclass(frozen=True, slots=True)
class Refiled:
    """A story whose topics changed."""

    story_id: int
    title: str
    before: tuple[str, ...]  # topic slugs
    after: tuple[str, ...]


@dataclass(slots=True)
class RefileReport:
    stories: int = 0  # stories looked at
    repaired: int = 0  # stored centroids that were not the sum of the entries' vectors
    changed: list[Refiled] = field(default_factory=list)
    dry_run: bool = False
    checked: int = 0  # questions put to the writing model
    check_seconds: float = 0.0
    seconds: float = 0.0

    def moves(self) -> tuple[Counter[str], Counter[str]]:
        """Stories each topic gains and loses."""
        gained: Counter[str] = Counter()
        lost: Counter[str] = Counter()
        for r in self.changed:
            gained.update(set(r.after) - set(r.before))
            lost.update(set(r.before) - set(r.after))
        return gained, lost

    def summary(self) -> str:
        verb = "would change" if self.dry_run else "changed"
        gained, lost = self.moves()
        per = ", ".join(
            f"{slug} +{gained[slug]} -{lost[slug]}" for slug in sorted(set(gained) | set(lost))
        )
        asked = (
            f"; topic check: {self.checked} questions in {self.check_seconds:.1f}s"
            if self.checked
            else ""
        )
        repaired = (
            f"; {self.repaired} stored centroids {'would be ' if self.dry_run else ''}"
            "set again from the entries"
            if self.repaired
            else ""
        )
        return (
            f"refile: {len(self.changed)} of {self.stories} stories {verb} topics"
            f"{f' ({per})' if per else ''} in {self.seconds:.1f}s{asked}{repaired}"
        )


def run_refile(
    engine: Engine,
    settings: Settings,
    since: datetime,
    *,
    dry_run: bool = False,
    embedder: Embedder | None = None,
    check: ModelCheck | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RefileReport:
    """File every story last seen at or after `since` as `assign` would now; store the
    topics that changed unless `dry_run`."""
    started = time.perf_counter()
    report = RefileReport(dry_run=dry_run)
    embedder = embedder or shared_embedder()
    assigner = make_assigner(settings, embedder)
    with engine.connect() as conn:
        ids = story_store.ids_since(conn, since)
    report.stories = len(ids)
    own = check is None  # a check made here is closed here
    check = check or (topic_check(settings) if ids else None)
    try:
        thresholds = {t.slug: assigner.threshold_of(t) for t in settings.topics}
        refiler = _Refiler(engine, settings, embedder, assigner, check, thresholds, report)
        for start in range(0, len(ids), CHUNK):  # memory: a chunk's stories, not history
            refiler.chunk(ids[start : start + CHUNK])
            if progress:
                progress(min(start + CHUNK, len(ids)), len(ids))
        if check is not None:
            report.checked, report.check_seconds = check.asked, check.seconds
    finally:
        if own and check is not None:
            check.backend.close()
    if since <= ALL_STORIES and not dry_run:  # what migration 0014 left to do is done
        with transaction(engine) as conn:
            store_tasks.finish(conn, store_tasks.REFILE)
    report.seconds = time.perf_counter() - started
    return report


@dataclass(slots=True)
class _Refiler:
    """What filing the chunks again needs, kept across them."""

    engine: Engine
    settings: Settings
    embedder: Embedder
    assigner: TopicAssigner
    check: ModelCheck | None
    thresholds: dict[str, float]  # topic slug -> its filing threshold, for the check
    report: RefileReport

    def chunk(self, ids: list[int]) -> None:
        """File one chunk of stories again, in one transaction."""
        with self.engine.connect() as conn:
            records = story_store.by_ids(conn, ids)
            sums = member_sums(conn, ids)
            index = load_stories(conn, new_index(self.settings), self.assigner, records, sums)
            filed = topics_by_story(conn, ids)
            before = {sid: set(filed.get(sid, ())) for sid in ids}
            leads = story_store.leads(conn, ids)
        stored = {r.id: r.centroid for r in records}
        stories = [s for s in index.stories if s.id is not None]
        repair = [s for s in stories if s.id in sums and not _same(stored[s.id], sums[s.id])]
        pages = AssignPages(
            self.engine, self.embedder, self.assigner, index, self.check, self.thresholds
        )
        found = pages.topics({s: leads.get(s.id, "") for s in stories})
        changed = _changes(stories, found, before)
        self.report.repaired += len(repair)
        self.report.changed += changed
        moved = {r.story_id for r in changed}
        with transaction(self.engine) as conn:
            if self.check is not None:
                topic_choices.save(conn, self.check.take_unsaved())
            if not self.report.dry_run:
                story_store.update_many(conn, [story_state(index, s) for s in repair])
                story_store.set_topics_many(
                    conn,
                    {
                        s.id: [(m.slug, m.score, m.rule) for m in found[s]]
                        for s in stories
                        if s.id in moved
                    },
                )


def member_sums(conn, story_ids: list[int]) -> dict[int, np.ndarray]:
    """Each story's sum of its entries' stored vectors: what its centroid must be. A store
    written before 35eceb9 may hold another story's sum, or zeros, for a story that aged
    out in the middle of an `assign` page."""
    sums: dict[int, np.ndarray] = {}
    for start in range(0, len(story_ids), 500):
        q = select(entries.c.story_id, entries.c.embedding).where(
            entries.c.story_id.in_(story_ids[start : start + 500]),
            entries.c.embedding.is_not(None),
        )
        for sid, blob in conn.execute(q):
            if len(blob) == DIM * 4:
                vector = from_bytes(blob).astype(np.float32)
                sums[sid] = sums[sid] + vector if sid in sums else vector
    return sums


def _same(centroid: bytes | None, total: np.ndarray) -> bool:
    """Whether a stored centroid is (to float rounding) the entries' sum."""
    if centroid is None or len(centroid) != DIM * 4:
        return False
    return bool(np.allclose(from_bytes(centroid), total, atol=1e-4))


def _changes(chunk: list[OpenStory], found: dict, before: dict[int, set[str]]) -> list[Refiled]:
    """The stories of `chunk` (all stored: an id each) whose topics `found` changes."""
    out = []
    for s in chunk:
        after = {m.slug for m in found[s]}
        if after != before[s.id]:
            out.append(Refiled(s.id, s.title, tuple(sorted(before[s.id])), tuple(sorted(after))))
    return out
