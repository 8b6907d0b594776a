"""Every store write of an ingest run, made one at a time on one thread.

Fetching and parsing run concurrently, but writes go through one worker thread:
SQLite allows one writer at a time, and a transaction that reads before it writes
can fail at once (SQLITE_BUSY_SNAPSHOT, which no busy timeout waits out) when
another thread committed in between. One writer thread also keeps the event loop
free while a write waits on the disk.

304 answers, most of a poll, are queued and written many to a transaction: whoever
reaches the thread first writes everything queued so far.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from columnist.store import sources as source_store
from columnist.store.db import Engine, transaction
from columnist.store.sources import NotModified

T = TypeVar("T")


class Recorder:
    """Runs store work on its own thread; use as `async with Recorder(engine) as rec`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="columnist-store")
        self._queued: list[NotModified] = []
        self._lock = threading.Lock()

    async def __aenter__(self) -> Recorder:
        return self

    async def __aexit__(self, *exc: object) -> None:
        # A write already running finishes (a unit is committed whole or not at all);
        # writes not yet started were cancelled with the tasks that asked for them.
        await asyncio.to_thread(self._pool.shutdown, wait=True)

    async def call(self, fn: Callable[..., T], *args: object) -> T:
        """Run `fn(*args)` on the store thread and wait for it."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def not_modified(self, item: NotModified) -> None:
        """Record a 304; returns once it (and whatever was queued with it) is committed."""
        with self._lock:
            self._queued.append(item)
        await self.call(self._flush)

    def _flush(self) -> None:
        with self._lock:
            batch, self._queued = self._queued, []
        if batch:
            with transaction(self.engine) as conn:
                source_store.record_not_modified(conn, batch)
