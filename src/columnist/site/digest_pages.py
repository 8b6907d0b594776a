"""digest/: a page per ISO week of published posts, grouped by topic, an index, a feed.

The week's issue is made by site/issues.py, the same code `columnist digest`
uses, so the page of week 2026-48 shows what that week's mail shows. Each page's
fingerprint lists its posts' keys, so a new post re-renders its own week's page, the
index and the feed, nothing older.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html import escape

from columnist.site.context import BuildContext, FeedLink, PageMeta
from columnist.site.feeds import ATOM_NS, hub_links, sub
from columnist.site.html_pages import shorten
from columnist.site.issues import Issue, weekly_issues
from columnist.site.pending import Page, fingerprint
from columnist.site.text import iso, utc

DIGEST_FEED = "digest/feed.xml"
FEED_ISSUES = 20


def _keys(issue: Issue) -> list[tuple[str, list[str]]]:
    return [(s.slug, [e.key for e in s.entries]) for s in issue.sections]


def _feeds(ctx: BuildContext) -> list[FeedLink]:
    return [
        FeedLink(
            "application/atom+xml", f"{ctx.site.title} digest (Atom)", ctx.urls.link(DIGEST_FEED)
        ),
        *ctx.site_feeds,
    ]


def issue_html(issue: Issue) -> str:
    """An issue as an HTML fragment for feed readers (every value escaped)."""
    parts = [f"<p>What was published from {escape(issue.period)}.</p>"]
    for section in issue.sections:
        parts.append(f"<h2>{escape(section.name)}</h2><ul>")
        for e in section.entries:
            parts.append(
                f'<li><a href="{escape(e.url)}">{escape(e.title)}</a>: {escape(e.excerpt)}</li>'
            )
        parts.append("</ul>")
    return "".join(parts)


def _updated(issue: Issue) -> str:
    return iso(max(max(utc(e.updated), utc(e.created)) for e in issue.entries))


def digest_feed(ctx: BuildContext, issues: list[Issue]) -> str:
    """The Atom feed of the latest issues, one entry per week."""
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": ctx.site.language})
    self_url = ctx.urls.absolute(DIGEST_FEED)
    sub(feed, "id", self_url)
    sub(feed, "title", f"{ctx.site.title} — weekly digest")
    sub(feed, "updated", _updated(issues[0]) if issues else "2000-01-01T00:00:00Z")
    hub_links(ctx, feed, self_url)
    sub(feed, "link", rel="alternate", type="text/html", href=ctx.urls.absolute("digest/"))
    author = sub(feed, "author")
    sub(author, "name", ctx.site.title)
    sub(author, "uri", ctx.site.base_url)
    sub(feed, "generator", "columnist")
    for issue in issues:
        node = sub(feed, "entry")
        sub(node, "id", f"tag:{ctx.urls.host},{issue.start:%Y-%m-%d}:digest-{issue.name}")
        sub(node, "title", f"Week {issue.name}: {issue.period}")
        sub(node, "link", rel="alternate", type="text/html", href=ctx.urls.absolute(issue.path))
        sub(node, "published", iso(min(utc(e.created) for e in issue.entries)))
        sub(node, "updated", _updated(issue))
        sub(node, "content", issue_html(issue), type="html")
    ET.indent(feed, space=" ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, "unicode") + "\n"


def digest_pages(ctx: BuildContext) -> list[Page]:
    """digest/<year-week>/ for each week with posts, digest/ and digest/feed.xml."""
    issues = weekly_issues(ctx.model)
    pages = []
    for issue in issues:

        def render(issue: Issue = issue) -> str:
            path = issue.path
            meta = PageMeta(
                title=f"Digest, week {issue.name} — {ctx.site.title}",
                description=shorten(f"The commentary published from {issue.period}, by topic."),
                canonical=ctx.urls.absolute(path),
                feeds=_feeds(ctx),
            )
            return ctx.render("digest.html", meta=meta, issue=issue)

        key = fingerprint(ctx.version, "digest", issue.name, _keys(issue))
        pages.append(Page(f"{issue.path}index.html", key, render))

    def render_index() -> str:
        meta = PageMeta(
            title=f"Digest — {ctx.site.title}",
            description=shorten(f"Each week's commentary on {ctx.site.title}, by topic."),
            canonical=ctx.urls.absolute("digest/"),
            feeds=_feeds(ctx),
        )
        return ctx.render("digests.html", meta=meta, issues=issues)

    counts = [(i.name, len(i.entries)) for i in issues]
    pages.append(
        Page("digest/index.html", fingerprint(ctx.version, "digests", counts), render_index)
    )
    latest = issues[:FEED_ISSUES]
    feed_key = fingerprint(
        ctx.version, "digest-feed", ctx.settings.websub_hub, [(i.name, _keys(i)) for i in latest]
    )
    pages.append(Page(DIGEST_FEED, feed_key, lambda: digest_feed(ctx, latest)))
    return pages
