"""A synchronous client for the Pagefind indexing service (`pagefind --service`).

The `pagefind` package's own Python API is asyncio-based and waits 0.1 s before reading
each reply, so adding ten thousand records one by one takes over fifteen minutes. This
client speaks the same line protocol (base64-encoded JSON messages ended by ","), which
is what the pinned pagefind 1.5.2 binary implements: it sends requests without waiting
and a thread collects the replies. The service runs in its own process, so it indexes
on the second core while the build renders pages on the first.
"""

from __future__ import annotations

import base64
import contextlib
import json
import subprocess
import threading
from pathlib import Path
from typing import Any

from columnist.errors import ColumnistError

PIP_NAME = "pagefind[extended]==1.5.2"


def pagefind_binary() -> Path:
    """The Pagefind executable shipped by the `pagefind-bin*` wheels."""
    try:
        from pagefind.service import get_executable
    except ImportError as exc:
        raise ColumnistError(f"the search index needs Pagefind: pip install '{PIP_NAME}'") from exc
    path = get_executable()
    if path is None or not Path(path).is_file():
        raise ColumnistError(f"the Pagefind binary is missing: pip install '{PIP_NAME}'")
    return Path(path)


class PagefindError(ColumnistError):
    pass


class PagefindService:
    """One `pagefind --service` process; `request` sends, `reply` waits for the answer."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [str(pagefind_binary()), "--service"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._next_id = 0
        self._replies: dict[int, dict[str, Any]] = {}
        self._wanted: set[int] = set()
        self._errors: list[str] = []
        self._arrived = threading.Condition()
        self._closed = False
        self._reader = threading.Thread(target=self._read, name="pagefind-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        stream = self._proc.stdout
        assert stream is not None
        parts: list[bytes] = []
        while True:
            chunk = stream.read1(1 << 20)
            if not chunk:
                break
            pieces = chunk.split(b",")
            for piece in pieces[:-1]:
                parts.append(piece)
                self._deliver(b"".join(parts))
                parts.clear()
            parts.append(pieces[-1])
        with self._arrived:
            self._closed = True
            self._arrived.notify_all()

    def _deliver(self, message: bytes) -> None:
        if not message.strip():
            return
        data = json.loads(base64.b64decode(message))
        message_id = data.get("message_id")
        payload = data.get("payload") or {}
        if message_id is None and payload.get("original_message"):
            message_id = json.loads(payload["original_message"]).get("message_id")
        with self._arrived:
            if message_id in self._wanted:
                self._replies[message_id] = payload
                self._arrived.notify_all()
            elif payload.get("type") == "Error":
                self._errors.append(str(payload.get("message")))

    def request(self, payload: dict[str, Any], *, wanted: bool = True) -> int:
        """Send one request without waiting for it; returns its id for `reply`.

        The reply to a request that is not `wanted` is dropped, unless it is an error.
        """
        self._next_id += 1
        if wanted:
            with self._arrived:
                self._wanted.add(self._next_id)
        message = {"message_id": self._next_id, "payload": payload}
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            stdin.write(base64.b64encode(json.dumps(message).encode("utf-8")) + b",")
        except (BrokenPipeError, ValueError) as exc:
            raise PagefindError("the Pagefind service stopped unexpectedly") from exc
        return self._next_id

    def flush(self) -> None:
        """Send what `request` has buffered."""
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            stdin.flush()
        except (BrokenPipeError, ValueError) as exc:
            raise PagefindError("the Pagefind service stopped unexpectedly") from exc

    def reply(self, message_id: int) -> dict[str, Any]:
        """The answer to request `message_id` (raises if Pagefind reported an error)."""
        self.flush()
        with self._arrived:
            while message_id not in self._replies:
                if self._closed:
                    raise PagefindError("the Pagefind service stopped unexpectedly")
                self._arrived.wait()
            payload = self._replies.pop(message_id)
            self._wanted.discard(message_id)
        if payload.get("type") == "Error":
            raise PagefindError(f"Pagefind: {payload.get('message')}")
        return payload

    def errors(self) -> list[str]:
        """Errors Pagefind reported for requests nobody waited on."""
        with self._arrived:
            return list(self._errors)

    def kill(self) -> None:
        self._proc.kill()

    def close(self) -> None:
        if self._proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError, ValueError):
                self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._reader.join(timeout=5)


def _valid(text: str) -> str:
    """Text Pagefind's JSON reader accepts: a lone surrogate (from a broken feed) -> "?"."""
    return text.encode("utf-8", "replace").decode("utf-8")


class PagefindIndex:
    """One search bundle being built: add records, then take its files."""

    def __init__(self, service: PagefindService, language: str) -> None:
        self.service = service
        self.language = language
        reply = service.reply(service.request({"type": "NewIndex", "config": None}))
        self.index_id = int(reply["index_id"])
        self._asked: int | None = None

    def add(self, url: str, content: str, meta: dict[str, str]) -> None:
        """Queue one record (plain text, not HTML: nothing to parse)."""
        self.service.request(
            {
                "type": "AddRecord",
                "index_id": self.index_id,
                "url": _valid(url),
                "content": _valid(content),
                "language": self.language,
                "meta": {k: _valid(v) for k, v in meta.items()},
                "filters": None,
                "sort": None,
            },
            wanted=False,
        )

    def ask(self) -> None:
        """Ask for the files now (Pagefind builds the bundle when asked), collect later."""
        if self._asked is None:
            self._asked = self.service.request({"type": "GetFiles", "index_id": self.index_id})
            self.service.flush()

    def files(self) -> dict[str, bytes]:
        """Every file of the bundle, path relative to the bundle folder -> bytes.

        The service answers in order, so by the time this reply comes every record added
        before it has been indexed or has reported its error.
        """
        self.ask()
        assert self._asked is not None
        reply = self.service.reply(self._asked)
        errors = self.service.errors()
        if errors:
            raise PagefindError(f"Pagefind could not index a page: {errors[0]}")
        self.service.request({"type": "DeleteIndex", "index_id": self.index_id}, wanted=False)
        return {f["path"]: base64.b64decode(f["content"]) for f in reply["files"]}
