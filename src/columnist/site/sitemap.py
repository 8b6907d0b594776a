"""sitemap.xml (home, topic index, about, each topic, every post) and robots.txt.

The sitemap is assembled from escaped strings rather than a tree: with ten thousand
posts it is the largest file a build rewrites on every new post.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from columnist.site.context import BuildContext
from columnist.site.page import Page, fingerprint
from columnist.site.text import xml_safe
from columnist.site.urls import Urls


def sitemap_xml(ctx: BuildContext) -> str:
    urls = ctx.urls
    newest = ctx.model.entries[0].iso_updated if ctx.model.entries else None
    rows: list[tuple[str, str | None]] = [
        (urls.absolute(), newest),
        (urls.absolute("topics/"), newest),
        (urls.absolute("about/"), None),
    ]
    for topic in ctx.model.topics:
        members = ctx.model.topic_posts(topic.slug)
        rows.append(
            (
                urls.absolute(Urls.topic_path(topic.slug)),
                members[0].iso_updated if members else None,
            )
        )
    rows.extend((e.url, e.iso_updated) for e in ctx.model.entries)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for loc, lastmod in rows:
        mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        lines.append(f"<url><loc>{escape(xml_safe(loc))}</loc>{mod}</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines)


def robots_txt(ctx: BuildContext) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {ctx.urls.absolute('sitemap.xml')}\n"


def sitemap_pages(ctx: BuildContext) -> list[Page]:
    keys = [e.key for e in ctx.model.entries]
    slugs = [t.slug for t in ctx.model.topics]
    return [
        Page(
            "sitemap.xml",
            fingerprint(ctx.version, "sitemap", slugs, keys),
            lambda: sitemap_xml(ctx),
        ),
        Page("robots.txt", fingerprint(ctx.version, "robots"), lambda: robots_txt(ctx)),
    ]
