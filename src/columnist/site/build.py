"""build_site: published posts + configured topics -> a static site in settings.output.

The build is incremental: every output file is listed first with a fingerprint of its
inputs, then only files whose fingerprint changed (or that are missing) are rendered,
and only files whose bytes changed are written. A build with nothing new writes nothing.
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import TemplateError

from columnist.config import SiteSettings
from columnist.cores import available_cores
from columnist.errors import ColumnistError
from columnist.records import PostView, Retraction, TopicView
from columnist.site.context import BuildContext
from columnist.site.digest_pages import digest_pages
from columnist.site.feeds import feed_pages
from columnist.site.html_pages import HTML_GENERATORS
from columnist.site.images import ImageCopy, card_pages, copy_pages
from columnist.site.model import Details, SiteModel
from columnist.site.output import OutputWriter, can_fork, describe_failure
from columnist.site.pending import Page
from columnist.site.search import SearchIndex, search_page, shards
from columnist.site.sitemap import sitemap_pages
from columnist.site.templating import environment, static_files, theme_version
from columnist.site.urls import Urls
from columnist.stages import Report


@dataclass(slots=True)
class BuildReport(Report):
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
    stopped: bool = False  # a build is never cut short: it is quick and writes whole pages
    hub_pinged: int = 0  # changed feeds announced to the WebSub hub (site/websub.py)
    hub_warnings: list[str] = field(default_factory=list)

    def warnings(self) -> list[str]:
        return self.hub_warnings

    def summary(self, brief: bool = False) -> str:
        took = "" if brief else f" in {self.seconds:.1f}s"
        return (
            f"build: {self.pages_written} pages written, {self.pages_unchanged} unchanged, "
            f"{self.pages_removed} removed{took} -> {self.output}"
        ) + (f"; {self.hub_pinged} feeds announced to the hub" if self.hub_pinged else "")


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
    feeds_read: list[tuple[str, str]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    theme_dir: Path | None = None,
    search: bool = True,
    details: Details | None = None,
    workers: int | None = None,
    retracted: list[Retraction] | None = None,
    image_copy: ImageCopy | None = None,
) -> BuildReport:
    """Write (or bring up to date) the site for `posts` under `topics` in settings.output.

    `posts` are the published posts in any order; `topics` every configured topic (each
    gets a page, an empty one says so). `feeds_read` are the (name, URL) of the news
    feeds the site is made from, listed on the About page. Posts read without body and
    sources (see store/published.py) get them from `details` when their pages are rendered.
    `theme_dir` may hold `templates/` and `static/` files that replace the packaged ones
    of the same name. `search` adds the search page and its Pagefind index. `workers` processes
    render when many pages are due (default: one per core). `progress(done, total)` is
    called now and then while files are checked and written. Each of `retracted` keeps
    its page as a dated retraction note (and is in no list, feed or index). `image_copy`
    reads a source image's stored copy, for `[site] images = "copy"` (site/images.py).
    """
    started = time.perf_counter()
    with without_gc():
        if theme_dir is not None and not Path(theme_dir).is_dir():
            raise ColumnistError(f"{theme_dir}: theme folder not found")
        theme = Path(theme_dir) if theme_dir is not None else None
        # Copies can be shown only when the build can read them from the store.
        images = "hotlink" if settings.images == "copy" and image_copy is None else settings.images
        model = SiteModel(posts, topics, Urls(settings.base_url), details, images)
        version = theme_version(theme)
        ctx = BuildContext(
            environment(theme, version),
            model,
            settings,
            version,
            generator_note,
            search=search,
            feeds_read=feeds_read or [],
            retracted=retracted,
            image_copy=image_copy,
        )
        return _build(ctx, theme, progress, workers or available_cores(), started)


@contextmanager
def without_gc() -> Iterator[None]:
    """Reading and building create many small long-lived objects and no garbage cycles
    worth chasing; the cyclic collector would otherwise rescan them all again and again
    (~40% of a no-change build)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


EARLY_INDEX = 400  # posts to index at most for Pagefind to start before the pages are planned
FORK_MIN = 400  # fewer pages due than this: not worth forking render helpers for


def _site_pages(ctx: BuildContext, theme: Path | None) -> list[Page]:
    pages = static_pages(theme)
    for generate in (*HTML_GENERATORS, digest_pages, feed_pages, sitemap_pages, card_pages):
        pages.extend(generate(ctx))
    return pages


def _prefetch(ctx: BuildContext, due: list[Page], index: SearchIndex | None, forking: bool) -> None:
    """Read the bodies and sources the due pages and search shards show, in one go.

    Before helpers are forked every one is read, so that no helper has to query the store
    (its connection belongs to the build process).
    """
    if forking:
        ctx.model.load_details(ctx.model.entries)
        return
    needed = [e for page in due for e in page.entries]
    if index is not None:
        needed += [e for shard in index.stale for e in shard.entries]
    ctx.model.load_details(needed)


def _build(
    ctx: BuildContext,
    theme: Path | None,
    progress: Callable[[int, int], None] | None,
    workers: int,
    started: float,
) -> BuildReport:
    shard_list = shards(ctx) if ctx.site.search else []
    output = Path(ctx.settings.output)
    writer: OutputWriter | None = None
    index: SearchIndex | None = None
    waited = 0.0
    try:
        output.mkdir(parents=True, exist_ok=True)
        writer = OutputWriter(output)
        if ctx.site.search:
            index = SearchIndex(ctx, writer.previous_groups, str(output), shard_list)
            if index.stale_posts() <= EARLY_INDEX:
                # Pagefind indexes the few posts while the pages are listed and planned.
                ctx.model.load_details(e for shard in index.stale for e in shard.entries)
                index.start()
        pages = _site_pages(ctx, theme)
        if ctx.site.search:
            pages.extend(search_page(ctx, shard_list))
        due = writer.plan(pages)
        forking = workers > 1 and len(due) >= FORK_MIN and can_fork()
        if forking and index is not None:
            index.fed()  # no thread may be busy when the helpers are forked
        _prefetch(ctx, due, index, forking)
        # Pagefind indexes in its own process while the pages are written (if not started).
        writer.write(
            due,
            progress,
            workers=workers if forking else 1,
            started=index.start if index is not None else None,
            done=len(pages) - len(due),
            total=len(pages),
        )
        # Image copies are read from the store as they are encoded: here, not in a helper.
        copies = copy_pages(ctx)
        writer.write(writer.plan(copies), progress, done=len(pages), total=len(pages) + len(copies))
        if index is not None:
            waiting = time.perf_counter()
            for folder in index.kept():
                writer.keep_group(folder)
            search_files = index.pages()
            waited = time.perf_counter() - waiting
            total = len(pages) + len(search_files)
            writer.write(writer.plan(search_files), progress, done=len(pages), total=total)
            for folder, key, paths in index.made():
                writer.set_group(folder, key, paths)
        writer.finish()
    except (OSError, TemplateError) as exc:
        page = writer.rendering if writer is not None else ""
        raise ColumnistError(describe_failure(exc, output, page) or str(exc)) from exc
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
