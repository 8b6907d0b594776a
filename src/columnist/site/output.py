"""Writes pages into the output folder, touching only files whose content changed.

A page is rendered only when its fingerprint differs from the manifest or its file is
missing; a rendered page is written only when its bytes differ from the file on disk
(so mtimes, rsync and CDN caches see no change). A file that exists is replaced through
a temporary file and os.replace, so a reader never sees half of it; a new one is
written in place.

Rendering is pure Python (Jinja and HTML escaping), so one process keeps one core busy.
When many pages are due (a first build, a new theme) and the machine has more cores,
helper processes forked from the build render and write a share each: they inherit the
whole site model, so nothing is sent to them but their share's numbers, and they send
back which files they wrote. The file work runs in a small thread pool in every process:
creating or replacing a file costs 0.5-3 ms of waiting in the kernel on the disks this
was measured on (ext4 with online discard), not of CPU, and eight writers in parallel
cut that to about 0.2 ms a file while the renderer keeps the CPU busy.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path

from jinja2 import TemplateError

from columnist.errors import ColumnistError
from columnist.site.manifest import (
    Group,
    Manifest,
    is_safe_relative,
    load_manifest,
    save_manifest,
)
from columnist.site.pending import Page

_PROGRESS_STEP = 200
WRITERS = 8  # threads doing file I/O, per process
_IN_FLIGHT = 256  # rendered pages waiting for a writer, at most (bounds memory)
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
_REPLACE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)

Progress = Callable[[int, int], None]
Written = tuple[str, str, bool]  # path, fingerprint, bytes changed


def can_fork() -> bool:
    """Forking a process that has loaded the site is safe and cheap on Linux only
    (macOS frameworks may abort in a forked child)."""
    return sys.platform.startswith("linux")


def describe_failure(exc: BaseException, root: Path, page: str) -> str | None:
    """The one-line message for a build failure, or None if it is a bug, not bad input."""
    if isinstance(exc, ColumnistError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{root}: cannot write the site: {exc}"
    if isinstance(exc, TemplateError):  # most likely a theme's template: name it
        where = getattr(exc, "filename", None) or getattr(exc, "name", None)
        line = getattr(exc, "lineno", None)
        if where is None:  # an error while rendering: Jinja's traceback names the template
            where, line = _template_frame(exc)
        at = f"{where}:{line}: " if where and line else f"{where}: " if where else ""
        return f"{at}{exc.message or exc} (while rendering {page})"
    return None


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost template file and line in the traceback of a rendering error."""
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if not name.endswith(".py") and not name.startswith("<"):
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found


