"""A real HTTP server on 127.0.0.1 that serves the fixture feeds and misbehaves on cue:
the `feed_server` fixture (tests/conftest.py offers it to every folder).

Routes (query parameters in brackets):

    /feeds/<file>                  a file from tests/data/feeds
    /articles/<file>               a file from tests/data/articles (article pages)
    /conditional                   ETag + Last-Modified; 304 when either validator matches
    /status/<code>[?retry_after=]  that status, with Retry-After if given
    /redirect/<code>?to=<url>      that redirect status to `to` (may be relative)
    /loop                          redirects to itself forever
    /no-location                   302 without a Location header
    /slow[?delay=]                 sleeps, then serves a feed
    /trickle                       sends one byte every 0.1 s for 5 s
    /big?n=<bytes>[&length=0]      n bytes, with Content-Length unless length=0
    /gzip/<file>                   a fixture feed, gzip-encoded
    /gzip-bomb?n=<bytes>           n zero bytes gzip-encoded (a few KB on the wire)
    /echo-headers                  the request headers as JSON
"""

from __future__ import annotations

import contextlib
import gzip
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

FEEDS = Path(__file__).resolve().parent / "data" / "feeds"
ARTICLES = FEEDS.parent / "articles"
ETAG = '"v1-abc"'
LAST_MODIFIED = format_datetime(datetime(2024, 3, 1, 12, 0, tzinfo=UTC), usegmt=True)

_TYPES = {
    ".xml": "application/rss+xml",
    ".rdf": "application/rdf+xml",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain",
}


class _Handler(BaseHTTPRequestHandler):
    server_version = "columnist-test/1"
    protocol_version = "HTTP/1.0"  # close-delimited bodies, so Content-Length is optional

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.server.requests.append((parts.path, dict(self.headers.items())))  # type: ignore[attr-defined]
        # The client may give up half-way, which several tests make it do.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._route(parts.path, query)

    def _send(
        self,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        length: bool = True,
    ) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _feed(self, name: str, folder: Path = FEEDS) -> None:
        path = folder / name
        if not path.is_file() or path.parent != folder:
            self._send(404, b"not found")
            return
        self._send(200, path.read_bytes(), {"Content-Type": _TYPES.get(path.suffix, "")})

    def _route(self, path: str, query: dict[str, str]) -> None:
        if path.startswith("/feeds/"):
            self._feed(path.removeprefix("/feeds/"))
        elif path.startswith("/articles/"):
            self._feed(path.removeprefix("/articles/"), ARTICLES)
        elif path == "/conditional":
            validators = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
            if (
                self.headers.get("If-None-Match") == ETAG
                or self.headers.get("If-Modified-Since") == LAST_MODIFIED
            ):
                self._send(304, b"", validators, length=False)
            else:
                body = (FEEDS / "rss20.xml").read_bytes()
                self._send(200, body, {**validators, "Content-Type": "application/rss+xml"})
        elif path.startswith("/status/"):
            code = int(path.removeprefix("/status/"))
            headers = {"Retry-After": query["retry_after"]} if "retry_after" in query else {}
            self._send(code, b"status body", headers)
        elif path.startswith("/redirect/"):
            code = int(path.removeprefix("/redirect/"))
            self._send(code, b"", {"Location": query["to"]})
        elif path == "/loop":
            self._send(302, b"", {"Location": "/loop"})
        elif path == "/no-location":
            self._send(302, b"")
        elif path == "/slow":
            time.sleep(float(query.get("delay", "2")))
            self._feed("rss20.xml")
        elif path == "/trickle":
            self._send(200, b"", {"Content-Type": "application/rss+xml"}, length=False)
            for _ in range(50):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.1)
        elif path == "/big":
            body = b"x" * int(query["n"])
            self._send(
                200,
                body,
                {"Content-Type": "application/rss+xml"},
                length=query.get("length") != "0",
            )
        elif path.startswith("/gzip/"):
            body = gzip.compress((FEEDS / path.removeprefix("/gzip/")).read_bytes())
            self._send(200, body, {"Content-Encoding": "gzip", "Content-Type": "text/xml"})
        elif path == "/gzip-bomb":
            body = gzip.compress(b"\0" * int(query["n"]))
            self._send(200, body, {"Content-Encoding": "gzip"})
        elif path == "/echo-headers":
            body = json.dumps(dict(self.headers.items())).encode()
            self._send(200, body, {"Content-Type": "application/json"})
        else:
            self._send(404, b"no such route")


class FeedServer:
    """Handle on the running server: its base URL and the requests it has seen."""

    etag = ETAG
    last_modified = LAST_MODIFIED

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server
        self.base = f"http://127.0.0.1:{server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    @property
    def requests(self) -> list[tuple[str, dict[str, str]]]:
        return self._server.requests  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def feed_server() -> Iterator[FeedServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True  # sleeping handlers must not hold up the end of the run
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, name="feed-server", daemon=True)
    thread.start()
    try:
        yield FeedServer(server)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def feeds_dir() -> Path:
    return FEEDS
