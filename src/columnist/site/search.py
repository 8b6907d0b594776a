"""Full-text search: Pagefind bundles under search/, kept up to date shard by shard.

Pagefind cannot update an index, and indexing costs about a millisecond a post, so the
posts are split by id into shards, each its own bundle that the search page merges in
the browser (`pagefind.mergeIndex`). Ids only grow, so a new post lands in the newest
shard and only that shard is indexed again; an edited post re-indexes its own shard.
Ids below the newest multiple of BLOCK form one shard per BLOCK ids; the newest block
is split into SMALL-id shards, so a new post costs at most SMALL posts of indexing, and
once the block fills up its small shards are merged into one (every BLOCK ids).

A shard whose posts did not change keeps its files as they are: it is one group in the
manifest (site/manifest.py) whose fingerprint is the digest of the shard's posts.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass

from columnist.cores import available_cores
from columnist.site.context import BuildContext, PageMeta
from columnist.site.manifest import Group
from columnist.site.model import Entry
from columnist.site.pagefind import PagefindIndex, PagefindService
from columnist.site.pending import Page, fingerprint

BLOCK = 2000
SMALL = 200
PROCESS_POSTS = 2 * BLOCK  # more posts to index than this: one Pagefind process per core
# Pagefind also writes its own ready-made interfaces; the site has its own (search.js).
_UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.")


@dataclass(slots=True)
class Shard:
    name: str  # folder under search/
    entries: list[Entry]
    key: str

    @property
    def folder(self) -> str:
        return f"search/{self.name}/"


def shards(ctx: BuildContext, block: int | None = None, small: int | None = None) -> list[Shard]:
    """The site's posts grouped into shards, oldest ids first."""
    if not ctx.model.entries:
        return []
    block = block or BLOCK
    small = small or SMALL
    newest_block = max(e.id for e in ctx.model.entries) // block
    groups: dict[str, list[Entry]] = {}
    for entry in sorted(ctx.model.entries, key=lambda e: e.id):
        number = entry.id // block
        if number < newest_block:
            name = f"{number * block}"
        else:
            name = f"{number * block + (entry.id % block) // small * small}s"
        groups.setdefault(name, []).append(entry)
    return [
        Shard(name, members, fingerprint(ctx.version, "search", name, [e.key for e in members]))
        for name, members in groups.items()
    ]


def record(entry: Entry) -> tuple[str, str, dict[str, str]]:
    """What Pagefind indexes for a post: (url, plain text, metadata shown in results)."""
    topics = ", ".join(t.name for t in entry.topics)
    text = "\n".join([entry.title, *entry.paragraphs, topics])
    meta = {"title": entry.title, "date": entry.date, "topics": topics}
    return "/" + entry.path, text, meta