class OutputWriter:
    """One build's writes into `root`: `plan` the pages, `write` those due, then `finish`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        last = load_manifest(root)
        self.previous, self.previous_groups = last.files, last.groups
        self.current: dict[str, str] = {}
        self.current_groups: dict[str, Group] = {}
        self.written: list[str] = []
        self.removed: list[str] = []
        self.unchanged = 0
        self._seen: set[str] = set()
        self._dirs: set[str] = set()
        self._pool: ThreadPoolExecutor | None = None
        self._slots = threading.BoundedSemaphore(_IN_FLIGHT)
        self.rendering = ""  # the page being rendered, for error messages

    def plan(self, pages: Iterable[Page]) -> list[Page]:
        """Record the pages that are up to date; return those to render, in order."""
        due = []
        previous, current, seen = self.previous, self.current, self._seen
        root = os.path.join(os.fspath(self.root), "")
        isfile = os.path.isfile
        before = len(current)
        for page in pages:
            path = page.path
            if path in seen:
                raise ColumnistError(f"two pages of the site would be written to {path}")
            seen.add(path)
            known = previous.get(path)
            if known is None and not is_safe_relative(path):  # old ones were checked
                raise ColumnistError(f"refusing to write outside the output folder: {path!r}")
            if known == page.fingerprint and isfile(root + path):
                current[path] = known
            else:
                due.append(page)
        self.unchanged += len(current) - before
        return due

    def keep_group(self, folder: str) -> None:
        """A group of the last build stays as it is (the caller saw its files on disk)."""
        group = self.previous_groups[folder]
        self.current_groups[folder] = group
        self.unchanged += len(group.names)

    def set_group(self, folder: str, key: str, paths: list[str]) -> None:
        """Record `paths`, written by this build as pages, as one group from now on."""
        for path in paths:
            self.current.pop(path, None)
        self.current_groups[folder] = Group(key, [p[len(folder) :] for p in paths])

    def write(
        self,
        due: list[Page],
        progress: Progress | None = None,
        *,
        workers: int = 1,
        started: Callable[[], None] | None = None,
        done: int = 0,
        total: int | None = None,
    ) -> None:
        """Render and write `due` (from `plan`) in `workers` processes: workers - 1 helpers
        are forked (the caller decides when that pays and that `can_fork`).

        `started` runs once the helpers exist and before this process renders: anything
        that starts threads belongs there, as a process with threads is unsafe to fork.
        `done` and `total` place this call's pages in the progress shown.
        """
        total = len(due) + done if total is None else total
        helpers: list[_Helper] = []
        own = due
        if workers > 1:
            own = due[::workers]
            helpers = [_Helper(self, due[k::workers]) for k in range(1, workers)]
        try:
            if started is not None:
                started()
            counted = [done]

            def step(n: int) -> None:
                counted[0] += n
                for helper in helpers:
                    counted[0] += helper.progress()
                if progress is not None:
                    progress(min(counted[0], total), total)

            failure: BaseException | None = None
            try:
                self._write_here(own, step)
            except BaseException as exc:  # noqa: BLE001 - raised below, after the helpers
                failure = exc
            for helper in helpers:
                message = helper.join(self, stop=failure is not None)
                if failure is None and message is not None:
                    failure = ColumnistError(message)
            if progress is not None and failure is None:
                progress(total, total)
        finally:
            for helper in helpers:
                helper.kill()
        if failure is not None:
            self._save_partial()
            raise failure

    def _write_here(self, pages: list[Page], step: Callable[[int], None]) -> None:
        """Render `pages` in this process; on failure keep a manifest that is still true."""
        pending: list[tuple[str, str, Future[bool]]] = []
        try:
            for n, page in enumerate(pages, 1):
                pending.append(self._submit(page))
                if n % _PROGRESS_STEP == 0:
                    step(_PROGRESS_STEP)
            self._settle(pending, raise_first=True)
            step(len(pages) % _PROGRESS_STEP)
        except BaseException:
            self._settle(pending, raise_first=False)
            raise

    def _submit(self, page: Page) -> tuple[str, str, Future[bool]]:
        self.rendering = page.path
        content = page.render()
        # A lone surrogate from a broken feed must not stop the build: it becomes "?".
        data = content.encode("utf-8", "replace") if isinstance(content, str) else content
        if self._pool is None:
            self._pool = ThreadPoolExecutor(WRITERS, thread_name_prefix="columnist-write")
        self._slots.acquire()
        try:
            target = os.path.join(self.root, page.path)
            future = self._pool.submit(self._store, target, data)
        except BaseException:
            self._slots.release()
            raise
        return page.path, page.fingerprint, future

    def _settle(self, pending: list[tuple[str, str, Future[bool]]], raise_first: bool) -> None:
        """Wait for the writes; record those that succeeded, in page order."""
        error: BaseException | None = None
        for path, key, future in pending:
            try:
                changed = future.result()
            except BaseException as exc:  # noqa: BLE001 - re-raised below
                error = error or exc
                continue
            self._record(path, key, changed)
        pending.clear()
        if error is not None and raise_first:
            raise error

    def _record(self, path: str, key: str, changed: bool) -> None:
        self.current[path] = key
        if changed:
            self.written.append(path)
        else:
            self.unchanged += 1

    def _store(self, target: str, data: bytes) -> bool:
        """Write `data` to `target` unless it already holds exactly that; True if written."""
        try:
            if self._create(target, data):
                return True
            if _holds(target, data):
                return False
            self._replace(target, data)
            return True
        finally:
            self._slots.release()

    def _folder(self, target: str) -> str:
        folder = os.path.dirname(target)
        if folder not in self._dirs:
            try:
                os.mkdir(folder)  # the usual case: its parent is there
            except FileExistsError:
                pass
            except FileNotFoundError:
                os.makedirs(folder, exist_ok=True)
            self._dirs.add(folder)
        return folder

    def _create(self, target: str, data: bytes) -> bool:
        """Write a new file in place; False if the file exists.

        File creation costs about half a millisecond of kernel time here, so a new file
        takes the fewest system calls: no temporary file and rename (a file no build has
        listed yet is rendered again and compared by the next build if this one stops
        half way), and no buffered file object (which adds fstat, ioctl and lseek).
        """
        self._folder(target)
        try:
            fd = os.open(target, _CREATE, 0o666)
        except FileExistsError:
            return False
        try:
            _write_all(fd, data)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(target)
            raise
        os.close(fd)
        return True

    def _replace(self, target: str, data: bytes) -> None:
        """An existing file is replaced atomically: a reader sees the old or the new."""
        folder = self._folder(target)
        tmp = os.path.join(folder, f".{os.path.basename(target)}.{os.getpid()}.tmp")
        try:
            fd = os.open(tmp, _REPLACE, 0o666)
            try:
                _write_all(fd, data)
            finally:
                os.close(fd)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _save_partial(self) -> None:
        """After a failure: what was written has its new entry, the rest its old one."""
        save_manifest(
            self.root,
            Manifest(
                {**self.previous, **self.current},
                {**self.previous_groups, **self.current_groups},
            ),
        )

    def _gone(self) -> set[str]:
        """Files of the last build that this one did not write or keep."""
        gone = set(self.previous) - set(self.current)
        made: set[str] = set()  # files of the groups made anew in this build
        for folder, group in self.current_groups.items():
            if self.previous_groups.get(folder) != group:
                made.update(folder + name for name in group.names)
        for folder, group in self.previous_groups.items():
            if self.current_groups.get(folder) != group:
                paths = (folder + name for name in group.names)
                gone.update(p for p in paths if is_safe_relative(p))
        return gone - made - set(self.current)

    def finish(self) -> None:
        """Delete files the last build wrote and this one did not; save the manifest."""
        self.close()
        for path in sorted(self._gone()):
            target = os.path.join(self.root, path)
            try:
                os.unlink(target)
            except FileNotFoundError:
                continue
            self.removed.append(path)
            self._remove_empty_parents(os.path.dirname(target))
        changed = self.current != self.previous or self.current_groups != self.previous_groups
        if changed or self.written or self.removed:
            save_manifest(self.root, Manifest(self.current, self.current_groups))

    def close(self) -> None:
        """Stop the writer threads (`finish` does it on success)."""
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


class _Helper:
    """A forked process rendering and writing a share of the pages.

    It reports ("progress", n) now and then and finally ("done", written, failure).
    """

    def __init__(self, writer: OutputWriter, share: list[Page]) -> None:
        self.share = share
        self._received, sender = multiprocessing.Pipe(duplex=False)
        context = multiprocessing.get_context("fork")
        self.process = context.Process(
            target=_helper_main, args=(writer, share, sender), daemon=True
        )
        self.process.start()
        sender.close()
        self._result: tuple[list[Written], str | None] | None = None

    def progress(self) -> int:
        """Pages rendered since last asked (without waiting)."""
        count = 0
        while self._result is None and self._received.poll():
            count += self._take()
        return count

    def _take(self) -> int:
        try:
            message = self._received.recv()
        except EOFError:
            self._result = ([], f"a build helper process ended early ({self.process.exitcode})")
            return 0
        if message[0] == "progress":
            return message[1]
        self._result = (message[1], message[2])
        return 0

    def join(self, writer: OutputWriter, stop: bool) -> str | None:
        """Wait for the helper (or stop it), record its files; its failure, if any."""
        if stop:
            self.kill()
        while self._result is None:
            self._take()
        written, failure = self._result
        for path, key, changed in written:
            writer._record(path, key, changed)
        self.process.join()
        return failure

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self._received.close()


def _helper_main(writer: OutputWriter, share: list[Page], sender: Connection) -> None:
    """Runs in the forked helper: render and write `share`, report what was written."""
    writer.written, writer.current, writer.unchanged = [], {}, 0
    failure = None
    try:
        writer._write_here(share, lambda n: sender.send(("progress", n)))
    except BaseException as exc:  # noqa: BLE001 - reported to the build process
        failure = describe_failure(exc, writer.root, writer.rendering) or (
            f"rendering {writer.rendering} failed: {type(exc).__name__}: {exc}"
        )
    finally:
        writer.close()
    changed = set(writer.written)
    done = [(path, key, path in changed) for path, key in writer.current.items()]
    sender.send(("done", done, failure))
    sender.close()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _holds(target: str, data: bytes) -> bool:
    """True if the file holds exactly `data` (its size is looked at first)."""
    try:
        if os.path.getsize(target) != len(data):
            return False
        with open(target, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False
