"""Benchmark of the `build` stage: a full site build and a rebuild after one new post.

Fills a fresh SQLite store with N synthetic published posts (default 10,000) over 12
topics, each built from two or three source entries, through the store's own tables,
then, in a child process (so peak memory is the build's own), runs the real
`columnist.site.stage.run_build` three times:

1. full: into an empty output folder;
2. unchanged: nothing new, nothing should be written;
3. incremental: after one more post is stored with the store's functions
   (`stories.create`, `stories.set_topics`, `posts.insert_post`).

    .venv/bin/python bench/site_build.py [--posts 10000] [--no-search] [--hugo]
                                         [--rounds 3] [--keep DIR]

The search index (Pagefind, in its own process while the pages are written) is part of
each build unless --no-search; --hugo also times Debian's `hugo` on the same posts,
right after each round. Each round starts from an empty output folder; the figures are
medians over the rounds (the time to create ten thousand files on this machine's disk
changes from minute to minute). "pages" counts every file the full build wrote
(search index files included). The last line is one JSON object:
{"posts": ..., "full_s": ..., "incremental_s": ..., "pages": ..., "peak_mb": ...}
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _synthetic import sentence  # bench/ is on sys.path when run

ROOT = Path(__file__).resolve().parent.parent
TOPICS = [
    "China-Russia relations",
    "Climate",
    "Artificial intelligence",
    "Energy",
    "Science",
    "Health",
    "Markets",
    "Elections",
    "Football",
    "Space",
    "Courts",
    "Transport",
]


def config_text(folder: Path) -> str:
    topics = "\n".join(
        f'[[topics]]\nname = "{name}"\ndescription = "News and commentary about {name}."\n'
        for name in TOPICS
    )
    return (
        f'[site]\ntitle = "Bench Desk"\nbase_url = "https://bench.example/"\n'
        f'output = "site"\n\n'
        f'[database]\nurl = "sqlite:///{folder / "bench.db"}"\n\n{topics}'
    )


def body_text(rng: random.Random, i: int) -> tuple[str, str]:
    """About 230 words in four paragraphs, and a ~55-word excerpt ending a sentence."""
    paragraphs = []
    for p in range(4):
        lead = f"I think story {i} matters." if p == 0 else ""
        rest = " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(5))
        paragraphs.append(f"{lead} {rest}".strip())
    words = paragraphs[0].split()
    excerpt = " ".join(words[:55])
    excerpt = excerpt[: excerpt.rfind(".") + 1] or excerpt
    return "\n\n".join(paragraphs), excerpt


def generate(db: Path, n: int, seed: int) -> None:
    """Sources, stories, entries, story topics and published posts, in bulk."""
    from sqlalchemy import insert

    from columnist.config import SourceSettings, slugify
    from columnist.store import sources as sources_store
    from columnist.store.db import open_engine, transaction
    from columnist.store.schema import entries, posts, stories, story_topics

    rng = random.Random(seed)
    engine = open_engine(f"sqlite:///{db}")
    with transaction(engine) as conn:
        srcs = sources_store.sync_sources(
            conn, [SourceSettings(name=f"Wire {i}", url=f"/feeds/{i}.xml") for i in range(40)]
        )
    start = datetime(2024, 1, 1, tzinfo=UTC)
    slugs = [slugify(t) for t in TOPICS]
    entry_id = 0
    for first in range(0, n, 2000):
        story_rows, entry_rows, topic_rows, post_rows = [], [], [], []
        for i in range(first, min(n, first + 2000)):
            sid = i + 1
            when = start + timedelta(minutes=90 * i + rng.randint(0, 60))
            title = f"{sentence(rng, 7)[:-1]} ({i})"
            story_rows.append(
                dict(
                    id=sid,
                    title=title,
                    first_seen=when,
                    last_seen=when,
                    entry_count=2,
                    created=when,
                    updated=when,
                )
            )
            story_rows[-1]["entry_count"] = n_entries = rng.choice((2, 2, 3))
            for k in range(n_entries):
                entry_id += 1
                text = sentence(rng, 30)
                entry_rows.append(
                    dict(
                        id=entry_id,
                        source_id=srcs[rng.randrange(len(srcs))].id,
                        dedupe_key=f"bench:{entry_id}",
                        guid=None,
                        link=f"https://news{k}.example/{sid}/{entry_id}",
                        content_hash=f"h{entry_id}",
                        title=f"{title} — report {k + 1}",
                        summary_html=f"<p>{text}</p>",
                        text=text,
                        published=when - timedelta(hours=k + 1),
                        fetched=when,
                        story_id=sid,
                    )
                )
            chosen = rng.sample(slugs, 2 if rng.random() < 0.25 else 1)
            topic_rows += [
                dict(story_id=sid, topic=s, score=0.5, rule="similarity") for s in chosen
            ]
            body, excerpt = body_text(rng, i)
            post_rows.append(
                dict(
                    story_id=sid,
                    slug=slugify(title)[:80].rstrip("-"),
                    title=title,
                    body=body,
                    excerpt=excerpt,
                    status="published",
                    backend="embedded",
                    model="bench-model",
                    prompt_version="bench",
                    checks="{}",
                    source_count=2,
                    created=when,
                    updated=when,
                )
            )
        with transaction(engine) as conn:
            conn.execute(insert(stories), story_rows)
            conn.execute(insert(entries), entry_rows)
            conn.execute(insert(story_topics), topic_rows)
            conn.execute(insert(posts), post_rows)
    engine.dispose()


def add_one_post(engine, seed: int) -> None:
    """One more published post, through the store's functions."""
    from sqlalchemy import insert, update

    from columnist.records import NewPost
    from columnist.store import stories as stories_store
    from columnist.store.db import transaction
    from columnist.store.posts import insert_post
    from columnist.store.schema import entries, stories

    rng = random.Random(seed + 1)
    now = datetime.now(UTC)
    with transaction(engine) as conn:
        sid = stories_store.create(conn, "A brand new story", now, b"")
        conn.execute(
            insert(entries),
            [
                dict(
                    source_id=1,
                    dedupe_key=f"bench:new:{seed}:{k}",
                    link=f"https://new.example/{k}",
                    content_hash=f"new{seed}:{k}",
                    title=f"A brand new story, report {k}",
                    summary_html="<p>New.</p>",
                    text="New.",
                    published=now,
                    fetched=now,
                    story_id=sid,
                )
                for k in range(2)
            ],
        )
        conn.execute(update(stories).where(stories.c.id == sid).values(entry_count=2))
        stories_store.set_topics(conn, sid, [("climate", 0.5, "similarity")])
        body, excerpt = body_text(rng, 999_999)
        insert_post(
            conn,
            NewPost(
                sid, "A brand new story", body, excerpt, "published", "embedded", "m", "b", {}, 2
            ),
        )