class SearchIndex:
    """Decides which shards need indexing, indexes them (in Pagefind's own process, while
    the pages are written) and hands every search file to the OutputWriter as a Page."""

    def __init__(
        self, ctx: BuildContext, previous: dict[str, Group], output: str, shard_list: list[Shard]
    ) -> None:
        self.ctx = ctx
        self.previous = previous  # the last build's shards: manifest groups by folder
        self.output = output
        self.shards = shard_list
        self.stale = [s for s in shard_list if not self._fresh(s)]
        self._services: list[PagefindService] = []
        self._feeders: list[threading.Thread] = []
        self._failure: BaseException | None = None
        self._indexes: dict[str, PagefindIndex] = {}  # shard name -> its bundle
        self._made: list[tuple[Shard, list[str]]] = []

    def _fresh(self, shard: Shard) -> bool:
        """True if the last build indexed exactly these posts and every file is still there."""
        group = self.previous.get(shard.folder)
        if group is None or group.key != shard.key:
            return False
        listings: dict[str, set[str]] = {}
        for name in group.names:
            folder, _, name = (shard.folder + name).rpartition("/")
            if folder not in listings:
                try:
                    listings[folder] = set(os.listdir(os.path.join(self.output, folder)))
                except OSError:
                    return False
            if name not in listings[folder]:
                return False
        return True

    def start(self) -> None:
        """Start sending the stale shards' posts to Pagefind, from threads: the pipe to it
        fills up long before it is done, and the build has pages to render meanwhile.

        Many posts to index (a first build) are split between one Pagefind process per
        core, a shard each at a time, largest first: one process indexing ten thousand
        posts was the last thing a full build waited for.
        """
        if not self.stale or self._services:
            return
        many = self.stale_posts() > PROCESS_POSTS
        count = min(available_cores(), len(self.stale)) if many else 1
        loads: list[list[Shard]] = [[] for _ in range(count)]
        for shard in sorted(self.stale, key=lambda s: -len(s.entries)):
            min(loads, key=lambda load: sum(len(s.entries) for s in load)).append(shard)
        for number, load in enumerate(loads):
            service = PagefindService()
            self._services.append(service)
            feeder = threading.Thread(
                target=self._feed, args=(service, load), name=f"pagefind-feed-{number}", daemon=True
            )
            self._feeders.append(feeder)
            feeder.start()

    def stale_posts(self) -> int:
        """Posts to index in this build."""
        return sum(len(s.entries) for s in self.stale)

    def fed(self) -> None:
        """Wait until every post has been handed to Pagefind (it may still be indexing)."""
        for feeder in self._feeders:
            feeder.join()

    def _feed(self, service: PagefindService, shards: list[Shard]) -> None:
        language = self.ctx.site.language.split("-")[0].lower() or "en"
        try:
            for shard in shards:
                index = PagefindIndex(service, language)
                for entry in shard.entries:
                    index.add(*record(entry))
                index.ask()  # Pagefind builds this bundle while the next one is fed
                self._indexes[shard.name] = index
        except BaseException as exc:  # noqa: BLE001 - handed to the build thread in pages()
            self._failure = exc

    def kept(self) -> list[str]:
        """Folders of the shards that were not indexed again: they stay as they are
        (`_fresh` saw every file of them on disk)."""
        stale = {s.name for s in self.stale}
        return [shard.folder for shard in self.shards if shard.name not in stale]

    def made(self) -> list[tuple[str, str, list[str]]]:
        """(folder, key, paths) of each shard indexed again, once `pages` are written."""
        return [(shard.folder, shard.key, paths) for shard, paths in self._made]

    def pages(self) -> list[Page]:
        """Files of the shards indexed again, from Pagefind."""
        self.fed()
        if self._failure is not None:
            raise self._failure
        pages: list[Page] = []
        for shard in self.stale:  # in shard order, whichever process indexed it
            index = self._indexes[shard.name]
            paths = []
            for name, data in sorted(index.files().items()):
                if name.startswith(_UNUSED) or not _safe_name(name):
                    continue
                paths.append(shard.folder + name)
                digest = hashlib.blake2b(data, digest_size=16).hexdigest()
                pages.append(Page(shard.folder + name, digest, lambda data=data: data))
            self._made.append((shard, paths))
        return pages

    def close(self) -> None:
        """Stop Pagefind; after a failure elsewhere it may still be busy, so it is killed."""
        for service, feeder in zip(self._services, self._feeders, strict=True):
            if feeder.is_alive():
                service.kill()
                feeder.join()
            service.close()
        self._services, self._feeders = [], []


def _safe_name(name: str) -> bool:
    return all(part not in ("", ".", "..") for part in name.split("/"))


def search_page(ctx: BuildContext, shard_list: list[Shard]) -> list[Page]:
    """search/: the search form; results come from the shards, in the browser."""
    folders = [ctx.urls.link(s.folder) for s in shard_list]

    def render() -> str:
        meta = PageMeta(
            title=f"Search — {ctx.site.title}",
            description=f"Search every commentary on {ctx.site.title}.",
            canonical=ctx.urls.absolute("search/"),
            feeds=ctx.site_feeds,
            noindex=True,
        )
        return ctx.render("search.html", meta=meta, shards=folders, topics=ctx.topics)

    return [Page("search/index.html", fingerprint(ctx.version, "search-page", folders), render)]
