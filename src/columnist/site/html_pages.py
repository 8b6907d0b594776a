"""The HTML pages, one generator per kind: home, topic archives, topic index, post, about, 404.

Each generator returns Pages whose fingerprint lists exactly what the page shows, so
that publishing one post re-renders its own page, the archive pages of its topics, the
home page and the topic index, and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from columnist.records import Retraction
from columnist.site.context import BuildContext, FeedLink, PageMeta, TopicInfo
from columnist.site.model import Entry
from columnist.site.pending import Page, digest, fingerprint
from columnist.site.text import human_date, iso
from columnist.site.urls import Urls, safe_slug

DESCRIPTION_CHARS = 200


def shorten(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """Text cut at a word boundary to at most `limit` characters, for meta descriptions."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-—")
    return cut + "…"


def _publisher(ctx: BuildContext) -> dict[str, Any]:
    return {"@type": "Organization", "name": ctx.site.title, "url": ctx.site.base_url}


def home_page(ctx: BuildContext) -> list[Page]:
    """index.html: the latest posts in archive form, then every topic."""
    latest = ctx.model.entries[: ctx.settings.posts_per_page]
    counts = [(t.slug, t.post_count) for t in ctx.model.topics]

    def render() -> str:
        meta = PageMeta(
            title=ctx.site.title,
            description=shorten(ctx.site.description),
            canonical=ctx.urls.absolute(),
            feeds=ctx.site_feeds,
            json_ld={
                "@context": "https://schema.org",
                "@type": "WebSite",
                "name": ctx.site.title,
                "description": ctx.site.description,
                "url": ctx.site.base_url,
                "inLanguage": ctx.site.language,
                "publisher": _publisher(ctx),
            },
        )
        rows = [(info, t.post_count) for info, t in zip(ctx.topics, ctx.model.topics, strict=True)]
        return ctx.render("home.html", meta=meta, entries=latest, rows=rows)

    return [
        Page(
            "index.html", fingerprint(ctx.version, "home", [e.key for e in latest], counts), render
        )
    ]


def topic_index_page(ctx: BuildContext) -> list[Page]:
    """topics/index.html: every configured topic with its post count."""
    counts = [(t.slug, t.post_count) for t in ctx.model.topics]

    def render() -> str:
        meta = PageMeta(
            title=f"Topics — {ctx.site.title}",
            description=shorten(f"Every topic {ctx.site.title} writes about."),
            canonical=ctx.urls.absolute("topics/"),
            feeds=ctx.site_feeds,
            json_ld={
                "@context": "https://schema.org",
                "@type": "CollectionPage",
                "name": "Topics",
                "url": ctx.urls.absolute("topics/"),
                "isPartOf": {"@type": "WebSite", "name": ctx.site.title, "url": ctx.site.base_url},
            },
        )
        rows = [(info, t.post_count) for info, t in zip(ctx.topics, ctx.model.topics, strict=True)]
        return ctx.render("topics.html", meta=meta, rows=rows)

    return [Page("topics/index.html", fingerprint(ctx.version, "topics", counts), render)]


def page_numbers(current: int, last: int, window: int = 2) -> list[int | None]:
    """Page numbers to show: first, last and a window around current; None marks a gap."""
    shown = sorted({1, last, *range(max(1, current - window), min(last, current + window) + 1)})
    numbers: list[int | None] = []
    for n in shown:
        if numbers and n - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(n)
    return numbers


