"""Fixtures for the stories tests: the labelled sets, their embeddings, desks on a SQLite file."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine

from columnist.config import Settings
from columnist.records import ParsedEntry
from columnist.store import entries, sources
from columnist.store.db import open_engine, transaction
from columnist.stories.embed import Embedder
from columnist.stories.evaluate import load_event_set
from tests.conftest import desk_settings

DATA = Path(__file__).resolve().parent.parent / "data"
TOPICS_TOML = DATA / "topics_eval.toml"
TOPICS_JSONL = DATA / "topics_eval.jsonl"
EVENTS_JSONL = DATA / "events_eval.jsonl"
WIRES = [{"name": f"Wire {i}", "url": f"/feeds/{i}.xml"} for i in range(3)]


@pytest.fixture(scope="session")
def event_vectors(embedder: Embedder) -> dict[str, np.ndarray]:
    """Real embeddings of the labelled event entries, by title, computed once."""
    entries = load_event_set(EVENTS_JSONL)
    vectors = embedder.embed([e.text for e in entries])
    return {e.title: v for e, v in zip(entries, vectors, strict=True)}


def eval_desk(folder: Path, **tables: object) -> Settings:
    """A desk on a SQLite file in `folder` with the ten evaluation topics and three wires."""
    return desk_settings(folder, TOPICS_TOML.read_text(), sources=WIRES, **tables)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[Settings, Engine]]:
    """The evaluation desk's settings and its store's engine."""
    settings = eval_desk(tmp_path)
    engine = open_engine(settings.database.url)
    yield settings, engine
    engine.dispose()


def add_entries(
    engine: Engine, settings: Settings, items: list[tuple[str, str, datetime, int]]
) -> None:
    """Store (title, text, published, source index) entries as ingest would."""
    with transaction(engine) as conn:
        srcs = sources.sync_sources(conn, settings.sources)
        for title, text, published, src in items:
            key = hashlib.sha256(f"{src}:{title}".encode()).hexdigest()
            entry = ParsedEntry(
                guid=f"{src}:{title}",
                link=f"https://news.example/{key[:16]}",
                title=title,
                summary_html=f"<p>{text}</p>",
                text=text,
                published=published.astimezone(UTC),
            )
            assert entries.add_entry(conn, srcs[src].id, entry, key)
