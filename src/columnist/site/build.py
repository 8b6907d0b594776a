"""build_site: published posts + configured topics -> a static site in settings.output.

The build is incremental: every output file is listed first with a fingerprint of its
inputs, then only files whose fingerprint changed (or that are missing) are rendered,
and only files whose bytes changed are written. A build with nothing new writes nothing.
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import TemplateError

from columnist.config import SiteSettings
from columnist.domain import PostView, TopicView
from columnist.errors import ColumnistError
from columnist.site.context import BuildContext
from columnist.site.feeds import feed_pages
from columnist.site.model import SiteModel
from columnist.site.page import Page
from columnist.site.pages import HTML_GENERATORS
from columnist.site.search import SearchIndex, search_page, shards
from columnist.site.sitemap import sitemap_pages
from columnist.site.templating import environment, static_files, theme_version
from columnist.site.urls import Urls
from columnist.site.writer import OutputWriter


@dataclass(slots=True)
class BuildReport:
    """What a build did. "Pages" counts every output file (HTML, feeds, static, sitemap)."""

    pages_written: int
    pages_unchanged: int
    pages_removed: int
    seconds: float
    output: Path
    search_shards: int = 0  # search index shards in the site
    search_indexed: int = 0  # ... of which this build indexed again
    search_seconds: float = 0.0  # waiting for the search index after the pages were written
    written: list[str] = field(default_factory=list)  # paths relative to output
    removed: list[str] = field(default_factory=list)


def static_pages(theme_dir: Path | None) -> list[Page]:
    """static/…: the theme's CSS and friends, tracked by content."""
    pages = []
    for name, source in static_files(theme_dir).items():
        data = source.read_bytes()
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        pages.append(Page(f"static/{name}", digest, lambda data=data: data))
    return pages


def build_site(
    posts: list[PostView],
    topics: list[TopicView],
    settings: SiteSettings,
    *,
    generator_note: str = "",
    progress: Callable[[int, int], None] | None = None,
    theme_dir: Path | None = None,
    search: bool = True,
) -> BuildReport:
    """Write (or bring up to date) the site for `posts` under `topics` in settings.output.

    `posts` are the published posts in any order; `topics` every configured topic (each
    gets a page, an empty one says so). `theme_dir` may hold `templates/` and `static/`
    files that replace the packaged ones of the same name. `search` adds the search
    page and its Pagefind index. `progress(done, total)` is called now and then while
    files are checked and written.
    """
    started = time.perf_counter()
    # Building creates many small long-lived objects and no garbage cycles worth chasing;
    # the cyclic collector would otherwise rescan them all repeatedly (~40% of a no-change build).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(posts, topics, settings, generator_note, progress, theme_dir, search, started)
    finally:
        if collecting:
            gc.enable()


def _build(
    posts: list[PostView],
    topics: list[TopicView],
    settings: SiteSettings,
    generator_note: str,
    progress: Callable[[int, int], None] | None,
    theme_dir: Path | None,
    search: bool,
    started: float,
) -> BuildReport:
    if theme_dir is not None and not Path(theme_dir).is_dir():
        raise ColumnistError(f"{theme_dir}: theme folder not found")
    theme_dir = Path(theme_dir) if theme_dir is not None else None
    model = SiteModel(posts, topics, Urls(settings.base_url))
    version = theme_version(theme_dir)
    env = environment(theme_dir, version)
    ctx = BuildContext(env, model, settings, version, generator_note, search=search)
    pages = static_pages(theme_dir)
    for generate in (*HTML_GENERATORS, feed_pages, sitemap_pages):
        pages.extend(generate(ctx))
    shard_list = shards(ctx) if search else []
    if search:
        pages.extend(search_page(ctx, shard_list))
    output = Path(settings.output)
    writer: OutputWriter | None = None
    index: SearchIndex | None = None
    waited = 0.0
    try:
        output.mkdir(parents=True, exist_ok=True)
        writer = OutputWriter(output)
        if search:
            index = SearchIndex(ctx, writer.previous, str(output), shard_list)
            index.start()  # Pagefind indexes in its own process while the pages are written
        writer.write_all(pages, len(pages), progress)
        if index is not None:
            waiting = time.perf_counter()
            search_files = index.pages()
            waited = time.perf_counter() - waiting
            done = len(pages)
            total = done + len(search_files)
            writer.write_all(
                search_files,
                len(search_files),
                None if progress is None else lambda d, _t: progress(done + d, total),
            )
        writer.finish()
    except OSError as exc:
        raise ColumnistError(f"{output}: cannot write the site: {exc}") from exc
    except TemplateError as exc:  # most likely a theme's template: name it
        where = getattr(exc, "filename", None) or getattr(exc, "name", None)
        line = getattr(exc, "lineno", None)
        at = f"{where}:{line}: " if where and line else f"{where}: " if where else ""
        page = writer.rendering if writer is not None else ""
        raise ColumnistError(f"{at}{exc.message or exc} (while rendering {page})") from exc
    finally:
        if index is not None:
            index.close()
        if writer is not None:
            writer.close()
    return BuildReport(
        pages_written=len(writer.written),
        pages_unchanged=writer.unchanged,
        pages_removed=len(writer.removed),
        seconds=time.perf_counter() - started,
        output=output,
        written=writer.written,
        removed=writer.removed,
        search_shards=len(shard_list),
        search_indexed=len(index.stale) if index is not None else 0,
        search_seconds=waited,
    )
