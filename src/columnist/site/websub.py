"""WebSub publishing: tell the hub which of the site's feeds this build changed.

For each feed file the build wrote (the output writer lists them), the hub gets
`POST hub.mode=publish&hub.url=<the feed's absolute URL>` (form-encoded), and fetches
the feed itself to push it to subscribers. The pings run together under one deadline
and go through the feed fetcher's client, so its address policy holds for the hub too
(`[fetch] allow_private`). A hub that fails, refuses or hangs costs a one-line warning;
the site is built either way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from columnist.config import FetchSettings
from columnist.errors import FetchError
from columnist.ingest.fetch import check_address_allowed, make_client
from columnist.site.urls import Urls

T = TypeVar("T")
FEED_NAMES = ("feed.xml", "feed.json")
DEADLINE = 10.0  # seconds for all the pings of a build, at most


@dataclass(slots=True)
class PingReport:
    pinged: list[str] = field(default_factory=list)  # feed URLs the hub accepted
    warnings: list[str] = field(default_factory=list)


def changed_feeds(written: list[str], urls: Urls) -> list[str]:
    """The absolute URLs of the feed files among `written` (paths relative to the site)."""
    return [
        urls.absolute(p)
        for p in written
        if p.rsplit("/", 1)[-1] in FEED_NAMES and not p.startswith("static/")
    ]


def ping_hub(hub: str, feeds: list[str], fetch: FetchSettings) -> PingReport:
    """Ping `hub` once for each of `feeds`; never raises for the hub's sake."""
    if not feeds:
        return PingReport()
    timeout = min(DEADLINE, fetch.timeout)
    return _run(_ping_all(hub, feeds, fetch, timeout))


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to the end here, or on a thread when this one has a running loop
    (the admin builds the site from a request handler)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(1, thread_name_prefix="columnist-websub") as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _ping_all(hub: str, feeds: list[str], fetch: FetchSettings, timeout: float) -> PingReport:
    report = PingReport()
    try:
        await asyncio.wait_for(check_address_allowed(hub, fetch.allow_private), timeout)
    except FetchError as exc:
        report.warnings.append(f"site.websub_hub: {hub}: not pinged: {exc}")
        return report
    except TimeoutError:
        report.warnings.append(f"site.websub_hub: {hub}: not pinged: no address in {timeout:g}s")
        return report
    async with make_client(fetch) as client:
        pings = [_ping(client, hub, feed) for feed in feeds]
        try:
            results = await asyncio.wait_for(asyncio.gather(*pings), timeout)
        except TimeoutError:
            report.warnings.append(
                f"site.websub_hub: {hub}: no answer in {timeout:g}s; "
                f"{len(feeds)} changed feed{'s' if len(feeds) != 1 else ''} not announced"
            )
            return report
    for feed, problem in zip(feeds, results, strict=True):
        if problem is None:
            report.pinged.append(feed)
        else:
            report.warnings.append(f"site.websub_hub: {hub}: ping for {feed} failed: {problem}")
    if len(report.warnings) > 1:  # one line is enough when the hub fails for all
        first = report.warnings[0]
        report.warnings = [f"{first} (and {len(report.warnings) - 1} more feeds)"]
    return report


async def _ping(client: httpx.AsyncClient, hub: str, feed: str) -> str | None:
    """None if the hub took the ping (2xx), else why not. The answer's body is not read."""
    form = {"hub.mode": "publish", "hub.url": feed}
    try:
        async with client.stream("POST", hub, data=form) as response:
            status = response.status_code
    except httpx.HTTPError as exc:
        return " ".join(str(exc).split()) or type(exc).__name__
    except FetchError as exc:  # the address guard, at connect time
        return str(exc)
    return None if 200 <= status < 300 else f"HTTP {status}"