def timed_build(engine, settings, search: bool) -> tuple[float, object]:
    from columnist.site.stage import run_build

    started = time.perf_counter()
    report = run_build(engine, settings, search=search)
    return time.perf_counter() - started, report


def run_child(config: Path, seed: int, search: bool) -> None:
    """In a fresh process: the three builds; prints one JSON line of figures."""
    from columnist import config as config_mod
    from columnist.store.db import open_engine
    from columnist.store.published import published_heads

    settings = config_mod.load(config)
    shutil.rmtree(settings.site.output, ignore_errors=True)  # the full build starts empty
    os.sync()  # the deletion's disk work is not part of the build
    engine = open_engine(settings.database.url)
    started = time.perf_counter()
    with engine.connect() as conn:
        published_heads(conn, settings.topics)
    load_s = time.perf_counter() - started
    full_s, full = timed_build(engine, settings, search)
    same_s, same = timed_build(engine, settings, search)
    add_one_post(engine, seed)
    inc_s, inc = timed_build(engine, settings, search)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    engine.dispose()
    out = settings.site.output
    written_mb = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
    figures = {
        "load_s": load_s,
        "full_s": full_s,
        "same_s": same_s,
        "incremental_s": inc_s,
        "pages": full.pages_written,
        "files": full.pages_written + full.pages_unchanged,
        "same_written": same.pages_written,
        "inc_written": inc.pages_written,
        "full_search_s": full.search_seconds,
        "inc_search_s": inc.search_seconds,
        "inc_shards": inc.search_indexed,
        "peak_mb": peak_mb,
        "mb": written_mb,
    }
    print(json.dumps(figures))


def hugo_site(db: Path, folder: Path) -> Path:
    """The same posts as a Hugo site. Hugo gets a topic taxonomy, 10 posts a page, RSS
    per topic and its sitemap: about what columnist writes, without the search index."""
    import sqlite3

    site = folder / "hugo"
    (site / "content/posts").mkdir(parents=True)
    (site / "layouts/_default").mkdir(parents=True)
    (site / "hugo.toml").write_text(
        'baseURL = "https://bench.example/"\ntitle = "Bench Desk"\npaginate = 10\n'
        '[taxonomies]\ntopic = "topics"\n'
    )
    layouts = {
        "baseof.html": "<!doctype html><html><head><title>{{ .Title }}</title></head>"
        '<body>{{ block "main" . }}{{ end }}</body></html>',
        "single.html": '{{ define "main" }}<article><h1>{{ .Title }}</h1>{{ .Content }}'
        "</article>{{ end }}",
        "list.html": '{{ define "main" }}{{ range .Paginator.Pages }}<article><h2>'
        '<a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Summary }} '
        '<a href="{{ .RelPermalink }}">Continue reading</a></p></article>{{ end }}{{ end }}',
    }
    for name, text in layouts.items():
        (site / "layouts/_default" / name).write_text(text)
    with sqlite3.connect(db) as conn:
        topics: dict[int, list[str]] = {}
        for story_id, topic in conn.execute("SELECT story_id, topic FROM story_topics"):
            topics.setdefault(story_id, []).append(topic)
        rows = conn.execute("SELECT story_id, slug, title, body, created FROM posts").fetchall()
    for story_id, slug, title, body, created in rows:
        when = created.replace(" ", "T")[:19] + "Z"
        (site / "content/posts" / f"{slug}.md").write_text(
            f"---\ntitle: {json.dumps(title)}\ndate: {when}\n"
            f"topics: {json.dumps(topics.get(story_id, []))}\n---\n\n{body}\n"
        )
    return site


