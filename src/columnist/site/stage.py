"""The `build` stage: read published posts from the store, render the site.

The desk folder (the one holding columnist.toml) may have a `theme/` folder whose
`templates/` and `static/` files replace the packaged ones of the same name, as
Pelican and Hugo themes do; it is picked up without any setting.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from columnist.commentary.backends.registry import BACKENDS
from columnist.config import Settings
from columnist.records import TopicView
from columnist.site.build import BuildReport, build_site, without_gc
from columnist.site.urls import Urls
from columnist.site.websub import changed_feeds, ping_hub
from columnist.store import sources as source_store
from columnist.store.db import Engine
from columnist.store.images import image_copy
from columnist.store.published import published_heads
from columnist.store.review import retractions

THEME_FOLDER = "theme"


def generator_note(settings: Settings, source_count: int) -> str:
    writer = settings.writer
    where = BACKENDS[writer.backend].where
    return (
        f"Commentaries are written by the language model {writer.model} running {where}, "
        f"from {source_count} news feed{'s' if source_count != 1 else ''}. Each is checked "
        "for length, form and numbers that do not appear in its sources before it is "
        f"published. {review_note(settings)}"
    )


POLICY_SENTENCES = {
    "auto": "a post that passes every check is published without a person reviewing it",
    "hold": "a person reviews and approves every post before it is published",
    "hold-flagged": (
        "a person reviews a post before it is published when a check flags it or it rests "
        "on a single source"
    ),
}


def review_note(settings: Settings) -> str:
    """The review policy in force, for the About page (review/policy.py applies it)."""
    desk = settings.writer.review
    line = POLICY_SENTENCES[desk].capitalize() + "."
    own = [t for t in settings.topics if t.review and t.review != desk]
    for t in own:
        line += f" On {t.name}, {POLICY_SENTENCES[t.review]}."
    return line + " Each post says whether a person approved it."


def desk_theme(settings: Settings) -> Path | None:
    """`<desk folder>/theme` when it exists: the user's template and static overrides."""
    folder = settings.root / THEME_FOLDER
    return folder if folder.is_dir() else None


def run_build(
    engine: Engine,
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    *,
    search: bool = True,
) -> BuildReport:
    """Build the site of the desk; `search=False` leaves the search index out.

    `should_stop` is not asked: a build is quick and writes whole pages, so it always
    runs to the end (a killed one is finished by the next).

    The connection stays open for the build: bodies and sources are read only for the
    pages that are rendered. With `[site] websub_hub`, the hub is told of each feed the
    build changed once the site is written (a failing hub is a warning, not a failure).
    """
    topics = [
        TopicView(slug=t.slug, name=t.name, description=t.description) for t in settings.topics
    ]
    with without_gc(), engine.connect() as conn:
        posts, details = published_heads(conn, settings.topics)
        n_sources = source_store.count(conn)
        retracted = retractions(conn)
        report = build_site(
            posts,
            topics,
            settings.site,
            generator_note=generator_note(settings, n_sources),
            feeds_read=[(s.name, s.url) for s in settings.sources],
            progress=progress,
            theme_dir=desk_theme(settings),
            search=search,
            details=details,
            retracted=retracted,
            image_copy=lambda entry_id: image_copy(conn, entry_id),
        )
    if settings.site.websub_hub:
        feeds = changed_feeds(report.written, Urls(settings.site.base_url))
        pings = ping_hub(settings.site.websub_hub, feeds, settings.fetch)
        report.hub_pinged, report.hub_warnings = len(pings.pinged), pings.warnings
    return report
