from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import httpx
import pytest

from columnist.config import FetchSettings
from columnist.errors import FetchError
from columnist.ingest.fetch import (
    FetchResult,
    RetryLater,
    check_address_allowed,
    clean_validator,
    fetch_url,
    make_client,
    parse_retry_after,
    read_local,
)
from columnist.ingest.parse import parse_feed
from tests.feedserver import FeedServer

T = TypeVar("T")
FEEDS = Path(__file__).resolve().parent.parent / "data" / "feeds"


def settings(**overrides: object) -> FetchSettings:
    values: dict[str, object] = {"timeout": 5.0, "max_bytes": 1_000_000, "allow_private": True}
    values.update(overrides)
    return FetchSettings(**values)  # type: ignore[arg-type]


def run(make: Callable[[httpx.AsyncClient], Awaitable[T]], s: FetchSettings) -> T:
    async def main() -> T:
        async with make_client(s) as client:
            return await make(client)

    return asyncio.run(main())


def fetch(url: str, s: FetchSettings | None = None, **kwargs: str | None) -> FetchResult:
    s = s or settings()
    return run(lambda client: fetch_url(client, url, s, **kwargs), s)


def fetch_error(url: str, s: FetchSettings | None = None) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(url, s)
    return info.value


# --- plain fetches ---------------------------------------------------------------------


def test_fetch_and_parse_a_feed(feed_server: FeedServer) -> None:
    result = fetch(feed_server.url("/feeds/rss20.xml"))
    assert result.status == 200 and not result.not_modified
    assert result.content == (FEEDS / "rss20.xml").read_bytes()
    assert result.content_type == "application/rss+xml"
    assert result.final_url == feed_server.url("/feeds/rss20.xml")
    assert result.permanent_redirect is False and result.retry_after is None
    feed = parse_feed(result.content, result.final_url, result.content_type)
    assert feed.title == "World & Politics"


def test_relative_links_resolve_against_the_fetched_url(feed_server: FeedServer) -> None:
    result = fetch(feed_server.url("/feeds/jsonfeed10.json"))
    assert result.content is not None
    feed = parse_feed(result.content, result.final_url, result.content_type)
    assert feed.entries[0].link == feed_server.url("/posts/a")


def test_gzip_is_decoded(feed_server: FeedServer) -> None:
    result = fetch(feed_server.url("/gzip/atom10.xml"))
    assert result.content == (FEEDS / "atom10.xml").read_bytes()


def test_sends_user_agent_and_accepts_gzip(feed_server: FeedServer) -> None:
    s = settings(user_agent="columnist-test-agent/9")
    result = fetch(feed_server.url("/echo-headers"), s)
    headers = {k.lower(): v for k, v in json.loads(result.content or b"{}").items()}
    assert headers["user-agent"] == "columnist-test-agent/9"
    assert "gzip" in headers["accept-encoding"]
    assert "application/rss+xml" in headers["accept"]
    assert "if-none-match" not in headers


def test_http_errors_are_one_line(feed_server: FeedServer) -> None:
    assert str(fetch_error(feed_server.url("/status/404"))) == "HTTP 404 Not Found"
    assert str(fetch_error(feed_server.url("/status/500"))) == "HTTP 500 Internal Server Error"
    assert str(fetch_error(feed_server.url("/status/410"))) == "HTTP 410 Gone"


# --- conditional GET -------------------------------------------------------------------


def test_conditional_get(feed_server: FeedServer) -> None:
    ETAG, LAST_MODIFIED = feed_server.etag, feed_server.last_modified  # noqa: N806
    first = fetch(feed_server.url("/conditional"))
    assert first.status == 200 and first.content
    assert first.etag == ETAG and first.last_modified == LAST_MODIFIED

    again = fetch(feed_server.url("/conditional"), etag=first.etag, last_modified=None)
    assert again.status == 304 and again.not_modified and again.content is None
    assert again.etag == ETAG
    path, headers = feed_server.requests[-1]
    assert path == "/conditional" and headers.get("If-None-Match") == ETAG

    by_date = fetch(feed_server.url("/conditional"), last_modified=LAST_MODIFIED)
    assert by_date.not_modified and by_date.last_modified == LAST_MODIFIED

    stale = fetch(feed_server.url("/conditional"), etag='"old"')
    assert stale.status == 200 and not stale.not_modified and stale.content


def test_clean_validator() -> None:
    assert clean_validator(' W/"abc" ') == 'W/"abc"'
    assert clean_validator("bad\r\nX-Injected: 1") is None
    assert clean_validator("x" * 600) is None
    assert clean_validator("") is None and clean_validator(None) is None


# --- rate limiting ---------------------------------------------------------------------


def test_429_retry_after_seconds(feed_server: FeedServer) -> None:
    with pytest.raises(RetryLater) as info:
        fetch(feed_server.url("/status/429?retry_after=120"))
    assert info.value.status == 429 and info.value.retry_after == 120.0
    assert str(info.value) == "HTTP 429 Too Many Requests (retry after 120s)"
    assert isinstance(info.value, FetchError)


