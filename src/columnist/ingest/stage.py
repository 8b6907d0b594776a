"""The `ingest` stage: fetch sources, parse them, store entries not seen before.

Each source is its own task: fetch (bounded by fetch.concurrency), parse off the
event loop, optionally fetch full articles, then commit its new entries with its
fetch state and next due time in one transaction. Sources are reported in the order
they finish, so a slow or broken source costs only itself, and a run that is stopped
or killed loses nothing already committed.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from columnist.config import Settings, SourceSettings
from columnist.errors import ColumnistError
from columnist.ingest import schedule
from columnist.ingest.fetch import FetchResult, RetryLater, fetch_url, make_client, read_local
from columnist.ingest.fulltext import MAX_ARTICLES_PER_FEED, fetch_article
from columnist.ingest.images import fetch_image
from columnist.ingest.normalise import content_hash
from columnist.ingest.parse import parse_feed
from columnist.ingest.recorder import Recorder
from columnist.records import EntryImage, ParsedEntry, ParsedFeed
from columnist.stages import Report
from columnist.store import entries as entry_store
from columnist.store import images as image_store
from columnist.store import sources as source_store
from columnist.store.db import Engine, transaction
from columnist.store.entries import Added
from columnist.store.sources import NotModified, SourceState

STOP_POLL_S = 0.25  # how often a running ingest checks whether it was asked to stop
MAX_IMAGES_PER_FEED = 50  # new entries per poll whose images are fetched


# Why read entries were not stored, as the run summary words it (fields of Added).
SKIP_REASONS = (
    ("other_source", "already stored from another source"),
    ("stored_before", "already stored from the same source"),
    ("repeated", "repeated within their feed"),
)


@dataclass(slots=True)
class SourceOutcome:
    name: str
    read: int = 0  # entries parsed from the feed
    added: Added = field(default_factory=Added)  # how many were new, why the rest were not
    not_modified: bool = False
    error: str | None = None
    full_text: int = 0  # new entries whose text came from the linked article
    next_due: datetime | None = None
    images: int = 0  # new entries with a picture
    image_errors: list[str] = field(default_factory=list)  # images refused, one line each

    @property
    def new(self) -> int:
        return self.added.new

    @property
    def seen(self) -> int:
        """Entries read but not stored, whatever the reason."""
        return self.added.skipped

    @property
    def empty(self) -> bool:
        """Fetched and parsed, but the feed holds no items: worth saying, not a failure."""
        return not (self.read or self.not_modified or self.error)


@dataclass(slots=True)
class IngestReport(Report):
    outcomes: list[SourceOutcome] = field(default_factory=list)
    not_due: int = 0  # sources skipped because their time had not come
    stopped: bool = False  # asked to stop before every source was done
    due_only: bool = False  # only the sources whose time had come were fetched
    seconds: float = 0.0

    @property
    def new(self) -> int:
        return sum(o.new for o in self.outcomes)

    @property
    def read(self) -> int:
        return sum(o.read for o in self.outcomes)

    @property
    def errors(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.error]

    @property
    def empty(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.empty]

    def read_note(self) -> str:
        """'573 read, 483 skipped: already stored from another source': what became of
        the entries that were not new, so a low count of new ones explains itself."""
        if not self.read:
            return ""
        counts = [
            (sum(getattr(o.added, name) for o in self.outcomes), words)
            for name, words in SKIP_REASONS
        ]
        counts = [(n, words) for n, words in counts if n]
        skipped = sum(n for n, _ in counts)
        if not skipped:
            return f"{self.read} read"
        if len(counts) == 1:
            return f"{self.read} read, {skipped} skipped: {counts[0][1]}"
        reasons = ", ".join(f"{n} {words}" for n, words in counts)
        return f"{self.read} read, {skipped} skipped: {reasons}"

    def warnings(self) -> list[str]:
        failed = [f"source {o.name!r}: {o.error}" for o in self.errors]
        return failed + [f"source {o.name!r}: {e}" for o in self.outcomes for e in o.image_errors]

    def notes(self) -> list[str]:
        return [f"source {o.name!r}: no items" for o in self.empty]

    def summary(self, brief: bool = False) -> str:
        read = f"{self.read_note()}; " if self.read else ""
        failed = f"{len(self.errors)} failed"
        sources = f"{len(self.outcomes)} sources"
        if brief:
            due = (" due", f", {self.not_due} not due") if self.due_only else ("", "")
            return (
                f"ingest: {self.new} new entries from {sources}{due[0]} "
                f"({read}{failed}{due[1]}){self.stopped_note()}"
            )
        full = sum(o.full_text for o in self.outcomes)
        articles = f", {full} with the full article" if full else ""
        pictures = sum(o.images for o in self.outcomes)
        articles += f", {pictures} with a picture" if pictures else ""
        not_due = f", {self.not_due} not due" if self.due_only else ""
        return (
            f"ingest: {self.new} new entries{articles} from {sources} ({read}{failed}"
            f"{not_due}) in {self.seconds:.1f}s{self.stopped_note()}"
        )

    def fatal(self) -> str | None:
        if self.outcomes and len(self.errors) == len(self.outcomes):
            return "no source could be read"
        return None


@dataclass(slots=True)
class _Run:
    """What every source task of one run shares."""

    engine: Engine
    settings: Settings
    client: httpx.AsyncClient
    recorder: Recorder
    configured: dict[str, SourceSettings]
    feed_slots: asyncio.Semaphore
    article_slots: asyncio.Semaphore


@dataclass(slots=True)
class _Item:
    """A parsed entry and the hash of its feed text (kept when full text replaces it,
    so the same entry dedupes alike whether or not extraction worked)."""

    entry: ParsedEntry
    hash: str
    image: EntryImage | None = None


def is_remote(url: str) -> bool:
    return bool(re.match(r"^https?://", url))


async def _fetch(run: _Run, source: SourceState) -> FetchResult | bytes:
    fetch = run.settings.fetch
    async with run.feed_slots:
        if not is_remote(source.url):
            return await asyncio.to_thread(read_local, source.url, fetch.max_bytes)
        return await fetch_url(
            run.client, source.url, fetch, etag=source.etag, last_modified=source.last_modified
        )


def _interval(run: _Run, source: SourceState, feed: ParsedFeed | None, now: datetime) -> int:
    override = run.configured[source.name].interval
    if override:
        return override
    if feed is None:  # a 304: the feed's pace has not changed
        return source.interval_s or schedule.DEFAULT_INTERVAL
    return schedule.publish_interval([e.published for e in feed.entries], now)


def _store_feed(
    run: _Run,
    source: SourceState,
    items: list[_Item],
    result: FetchResult | None,
    outcome: SourceOutcome,
    interval: int,
) -> None:
    """One transaction: the source's new entries and its fetch state."""
    now = datetime.now(UTC)
    outcome.next_due = schedule.due_after_success(now, interval, result and result.retry_after)
    with transaction(run.engine) as conn:
        outcome.read = len(items)
        outcome.added = entry_store.add_entries(
            conn, source.id, [(item.entry, item.hash) for item in items], now
        )
        for item in items:
            if item.image is not None:
                key = entry_store.dedupe_key(source.id, item.entry, item.hash)
                outcome.images += image_store.add_image(conn, key, item.image, now)
        source_store.record_success(
            conn,
            source.id,
            etag=(result.etag or source.etag) if result else None,
            last_modified=(result.last_modified or source.last_modified) if result else None,
            url=result.final_url if result and result.permanent_redirect else None,
            next_due=outcome.next_due,
            interval_s=interval,
            now=now,
        )