def hugo_build(hugo: str, site: Path) -> tuple[float, int, float]:
    """Seconds for Debian's `hugo` to build `site` to disk from scratch, files and MB
    written (its bench layouts are bare: pages a fraction of the size of columnist's)."""
    shutil.rmtree(site / "public", ignore_errors=True)
    os.sync()  # the deletion's disk work is not part of the build
    started = time.perf_counter()
    subprocess.run(
        [hugo, "--quiet", "--source", str(site), "--destination", str(site / "public")],
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    sizes = [p.stat().st_size for p in (site / "public").rglob("*") if p.is_file()]
    return seconds, len(sizes), sum(sizes) / 1e6


def child_build(config: Path, seed: int, no_search: bool) -> dict:
    """One round of builds in a fresh process (so peak memory is the build's own)."""
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(config), "--seed", str(seed)]
        + (["--no-search"] if no_search else []),
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        sys.exit(f"build failed:\n{child.stderr}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-search", action="store_true", help="build without Pagefind")
    parser.add_argument("--keep", type=Path, help="copy the built site here")
    parser.add_argument("--hugo", action="store_true", help="also time Hugo on the same posts")
    parser.add_argument("--rounds", type=int, default=3, help="builds to take the median of")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.seed, not args.no_search)
        return
    with tempfile.TemporaryDirectory(prefix="columnist-bench-") as tmp:
        folder = Path(tmp)
        config = folder / "columnist.toml"
        config.write_text(config_text(folder))
        started = time.perf_counter()
        generate(folder / "bench.db", args.posts, args.seed)
        print(f"stored {args.posts} posts in {time.perf_counter() - started:.1f}s", flush=True)
        hugo = shutil.which("hugo") if args.hugo else None
        hugo_folder = hugo_site(folder / "bench.db", folder) if hugo else None
        rounds, hugo_rounds = [], []
        for number in range(1, args.rounds + 1):
            # Alternating with Hugo, each going first every other round, so both meet
            # the disk in the same state: creating 10,000 files costs 0.3-1 ms each of
            # kernel time here, and it varies from minute to minute.
            hugo_first = bool(hugo and hugo_folder and number % 2 == 0)
            if hugo_first:
                hugo_rounds.append(hugo_build(hugo, hugo_folder))  # type: ignore[arg-type]
            f = child_build(config, args.seed + number, args.no_search)
            rounds.append(f)
            line = (
                f"round {number}: full {f['full_s']:.2f}s, unchanged {f['same_s']:.2f}s, "
                f"one new post {f['incremental_s']:.3f}s"
            )
            if hugo and hugo_folder and not hugo_first:
                hugo_rounds.append(hugo_build(hugo, hugo_folder))
            if hugo_rounds:
                line += f"; hugo {hugo_rounds[-1][0]:.2f}s" + (" (ran first)" if hugo_first else "")
            print(line, flush=True)
        if args.keep:
            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.copytree(folder / "site", args.keep)
    f = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    print(f"medians of {args.rounds} round(s):")
    print(f"reading {args.posts} posts (without bodies) from the store: {f['load_s']:.2f}s")
    print(
        f"full build: {f['full_s']:.2f}s, {f['pages']:.0f} files ({f['mb']:.0f} MB) written "
        f"({f['pages'] / f['full_s']:.0f} files/s); waited {f['full_search_s']:.2f}s for the "
        "search index after the pages"
    )
    print(f"unchanged rebuild: {f['same_s']:.2f}s, {f['same_written']:.0f} files written")
    print(
        f"rebuild after one new post: {f['incremental_s']:.3f}s, {f['inc_written']:.0f} files "
        f"written, {f['inc_shards']:.0f} search shard(s) indexed again, waited "
        f"{f['inc_search_s']:.2f}s for them"
    )
    print(f"peak memory of the building process: {f['peak_mb']:.0f} MB")
    if args.hugo:
        if not hugo_rounds:
            print("hugo: not installed (apt-get install hugo)")
        else:
            seconds = statistics.median(h[0] for h in hugo_rounds)
            files, mb = hugo_rounds[0][1], hugo_rounds[0][2]
            print(
                f"hugo, same posts, to disk: {seconds:.2f}s, {files} files ({mb:.0f} MB) "
                f"({files / seconds:.0f} files/s)"
            )
    print(
        json.dumps(
            {
                "posts": args.posts,
                "full_s": round(f["full_s"], 3),
                "incremental_s": round(f["incremental_s"], 3),
                "pages": rounds[0]["pages"],
                "peak_mb": round(f["peak_mb"], 1),
            }
        )
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
