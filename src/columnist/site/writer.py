"""Writes pages into the output folder, touching only files whose content changed.

A page is rendered only when its fingerprint differs from the manifest or its file is
missing; a rendered page is written only when its bytes differ from the file on disk
(so mtimes, rsync and CDN caches see no change), and always through a temporary file
and os.replace so a reader never sees half a page.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from columnist.errors import ColumnistError
from columnist.site.manifest import is_safe_relative, load_manifest, save_manifest
from columnist.site.page import Page

_PROGRESS_STEP = 200


class OutputWriter:
    """One build's writes into `root`; call `write_all` then `finish`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.previous = load_manifest(root)
        self.current: dict[str, str] = {}
        self.written: list[str] = []
        self.removed: list[str] = []
        self.unchanged = 0
        self._dirs: set[str] = set()
        self.rendering = ""  # the page being rendered, for error messages

    def write_all(
        self, pages: Iterable[Page], total: int, progress: Callable[[int, int], None] | None
    ) -> None:
        """Write every page that changed; on any failure keep a manifest that is still true."""
        try:
            for done, page in enumerate(pages, 1):
                self._write(page)
                if progress is not None and (done % _PROGRESS_STEP == 0 or done == total):
                    progress(done, total)
        except BaseException:
            # Pages not reached yet keep their old entries; written ones get their new ones.
            save_manifest(self.root, {**self.previous, **self.current})
            raise

    def _write(self, page: Page) -> None:
        path = page.path
        if path in self.current:
            raise ColumnistError(f"two pages of the site would be written to {path}")
        if path not in self.previous and not is_safe_relative(path):  # old ones were checked
            raise ColumnistError(f"refusing to write outside the output folder: {path!r}")
        target = os.path.join(self.root, path)
        if self.previous.get(path) == page.fingerprint and os.path.isfile(target):
            self.current[path] = page.fingerprint
            self.unchanged += 1
            return
        self.rendering = path
        content = page.render()
        # A lone surrogate from a broken feed must not stop the build: it becomes "?".
        data = content.encode("utf-8", "replace") if isinstance(content, str) else content
        if _same_content(target, data):
            self.unchanged += 1
        else:
            self._replace(target, data)
            self.written.append(path)
        self.current[path] = page.fingerprint

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