def _record_error(
    run: _Run, source: SourceState, error: str, retry_after: float | None, outcome: SourceOutcome
) -> None:
    """A failed source: remember why, and back off (or wait as long as the server asked)."""
    outcome.error = error
    outcome.next_due = schedule.due_after_failure(
        datetime.now(UTC), source.failures + 1, retry_after
    )
    with transaction(run.engine) as conn:
        source_store.record_failure(conn, source.id, error, next_due=outcome.next_due)


def _unknown(run: _Run, source: SourceState, items: list[_Item]) -> list[_Item]:
    with run.engine.connect() as conn:
        return [i for i in items if not entry_store.is_known(conn, source.id, i.entry, i.hash)]


async def _full_text(run: _Run, item: _Item) -> bool:
    """Replace an entry's text with its article's when that says more; the article's
    og:image becomes the entry's last image candidate."""
    if not item.entry.link:
        return False
    async with run.article_slots:
        article = await fetch_article(run.client, item.entry.link, run.settings.fetch)
    if article is None:
        return False
    known = {c.url for c in item.entry.images}
    if article.image is not None and article.image.url not in known:
        item.entry.images.append(article.image)
    if not article.text or len(article.text) <= len(item.entry.text):
        return False
    item.entry.text = article.text
    return True


async def _add_full_text(run: _Run, fresh: list[_Item], outcome: SourceOutcome) -> None:
    wanted = fresh[:MAX_ARTICLES_PER_FEED]
    done = await asyncio.gather(*(_full_text(run, item) for item in wanted))
    outcome.full_text = sum(done)


async def _image(run: _Run, item: _Item, outcome: SourceOutcome) -> None:
    """The first of an entry's candidates that passes the checks; each refusal is noted
    and costs nothing else (the entry is stored without a picture)."""
    site = run.settings.site
    for candidate in item.entry.images:
        try:
            async with run.article_slots:
                item.image = await fetch_image(
                    run.client,
                    candidate,
                    run.settings.fetch,
                    site.image_max_bytes,
                    keep_copy=site.images == "copy",
                )
            return
        except ColumnistError as exc:
            outcome.image_errors.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - one odd image must not fail its feed
            outcome.image_errors.append(
                f"image {candidate.url}: unexpected error ({type(exc).__name__}: {str(exc)[:100]})"
            )


async def _add_images(run: _Run, fresh: list[_Item], outcome: SourceOutcome) -> None:
    wanted = [item for item in fresh if item.entry.images][:MAX_IMAGES_PER_FEED]
    await asyncio.gather(*(_image(run, item, outcome) for item in wanted))


