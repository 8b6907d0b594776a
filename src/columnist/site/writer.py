"""Writes pages into the output folder, touching only files whose content changed.

A page is rendered only when its fingerprint differs from the manifest or its file is
missing; a rendered page is written only when its bytes differ from the file on disk
(so mtimes, rsync and CDN caches see no change), and always through a temporary file
and os.replace so a reader never sees half a page.

Rendering runs in the calling thread; the file work runs in a small thread pool. On the
disks this was measured on, creating a file or replacing one costs 0.5-3 ms of waiting
in the kernel (ext4 with online discard), not of CPU, and eight writers in parallel cut
that to about 0.2 ms a file, while the renderer keeps the CPU busy meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from columnist.errors import ColumnistError
from columnist.site.manifest import is_safe_relative, load_manifest, save_manifest
from columnist.site.page import Page

_PROGRESS_STEP = 200
WRITERS = 8  # threads doing file I/O
_IN_FLIGHT = 256  # rendered pages waiting for a writer, at most (bounds memory)


class OutputWriter:
    """One build's writes into `root`; call `write_all` (once or more) then `finish`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.previous = load_manifest(root)
        self.current: dict[str, str] = {}
        self.written: list[str] = []
        self.removed: list[str] = []
        self.unchanged = 0
        self._seen: set[str] = set()
        self._dirs: set[str] = set()
        self._pool: ThreadPoolExecutor | None = None
        self._slots = threading.BoundedSemaphore(_IN_FLIGHT)
        self.rendering = ""  # the page being rendered, for error messages

    def write_all(
        self, pages: Iterable[Page], total: int, progress: Callable[[int, int], None] | None
    ) -> None:
        """Write every page that changed; on any failure keep a manifest that is still true."""
        pending: list[tuple[str, str, Future[bool]]] = []
        try:
            for done, page in enumerate(pages, 1):
                job = self._submit(page)
                if job is not None:
                    pending.append(job)
                if progress is not None and (done % _PROGRESS_STEP == 0 or done == total):
                    progress(done, total)
        except BaseException:
            self._settle(pending, raise_first=False)
            # Pages not reached yet keep their old entries; written ones get their new ones.
            save_manifest(self.root, {**self.previous, **self.current})
            raise
        try:
            self._settle(pending, raise_first=True)
        except BaseException:
            save_manifest(self.root, {**self.previous, **self.current})
            raise

    def _submit(self, page: Page) -> tuple[str, str, Future[bool]] | None:
        path = page.path
        if path in self._seen:
            raise ColumnistError(f"two pages of the site would be written to {path}")
        self._seen.add(path)
        if path not in self.previous and not is_safe_relative(path):  # old ones were checked
            raise ColumnistError(f"refusing to write outside the output folder: {path!r}")
        target = os.path.join(self.root, path)
        if self.previous.get(path) == page.fingerprint and (
            page.verified or os.path.isfile(target)
        ):
            self.current[path] = page.fingerprint
            self.unchanged += 1
            return None
        self.rendering = path
        content = page.render()
        # A lone surrogate from a broken feed must not stop the build: it becomes "?".
        data = content.encode("utf-8", "replace") if isinstance(content, str) else content
        if self._pool is None:
            self._pool = ThreadPoolExecutor(WRITERS, thread_name_prefix="columnist-write")
        self._slots.acquire()
        try:
            future = self._pool.submit(self._store, target, data)
        except BaseException:
            self._slots.release()
            raise
        return path, page.fingerprint, future

    def _settle(self, pending: list[tuple[str, str, Future[bool]]], raise_first: bool) -> None:
        """Wait for the writes; record those that succeeded, in page order."""
        error: BaseException | None = None
        for path, key, future in pending:
            try:
                changed = future.result()
            except BaseException as exc:  # noqa: BLE001 - re-raised below
                error = error or exc
                continue
            self.current[path] = key
            if changed:
                self.written.append(path)
            else:
                self.unchanged += 1
        if error is not None and raise_first:
            raise error

    def _store(self, target: str, data: bytes) -> bool:
        """Write `data` to `target` unless it already holds exactly that; True if written."""
        try:
            if _same_content(target, data):
                return False
            self._replace(target, data)
            return True
        finally:
            self._slots.release()

    def _replace(self, target: str, data: bytes) -> None:
        folder = os.path.dirname(target)
        if folder not in self._dirs:
            os.makedirs(folder, exist_ok=True)
            self._dirs.add(folder)
        tmp = os.path.join(folder, f".{os.path.basename(target)}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def finish(self) -> None:
        """Delete files the last build wrote and this one did not; save the manifest."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        for path in sorted(set(self.previous) - set(self.current)):
            target = os.path.join(self.root, path)
            try:
                os.unlink(target)
            except FileNotFoundError:
                continue
            self.removed.append(path)
            self._remove_empty_parents(os.path.dirname(target))
        if self.current != self.previous or self.written or self.removed:
            save_manifest(self.root, self.current)

    def close(self) -> None:
        """Stop the writer threads (after a failure; `finish` does it on success)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _remove_empty_parents(self, folder: str) -> None:
        root = os.path.normpath(self.root)
        folder = os.path.normpath(folder)
        while folder != root and folder.startswith(root + os.sep):
            try:
                os.rmdir(folder)
            except OSError:  # not empty (or already gone): stop climbing
                return
            folder = os.path.dirname(folder)


def _same_content(target: str, data: bytes) -> bool:
    try:
        if os.path.getsize(target) != len(data):
            return False
        with open(target, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False
