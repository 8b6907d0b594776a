"""The `assign` stage: embed new entries, group them into stories, file stories.

Work goes in batches; each batch (embeddings, story membership, topics of the stories
it touched) is one transaction, so a killed run resumes at the next unclustered entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from sqlalchemy import Engine

from columnist.config import Settings
from columnist.store import entries as entry_store
from columnist.store import stories as story_store
from columnist.store.db import transaction
from columnist.stories.cluster import OpenStory, StoryIndex
from columnist.stories.embed import Embedder, from_bytes, shared_embedder, to_bytes
from columnist.stories.topics import TopicAssigner, topic_text

BATCH = 64
LEAD_WORDS = 40


@dataclass(slots=True)
class AssignReport:
    entries: int = 0
    new_stories: int = 0
    joined: int = 0
    filed: dict[str, int] = field(default_factory=dict)  # topic slug -> stories filed


def entry_text(title: str, text: str) -> str:
    """Headline plus lead: what tells one event from another."""
    lead = " ".join(text.split()[:LEAD_WORDS])
    return f"{title}. {lead}" if lead else title


def make_assigner(settings: Settings, embedder: Embedder) -> TopicAssigner:
    vectors = embedder.embed([topic_text(t) for t in settings.topics])
    return TopicAssigner(settings.topics, vectors, settings.stories.topic_threshold)


def story_text(conn, story_id: int) -> str:
    return "\n".join(f"{e.title}\n{e.text}" for e in entry_store.story_entries(conn, story_id))


def file_story(conn, assigner: TopicAssigner, story_id: int, total: np.ndarray) -> list[str]:
    vector = total / max(float(np.linalg.norm(total)), 1e-12)
    matches = assigner.assign(vector, story_text(conn, story_id))
    story_store.set_topics(conn, story_id, [(m.slug, m.score, m.rule) for m in matches])
    return [m.slug for m in matches]


def run_assign(
    engine: Engine,
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    embedder: Embedder | None = None,
) -> AssignReport:
    report = AssignReport()
    with engine.connect() as conn:
        pending = entry_store.unclustered(conn)
    if not pending:
        return report
    embedder = embedder or shared_embedder()
    assigner = make_assigner(settings, embedder)
    window = timedelta(days=settings.stories.window_days)
    index = StoryIndex(window, settings.stories.same_event_threshold)
    with engine.connect() as conn:
        for s in story_store.recent(conn, pending[0].published - window):
            if s.centroid is not None:
                index.add(
                    OpenStory(s.id, from_bytes(s.centroid).copy(), s.entry_count, s.last_seen)
                )
    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]
        vectors = embedder.embed([entry_text(e.title, e.text) for e in batch])
        touched: dict[int, OpenStory] = {}
        with transaction(engine) as conn:
            for entry, vector in zip(batch, vectors, strict=True):
                entry_store.set_embedding(conn, entry.id, to_bytes(vector))
                index.evict_before(entry.published)
                story, _ = index.best_match(vector, entry.published)
                if story is None:
                    story_id = story_store.create(
                        conn, entry.title, entry.published, to_bytes(vector)
                    )
                    story = OpenStory(story_id, vector.copy(), 1, entry.published)
                    index.add(story)
                    report.new_stories += 1
                else:
                    index.join(story, vector, entry.published)
                    report.joined += 1
                story_store.attach_entry(
                    conn, story.id, entry.id, entry.published, to_bytes(story.total)
                )
                touched[story.id] = story
            for story in touched.values():
                for slug in file_story(conn, assigner, story.id, story.total):
                    report.filed[slug] = report.filed.get(slug, 0) + 1
        report.entries += len(batch)
        if progress:
            progress(report.entries, len(pending))
    return report