def archive_slices(count: int, per_page: int) -> list[tuple[int, int]]:
    """(start, end) of each archive page in a newest-first list of `count` posts.

    Pages 2.. hold fixed groups of `per_page` posts counted from the oldest, and page 1
    holds the newest posts, `per_page` up to `2 * per_page - 1` of them. So a new post
    changes page 1 only; the older pages keep their posts and their numbers until page 1
    is full, when a new page 2 appears and the pages are numbered again (one build in
    `per_page`), instead of every archive page of the topic changing with every post.
    """
    last = max(1, count // per_page)
    first = count - (last - 1) * per_page
    slices = [(0, first)]
    slices += [(first + k * per_page, first + (k + 1) * per_page) for k in range(last - 1)]
    return slices


def topic_archive_pages(ctx: BuildContext) -> list[Page]:
    """topics/<slug>/ and topics/<slug>/page/<n>/: each topic's posts, newest first."""
    per_page = ctx.settings.posts_per_page
    pages: list[Page] = []
    for topic, info in zip(ctx.model.topics, ctx.topics, strict=True):
        members = ctx.model.topic_posts(topic.slug)
        slices = archive_slices(len(members), per_page)
        last = len(slices)
        for number, (start, end) in enumerate(slices, 1):
            chunk = members[start:end]
            total = len(members) if number == 1 else None  # only page 1 shows the count
            key = fingerprint(
                ctx.version, "topic", topic.slug, number, last, total, [e.key for e in chunk]
            )
            pages.append(
                Page(
                    Urls.topic_file(topic.slug, number),
                    key,
                    _topic_renderer(ctx, info, number, last, chunk, total),
                )
            )
    return pages


def _topic_renderer(
    ctx: BuildContext,
    info: TopicInfo,
    number: int,
    last: int,
    chunk: list[Entry],
    total: int | None,
) -> Callable[[], str]:
    def link(n: int) -> str:
        return ctx.urls.link(Urls.topic_path(info.slug, n))

    def render() -> str:
        path = Urls.topic_path(info.slug, number)
        suffix = f" — page {number}" if number > 1 else ""
        description = info.description or f"Commentary on {info.name}, newest first."
        meta = PageMeta(
            title=f"{info.name}{suffix} — {ctx.site.title}",
            description=shorten(description),
            canonical=ctx.urls.absolute(path),
            feeds=[
                FeedLink("application/atom+xml", f"{info.name} (Atom)", info.feed_href),
                FeedLink(
                    "application/feed+json",
                    f"{info.name} (JSON Feed)",
                    ctx.urls.link(f"topics/{info.slug}/feed.json"),
                ),
                *ctx.site_feeds,
            ],
            prev=link(number - 1) if number > 1 else None,
            next=link(number + 1) if number < last else None,
            json_ld={
                "@context": "https://schema.org",
                "@type": "CollectionPage",
                "name": info.name + suffix,
                "description": description,
                "url": ctx.urls.absolute(path),
                "isPartOf": {"@type": "WebSite", "name": ctx.site.title, "url": ctx.site.base_url},
            },
        )
        numbers = [(n, link(n) if n else None) for n in page_numbers(number, last)]
        return ctx.render(
            "topic.html",
            meta=meta,
            topic=info,
            entries=chunk,
            number=number,
            last=last,
            numbers=numbers,
            total=total,
            current_topic=info.slug,
        )

    return render


def post_pages(ctx: BuildContext) -> list[Page]:
    """posts/<slug>/: the whole commentary, its sources, the disclosure, related posts."""
    pages = []
    prefix = f"{ctx.version}\x1fpost\x1f"
    for entry in ctx.model.entries:
        # Keys are fixed-length hex digests, so plain concatenation is unambiguous.
        key = digest(prefix + entry.key + "".join([r.key for r in entry.related]))
        pages.append(
            Page(Urls.post_file(entry.slug), key, _post_renderer(ctx, entry), entries=(entry,))
        )
    return pages


def _post_renderer(ctx: BuildContext, entry: Entry) -> Callable[[], str]:
    def render() -> str:
        topic_names = [t.name for t in entry.topics]
        meta = PageMeta(
            title=f"{entry.title} — {ctx.site.title}",
            description=shorten(entry.excerpt or entry.title),
            canonical=entry.url,
            og_type="article",
            feeds=ctx.site_feeds,
            published=entry.iso_created,
            modified=entry.iso_updated,
            sections=topic_names,
            image=entry.share_picture,
            json_ld={
                "@context": "https://schema.org",
                "@type": "OpinionNewsArticle",
                "headline": entry.title,
                "description": entry.excerpt,
                "url": entry.url,
                "mainEntityOfPage": entry.url,
                "datePublished": entry.iso_created,
                "dateModified": entry.iso_updated,
                "inLanguage": ctx.site.language,
                "articleSection": topic_names,
                "author": _publisher(ctx),
                "publisher": _publisher(ctx),
                "isBasedOn": [s.href for s in entry.sources if s.href],
                "isAccessibleForFree": True,
                "image": entry.share_picture.og_url,
            },
        )
        return ctx.render("post.html", meta=meta, post=entry)

    return render


def retraction_pages(ctx: BuildContext) -> list[Page]:
    """posts/<slug>/ of each retracted post: a dated note saying so and why, in place of
    the post, so links to it do not end in a 404. Not in any list, feed or index."""
    taken = {entry.slug for entry in ctx.model.entries}
    pages = []
    for note in ctx.retracted:
        slug = safe_slug(note.slug)
        if slug in taken:  # a published post has the address now
            continue
        taken.add(slug)
        date = human_date(note.retracted_at)

        def render(note: Retraction = note, slug: str = slug, date: str = date) -> str:
            meta = PageMeta(
                title=f"Retracted: {note.title} — {ctx.site.title}",
                description=shorten(f"This commentary was retracted on {date}."),
                canonical=ctx.urls.absolute(Urls.post_path(slug)),
                feeds=ctx.site_feeds,
                noindex=True,
            )
            return ctx.render(
                "retracted.html", meta=meta, note=note, date=date, iso_date=iso(note.retracted_at)
            )

        key = fingerprint(ctx.version, "retracted", slug, note.title, date, note.reason)
        pages.append(Page(Urls.post_file(slug), key, render))
    return pages


def corrections_page(ctx: BuildContext) -> list[Page]:
    """corrections/: every correction and update of a published post, newest first."""
    rows = sorted(
        ((note, entry) for entry in ctx.model.entries if entry.post.notes for note in entry.notes),
        key=lambda row: (row[0].iso, row[1].id),
        reverse=True,
    )
    key = fingerprint(ctx.version, "corrections", [(n, e.slug, e.title) for n, e in rows])

    def render() -> str:
        meta = PageMeta(
            title=f"Corrections and updates — {ctx.site.title}",
            description=shorten(f"Every correction and update of a post on {ctx.site.title}."),
            canonical=ctx.urls.absolute("corrections/"),
            feeds=ctx.site_feeds,
        )
        return ctx.render("corrections.html", meta=meta, rows=rows)

    return [Page("corrections/index.html", key, render)]


def about_page(ctx: BuildContext) -> list[Page]:
    """about/: how posts are made, the topics, and the caller's generator note."""

    def render() -> str:
        description = f"How {ctx.site.title} turns news feeds into machine-written commentary."
        meta = PageMeta(
            title=f"About — {ctx.site.title}",
            description=shorten(description),
            canonical=ctx.urls.absolute("about/"),
            feeds=ctx.site_feeds,
            json_ld={
                "@context": "https://schema.org",
                "@type": "AboutPage",
                "name": f"About {ctx.site.title}",
                "description": description,
                "url": ctx.urls.absolute("about/"),
            },
        )
        return ctx.render(
            "about.html",
            meta=meta,
            topics=ctx.topics,
            note=ctx.generator_note,
            feeds_read=ctx.feeds_read,
        )

    key = fingerprint(ctx.version, "about", ctx.generator_note, ctx.feeds_read)
    return [Page("about/index.html", key, render)]


def not_found_page(ctx: BuildContext) -> list[Page]:
    """404.html: served for any missing path, so every link in it is root-relative."""

    def render() -> str:
        meta = PageMeta(
            title=f"Page not found — {ctx.site.title}",
            description="This page does not exist.",
            canonical=ctx.urls.absolute("404.html"),
            feeds=ctx.site_feeds,
            noindex=True,
        )
        return ctx.render("404.html", meta=meta, topics=ctx.topics)

    return [Page("404.html", fingerprint(ctx.version, "404"), render)]


HTML_GENERATORS = (
    home_page,
    topic_index_page,
    topic_archive_pages,
    post_pages,
    retraction_pages,
    corrections_page,
    about_page,
    not_found_page,
)
