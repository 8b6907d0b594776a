"""The polling policy: adaptive interval, backoff, Retry-After, and interval config."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from columnist import config
from columnist.errors import ConfigError
from columnist.ingest import schedule

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def every(gap: timedelta, n: int = 8, newest: datetime = NOW) -> list[datetime]:
    return [newest - i * gap for i in range(n)]


def test_interval_follows_the_median_gap() -> None:
    assert schedule.publish_interval(every(timedelta(hours=2)), NOW) == 7200
    # one long gap (a weekend) does not move the median
    dates = every(timedelta(hours=1), 6) + [NOW - timedelta(days=3)]
    assert schedule.publish_interval(dates, NOW) == 3600


def test_interval_is_bounded() -> None:
    assert schedule.publish_interval(every(timedelta(seconds=20)), NOW) == schedule.MIN_INTERVAL
    assert schedule.publish_interval(every(timedelta(days=7)), NOW) == schedule.MAX_INTERVAL


def test_a_feed_gone_quiet_is_polled_less() -> None:
    hourly_long_ago = every(timedelta(hours=1), newest=NOW - timedelta(hours=10))
    assert schedule.publish_interval(hourly_long_ago, NOW) == 5 * 3600


def test_undated_or_future_entries_give_the_default() -> None:
    assert schedule.publish_interval([None, None], NOW) == schedule.DEFAULT_INTERVAL
    assert schedule.publish_interval([], NOW) == schedule.DEFAULT_INTERVAL
    future = [NOW + timedelta(days=1), NOW + timedelta(days=2)]
    assert schedule.publish_interval(future, NOW) == schedule.DEFAULT_INTERVAL


def test_backoff_doubles_up_to_a_day() -> None:
    assert [schedule.backoff(n) for n in (1, 2, 3, 4)] == [300, 600, 1200, 2400]
    assert schedule.backoff(9) == 76800 and schedule.backoff(10) == schedule.MAX_INTERVAL
    assert schedule.backoff(10_000) == schedule.MAX_INTERVAL


def test_retry_after_wins_over_backoff() -> None:
    assert schedule.due_after_failure(NOW, 1, 7200.0) == NOW + timedelta(hours=2)
    assert schedule.due_after_failure(NOW, 3, None) == NOW + timedelta(minutes=20)
    # "come back at once" still waits a minute: no tight loop against a failing server
    assert schedule.due_after_failure(NOW, 1, 0.0) == NOW + timedelta(seconds=60)
    assert schedule.due_after_success(NOW, 600, 3600.0) == NOW + timedelta(hours=1)
    assert schedule.due_after_success(NOW, 600, None) == NOW + timedelta(minutes=10)


def test_is_due() -> None:
    assert schedule.is_due(None, NOW)
    assert schedule.is_due(NOW, NOW)
    assert not schedule.is_due(NOW + timedelta(seconds=1), NOW)


def _sources(tmp_path: Path, interval: str) -> list[config.SourceSettings]:
    path = tmp_path / "columnist.toml"
    path.write_text(f'[[sources]]\nname = "a"\nurl = "a.xml"\ninterval = {interval}\n')
    return config.load(path).sources


@pytest.mark.parametrize(
    ("value", "seconds"),
    [('"30m"', 1800), ('"2h"', 7200), ('"1h30m"', 5400), ('"1d"', 86400), ("900", 900)],
)
def test_interval_config(tmp_path: Path, value: str, seconds: int) -> None:
    assert _sources(tmp_path, value)[0].interval == seconds


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ('"soon"', 'must be seconds or a duration such as "30m"'),
        ('"30 minutes"', "must be seconds or a duration"),
        ("10", "must be at least 60 seconds"),
        ("true", "must be int or str"),
    ],
)
def test_bad_interval_names_the_key(tmp_path: Path, value: str, needle: str) -> None:
    with pytest.raises(ConfigError, match="`sources\\[0\\].interval`") as info:
        _sources(tmp_path, value)
    assert needle in str(info.value)


def test_full_text_must_be_a_boolean(tmp_path: Path) -> None:
    path = tmp_path / "columnist.toml"
    path.write_text('[[sources]]\nurl = "a.xml"\nfull_text = "yes"\n')
    with pytest.raises(ConfigError, match="`sources\\[0\\].full_text` must be bool"):
        config.load(path)