def _parse(got: FetchResult | bytes) -> tuple[ParsedFeed, list[_Item]]:
    result = got if isinstance(got, FetchResult) else None
    content = result.content if result is not None else got
    feed = parse_feed(
        content or b"",
        base_url=result.final_url if result else None,
        content_type=result.content_type if result else None,
    )
    return feed, [_Item(e, content_hash(e.title, e.text)) for e in feed.entries]


async def _after_fetch(
    run: _Run, source: SourceState, got: FetchResult | bytes, outcome: SourceOutcome
) -> None:
    result = got if isinstance(got, FetchResult) else None
    now = datetime.now(UTC)
    if result is not None and result.not_modified:
        outcome.not_modified = True
        interval = _interval(run, source, None, now)
        if result.permanent_redirect:  # rare: the feed moved and is unchanged
            await run.recorder.call(_store_feed, run, source, [], result, outcome, interval)
            return
        outcome.next_due = schedule.due_after_success(now, interval, result.retry_after)
        await run.recorder.not_modified(
            NotModified(source.id, result.etag, result.last_modified, outcome.next_due)
        )
        return
    # parsing is CPU work: off the loop, so fetches in flight go on
    feed, items = await asyncio.to_thread(_parse, got)
    full_text = run.configured[source.name].full_text
    pictures = run.settings.site.images != "off"
    if full_text or (pictures and any(item.entry.images for item in items)):
        fresh = await run.recorder.call(_unknown, run, source, items)
        if full_text:
            await _add_full_text(run, fresh, outcome)
        if pictures:
            await _add_images(run, fresh, outcome)
    interval = _interval(run, source, feed, now)
    await run.recorder.call(_store_feed, run, source, items, result, outcome, interval)


async def _poll(run: _Run, source: SourceState) -> SourceOutcome:
    """Fetch, parse and store one source; every failure is recorded against it."""
    outcome = SourceOutcome(source.name)
    try:
        await _after_fetch(run, source, await _fetch(run, source), outcome)
    except ColumnistError as exc:
        retry_after = exc.retry_after if isinstance(exc, RetryLater) else None
        await run.recorder.call(_record_error, run, source, str(exc), retry_after, outcome)
    except Exception as exc:  # noqa: BLE001
        # A feed that trips a library bug is that feed's failure, not the run's; if
        # the store itself is failing, recording this fails too and ends the run.
        error = f"unexpected error ({type(exc).__name__}: {str(exc)[:150]})"
        await run.recorder.call(_record_error, run, source, error, None, outcome)
    return outcome


async def _collect(
    tasks: list[asyncio.Task[SourceOutcome]],
    report: IngestReport,
    progress: Callable[[int, int], None] | None,
    should_stop: Callable[[], bool] | None,
) -> None:
    """Report sources as they finish; on a stop request, give up on the rest.

    Finished tasks arrive through a queue (asyncio.wait over a thousand pending tasks
    would re-register every one of them on each call).
    """
    finished: asyncio.Queue[asyncio.Task[SourceOutcome]] = asyncio.Queue()
    for task in tasks:
        task.add_done_callback(finished.put_nowait)
    while len(report.outcomes) < len(tasks):
        if should_stop is not None and should_stop():
            report.stopped = True
            return
        try:
            task = await asyncio.wait_for(
                finished.get(), STOP_POLL_S if should_stop is not None else None
            )
        except TimeoutError:
            continue
        report.outcomes.append(task.result())
        if progress:
            progress(len(report.outcomes), len(tasks))


async def _ingest_all(
    engine: Engine,
    settings: Settings,
    states: list[SourceState],
    progress: Callable[[int, int], None] | None,
    should_stop: Callable[[], bool] | None,
    report: IngestReport,
) -> IngestReport:
    async with make_client(settings.fetch) as client, Recorder(engine) as recorder:
        run = _Run(
            engine=engine,
            settings=settings,
            client=client,
            recorder=recorder,
            configured={s.name: s for s in settings.sources},
            feed_slots=asyncio.Semaphore(settings.fetch.concurrency),
            article_slots=asyncio.Semaphore(settings.fetch.concurrency),
        )
        tasks = [asyncio.create_task(_poll(run, s)) for s in states]
        try:
            await _collect(tasks, report, progress, should_stop)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    return report


def run_ingest(
    engine: Engine,
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    *,
    due_only: bool = False,
) -> IngestReport:
    """Fetch every configured source (only those due, with `due_only`).

    `should_stop` is polled while sources are in flight: once it returns True, no
    further source is started or stored, and the report says `stopped`.
    """
    with transaction(engine) as conn:
        states = source_store.sync_sources(conn, settings.sources)
    report = IngestReport(due_only=due_only)
    if due_only:
        now = datetime.now(UTC)
        due = [s for s in states if schedule.is_due(s.next_due, now)]
        report.not_due = len(states) - len(due)
        states = due
    if not states:
        return report
    return asyncio.run(_ingest_all(engine, settings, states, progress, should_stop, report))
