"""Topic filing end to end, as a desk's reader meets it: `assign` on a real SQLite store.

`columnist topics test` files each labelled item alone; a desk files stories. Here the
items of tests/data/real go into a fresh SQLite file as entries (one source per outlet,
the items' own publication times), the real `run_assign` clusters them into stories
and files each story, with the tuned TOML of the other half and with or without the
writing model's "about" check, and every item is scored with the topics its story is
filed under: what the topic pages show. The stories are also scored against the
hand-labelled events (B-cubed), as `columnist topics events` scores its own clustering.

    .venv/bin/python bench/topics_tune.py --questions 40 --write /tmp/tuned40
    .venv/bin/python bench/topics_desk.py --tuned /tmp/tuned40 [--band 0 0.12]

`--tuned` defaults to tests/data/real/tuned/ (20 answers a topic); the first run files
all 496 items with the descriptions alone (tests/data/real/topics_real.toml). Band 0 is
no check; a band above 0 loads the 1.5B writing model (`topic_check = "about"`, the
TOML's cut and slope). Prints one line per split and band; the last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "data" / "real"

SPLITS = {
    "descriptions only, all items": "descriptions",
    "tuned on 16 May, test 20 May": "tuned_on_16_May",
    "tuned on 20 May, test 16 May": "tuned_on_20_May",
    "tuned on hash half A, test B": "tuned_on_hash_half_A",
    "tuned on hash half B, test A": "tuned_on_hash_half_B",
}


def held_out(stem: str, items: list, meta: list[dict]) -> list[int]:
    """Indexes of the items the TOML `stem` was not tuned on (all, untuned)."""
    from columnist.stories.evaluate import half

    day = [m["id"].split("-")[1] for m in meta]
    return {
        "descriptions": list(range(len(items))),
        "tuned_on_16_May": [i for i, d in enumerate(day) if d == "0520"],
        "tuned_on_20_May": [i for i, d in enumerate(day) if d == "0516"],
        "tuned_on_hash_half_A": [i for i, x in enumerate(items) if half(x.title) == 1],
        "tuned_on_hash_half_B": [i for i, x in enumerate(items) if half(x.title) == 0],
    }[stem]


def store(db: Path, items: list, meta: list[dict], subset: list[int]) -> list[int]:
    """Write the items `subset` as entries of a fresh store; their entry ids, in order."""
    from sqlalchemy import insert, select

    from columnist.config import SourceSettings
    from columnist.store import sources
    from columnist.store.db import open_engine, transaction
    from columnist.store.schema import entries

    engine = open_engine(f"sqlite:///{db}")
    outlets = sorted({meta[i]["source"] for i in subset})
    with transaction(engine) as conn:
        made = sources.sync_sources(
            conn, [SourceSettings(name=o, url=f"/feeds/{k}.xml") for k, o in enumerate(outlets)]
        )
        source_id = {s.name: s.id for s in made}
        rows = []
        for i in subset:
            when = datetime.fromisoformat(meta[i]["published"])
            rows.append(
                dict(
                    source_id=source_id[meta[i]["source"]],
                    dedupe_key=meta[i]["id"],
                    guid=meta[i]["id"],
                    link=meta[i]["url"],
                    content_hash=meta[i]["id"],
                    title=items[i].title,
                    summary_html=items[i].summary,
                    text=items[i].summary,
                    published=when,
                    fetched=when,
                )
            )
        conn.execute(insert(entries), rows)
        ids = dict(conn.execute(select(entries.c.guid, entries.c.id)).all())
    engine.dispose()
    return [ids[meta[i]["id"]] for i in subset]


def filed(db: Path, entry_ids: list[int]) -> tuple[list[set[str]], list[int]]:
    """The topics each entry's story is filed under, and the story."""
    from sqlalchemy import select

    from columnist.store.db import open_engine
    from columnist.store.schema import entries, story_topics

    engine = open_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        story = dict(conn.execute(select(entries.c.id, entries.c.story_id)).all())
        topics: dict[int, set[str]] = {}
        for sid, slug in conn.execute(select(story_topics.c.story_id, story_topics.c.topic)):
            topics.setdefault(sid, set()).add(slug)
    engine.dispose()
    return [topics.get(story[e], set()) for e in entry_ids], [story[e] for e in entry_ids]


def run(
    toml: Path, band: float, items: list, meta: list[dict], events: list[str], subset: list[int]
) -> dict:
    """One held-out half through `assign`, scored by story; and its stories against the
    hand-labelled events (B-cubed P / R / F1)."""
    from columnist import config as config_mod
    from columnist.store.db import open_engine
    from columnist.stories.evaluate import bcubed, load_topic_set, score_topics
    from columnist.stories.stage import run_assign

    settings = config_mod.load(toml)
    labelled = load_topic_set(REAL / "topics_real.jsonl", settings.topics)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "desk.db"
        settings.database.url = f"sqlite:///{db}"
        settings.stories.topic_check_band = band
        settings.stories.topic_check = "about"
        ids = store(db, items, meta, subset)
        engine = open_engine(settings.database.url)
        started = time.perf_counter()
        report = run_assign(engine, settings)
        seconds = time.perf_counter() - started
        engine.dispose()
        got, stories = filed(db, ids)
    score = score_topics([labelled[i] for i in subset], got, [t.slug for t in settings.topics])
    m = score.micro
    return {
        "band": band,
        "items": len(subset),
        "stories": report.new_stories,
        "p_r_f1": [round(m.precision, 3), round(m.recall, 3), round(m.f1, 3)],
        "events_bcubed": [round(x, 3) for x in bcubed([events[i] for i in subset], stories)],
        "questions": report.checked,
        "check_seconds": round(report.check_seconds, 1),
        "seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tuned", type=Path, default=REAL / "tuned", help="folder of tuned TOMLs")
    parser.add_argument("--band", type=float, nargs="+", default=[0.0, 0.12])
    parser.add_argument("--splits", nargs="+", default=list(SPLITS.values()))
    args = parser.parse_args()

    from columnist import config as config_mod
    from columnist.stories.evaluate import load_event_set, load_topic_set

    meta = [json.loads(x) for x in (REAL / "feeds" / "items.jsonl").read_text().splitlines()]
    base = config_mod.load(REAL / "topics_real.toml")
    items = load_topic_set(REAL / "topics_real.jsonl", base.topics)
    labelled_events = load_event_set(REAL / "events_real.jsonl")
    assert [m["title"] for m in meta] == [i.title for i in items]
    assert [e.title for e in labelled_events] == [i.title for i in items]
    events = [e.event for e in labelled_events]
    results = []
    for name, stem in SPLITS.items():
        if stem not in args.splits:
            continue
        subset = held_out(stem, items, meta)
        toml = REAL / "topics_real.toml" if stem == "descriptions" else args.tuned / f"{stem}.toml"
        for band in args.band:
            row = {"run": name, **run(toml, band, items, meta, events, subset)}
            results.append(row)
            asked = (
                f"; {row['questions']} questions in {row['check_seconds']} s"
                if row["questions"]
                else ""
            )
            print(
                f"{name}, band {band}: {row['items']} items in {row['stories']} stories; "
                f"P / R / F1 by story {' / '.join(map(str, row['p_r_f1']))}{asked}; "
                f"events B-cubed {' / '.join(map(str, row['events_bcubed']))}",
                flush=True,
            )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
