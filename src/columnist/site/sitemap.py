"""sitemap.xml (a sitemap index), its sitemaps under sitemaps/, and robots.txt.

sitemaps/pages.xml lists the home page, the topic index, about and each topic;
sitemaps/posts-<n>.xml list the posts, POSTS_PER_SITEMAP each, counted from the oldest,
so a new post changes the newest of them and the small index, not a file listing ten
thousand posts. The files are assembled from escaped strings rather than a tree.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from columnist.site.context import BuildContext
from columnist.site.model import Entry
from columnist.site.pending import Page, fingerprint
from columnist.site.text import iso, utc, xml_safe
from columnist.site.urls import Urls

POSTS_PER_SITEMAP = 1000  # the protocol allows 50,000; smaller files are rewritten faster
_HEAD = '<?xml version="1.0" encoding="utf-8"?>'
_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _listing(root: str, item: str, rows: list[tuple[str, str | None]]) -> str:
    """<root><item><loc>…</loc><lastmod>…</lastmod></item>…</root> as text."""
    lines = [_HEAD, f"<{root} {_NS}>"]
    for loc, lastmod in rows:
        mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        lines.append(f"<{item}><loc>{escape(xml_safe(loc))}</loc>{mod}</{item}>")
    lines.append(f"</{root}>\n")
    return "\n".join(lines)


def _urlset(rows: list[tuple[str, str | None]]) -> str:
    return _listing("urlset", "url", rows)


def pages_sitemap(ctx: BuildContext) -> str:
    """The pages that are not posts, with the time their newest post changed."""
    urls = ctx.urls
    newest = ctx.model.entries[0].iso_updated if ctx.model.entries else None
    rows: list[tuple[str, str | None]] = [
        (urls.absolute(), newest),
        (urls.absolute("topics/"), newest),
        (urls.absolute("about/"), None),
        (urls.absolute("digest/"), newest),
    ]
    for topic in ctx.model.topics:
        members = ctx.model.topic_posts(topic.slug)
        newest_here = members[0].iso_updated if members else None
        rows.append((urls.absolute(Urls.topic_path(topic.slug)), newest_here))
    return _urlset(rows)


def post_groups(entries: list[Entry]) -> list[list[Entry]]:
    """The posts, oldest first, in groups of POSTS_PER_SITEMAP (the last one may be short)."""
    oldest_first = entries[::-1]
    return [
        oldest_first[start : start + POSTS_PER_SITEMAP]
        for start in range(0, len(oldest_first), POSTS_PER_SITEMAP)
    ]


def _latest(group: list[Entry]) -> str | None:
    """The newest change among the group's posts (datetimes compared, one formatted)."""
    if not group:
        return None
    try:  # a thousand comparisons in C; the store's times are all aware
        newest = max(utc(max(e.updated for e in group)), utc(max(e.created for e in group)))
    except TypeError:  # naive and aware times mixed
        newest = max(max(utc(e.updated), utc(e.created)) for e in group)
    return iso(newest)


def sitemap_index(ctx: BuildContext, groups: list[list[Entry]]) -> str:
    urls = ctx.urls
    newest = ctx.model.entries[0].iso_updated if ctx.model.entries else None
    rows = [(urls.absolute("sitemaps/pages.xml"), newest)]
    rows += [
        (urls.absolute(f"sitemaps/posts-{n}.xml"), _latest(group))
        for n, group in enumerate(groups, 1)
    ]
    return _listing("sitemapindex", "sitemap", rows)


def robots_txt(ctx: BuildContext) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {ctx.urls.absolute('sitemap.xml')}\n"


def sitemap_pages(ctx: BuildContext) -> list[Page]:
    groups = post_groups(ctx.model.entries)
    group_keys = [
        fingerprint(ctx.version, "sitemap-posts", [e.key for e in group]) for group in groups
    ]
    slugs = [t.slug for t in ctx.model.topics]
    newest = ctx.model.entries[0].key if ctx.model.entries else ""
    firsts = [m[0].key if (m := ctx.model.topic_posts(t)) else "" for t in slugs]
    pages = [
        Page(
            "sitemap.xml",
            fingerprint(ctx.version, "sitemap-index", newest, group_keys),
            lambda: sitemap_index(ctx, groups),
        ),
        Page(
            "sitemaps/pages.xml",
            fingerprint(ctx.version, "sitemap-pages", slugs, firsts, newest),
            lambda: pages_sitemap(ctx),
        ),
        Page("robots.txt", fingerprint(ctx.version, "robots"), lambda: robots_txt(ctx)),
    ]
    for n, (group, key) in enumerate(zip(groups, group_keys, strict=True), 1):
        pages.append(
            Page(
                f"sitemaps/posts-{n}.xml",
                key,
                lambda group=group: _urlset([(e.url, e.iso_updated) for e in group]),
            )
        )
    return pages
