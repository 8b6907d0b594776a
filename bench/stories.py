"""Benchmark of the `assign` stage: same-event clustering and topic filing at scale.

Generates N synthetic entries (default 100,000) whose embeddings are noisy copies of
event centres in 384-d (with a shared "news" direction and per-topic directions, so
unrelated entries sit at cosine ~0.15 and same-event ones at ~0.65), spread over time,
stores them in a real SQLite file with their embeddings already set, and runs the real
`run_assign` on it in a child process: the figure measures clustering, store writes and
topic filing, not the embedding model, whose speed on real headlines is printed
separately.

    .venv/bin/python bench/stories.py [--entries 100000] [--per-day 3000]

The last line is one JSON object: {"entries": ..., "seconds": ..., "peak_mb": ...}
(peak_mb: peak resident memory of the child process that ran the stage).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from _synthetic import WORDS  # bench/ is on sys.path when run

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


def config_text(db: Path) -> str:
    topics = (DATA / "topics_eval.toml").read_text()
    return f'[database]\nurl = "sqlite:///{db}"\n\n{topics}\n'


def add_examples(config: Path, per_topic: int) -> None:
    """Give every topic `per_topic` examples and counter-examples, as `topics tune` would
    (headlines of the labelled set that do / do not carry the topic)."""
    from columnist import config as config_mod
    from columnist.config_edit import add_topic_examples

    lines = [json.loads(x) for x in (DATA / "topics_eval.jsonl").read_text().splitlines() if x]
    for topic in config_mod.load(config).topics:
        yes = [d["title"] for d in lines if topic.name in d["topics"]][:per_topic]
        no = [d["title"] for d in lines if topic.name not in d["topics"]][:per_topic]
        add_topic_examples(config, topic.slug, yes, no)


def generate(db: Path, n: int, per_day: int, seed: int) -> None:
    """Write `n` entries with embeddings and their true event ids (in `guid`)."""
    from sqlalchemy import insert

    from columnist.config import SourceSettings
    from columnist.store import sources
    from columnist.store.db import open_engine, transaction
    from columnist.store.schema import entries

    rng = np.random.default_rng(seed)
    dim = 384
    common = rng.standard_normal(dim)
    common /= np.linalg.norm(common)
    topic_dirs = rng.standard_normal((12, dim))
    topic_dirs /= np.linalg.norm(topic_dirs, axis=1, keepdims=True)
    engine = open_engine(f"sqlite:///{db}")
    with transaction(engine) as conn:
        srcs = sources.sync_sources(
            conn, [SourceSettings(name=f"Wire {i}", url=f"/feeds/{i}.xml") for i in range(40)]
        )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    days = n / per_day
    made, event = 0, 0
    while made < n:
        rows = []
        while len(rows) < 5000 and made + len(rows) < n:
            size = min(int(rng.geometric(1 / 3)), 12, n - made - len(rows))
            centre = 0.4 * common + 0.35 * topic_dirs[rng.integers(12)]
            centre = centre + 0.85 * rng.standard_normal(dim) / np.sqrt(dim)
            begin = start + timedelta(days=float(rng.uniform(0, days)))
            words = rng.choice(WORDS, 6)
            for _ in range(size):
                vec = centre + 0.8 * rng.standard_normal(dim) / np.sqrt(dim)
                vec = (vec / np.linalg.norm(vec)).astype(np.float32)
                i = made + len(rows)
                when = begin + timedelta(hours=float(rng.exponential(8)))
                title = f"{' '.join(words[:4]).capitalize()} update {i}"
                text = " ".join(rng.choice(WORDS, 35)) + " " + " ".join(words)
                rows.append(
                    dict(
                        source_id=srcs[int(rng.integers(len(srcs)))].id,
                        dedupe_key=f"bench:{i}",
                        guid=f"event-{event}",
                        link=f"https://bench.example/{i}",
                        content_hash=f"h{i}",
                        title=title,
                        summary_html=f"<p>{text}</p>",
                        text=text,
                        published=when,
                        fetched=when,
                        embedding=vec.tobytes(),
                    )
                )
            event += 1
        with transaction(engine) as conn:
            conn.execute(insert(entries), rows)
        made += len(rows)
    engine.dispose()


def run_child(config: Path) -> None:
    """In a fresh process: run the stage, print one JSON line of figures."""
    from columnist import config as config_mod
    from columnist.store.db import open_engine
    from columnist.stories.stage import run_assign

    settings = config_mod.load(config)
    engine = open_engine(settings.database.url)
    started, cpu = time.perf_counter(), time.process_time()
    report = run_assign(engine, settings)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    engine.dispose()
    print(
        json.dumps(
            {
                "entries": report.entries,
                "seconds": round(seconds, 2),
                "peak_mb": round(peak_mb, 1),
                "cpu_seconds": round(cpu, 2),
                "stories": report.new_stories,
                "peak_open": report.peak_open,
            }
        )
    )


def quality(db: Path) -> tuple[float, float]:
    """B-cubed precision and recall of the stories against the generated events."""
    import sqlite3

    from columnist.stories.evaluate import bcubed

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT guid, story_id FROM entries ORDER BY id").fetchall()
    p, r, _ = bcubed([g for g, _ in rows], [s for _, s in rows])
    return p, r


def embedder_speed() -> float:
    """Sentences per second of the real MiniLM embedder on the labelled headlines."""
    from columnist.stories.embed import Embedder
    from columnist.stories.stage import entry_text

    lines = [json.loads(x) for x in (DATA / "topics_eval.jsonl").read_text().splitlines() if x]
    texts = [entry_text(d["title"], d.get("summary", "")) for d in lines]
    embedder = Embedder()
    embedder.embed(texts[:32])
    started = time.perf_counter()
    embedder.embed(texts)
    return len(texts) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--per-day", type=int, default=3000, help="entries per day")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--examples", type=int, default=0, help="examples and counter-examples per topic"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child)
        return
    with tempfile.TemporaryDirectory(prefix="columnist-bench-") as tmp:
        db, config = Path(tmp) / "bench.db", Path(tmp) / "columnist.toml"
        config.write_text(config_text(db))
        if args.examples:
            add_examples(config, args.examples)
        started = time.perf_counter()
        generate(db, args.entries, args.per_day, args.seed)
        print(
            f"generated {args.entries} entries over {args.entries / args.per_day:.0f} days "
            f"in {time.perf_counter() - started:.1f}s",
            flush=True,
        )
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(config)],
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            sys.exit(f"assign failed:\n{child.stderr}")
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        precision, recall = quality(db)
    print(
        f"assign: {figures['entries']} entries -> {figures['stories']} stories in "
        f"{figures['seconds']:.1f}s ({figures['entries'] / figures['seconds']:.0f} entries/s; "
        f"{figures['cpu_seconds']:.1f}s of CPU, load average {os.getloadavg()[0]:.1f}), "
        f"peak {figures['peak_mb']:.0f} MB, at most {figures['peak_open']} stories open"
    )
    print(f"synthetic events recovered: B-cubed precision {precision:.3f}, recall {recall:.3f}")
    print(f"embedder (MiniLM int8, real headlines): {embedder_speed():.0f} sentences/s")
    print(
        json.dumps(
            {
                "entries": figures["entries"],
                "seconds": figures["seconds"],
                "peak_mb": figures["peak_mb"],
            }
        )
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
