"""`columnist topics refile`: file the stored stories again under the topics as they are now.

`assign` files a story when an entry joins it, so a topic tuned, narrowed or added later
changes only the stories that grow afterwards: the wrong stories a desk tuned a topic
to refuse stay on its page, and may still be written. Refiling runs the very filing
`assign` runs (the stored sum of a story's vectors, its entries' phrase hits and names,
the model check when one is configured) over the stories seen since a date.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from columnist.config import Settings
from columnist.store import stories as story_store
from columnist.store import topic_choices
from columnist.store.db import transaction
from columnist.stories.cluster import OpenStory
from columnist.stories.embed import Embedder, shared_embedder
from columnist.stories.stage import (
    AssignPages,
    load_stories,
    make_assigner,
    new_index,
    topic_check,
)

if TYPE_CHECKING:
    from columnist.stories.topic_check import ModelCheck

CHUNK = 256  # stories filed (and put to the check) per transaction


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
        return (
            f"refile: {len(self.changed)} of {self.stories} stories {verb} topics"
            f"{f' ({per})' if per else ''} in {self.seconds:.1f}s{asked}"
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
        index = load_stories(conn, new_index(settings), assigner, since)
        stories = sorted(index.stories, key=lambda s: s.id or 0)
        ids = [s.id for s in stories if s.id is not None]
        before = story_store.topic_slugs_many(conn, ids)
        leads = story_store.leads(conn, ids)
    report.stories = len(stories)
    own = check is None  # a check made here is closed here
    check = check or (topic_check(settings) if stories else None)
    try:
        thresholds = {t.slug: assigner.threshold_of(t) for t in settings.topics}
        pages = AssignPages(engine, embedder, assigner, index, check, thresholds)
        for start in range(0, len(stories), CHUNK):
            chunk = stories[start : start + CHUNK]
            found = pages.topics({s: leads.get(s.id or 0, "") for s in chunk})
            report.changed += _changes(chunk, found, before)
            with transaction(engine) as conn:
                if check is not None:
                    topic_choices.save(conn, check.take_unsaved())
                if not dry_run:
                    story_store.set_topics_many(
                        conn,
                        {
                            s.id: [(m.slug, m.score, m.rule) for m in found[s]]
                            for s in chunk
                            if s.id is not None and {m.slug for m in found[s]} != before[s.id]
                        },
                    )
            if progress:
                progress(min(start + CHUNK, len(stories)), len(stories))
        if check is not None:
            report.checked, report.check_seconds = check.asked, check.seconds
    finally:
        if own and check is not None:
            check.backend.close()
    report.seconds = time.perf_counter() - started
    return report


def _changes(chunk: list[OpenStory], found: dict, before: dict[int, set[str]]) -> list[Refiled]:
    out = []
    for s in chunk:
        after = {m.slug for m in found[s]}
        if s.id is not None and after != before[s.id]:
            out.append(Refiled(s.id, s.title, tuple(sorted(before[s.id])), tuple(sorted(after))))
    return out
