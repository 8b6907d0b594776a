"""Topic filing on the real feeds before and after `topics tune`, judged on held-out items.

The fair protocol: a user tunes each topic by answering y/n on borderline items of one
half of tests/data/real/topics_real.jsonl (the hand labels answer for them, through the
very session `columnist topics tune` runs), the answers become the topics' examples and
counter-examples, and filing is scored on the OTHER half, which tuning never saw:

  - by day: tune on 16 May 2024, test on 20 May (and the other way round). New events on
    the test day (Iran's president killed, the UK infected-blood report) make it hard;
  - by a stable hash of the headline (`half()` in stories/evaluate.py): the halves share
    events, as entries that arrive later the same days would.

    .venv/bin/python bench/topics_tune.py [--questions 20 40] [--write DIR]

Two methods, each with the session it runs: "examples" (the answers only move the score
by example_weight, the questions are asked around the fixed threshold: names and
calibration off) and "calibrated" (the defaults: names of the topic and its examples
count, the answers calibrate the topic's threshold and the questions follow it).
The defaults were chosen on the first split (tune 16 May, test 20 May); the other
three are the checks.

A desk asks once per story; the hand-labelled events of tests/data/real stand in for
its stories. `--write DIR` saves, per split, the tuned TOML (written with the command's
own TOML editor) and the held-out half as JSON lines, so `columnist topics test HALF -c
TUNED` gives the same figures (the TOMLs of 20 answers per topic are kept in
tests/data/real/tuned/). Prints one line per split; the last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "data" / "real"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--questions", type=int, nargs="+", default=[20, 40], help="answers per topic"
    )
    parser.add_argument("--write", type=Path, help="folder for tuned TOMLs and halves")
    parser.add_argument("--data", type=Path, default=REAL / "topics_real.jsonl")
    parser.add_argument("--config", type=Path, default=REAL / "topics_real.toml")
    parser.add_argument("--threshold", type=float, help="[stories] topic_threshold to use")
    parser.add_argument("--weight", type=float, help="[stories] example_weight to use")
    args = parser.parse_args()

    from dataclasses import replace

    from columnist import config as config_mod
    from columnist.config_edit import add_topic_examples
    from columnist.stories.embed import shared_embedder
    from columnist.stories.evaluate import TopicBench, half, load_topic_set
    from columnist.stories.topics import TopicAssigner
    from columnist.stories.tune import Candidate, TuneSession

    settings = config_mod.load(args.config)
    if args.threshold is not None:
        settings.stories.topic_threshold = args.threshold
    if args.weight is not None:
        settings.stories.example_weight = args.weight
    methods = {
        "examples": replace(
            settings.stories,
            topic_name_weight=0.0,
            topic_counter_name_weight=0.0,
            tune_calibrate=False,
        ),
        "calibrated": settings.stories,
    }
    items = load_topic_set(args.data, settings.topics)
    meta = [json.loads(x) for x in (REAL / "feeds" / "items.jsonl").read_text().splitlines()]
    if args.data == REAL / "topics_real.jsonl":
        assert [m["title"] for m in meta] == [i.title for i in items]
        day = [m["id"].split("-")[1] for m in meta]
        source = [m["source"] for m in meta]
        # A desk asks once per story; the hand-labelled events stand in for its stories.
        labels = [json.loads(x) for x in (REAL / "feeds" / "labels.jsonl").read_text().splitlines()]
        event_of = {x["id"]: x["event"] for x in labels}
        events = {e: n for n, e in enumerate(sorted(set(event_of.values())))}
        story = [events[event_of[m["id"]]] for m in meta]
    else:
        day, source, story = ["?"] * len(items), [""] * len(items), [None] * len(items)
    embedder = shared_embedder()
    vectors = embedder.embed([i.text for i in items])
    names = {t.slug: t.name for t in settings.topics}

    def bench_for(topics, subset, stories):
        assigner = TopicAssigner(topics, stories, embedder.embed)
        bench = TopicBench([items[i] for i in subset], assigner, lambda _: vectors[subset])
        return bench.score()

    splits = []
    if "0516" in day:
        a = [i for i, d in enumerate(day) if d == "0516"]
        b = [i for i, d in enumerate(day) if d == "0520"]
        splits += [("tune 16 May, test 20 May", a, b), ("tune 20 May, test 16 May", b, a)]
    ha = [i for i, item in enumerate(items) if half(item.title) == 0]
    hb = [i for i, item in enumerate(items) if half(item.title) == 1]
    splits += [("tune hash half A, test B", ha, hb), ("tune hash half B, test A", hb, ha)]

    def tuned(stories, questions, tune_on):
        """The topics after `questions` answers per topic on the items `tune_on`."""
        topics = list(settings.topics)
        asked = 0
        candidates = [
            Candidate(str(i + 1), items[i].title, items[i].summary, source[i], story=story[i])
            for i in tune_on
        ]
        for k, topic in enumerate(topics):
            assigner = TopicAssigner(topics, stories, embedder.embed)
            session = TuneSession(
                assigner, topic.slug, candidates, vectors[tune_on], embedder.embed
            )
            for _ in range(questions):
                index = session.next()
                if index is None:
                    break
                session.answer(index, topic.slug in items[tune_on[index]].topics)
            asked += len(session.answered)
            topics[k] = session.tuned_topic()
        return topics, asked

    def prf(score) -> list[float]:
        m = score.micro
        return [round(m.precision, 3), round(m.recall, 3), round(m.f1, 3)]

    def write(label, topics, asked, questions, test_on):
        """The tuned TOML and the held-out half, for `columnist topics test`."""
        args.write.mkdir(parents=True, exist_ok=True)
        stem = label.split(",")[0].replace("tune ", "tuned_on_").replace(" ", "_")
        tuned_toml = args.write / f"{stem}.toml"
        tuned_toml.write_text(
            f"# {label}: topics_real.toml plus the examples and counter-examples of\n"
            f"# {asked} simulated `topics tune` answers ({questions} per topic, the hand\n"
            "# labels answering) and the thresholds they calibrate, written by\n"
            "# bench/topics_tune.py --write.\n\n" + args.config.read_text()
        )
        for topic, new in zip(settings.topics, topics, strict=True):
            add_topic_examples(
                tuned_toml, topic.slug, new.examples, new.counter_examples, new.threshold
            )
        held = args.write / f"{stem}.held_out.jsonl"
        held.write_text(
            "".join(
                json.dumps(
                    {
                        "title": items[i].title,
                        "summary": items[i].summary,
                        "topics": sorted(names[s] for s in items[i].topics),
                    },
                    ensure_ascii=False,
                )
                + "\n"
                for i in test_on
            )
        )
        print(f"  columnist topics test {held} -c {tuned_toml}")

    results = []
    for label, tune_on, test_on in splits:
        row = {"split": label, "tuned_on": len(tune_on), "tested_on": len(test_on)}
        for method, stories in methods.items():
            row[method] = {"before": prf(bench_for(settings.topics, test_on, stories))}
        line = f"{label}: {len(test_on)} held-out items, P/R/F1"
        for method, stories in methods.items():
            before = "/".join(f"{x:.3f}" for x in row[method]["before"])
            line += f"; {method}: descriptions {before}"
            for questions in args.questions:
                started = time.perf_counter()
                topics, asked = tuned(stories, questions, tune_on)
                after = bench_for(topics, test_on, stories)
                row[method][str(questions)] = {
                    "answers": asked,
                    "after": prf(after),
                    "per_topic_f1": {names[s]: round(c.f1, 3) for s, c in after.per_topic.items()},
                    "thresholds": {t.name: t.threshold for t in topics},
                    "tune_seconds": round(time.perf_counter() - started, 1),
                }
                line += f", {questions} answers {'/'.join(f'{x:.3f}' for x in prf(after))}"
                if args.write and method == "calibrated" and questions == args.questions[0]:
                    write(label, topics, asked, questions, test_on)
        results.append(row)
        print(line, flush=True)
    print(json.dumps({"questions": args.questions, "splits": results}))


if __name__ == "__main__":
    sys.exit(main())
