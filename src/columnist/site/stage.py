"""The `build` stage: read published posts from the store, render the site."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, func, select

from columnist.config import Settings
from columnist.domain import TopicView
from columnist.site.build import BuildReport, build_site
from columnist.store.posts import post_views
from columnist.store.schema import sources


def generator_note(settings: Settings, source_count: int) -> str:
    backend = settings.writer
    where = "on this machine" if backend.backend == "embedded" else "on an inference server"
    return (
        f"Commentaries are written by the language model {backend.model} running {where}, "
        f"from {source_count} news feed{'s' if source_count != 1 else ''}. Each is checked "
        "for length, form and numbers that do not appear in its sources before it is "
        "published."
    )


def run_build(
    engine: Engine, settings: Settings, progress: Callable[[int, int], None] | None = None
) -> BuildReport:
    with engine.connect() as conn:
        posts = post_views(conn, settings.topics)
        n_sources = conn.execute(select(func.count()).select_from(sources)).scalar_one()
    topics = [
        TopicView(slug=t.slug, name=t.name, description=t.description) for t in settings.topics
    ]
    return build_site(
        posts,
        topics,
        settings.site,
        generator_note=generator_note(settings, n_sources),
        progress=progress,
    )