def test_503_retry_after_http_date(feed_server: FeedServer) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    with pytest.raises(RetryLater) as info:
        fetch(feed_server.url(f"/status/503?retry_after={quote(when)}"))
    assert info.value.status == 503
    assert info.value.retry_after is not None and 80 <= info.value.retry_after <= 91


def test_503_without_retry_after(feed_server: FeedServer) -> None:
    with pytest.raises(RetryLater) as info:
        fetch(feed_server.url("/status/503"))
    assert info.value.retry_after is None
    assert str(info.value) == "HTTP 503 Service Unavailable"


def test_parse_retry_after() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after("Mon, 01 Jan 2024 00:02:00 GMT", now) == 120.0
    assert parse_retry_after("Sun, 31 Dec 2023 00:00:00 GMT", now) == 0.0  # in the past
    assert parse_retry_after("99999999999") == 7 * 24 * 3600.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-5") is None
    assert parse_retry_after(None) is None


# --- redirects -------------------------------------------------------------------------


def redirect(code: int, to: str) -> str:
    return f"/redirect/{code}?to={quote(to, safe='')}"


@pytest.mark.parametrize(
    ("path", "permanent"),
    [
        (redirect(301, "/feeds/rss20.xml"), True),
        (redirect(308, "/feeds/rss20.xml"), True),
        (redirect(302, "/feeds/rss20.xml"), False),
        (redirect(307, "/feeds/rss20.xml"), False),
        (redirect(301, redirect(308, "/feeds/rss20.xml")), True),
        (redirect(301, redirect(302, "/feeds/rss20.xml")), False),
        (redirect(302, redirect(301, "/feeds/rss20.xml")), False),
    ],
)
def test_redirects(feed_server: FeedServer, path: str, permanent: bool) -> None:
    result = fetch(feed_server.url(path))
    assert result.status == 200
    assert result.final_url == feed_server.url("/feeds/rss20.xml")
    assert result.permanent_redirect is permanent
    assert result.content == (FEEDS / "rss20.xml").read_bytes()


def test_absolute_redirect_and_conditional_headers_follow(feed_server: FeedServer) -> None:
    result = fetch(
        feed_server.url(redirect(301, feed_server.url("/conditional"))), etag=feed_server.etag
    )
    assert result.not_modified and result.permanent_redirect
    assert result.final_url == feed_server.url("/conditional")


def test_redirect_limits(feed_server: FeedServer) -> None:
    assert str(fetch_error(feed_server.url("/loop"))) == "too many redirects (more than 5)"
    five = "/feeds/rss20.xml"
    for _ in range(5):
        five = redirect(302, five)
    assert fetch(feed_server.url(five)).status == 200
    assert "without a Location header" in str(fetch_error(feed_server.url("/no-location")))


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "ftp://example.com/feed", "gopher://127.0.0.1:70/"]
)
def test_redirect_to_other_schemes_is_refused(feed_server: FeedServer, target: str) -> None:
    message = str(fetch_error(feed_server.url(redirect(302, target))))
    assert message.startswith("refused: ") and "only http and https" in message


# --- time and size bounds --------------------------------------------------------------


def test_timeout_on_a_slow_server(feed_server: FeedServer) -> None:
    started = time.monotonic()
    error = fetch_error(feed_server.url("/slow?delay=3"), settings(timeout=0.5))
    assert str(error) == "timed out after 0.5s"
    assert time.monotonic() - started < 2.0


def test_deadline_covers_the_whole_fetch_not_each_read(feed_server: FeedServer) -> None:
    # One byte every 0.1 s never trips a per-read timeout; the total deadline must.
    started = time.monotonic()
    error = fetch_error(feed_server.url("/trickle"), settings(timeout=0.6))
    assert str(error) == "timed out after 0.6s"
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize("length", ["1", "0"])
def test_oversized_body(feed_server: FeedServer, length: str) -> None:
    s = settings(max_bytes=5000)
    error = fetch_error(feed_server.url(f"/big?n=20000&length={length}"), s)
    assert str(error) == "response larger than 5000 bytes"
    assert fetch(feed_server.url("/big?n=5000&length=0"), s).content == b"x" * 5000


def test_oversized_declared_length_is_refused_before_reading(feed_server: FeedServer) -> None:
    started = time.monotonic()
    error = fetch_error(feed_server.url("/big?n=30000000"), settings(max_bytes=5000))
    assert str(error) == "response larger than 5000 bytes"
    assert time.monotonic() - started < 3.0


def test_gzip_bomb_is_capped_on_decoded_size(feed_server: FeedServer) -> None:
    error = fetch_error(feed_server.url("/gzip-bomb?n=5000000"), settings(max_bytes=100_000))
    assert str(error) == "response larger than 100000 bytes"


# --- network errors --------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_refused() -> None:
    assert str(fetch_error(f"http://127.0.0.1:{_free_port()}/feed")) == "connection refused"


def test_name_not_resolved() -> None:
    error = fetch_error("http://no-such-host.invalid/feed", settings(allow_private=False))
    assert str(error) == "name not resolved: no-such-host.invalid"


