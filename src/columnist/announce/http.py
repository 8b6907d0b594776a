"""What the webhook and social senders share: one bounded HTTP client, the record of
each attempt, and the answer a delivery ends with.

Targets are the desk's own configuration (its receiver, its account), so they are not
held to `fetch.allow_private`; what a post's page points at (the card image) is, see
`card.py`. Every request has one wall-clock deadline (the target's `timeout`), and a
response body is read only up to MAX_REPLY bytes, so a hanging or flooding receiver
costs at most that.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from columnist.config import Settings

MAX_REPLY = 1_000_000  # bytes of a receiver's answer read at most
Begin = Callable[[], None]  # an attempt starts (counted in the store first)
Log = Callable[[float, int | None, str | None], None]  # (seconds, HTTP status, error)


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a delivery ended this run: sent (with what the service answered), or not
    (and why)."""

    sent: bool
    remote: str | None = None
    error: str | None = None


class Refused(Exception):
    """A request that failed: `status` is the HTTP status, if one came back."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def transient(self) -> bool:
        """Worth trying again soon: no answer, a server error, or "slow down"."""
        return self.status is None or self.status >= 500 or self.status in (408, 429)


def make_client(settings: Settings) -> httpx.AsyncClient:
    """A client for targets: our User-Agent, no redirects, no proxies from the environment."""
    return httpx.AsyncClient(
        headers={"User-Agent": settings.fetch.user_agent},
        follow_redirects=False,
        trust_env=False,
    )


async def request(
    client: httpx.AsyncClient, method: str, url: str, timeout: float, **kwargs: Any
) -> tuple[int, bytes]:
    """(status, body) of one request finished within `timeout` seconds; Refused for a
    non-2xx answer, a timeout, a network error or an oversized reply."""
    try:
        async with asyncio.timeout(timeout):
            async with client.stream(method, url, timeout=timeout, **kwargs) as response:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_REPLY:
                        raise Refused(f"answer larger than {MAX_REPLY} bytes", response.status_code)
    except TimeoutError:
        raise Refused(f"no answer within {timeout:g}s") from None
    except httpx.HTTPError as exc:
        raise Refused(one_line(f"{type(exc).__name__}: {exc}", 300)) from None
    if not 200 <= response.status_code < 300:
        raise Refused(f"HTTP {response.status_code}{_why(bytes(body))}", response.status_code)
    return response.status_code, bytes(body)


def _why(body: bytes) -> str:
    """A service's own reason for refusing (Mastodon `error`, XRPC `message`), if short."""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    why = data.get("message") or data.get("error") or ""
    return f": {one_line(str(why), 200)}" if why else ""


def one_line(text: str, limit: int) -> str:
    """A service's words as one short line (they end up in warnings and the log)."""
    return " ".join(text.split())[:limit]


def parse_json(body: bytes, what: str) -> dict:
    try:
        data = json.loads(body)
    except ValueError:
        raise Refused(f"{what}: the answer is not JSON") from None
    if not isinstance(data, dict):
        raise Refused(f"{what}: the answer is not a JSON object")
    return data


async def logged(
    begin: Begin, log: Log, call: Callable[[], Awaitable[tuple[int, Any]]]
) -> tuple[int, Any]:
    """Run one attempt (`call`, answering (HTTP status, result)), counted before it
    starts and logged after it ends."""
    begin()
    started = time.perf_counter()
    try:
        result = await call()
    except Refused as exc:
        log(time.perf_counter() - started, exc.status, str(exc))
        raise
    log(time.perf_counter() - started, result[0], None)
    return result
