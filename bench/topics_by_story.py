"""Topic filing as a reader meets it: by story, not by item, on the real feeds.

`columnist topics test` files each labelled item alone. A desk files stories: `assign`
clusters the entries into stories and files each story by the mean of its entries'
vectors and the names any of them carries (stories/stage.py). So here the items of
tests/data/real are clustered by the same code (`event_labels`, the [stories] settings of
each TOML), each story is filed as `assign` files it, and every item is scored with its
story's topics: the filings a reader sees on the topic pages.

Scored on all 496 items with the descriptions only, and on each held-out half with the
TOML tuned on the other half (tests/data/real/tuned/, 20 answers a topic; the halves as
in bench/topics_tune.py). Clustering sees only the half it files.

    .venv/bin/python bench/topics_by_story.py

Prints one line per run; the last line is JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "data" / "real"
TUNED = REAL / "tuned"


def main() -> None:
    from columnist import config as config_mod
    from columnist.stories.embed import shared_embedder
    from columnist.stories.evaluate import (
        TopicBench,
        event_labels,
        half,
        load_event_set,
        load_topic_set,
        score_topics,
    )
    from columnist.stories.topics import TopicAssigner

    entries = load_event_set(REAL / "events_real.jsonl")
    meta = [json.loads(x) for x in (REAL / "feeds" / "items.jsonl").read_text().splitlines()]
    day = [m["id"].split("-")[1] for m in meta]
    base = config_mod.load(REAL / "topics_real.toml")
    every = load_topic_set(REAL / "topics_real.jsonl", base.topics)
    assert [e.title for e in entries] == [i.title for i in every] == [m["title"] for m in meta]
    embedder = shared_embedder()
    vectors = embedder.embed([i.text for i in every])
    on_16 = [i for i, d in enumerate(day) if d == "0516"]
    on_20 = [i for i, d in enumerate(day) if d == "0520"]
    half_a = [i for i, item in enumerate(every) if half(item.title) == 0]
    half_b = [i for i, item in enumerate(every) if half(item.title) == 1]
    runs = [
        ("descriptions only, all items", REAL / "topics_real.toml", list(range(len(every)))),
        ("tuned on 16 May, test 20 May", TUNED / "tuned_on_16_May.toml", on_20),
        ("tuned on 20 May, test 16 May", TUNED / "tuned_on_20_May.toml", on_16),
        ("tuned on hash half A, test B", TUNED / "tuned_on_hash_half_A.toml", half_b),
        ("tuned on hash half B, test A", TUNED / "tuned_on_hash_half_B.toml", half_a),
    ]
    results = []
    for name, toml, subset in runs:
        settings = config_mod.load(toml)
        labelled = load_topic_set(REAL / "topics_real.jsonl", settings.topics)
        items = [labelled[i] for i in subset]
        assigner = TopicAssigner(settings.topics, settings.stories, embedder.embed)
        bench = TopicBench(items, assigner, lambda _, s=subset: vectors[s])
        by_item = bench.score().micro
        stories = event_labels([entries[i] for i in subset], vectors[subset], settings.stories)
        filed: list[set[str]] = [set() for _ in subset]
        for story in set(stories):
            members = [k for k, s in enumerate(stories) if s == story]
            total = vectors[subset][members].sum(axis=0)
            hits = set().union(*(bench.hits[k] for k in members))
            found = {m.slug for m in assigner.assign(total / np.linalg.norm(total), hits)}
            for k in members:
                filed[k] = found
        by_story = score_topics(items, filed, bench.slugs).micro
        row = {
            "run": name,
            "items": len(subset),
            "stories": len(set(stories)),
            "by_item": [
                round(by_item.precision, 3),
                round(by_item.recall, 3),
                round(by_item.f1, 3),
            ],
            "by_story": [
                round(by_story.precision, 3),
                round(by_story.recall, 3),
                round(by_story.f1, 3),
            ],
        }
        results.append(row)
        print(
            f"{name}: {row['items']} items in {row['stories']} stories; P / R / F1 by item "
            f"{' / '.join(map(str, row['by_item']))}, by story "
            f"{' / '.join(map(str, row['by_story']))}"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
