"""A digest issue as mail: an HTML part mail clients render and a plain-text part.

The HTML is a Jinja template with autoescape on (headlines and openings come from feeds
and a model), laid out with tables and inline styles because mail clients ignore style
sheets and strip scripts; links are absolute, from the site's base URL.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from columnist.site.issues import Issue
from columnist.site.urls import Urls

TEMPLATES = Path(__file__).resolve().parent / "templates"
_ENV: Environment | None = None


@dataclass(slots=True)
class DigestMail:
    subject: str
    html: str
    text: str


def _env() -> Environment:
    global _ENV
    if _ENV is None:
        _ENV = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
    return _ENV


def subject(issue: Issue, site_title: str, topic_name: str = "") -> str:
    about = f"{topic_name} — " if topic_name else ""
    return f"{site_title}: {about}the week's commentary ({issue.name})"


def render_mail(
    issue: Issue,
    urls: Urls,
    *,
    site_title: str,
    language: str = "en",
    topic_name: str = "",
    web: bool = False,
    unsubscribe: str | None = None,
) -> DigestMail:
    """The mail of `issue`; `web` links its page on the site (a whole ISO week has one),
    `unsubscribe` is the link shown at the foot (the List-Unsubscribe URL for people)."""
    title = subject(issue, site_title, topic_name)
    web_url = urls.absolute(issue.path) if web else None
    html = (
        _env()
        .get_template("digest.html")
        .render(
            issue=issue,
            title=title,
            site_title=site_title,
            language=language,
            web_url=web_url,
            about_url=urls.absolute("about/"),
            unsubscribe=unsubscribe,
        )
    )
    return DigestMail(title, html, plain_text(issue, title, web_url, unsubscribe))


def plain_text(issue: Issue, title: str, web_url: str | None, unsubscribe: str | None) -> str:
    """The text part: the same issue as the HTML, wrapped at 72 columns."""
    lines = [title, "=" * min(len(title), 72), "", f"What was published from {issue.period}."]
    if web_url:
        lines.append(f"Read it on the web: {web_url}")
    for section in issue.sections:
        lines += ["", section.name.upper(), "-" * min(len(section.name), 72)]
        for e in section.entries:
            lines += ["", *textwrap.wrap(e.title, 72), e.date]
            lines += textwrap.wrap(e.excerpt, 72)
            lines.append(e.url)
    lines += [
        "",
        "-- ",
        "The commentary in this digest is written by a language model from the news",
        "articles linked under each post.",
    ]
    if unsubscribe:
        lines.append(f"Unsubscribe: {unsubscribe}")
    return "\n".join(lines) + "\n"
