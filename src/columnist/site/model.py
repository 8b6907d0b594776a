"""The site's content, prepared once per build: posts sorted, grouped by topic, related.

`Entry` wraps one PostView. Its `key` (a digest of everything the post shows anywhere)
is computed eagerly because page fingerprints need it for every post on every build;
everything only templates need (links, dates, paragraphs) is computed on first use, so a
build that renders few pages pays for few posts.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Generic, NamedTuple, TypeVar, overload

from columnist.records import PostView, SourceLink, TopicView
from columnist.site.images import Picture, card_picture, source_picture
from columnist.site.text import human_date, iso, paragraphs, utc
from columnist.site.urls import Urls, safe_href, safe_slug

RELATED_LIMIT = 5
T = TypeVar("T")
# post ids -> {post id: (body, sources)}; see store.published.PostDetails
Details = Callable[[Iterable[int]], dict[int, tuple[str, list[SourceLink]]]]


class lazy(Generic[T]):  # noqa: N801 - used like the decorator it replaces
    """functools.cached_property without the lock Python 3.11 takes on every first access."""

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> lazy[T]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> T | lazy[T]:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


class TopicLink(NamedTuple):
    name: str
    slug: str
    href: str | None  # None when the topic has no page (not configured any more)


class SourceRef(NamedTuple):
    title: str
    source_name: str
    href: str | None  # None when the URL is missing or not http(s)
    date: str | None
    iso: str | None


class NoteRef(NamedTuple):
    label: str  # "Correction" | "Update"
    date: str
    iso: str
    text: str


def post_key(post: PostView, slug: str) -> str:
    """Digest of every field of a post that any page or feed shows.

    A post read without its body and sources carries a `revision` that stands for them
    and for its dates.
    """
    reviewed = post.reviewed_at.timestamp() if post.reviewed_at else ""
    image = post.image
    if image is not None:  # a new picture for the story changes every page showing the post
        reviewed = (
            f"{reviewed}\x1d{image.url}\x1d{image.width}\x1d{image.height}\x1d{image.alt}"
            f"\x1d{image.credit}\x1d{image.source_name}\x1d{image.link}\x1d{image.digest}"
        )
    notes = "\x1e".join(f"{n.kind}\x1d{n.when.timestamp()}\x1d{n.text}" for n in post.notes)
    head = (
        f"{notes}\x1f{post.id}\x1f{slug}\x1f{post.title}\x1f{post.excerpt}\x1f{post.model}\x1f"
        f"{post.reviewed_by or ''}\x1f{reviewed}\x1f" + "\x1e".join([t.slug for t in post.topics])
    )
    if post.revision is not None:
        text = f"{head}\x1f{post.revision}"
    else:
        parts = [head, f"{post.created.timestamp()}\x1e{post.updated.timestamp()}", post.body]
        for s in post.sources:
            when = s.published.timestamp() if s.published else ""
            parts.append(f"{s.title}\x1e{s.url}\x1e{s.source_name}\x1e{when}")
        text = "\x1f".join(parts)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


class Entry:
    """One published post as pages and feeds use it."""

    def __init__(self, post: PostView, slug: str, site: SiteModel) -> None:
        self.post = post
        self.id = post.id
        self.slug = slug
        self.title = post.title
        self.excerpt = post.excerpt
        self.model = post.model
        self.created = post.created
        self.updated = post.updated
        self.reviewed_by = post.reviewed_by  # the person who approved it, if any
        self.reviewed_at = post.reviewed_at
        self.key = post_key(post, slug)
        self.order = 0  # rank in the whole site, 0 = newest
        self.positions: list[tuple[str, int]] = []  # (topic slug, index in that topic)
        self._site = site

    @lazy
    def path(self) -> str:
        return Urls.post_path(self.slug)

    @lazy
    def href(self) -> str:
        return self._site.urls.link(self.path)

    @lazy
    def url(self) -> str:
        return self._site.urls.absolute(self.path)

    @lazy
    def date(self) -> str:
        return human_date(self.created)

    @lazy
    def iso_created(self) -> str:
        return iso(self.created)

    @lazy
    def iso_updated(self) -> str:
        return iso(max(utc(self.updated), utc(self.created)))

    @lazy
    def paragraphs(self) -> list[str]:
        return paragraphs(self._site.body(self))

    @lazy
    def notes(self) -> list[NoteRef]:
        """Corrections and updates, oldest first, as the page and the feeds show them."""
        return [
            NoteRef(n.kind.capitalize(), human_date(n.when), iso(n.when), n.text)
            for n in self.post.notes
        ]

    @lazy
    def topics(self) -> list[TopicLink]:
        return [self._site.topic_link(t) for t in self.post.topics]

    @lazy
    def sources(self) -> list[SourceRef]:
        return [
            SourceRef(
                title=s.title or s.source_name or "Untitled source",
                source_name=s.source_name,
                href=safe_href(s.url),
                date=human_date(s.published) if s.published else None,
                iso=iso(s.published) if s.published else None,
            )
            for s in self._site.sources(self)
        ]

    @lazy
    def source_count(self) -> int:
        known = self.post.source_count
        return len(self.post.sources) if known is None else known

    @lazy
    def related(self) -> list[Entry]:
        return self._site.related(self)

    @lazy
    def picture(self) -> Picture | None:
        """The source image the post shows (None: none, or `[site] images = "off"`)."""
        image = self.post.image
        return None if image is None else source_picture(image, self._site.images, self._site.urls)

    @lazy
    def share_picture(self) -> Picture:
        """The og:image: the source picture, else the post's share card."""
        return self.picture or card_picture(self, self._site.urls)


