"""The `ingest` stage: fetch every source, parse it, store entries not seen before.

Sources are fetched concurrently (bounded by fetch.concurrency); each source's new
entries and its fetch state are committed together, so a failing or slow source costs
only itself and a killed run loses nothing already stored.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from columnist.config import Settings
from columnist.domain import ParsedFeed
from columnist.errors import ColumnistError
from columnist.ingest.fetch import FetchResult, RetryLater, fetch_url, make_client, read_local
from columnist.ingest.normalise import content_hash
from columnist.ingest.parse import parse_feed
from columnist.store import entries as entry_store
from columnist.store import sources as source_store
from columnist.store.db import transaction
from columnist.store.sources import SourceState


@dataclass(slots=True)
class SourceOutcome:
    name: str
    new: int = 0
    seen: int = 0
    not_modified: bool = False
    error: str | None = None


@dataclass(slots=True)
class IngestReport:
    outcomes: list[SourceOutcome] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(o.new for o in self.outcomes)

    @property
    def errors(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.error]


def is_remote(url: str) -> bool:
    return bool(re.match(r"^https?://", url))


async def _fetch(client, source: SourceState, settings: Settings) -> FetchResult | bytes:
    if not is_remote(source.url):
        return await asyncio.to_thread(read_local, source.url, settings.fetch.max_bytes)
    return await fetch_url(
        client, source.url, settings.fetch, etag=source.etag, last_modified=source.last_modified
    )


def _store_feed(
    engine: Engine,
    source: SourceState,
    feed: ParsedFeed,
    result: FetchResult | None,
    outcome: SourceOutcome,
) -> None:
    with transaction(engine) as conn:
        for entry in feed.entries:
            if entry_store.add_entry(conn, source.id, entry, content_hash(entry.title, entry.text)):
                outcome.new += 1
            else:
                outcome.seen += 1
        _record_ok(conn, source, result)


def _record_ok(conn, source: SourceState, result: FetchResult | None) -> None:
    if result is None:
        source_store.record_success(conn, source.id, etag=None, last_modified=None)
        return
    source_store.record_success(
        conn,
        source.id,
        etag=result.etag or source.etag,
        last_modified=result.last_modified or source.last_modified,
        url=result.final_url if result.permanent_redirect else None,
    )


def _handle(
    engine: Engine, source: SourceState, got: FetchResult | bytes, outcome: SourceOutcome
) -> None:
    result = got if isinstance(got, FetchResult) else None
    if result is not None and result.not_modified:
        outcome.not_modified = True
        with transaction(engine) as conn:
            _record_ok(conn, source, result)
        return
    content = result.content if result is not None else got
    feed = parse_feed(
        content or b"",
        base_url=result.final_url if result else None,
        content_type=result.content_type if result else None,
    )
    _store_feed(engine, source, feed, result, outcome)


def _record_error(
    engine: Engine, source: SourceState, exc: ColumnistError, outcome: SourceOutcome
) -> None:
    """A failed source: remember why, and when a server asked us to come back."""
    outcome.error = str(exc)
    due = None
    if isinstance(exc, RetryLater) and exc.retry_after is not None:
        due = datetime.now(UTC) + timedelta(seconds=exc.retry_after)
    with transaction(engine) as conn:
        source_store.record_failure(conn, source.id, outcome.error, next_due=due)


async def _ingest_all(
    engine: Engine,
    settings: Settings,
    states: list[SourceState],
    progress: Callable[[int, int], None] | None,
) -> IngestReport:
    report = IngestReport()
    limit = asyncio.Semaphore(settings.fetch.concurrency)
    done = 0

    async def one(client, source: SourceState) -> tuple[SourceState, object]:
        async with limit:
            try:
                return source, await _fetch(client, source, settings)
            except ColumnistError as exc:
                return source, exc

    async with make_client(settings.fetch) as client:
        for task in asyncio.as_completed([one(client, s) for s in states]):
            source, got = await task
            outcome = SourceOutcome(source.name)
            try:
                if isinstance(got, ColumnistError):
                    raise got
                # parsing is CPU work: off the loop, so fetches in flight go on
                await asyncio.to_thread(_handle, engine, source, got, outcome)
            except ColumnistError as exc:
                _record_error(engine, source, exc, outcome)
            report.outcomes.append(outcome)
            done += 1
            if progress:
                progress(done, len(states))
    return report


def run_ingest(
    engine: Engine, settings: Settings, progress: Callable[[int, int], None] | None = None
) -> IngestReport:
    with transaction(engine) as conn:
        states = source_store.sync_sources(conn, settings.sources)
    if not states:
        return IngestReport()
    return asyncio.run(_ingest_all(engine, settings, states, progress))
