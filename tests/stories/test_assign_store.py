"""The `assign` stage on a real SQLite desk with the real model: stories keep all their
entries and sources, resume across runs, and grow after their post was written."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import numpy as np
from sqlalchemy import select

from columnist.store import entries as entry_store
from columnist.store import posts as post_store
from columnist.store import stories as story_store
from columnist.store.db import open_engine, transaction
from columnist.store.schema import entries as entries_table
from columnist.stories.embed import Embedder, from_bytes, to_bytes
from columnist.stories.evaluate import load_event_set
from columnist.stories.stage import run_assign
from tests.stories.conftest import EVENTS_JSONL, add_entries, eval_desk

EVENTS = ["starship-flight-2026-11-23", "harrow-finch-data-breach", "rafah-aid-surge-2026-11-22"]


def labelled(event: str) -> list:
    return [e for e in load_event_set(EVENTS_JSONL) if e.event == event]


def as_items(entries, first_source: int = 0) -> list:
    return [
        (e.title, e.summary, e.published, (first_source + i) % 3) for i, e in enumerate(entries)
    ]


def story_of(conn, title: str) -> int:
    q = select(entries_table.c.story_id).where(entries_table.c.title == title)
    return conn.execute(q).scalar_one()


def test_entries_become_one_story_per_event_filed_under_its_topics(desk, embedder) -> None:
    settings, engine = desk
    items = [item for event in EVENTS for item in as_items(labelled(event))]
    add_entries(engine, settings, items)
    report = run_assign(engine, settings, embedder=embedder)
    assert report.entries == len(items) and report.new_stories == 3
    with engine.connect() as conn:
        assert story_store.count_unclustered(conn) == 0
        for event, topic in zip(
            EVENTS, ["space-exploration", "cybersecurity", "middle-east"], strict=True
        ):
            titles = [e.title for e in labelled(event)]
            (sid,) = {story_of(conn, t) for t in titles}
            members = entry_store.story_entries(conn, sid)
            assert sorted(m.title for m in members) == sorted(titles)  # all entries kept
            assert len({m.source_name for m in members}) == min(3, len(titles))
            record = story_store.get(conn, sid)
            assert record.entry_count == len(titles) and record.title == titles[0]
            assert topic in story_store.topics_of(conn, sid)
            assert all(m.embedding is not None for m in members)


def test_a_story_that_closes_inside_a_page_keeps_its_topics_and_centroid(
    desk, embedder, event_vectors
) -> None:
    """One page of entries spanning more than the window (a first run over a feed's
    backlog): the stories that age out before the page ends were filed and stored from
    their zeroed, possibly reused, row of the index; they keep their own."""
    settings, engine = desk
    first, *later = EVENTS
    items = as_items(labelled(first))
    for event in later:  # ten days on: the first story closes mid-page
        items += [
            (t, x, when + timedelta(days=10), src) for t, x, when, src in as_items(labelled(event))
        ]
    add_entries(engine, settings, items)
    report = run_assign(engine, settings, embedder=embedder)
    assert report.entries == len(items) and report.new_stories == 3
    with engine.connect() as conn:
        for event, topic in zip(
            EVENTS, ["space-exploration", "cybersecurity", "middle-east"], strict=True
        ):
            titles = [e.title for e in labelled(event)]
            (sid,) = {story_of(conn, t) for t in titles}
            assert topic in story_store.topics_of(conn, sid)
            stored = from_bytes(story_store.get(conn, sid).centroid)
            members = np.sum([event_vectors[t] for t in titles], axis=0)
            assert np.allclose(stored, members, atol=1e-4)


def test_a_run_split_in_two_makes_the_same_stories_as_one_run(
    tmp_path, embedder, event_vectors
) -> None:
    """A killed or later run reloads the open stories and carries on exactly.

    The embeddings are computed once with the real model and stored with the entries,
    which also exercises the stage's reuse of stored embeddings on a re-run."""
    all_entries = sorted(load_event_set(EVENTS_JSONL), key=lambda e: e.published)[:60]
    by_title = {e.title: to_bytes(event_vectors[e.title]) for e in all_entries}
    partitions = []
    model = Recording(embedder)
    for name, cut in (("once", len(all_entries)), ("twice", 23)):
        (tmp_path / name).mkdir()
        settings = eval_desk(tmp_path / name)
        engine = open_engine(settings.database.url)
        for part, first in ((all_entries[:cut], 0), (all_entries[cut:], cut)):
            if not part:
                continue
            add_entries(engine, settings, as_items(part, first))
            with transaction(engine) as conn:
                for e in story_store.unclustered_page(conn, None, 1000):
                    entry_store.set_embedding(conn, e.id, by_title[e.title])
            assert run_assign(engine, settings, embedder=model).entries == len(part)
        with engine.connect() as conn:
            rows = conn.execute(select(entries_table.c.title, entries_table.c.story_id))
            groups: dict[int, set[str]] = defaultdict(set)
            for title, sid in rows:
                groups[sid].add(title)
            partitions.append(sorted(sorted(g) for g in groups.values()))
        engine.dispose()
    assert partitions[0] == partitions[1]
    assert 10 < len(partitions[0]) < 60
    assert not {e.title for e in all_entries} & {t.split(". ")[0] for t in model.seen}


