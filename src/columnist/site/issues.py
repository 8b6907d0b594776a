"""A digest issue: the posts published in a period, grouped by topic.

An issue is named after the ISO year-week of its period's end ("2026-48"). The site
makes one digest page per ISO week from the published posts (`weekly_issues`), and
`columnist digest` selects a period ending now (`select_issue`); both group the posts
with `make_issue`, so the mail and the page of a week show the same posts the same way.
A post is "published" at its `created` time, the date the site shows for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from columnist.errors import ColumnistError
from columnist.site.model import Entry, SiteModel
from columnist.site.text import human_date, utc
from columnist.site.urls import Urls

OTHER = "More"  # the heading of posts filed under no configured topic
_SINCE = re.compile(r"(\d+)\s*([hdw])")
_SINCE_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_WEEK = re.compile(r"(\d{4})-W?(\d{1,2})")


@dataclass(slots=True)
class Section:
    """One topic's posts in an issue, newest first."""

    name: str
    slug: str  # "" for OTHER
    url: str | None  # the topic's page, absolute
    entries: list[Entry]


@dataclass(slots=True)
class Issue:
    name: str  # ISO year-week of the period's end, "2026-48"
    start: datetime  # the period, [start, end)
    end: datetime
    topic: str  # the slug it is limited to, "" for every topic
    sections: list[Section]

    @property
    def entries(self) -> list[Entry]:
        return [e for s in self.sections for e in s.entries]

    @property
    def path(self) -> str:
        """The issue's page on the site, site-relative."""
        return f"digest/{self.name}/"

    @property
    def period(self) -> str:
        """'23 to 29 November 2026', for headings."""
        last = self.end - timedelta(microseconds=1)
        return f"{human_date(self.start)} to {human_date(last)}"


def week_name(moment: datetime) -> str:
    """The ISO year-week of `moment` (UTC), as issues are named: "2026-48"."""
    year, week, _ = utc(moment).isocalendar()
    return f"{year}-{week:02d}"


def week_bounds(name: str) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) UTC of ISO week `name` ("2026-48" or "2026-W48")."""
    found = _WEEK.fullmatch(name.strip())
    try:
        if found is None:
            raise ValueError(name)
        monday = date.fromisocalendar(int(found[1]), int(found[2]), 1)
    except ValueError:
        raise ColumnistError(f"--week: not an ISO week such as 2026-48: {name!r}") from None
    start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    return start, start + timedelta(weeks=1)


def parse_since(text: str) -> timedelta:
    """A period such as "7d", "36h", "2w" or "1w3d"."""
    value = text.strip().lower()
    parts = _SINCE.findall(value)
    if not parts or _SINCE.sub("", value).strip():
        raise ColumnistError(f'--since: must be a period such as "7d", "36h" or "2w", not {text!r}')
    period = sum((int(n) * _SINCE_UNITS[u] for n, u in parts), timedelta())
    if period <= timedelta():
        raise ColumnistError(f"--since: must be longer than nothing, not {text!r}")
    return period


def check_topic(model: SiteModel, topic: str | None) -> str:
    """The configured topic slug `--topic` names ("" when not given)."""
    if not topic:
        return ""
    slugs = [t.slug for t in model.topics]
    if topic not in slugs:
        raise ColumnistError(f"--topic: no topic {topic!r} (topics: {', '.join(slugs) or 'none'})")
    return topic


def make_issue(
    model: SiteModel, start: datetime, end: datetime, entries: list[Entry], topic: str = ""
) -> Issue:
    """The issue of `entries` (newest first, all in [start, end)) grouped by topic in the
    order the topics are configured; a post is listed once, under the first configured
    topic it is filed under (or only under `topic` when the issue is limited to one)."""
    rank = {t.slug: n for n, t in enumerate(model.topics)}
    by_slug: dict[str, list[Entry]] = {}
    for entry in entries:
        slugs = [slug for slug, _ in entry.positions]
        if topic:
            if topic not in slugs:
                continue
            slugs = [topic]
        first = min(slugs, key=lambda s: rank.get(s, len(rank)), default="")
        by_slug.setdefault(first if first in rank else "", []).append(entry)
    sections = [
        Section(t.name, t.slug, model.urls.absolute(Urls.topic_path(t.slug)), by_slug.pop(t.slug))
        for t in model.topics
        if t.slug in by_slug
    ]
    leftover = [e for members in by_slug.values() for e in members]
    if leftover:
        leftover.sort(key=lambda e: e.order)
        sections.append(Section(OTHER, "", None, leftover))
    name = week_name(end - timedelta(microseconds=1))
    return Issue(name, start, end, topic, sections)


def select_issue(
    model: SiteModel, start: datetime, end: datetime, topic: str | None = None
) -> Issue:
    """The issue of the posts published in [start, end), limited to `topic` if given."""
    slug = check_topic(model, topic)
    chosen = [e for e in model.entries if start <= utc(e.created) < end]
    return make_issue(model, start, end, chosen, slug)


def weekly_issues(model: SiteModel) -> list[Issue]:
    """One issue per ISO week that has published posts, newest first (the site's pages)."""
    weeks: dict[str, list[Entry]] = {}
    for entry in model.entries:  # newest first, so each week's list is too
        weeks.setdefault(week_name(entry.created), []).append(entry)
    issues = []
    for name, entries in weeks.items():
        start, end = week_bounds(name)
        issues.append(make_issue(model, start, end, entries))
    return issues
