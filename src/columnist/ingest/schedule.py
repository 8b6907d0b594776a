"""When to poll a source next: adaptive intervals, exponential backoff, Retry-After.

Pure functions of times and counts, so the policy is testable without a clock or a
server. The rules, as in Miniflux and other feed readers:

* after a success, wait the source's interval: the configured `interval`, else the
  median gap between its newest entries, stretched for a feed that has gone quiet,
  bounded to MIN_INTERVAL .. MAX_INTERVAL;
* after a failure, wait BACKOFF_BASE x 2^(failures-1), at most MAX_INTERVAL, so a
  broken feed costs little and a briefly broken one is soon tried again;
* when the server says when to come back (Retry-After), come back no sooner.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from statistics import median

MIN_INTERVAL = 5 * 60
MAX_INTERVAL = 24 * 3600
DEFAULT_INTERVAL = 3600  # a feed whose dates tell us nothing
BACKOFF_BASE = 5 * 60
MIN_RETRY = 60  # a failed source is not tried again sooner than this
RECENT_ENTRIES = 10  # how many of the newest entries describe a feed's pace


def _bounded(seconds: float) -> int:
    return int(min(max(seconds, MIN_INTERVAL), MAX_INTERVAL))


def publish_interval(published: Iterable[datetime | None], now: datetime) -> int:
    """Seconds between polls that matches how often a feed publishes.

    The median gap between the newest dated entries is the feed's pace; half the time
    since its newest entry is a floor, so a feed silent for a week is not polled as
    if it still published hourly.
    """
    dates = sorted((d for d in published if d is not None and d <= now), reverse=True)
    dates = dates[:RECENT_ENTRIES]
    if len(dates) < 2:
        return DEFAULT_INTERVAL if not dates else _bounded((now - dates[0]).total_seconds() / 2)
    gaps = [(a - b).total_seconds() for a, b in zip(dates, dates[1:], strict=False)]
    quiet = (now - dates[0]).total_seconds() / 2
    return _bounded(max(median(gaps), quiet))


def backoff(failures: int) -> int:
    """Seconds to wait after `failures` consecutive failures (1 -> 5 min, doubling)."""
    exponent = min(max(failures, 1) - 1, 20)  # 2^20 x 5 min is far past the cap
    return int(min(BACKOFF_BASE * 2**exponent, MAX_INTERVAL))


def due_after_success(now: datetime, interval: int, retry_after: float | None = None) -> datetime:
    """Next poll after a good fetch; a Retry-After on a 2xx/304 pushes it later."""
    wait = max(float(interval), retry_after or 0.0)
    return now + timedelta(seconds=wait)


def due_after_failure(now: datetime, failures: int, retry_after: float | None = None) -> datetime:
    """Next poll after a failed fetch: the server's Retry-After if given, else backoff."""
    wait = retry_after if retry_after is not None else backoff(failures)
    return now + timedelta(seconds=max(wait, MIN_RETRY))


def is_due(next_due: datetime | None, now: datetime) -> bool:
    """A source never fetched, or whose time has come."""
    return next_due is None or next_due <= now