class Recording:
    """The real model, noting what it was asked to embed."""

    def __init__(self, real: Embedder) -> None:
        self.real, self.seen = real, []

    def embed(self, texts):
        self.seen.extend(texts)
        return self.real.embed(texts)


def write_post(engine, story_id: int, sources: int) -> int:
    with transaction(engine) as conn:
        return post_store.insert_post(
            conn,
            post_store.NewPost(
                story_id=story_id,
                title="Starship flies again",
                body="I think this matters.\n\nIt does.",
                excerpt="I think this matters.",
                status="published",
                backend="embedded",
                model="test",
                prompt_version="t",
                checks={},
                source_count=sources,
            ),
        )


def test_a_story_that_grows_after_its_post_shows_the_new_sources(desk, embedder) -> None:
    settings, engine = desk
    starship = labelled(EVENTS[0])
    add_entries(engine, settings, as_items(starship[:2]))
    run_assign(engine, settings, embedder=embedder)
    with engine.connect() as conn:
        sid = story_of(conn, starship[0].title)
        assert [s.id for s in story_store.needing_posts(conn)] == [sid]
    post_id = write_post(engine, sid, sources=2)
    with engine.connect() as conn:
        assert story_store.needing_posts(conn) == []
        assert story_store.needing_posts(conn, rewrite_on_growth=True) == []

    add_entries(engine, settings, as_items(starship[2:], 2))  # later reports arrive
    report = run_assign(engine, settings, embedder=embedder)
    assert report.new_stories == 0 and report.joined == len(starship) - 2
    with engine.connect() as conn:
        assert story_store.get(conn, sid).entry_count == len(starship)
        (view,) = post_store.post_views(conn, settings.topics, status=None)
        assert len(view.sources) == len(starship)  # the post page lists every source
        assert {s.title for s in view.sources} == {e.title for e in starship}
        # rewrite_on_growth = false: the commentary stays as written
        assert story_store.needing_posts(conn) == []
        (again,) = story_store.needing_posts(conn, rewrite_on_growth=True)
        assert again.id == sid and again.post_id == post_id
        slug = view.slug

    with transaction(engine) as conn:
        post_store.replace_post_body(
            conn,
            post_id,
            post_store.NewPost(
                story_id=sid,
                title="ignored",
                body="Now with more sources.\n\nStill I think so.",
                excerpt="Now with more sources.",
                status="published",
                backend="embedded",
                model="test",
                prompt_version="t",
                checks={"rewritten": True},
                source_count=len(starship),
            ),
        )
    with engine.connect() as conn:
        (view,) = post_store.post_views(conn, settings.topics, status=None)
        assert view.slug == slug and view.title == "Starship flies again"
        assert view.body.startswith("Now with more sources.")
        assert story_store.needing_posts(conn, rewrite_on_growth=True) == []


def test_rewrite_on_growth_is_a_setting(tmp_path) -> None:
    assert eval_desk(tmp_path).stories.rewrite_on_growth is False
    assert eval_desk(tmp_path, stories={"rewrite_on_growth": True}).stories.rewrite_on_growth