# --- address policy --------------------------------------------------------------------

REFUSED = "is a private address (set fetch.allow_private = true to allow)"


def test_private_server_refused_without_allow_private(feed_server: FeedServer) -> None:
    error = fetch_error(feed_server.url("/feeds/rss20.xml"), settings(allow_private=False))
    assert str(error) == f"refused: 127.0.0.1 {REFUSED}"
    assert fetch(feed_server.url("/feeds/rss20.xml"), settings(allow_private=True)).status == 200


def test_guarded_client_refuses_at_connect_time(feed_server: FeedServer) -> None:
    # Even a request that skips check_address_allowed cannot reach a private address,
    # so a DNS answer that changes after the check (rebinding) gains nothing.
    s = settings(allow_private=False)
    with pytest.raises(FetchError, match=re.escape(f"refused: 127.0.0.1 {REFUSED}")):
        run(lambda client: client.get(feed_server.url("/feeds/rss20.xml")), s)


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1/", "127.0.0.1"),
        ("http://127.1/", "127.0.0.1"),
        ("http://localhost:8080/feed", "127.0.0.1"),
        ("http://10.1.2.3/", "10.1.2.3"),
        ("http://172.16.5.4/", "172.16.5.4"),
        ("http://192.168.0.1/", "192.168.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://100.64.0.1/", "100.64.0.1"),
        ("http://0.0.0.0/", "0.0.0.0"),
        ("http://224.0.0.1/", "224.0.0.1"),
        ("http://[::1]/", "::1"),
        ("http://[fe80::1]/", "fe80::1"),
        ("http://[fd00::1]/", "fd00::1"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1"),
        ("http://[::ffff:10.0.0.1]/", "::ffff:a00:1"),
        ("http://[64:ff9b::a9fe:a9fe]/", "64:ff9b::a9fe:a9fe"),
        ("https://[2002:c0a8:1::1]/", "2002:c0a8:1::1"),
    ],
)
def test_check_address_refuses_non_public(url: str, address: str) -> None:
    with pytest.raises(FetchError) as info:
        asyncio.run(check_address_allowed(url, allow_private=False))
    assert str(info.value) == f"refused: {address} {REFUSED}"
    asyncio.run(check_address_allowed(url, allow_private=True))  # allowed when asked


@pytest.mark.parametrize(
    "url", ["http://93.184.216.34/feed", "https://[2606:4700:4700::1111]/", "http://8.8.8.8:8080/"]
)
def test_check_address_allows_public(url: str) -> None:
    asyncio.run(check_address_allowed(url, allow_private=False))


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/feed.xml",
        "javascript:alert(1)",
        "data:text/xml,<rss/>",
        "gopher://example.com/",
        "/relative/path",
    ],
)
@pytest.mark.parametrize("allow_private", [False, True])
def test_non_http_schemes_are_refused(url: str, allow_private: bool) -> None:
    with pytest.raises(FetchError, match=r"^refused: .* URLs are not fetched"):
        asyncio.run(check_address_allowed(url, allow_private=allow_private))
    with pytest.raises(FetchError, match=r"^refused: "):
        fetch(url, settings(allow_private=allow_private))


# --- local files -----------------------------------------------------------------------


def test_read_local(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(b"<rss/>" * 10)
    assert read_local(str(feed), 1024) == b"<rss/>" * 10
    assert read_local(f"file://{feed}", 1024) == b"<rss/>" * 10

    with pytest.raises(FetchError, match="file larger than 20 bytes"):
        read_local(str(feed), 20)
    with pytest.raises(FetchError, match="file not found"):
        read_local(str(tmp_path / "missing.xml"), 1024)
    with pytest.raises(FetchError, match="not a regular file"):
        read_local(str(tmp_path), 1024)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(FetchError, match="not a regular file"):
        read_local(str(fifo), 1024)  # must not block waiting for a writer


# --- connection reuse ------------------------------------------------------------------


class _KeepAlive(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive: 304 to a matching ETag, an error page otherwise."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def setup(self) -> None:
        super().setup()
        self.server.connections += 1  # type: ignore[attr-defined]

    def do_GET(self) -> None:  # noqa: N802
        if self.headers.get("If-None-Match") == '"same"':
            self.send_response(304)
            self.send_header("ETag", '"same"')
            self.end_headers()
            return
        body = b"<html>gone</html>"
        self.send_response(410)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_unread_bodies_do_not_cost_a_connection_each() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _KeepAlive)
    server.daemon_threads = True
    server.connections = 0  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/feed"
    s = settings()

    async def polls(client: httpx.AsyncClient) -> list[str]:
        outcomes = []
        for _ in range(3):
            result = await fetch_url(client, url, s, etag='"same"')
            outcomes.append("304" if result.not_modified else "200")
            with pytest.raises(FetchError, match="HTTP 410"):
                await fetch_url(client, url, s)
        return outcomes

    try:
        assert run(polls, s) == ["304", "304", "304"]
        assert server.connections == 1  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