class SiteModel:
    """Posts newest first, configured topics with counts, and each topic's posts.

    Posts read without body and sources (see store/published.py) get them from `details`:
    in one go for the pages a build renders (`load_details`), else one by one.
    """

    def __init__(
        self,
        posts: list[PostView],
        topics: list[TopicView],
        urls: Urls,
        details: Details | None = None,
        images: str = "hotlink",
    ) -> None:
        self.urls = urls
        self.images = images  # `[site] images`: "hotlink" | "copy" | "off"
        self._details = details
        self._loaded: dict[int, tuple[str, list[SourceLink]]] = {}
        self.entries = self._entries(posts)
        by_topic: dict[str, list[Entry]] = {}
        safe: dict[str, str] = {}  # topic slug -> safe slug (posts share a few topics)
        for entry in self.entries:
            slugs = [
                safe.get(t.slug) or safe.setdefault(t.slug, safe_slug(t.slug))
                for t in entry.post.topics
            ]
            for slug in dict.fromkeys(slugs):
                members = by_topic.setdefault(slug, [])
                entry.positions.append((slug, len(members)))
                members.append(entry)
        self.by_topic = by_topic
        seen: dict[str, TopicView] = {}
        for topic in topics:
            slug = safe_slug(topic.slug)
            if slug not in seen:
                count = len(by_topic.get(slug, ()))
                seen[slug] = dataclasses.replace(topic, slug=slug, post_count=count)
        self.topics = list(seen.values())
        self._topic_by_slug = seen

    def _entries(self, posts: list[PostView]) -> list[Entry]:
        ordered = sorted(posts, key=lambda p: (_sort_moment(p), p.id), reverse=True)
        # Oldest post keeps a repeated slug; later ones get "-<id>" so no page is lost.
        taken: set[str] = set()
        slugs: dict[int, str] = {}
        for post in reversed(ordered):
            slug = safe_slug(post.slug)
            if slug in taken:
                slug = f"{slug}-{post.id}"
            taken.add(slug)
            slugs[id(post)] = slug
        entries = [Entry(post, slugs[id(post)], self) for post in ordered]
        for rank, entry in enumerate(entries):
            entry.order = rank
        return entries

    def load_details(self, entries: Iterable[Entry]) -> None:
        """Read the bodies and sources of `entries` now, in as few queries as possible."""
        if self._details is None:
            return
        missing = {
            e.id: None for e in entries if e.post.revision is not None and e.id not in self._loaded
        }
        if missing:
            self._loaded.update(self._details(missing))

    def _detail(self, entry: Entry) -> tuple[str, list[SourceLink]]:
        post = entry.post
        if post.revision is None or self._details is None:
            return post.body, post.sources
        if entry.id not in self._loaded:
            self.load_details([entry])
        # A post unpublished since the build read it keeps an empty body.
        return self._loaded.get(entry.id, ("", []))

    def body(self, entry: Entry) -> str:
        return self._detail(entry)[0]

    def sources(self, entry: Entry) -> list[SourceLink]:
        return self._detail(entry)[1]

    def topic_posts(self, slug: str) -> list[Entry]:
        return self.by_topic.get(slug, [])

    def topic_link(self, topic: TopicView) -> TopicLink:
        slug = safe_slug(topic.slug)
        known = self._topic_by_slug.get(slug)
        if known is None:
            return TopicLink(topic.name, slug, None)
        return TopicLink(known.name, slug, self.urls.link(Urls.topic_path(slug)))

    def related(self, entry: Entry) -> list[Entry]:
        """Up to five posts sharing a topic: those written just before, then just after.

        Preferring older neighbours keeps a post's related list stable when newer posts
        arrive, so publishing a post does not rewrite the pages of older ones.
        """
        if len(entry.positions) == 1:  # the common case, without sorting
            slug, index = entry.positions[0]
            members = self.by_topic[slug]
            chosen = members[index + 1 : index + 1 + RELATED_LIMIT]
            if len(chosen) < RELATED_LIMIT:
                start = max(0, index - (RELATED_LIMIT - len(chosen)))
                chosen += reversed(members[start:index])
            return chosen
        older: dict[int, Entry] = {}
        newer: dict[int, Entry] = {}
        for slug, index in entry.positions:
            members = self.by_topic[slug]
            for other in members[index + 1 : index + 1 + RELATED_LIMIT]:
                older[other.order] = other
            for other in members[max(0, index - RELATED_LIMIT) : index]:
                newer[other.order] = other
        chosen = sorted(older.values(), key=lambda e: e.order)[:RELATED_LIMIT]
        if len(chosen) < RELATED_LIMIT:
            nearest = sorted(newer.values(), key=lambda e: -e.order)
            chosen += nearest[: RELATED_LIMIT - len(chosen)]
        return chosen


def _sort_moment(post: PostView) -> datetime:
    created = post.created
    return created if created.tzinfo is UTC else utc(created)
