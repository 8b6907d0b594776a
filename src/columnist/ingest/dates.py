"""The dates of feed items: RFC 3339 / ISO 8601, then every format feedparser knows.

Every date comes out as an aware UTC datetime, or None when it is missing, unreadable,
before 1970, or more than FUTURE_SLACK ahead.
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime, timedelta
from typing import Any

from feedparser.datetimes import _parse_date as _feedparser_date

from columnist.ingest.fields import one_line

# Entries dated further ahead than this are mis-dated; they would sit on top forever.
FUTURE_SLACK = timedelta(days=1)


def as_utc(dt: datetime | None) -> datetime | None:
    """Aware UTC datetime, or None for dates before 1970 or more than a day ahead."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        dt = dt.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    if dt.year < 1970 or dt > datetime.now(UTC) + FUTURE_SLACK:
        return None
    return dt


def from_struct(value: Any) -> datetime | None:
    """A time tuple (feedparser's `*_parsed` fields) as `as_utc` gives it, or None."""
    if not isinstance(value, tuple) or len(value) < 6:
        return None
    try:
        return as_utc(datetime(*value[:6], tzinfo=UTC))
    except (TypeError, ValueError, OverflowError):
        return None


def parse_date(value: Any) -> datetime | None:
    """RFC 3339 / ISO 8601 first, then every format feedparser knows; UTC or None."""
    text = one_line(value, 100)
    if not text:
        return None
    iso = text.replace("z", "Z").replace("t", "T") if len(text) >= 10 else text
    try:
        return as_utc(datetime.fromisoformat(iso))
    except ValueError:
        pass
    try:
        parsed = from_struct(_feedparser_date(text))
    except Exception:  # noqa: BLE001 - third-party date handlers raise all sorts
        parsed = None
    if parsed is None:  # RFC 822 without a zone, which feedparser gives up on
        try:
            parsed = as_utc(email.utils.parsedate_to_datetime(text))
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed = None
    return parsed
