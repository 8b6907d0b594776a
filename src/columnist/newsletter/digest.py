"""`columnist digest`'s work: read the desk's published posts, pick the issue, write it
out, send it once.

The posts are read as the site build reads them (store/published.py) into the site's
model, so a post's link and slug in the mail are exactly those of its page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from columnist.config import Settings
from columnist.errors import ColumnistError
from columnist.newsletter.render import DigestMail, render_mail
from columnist.records import TopicView
from columnist.site.issues import Issue, select_issue, week_bounds
from columnist.site.model import SiteModel
from columnist.site.urls import Urls
from columnist.store.db import Connection
from columnist.store.published import published_heads


@dataclass(slots=True)
class Period:
    start: datetime
    end: datetime
    whole_week: bool  # exactly one ISO week: the site has the same issue as a page


def period_of(now: datetime, since: timedelta | None, week: str | None) -> Period:
    """The period `--week` names, else the `since` before `now`."""
    if week is not None:
        if since is not None:
            raise ColumnistError("--week and --since: give one of them, not both")
        start, end = week_bounds(week)
        return Period(start, end, True)
    return Period(now - (since or timedelta(days=7)), now, False)


def desk_model(conn: Connection, settings: Settings) -> SiteModel:
    """The site's model of the desk's published posts (bodies are read only if asked)."""
    posts, details = published_heads(conn, settings.topics)
    topics = [TopicView(t.slug, t.name, t.description) for t in settings.topics]
    return SiteModel(posts, topics, Urls(settings.site.base_url), details)


def make_digest(
    model: SiteModel, settings: Settings, period: Period, topic: str | None
) -> tuple[Issue, DigestMail]:
    """The issue of `period` (limited to `topic`) and its mail."""
    issue = select_issue(model, period.start, period.end, topic)
    names = {t.slug: t.name for t in model.topics}
    links = settings.newsletter.unsubscribe
    for_people = next((u for u in links if u.startswith("http")), links[0] if links else None)
    mail = render_mail(
        issue,
        model.urls,
        site_title=settings.site.title,
        language=settings.site.language,
        topic_name=names.get(issue.topic, ""),
        web=period.whole_week and not issue.topic,
        unsubscribe=for_people,
    )
    return issue, mail


def write_digest(folder: Path, issue: Issue, mail: DigestMail) -> list[Path]:
    """digest-<issue>[-<topic>].html and .txt in `folder`."""
    stem = f"digest-{issue.name}" + (f"-{issue.topic}" if issue.topic else "")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        html, text = folder / f"{stem}.html", folder / f"{stem}.txt"
        html.write_text(mail.html, encoding="utf-8")
        text.write_text(mail.text, encoding="utf-8")
    except OSError as exc:
        raise ColumnistError(f"{folder}: cannot write the digest: {exc.strerror}") from None
    return [html, text]


def mail_domain(settings: Settings) -> str:
    """The right-hand side of Message-IDs: the site's host."""
    return urlsplit(settings.site.base_url).hostname or "localhost"
