"""What every page generator needs: content, URLs, templates and the build's version key.

`version` digests everything that shapes every page (code, templates, site settings,
the configured topics); each page's fingerprint starts with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from jinja2 import Environment
from markupsafe import Markup

from columnist.config import SiteSettings
from columnist.records import Retraction
from columnist.site.images import ImageCopy, Picture
from columnist.site.model import SiteModel
from columnist.site.pending import fingerprint
from columnist.site.urls import Urls, safe_href


class SiteInfo(NamedTuple):
    """Site-wide values templates see as `site`."""

    title: str
    description: str
    language: str
    base: str  # base path for links, "/" or "/desk/"
    base_url: str  # absolute, ends with "/"
    search: bool  # the site has a search page (and a search box in its header)


class TopicInfo(NamedTuple):
    """A configured topic without its post count (so nav and about stay stable)."""

    name: str
    slug: str
    description: str
    href: str
    feed_href: str


class SourceInfo(NamedTuple):
    """A news feed the site reads, as the About page lists it."""

    name: str
    href: str | None  # None unless an http(s) URL


class FeedLink(NamedTuple):
    type: str
    title: str
    href: str


@dataclass(slots=True)
class PageMeta:
    """Head-of-page values base.html turns into title, canonical, OpenGraph and JSON-LD."""

    title: str
    description: str
    canonical: str
    og_type: str = "website"
    json_ld: Any = None
    feeds: list[FeedLink] = field(default_factory=list)
    prev: str | None = None
    next: str | None = None
    noindex: bool = False
    published: str | None = None  # article:published_time (ISO)
    modified: str | None = None
    sections: list[str] = field(default_factory=list)  # article:section
    image: Picture | None = None  # og:image and the large Twitter card


class BuildContext:
    """Shared state of one build; `render` fills a template with the common values."""

    def __init__(
        self,
        env: Environment,
        model: SiteModel,
        settings: SiteSettings,
        theme: str,
        generator_note: str = "",
        search: bool = False,
        feeds_read: list[tuple[str, str]] | None = None,
        retracted: list[Retraction] | None = None,
        image_copy: ImageCopy | None = None,
    ) -> None:
        self.env = env
        self.image_copy = image_copy  # reads a copied image from the store (copy mode)
        self.retracted = retracted or []  # their pages become dated notes
        self.model = model
        self.urls: Urls = model.urls
        self.settings = settings
        self.generator_note = generator_note
        self.feeds_read = [SourceInfo(name, safe_href(url)) for name, url in feeds_read or []]
        self.site = SiteInfo(
            title=settings.title,
            description=settings.description,
            language=settings.language,
            base=self.urls.base_path,
            base_url=self.urls.base_url,
            search=search,
        )
        self.topics = [
            TopicInfo(
                name=t.name,
                slug=t.slug,
                description=t.description,
                href=self.urls.link(Urls.topic_path(t.slug)),
                feed_href=self.urls.link(f"topics/{t.slug}/feed.xml"),
            )
            for t in model.topics
        ]
        self.site_feeds = [
            FeedLink(
                "application/atom+xml", f"{settings.title} (Atom)", self.urls.link("feed.xml")
            ),
            FeedLink(
                "application/feed+json",
                f"{settings.title} (JSON Feed)",
                self.urls.link("feed.json"),
            ),
        ]
        self.version = fingerprint(
            theme,
            settings.title,
            settings.description,
            self.urls.base_url,
            settings.language,
            settings.posts_per_page,
            search,
            [(t.slug, t.name, t.description) for t in model.topics],
            model.images,
        )
        self._common = {"site": self.site, "nav_topics": self.topics}
        self._headers: dict[str, Markup] = {}

    def render(self, template: str, **values: Any) -> str:
        """Render a page; the site header comes from `_header.html`, rendered once per build
        (once per topic for topic pages, which mark their own nav link as current)."""
        current = values.get("current_topic", "")
        header = self._headers.get(current)
        if header is None:
            context = {**self._common, "current_topic": current}
            header = Markup(self.env.get_template("_header.html").render(context))
            self._headers[current] = header
        return self.env.get_template(template).render(
            {**self._common, "site_header": header, **values}
        )
