"""Can the writing model judge the borderline item-topic pairs that tuned filing gets wrong?

After `topics tune` (bench/topics_tune.py, hand labels answering) filing on the real feeds
reaches micro precision 0.87-0.94 but F1 0.80-0.90 on held-out halves. A perfect judge
of the pairs whose score lies within a band of the topic's threshold would lift F1 to
0.91-0.97. This bench asks whether the shipped 1.5B model can be that judge, not by its
yes/no argmax (tried: "yes" never won) but by its *probability* of yes: the margin
log P(yes) - log P(no) of the first reply token, read from the logits, no grammar.

Per split (the tuned TOMLs and splits of bench/topics_tune.py; make the TOMLs with
`bench/topics_tune.py --questions 40 --write DIR`):

  - pairs: item x topic whose filing turns on the score (no keyword, long enough text) and
    whose score lies within `--band` of the topic's tuned threshold, on the tuning half
    (calibration: its hand labels stand in for the answers `topics tune` asks for, which
    are exactly such near-threshold pairs) and on the held-out half (test); at most
    `--cap` pairs per half, nearest the threshold first;
  - each pair is scored by the margin; the cut is the one maximising micro F1 of filing on
    the tuning half when the band's pairs are filed by margin >= cut (one cut for all
    topics, and one per topic), then applied to the held-out half.

The prompt puts the topic (name, description, a few of its examples) first and the item
last, fenced as data, and pairs are scored topic by topic, so llama.cpp keeps the topic's
tokens in its KV cache and only the item is evaluated (the bench counts the tokens it
evaluates to show the cache is hit).

    PYTHONPATH=src nice -n 19 .venv/bin/python bench/topics_tune.py --questions 40 --write DIR
    PYTHONPATH=src nice -n 19 .venv/bin/python bench/topics_model_check.py --tuned DIR \
        [--splits 16 20] [--band 0.05 0.08] [--answers 10] [--cap 60] [--prompt plain]

Prints per split: AUC of the margin on the answers and on the held-out pairs, the cut,
micro P/R/F1 on the held-out half without the check, with it (one cut, per-topic cuts,
the product's `--cut` sliding by `--slope` per 0.1 of score from the threshold) and with
a perfect judge, seconds per check and prompt tokens evaluated vs asked for (the
difference is the cache). The last line is JSON. `--dry` counts pairs and the perfect
judge without the model.

Measured (README "Topic filing: figures"): with `--prompt plain` the margin ranks the
answers well (AUC 0.90) but the held-out borderline pairs only at AUC 0.76-0.83, and
filing with it moves held-out F1 by -0.027 to +0.007. With `--prompt about` ("Is this
news item about X?", five "yes" answers shown) held-out AUC is 0.79-0.89 and F1 rises on
all four splits (mean 0.853 -> 0.865 within 0.05 of the threshold); the cut of 1.8
sliding by 2.0 per 0.1 of score within 0.08 (the product's default) gives a mean of
0.875. With two threads beside another llama.cpp process a check took 8-25 s; with
`--threads 1` 1.7 s.

`--prompt shots-headlines` (measured 2026-12-06) asks the way the product does
(`topic_check.about_messages`): the topic's first five examples and five counter-examples
are put to the model as earlier turns it answered yes or no, headlines only (all a topic
in columnist.toml keeps), instead of listing the examples. "shots", the same turns with
each headline's summary, was measured beside it and dropped (`git show d02f5ff:bench/`).
Held-out AUC within 0.12 of the threshold: listed examples ("about") 0.87 / 0.89 / 0.88 /
0.86 on the four splits, summaries 0.91 / 0.93 / 0.85 / 0.86, shots-headlines 0.92 /
0.94 / 0.85 / 0.89. With the product's cut (1.8, sliding 2.0) in a band of 0.12,
shots-headlines filed the held-out halves at F1 0.928 / 0.851 / 0.871 / 0.903 (mean
0.888), about in its band of 0.08 at 0.909 / 0.835 / 0.855 / 0.899 (mean 0.875). The
product asks this way since. `--margins FILE` re-scores a `--dump` with other cuts and
bands without the model.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from _llama import eval_after_cache, load_llama  # bench/ is on sys.path when run

from columnist.commentary.backends.embedded import chat_formatter
from columnist.commentary.prompts import clip_words, fence
from columnist.stories.topic_check import _conversation, about_messages, sliding_cut

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "data" / "real"
SPLITS = {
    "16": ("tuned_on_16_May", "tune 16 May, test 20 May"),
    "20": ("tuned_on_20_May", "tune 20 May, test 16 May"),
    "A": ("tuned_on_hash_half_A", "tune hash half A, test B"),
    "B": ("tuned_on_hash_half_B", "tune hash half B, test A"),
}
SHOWN_YES, SHOWN_NO = 5, 3  # answers shown in the prompt (never judged for the cut)
ITEM_WORDS = 60  # of the item's summary, after its headline
SYSTEM = "You sort news items into the topics of a news site. Answer yes or no."


def _examples(topic, n_yes: int, n_no: int) -> str:
    """The topic's first answers as a list (the cut is calibrated on the others)."""
    out = ""
    yes, no = topic.examples[:n_yes], topic.counter_examples[:n_no]
    if yes:
        out += "Headlines filed under it:\n" + "".join(f"- {fence(e)}\n" for e in yes)
    if no:
        out += "Headlines not filed under it:\n" + "".join(f"- {fence(e)}\n" for e in no)
    return out


def prompt_parts(kind: str, topic, title: str, summary: str) -> tuple[str, str]:
    """(topic part, item part) of the user message: the topic part comes first and is the
    same for every item, so the model's KV cache keeps it."""
    item = fence(title) + ("\n" + fence(clip_words(summary, ITEM_WORDS)) if summary else "")
    item = f"<source>\n{item}\n</source>\n\n"
    head = f"Topic: {topic.name}\nDescription: {topic.description}\n"
    if kind == "examples":
        head += _examples(topic, SHOWN_YES, SHOWN_NO)
        ask = "Does this news item belong under the topic? Answer yes or no."
    elif kind == "plain":
        ask = "Does this news item belong under the topic? Answer yes or no."
    elif kind == "about":
        head += _examples(topic, SHOWN_YES, 0)
        ask = f"Is this news item about {topic.name}? Answer yes or no."
    else:
        raise SystemExit(f"unknown --prompt {kind!r}")
    return head + "\nNews item:\n", item + ask


def messages_for(kind: str, topic, title: str, summary: str) -> list[dict]:
    """The conversation that asks about one pair: the product's own for "shots-headlines"
    (stories/topic_check.py), the bench's earlier prompts otherwise."""
    if kind == "shots-headlines":
        return about_messages(topic, _conversation(topic), title, summary)
    head, tail = prompt_parts(kind, topic, title, summary)
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": head + tail}]


class Judge:
    """The yes-minus-no margin of the first reply token, with the topic prefix cached."""

    def __init__(self, model: str, threads: int) -> None:
        self.llm = load_llama(model, threads, 2048)
        self.chat = chat_formatter(self.llm)
        self.n_vocab = self.llm.n_vocab()
        self.yes = self._ids(["yes", "Yes", " yes", " Yes", "YES"])
        self.no = self._ids(["no", "No", " no", " No", "NO"])
        self.evaluated = 0  # prompt tokens actually run through the model
        self.prompted = 0  # prompt tokens asked for (cached or not)

    def _ids(self, words: list[str]) -> list[int]:
        ids = []
        for w in words:
            t = self.llm.tokenize(w.encode(), add_bos=False, special=False)
            if len(t) == 1 and t[0] not in ids:
                ids.append(t[0])
        return ids

    def render(self, messages: list[dict]) -> list[int]:
        prompt = self.chat(messages=messages).prompt  # the product's rendering
        return self.llm.tokenize(prompt.encode(), add_bos=False, special=True)

    def margin(self, tokens: list[int]) -> float:
        llm = self.llm
        self.evaluated += eval_after_cache(llm, tokens)
        self.prompted += len(tokens)
        logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(self.n_vocab,))
        logits = logits.astype(np.float64)
        top = logits.max()
        lse = lambda ids: np.log(np.exp(logits[ids] - top).sum()) + top  # noqa: E731
        return float(lse(self.yes) - lse(self.no))


class DryJudge:
    yes = no = ()
    evaluated = prompted = 0

    def render(self, messages: list[dict]) -> list[int]:
        return []

    def margin(self, tokens: list[int]) -> float:
        return 0.0


def held_out_counts(
    test_on, filed, gold, score, th, judged, b, cuts, slope: float = 0.0
) -> np.ndarray:
    """(topics, 3) tp/fp/fn on the held-out half, its `judged` pairs within b of the
    threshold filed by margin >= cuts[k], less `slope` per 0.1 of score above the
    threshold (topic_check.sliding_cut; cuts None: by their label, a perfect judge)."""
    out = np.zeros((filed.shape[1], 3), dtype=int)
    for i in test_on:
        for k in range(filed.shape[1]):
            f = filed[i, k]
            d = score[i, k] - th[k]
            if (i, k) in judged and abs(d) <= b:
                f = gold[i, k] if cuts is None else judged[(i, k)] >= sliding_cut(cuts[k], slope, d)
            out[k] += (f and gold[i, k], f and not gold[i, k], not f and gold[i, k])
    return out


def auc(margins: np.ndarray, labels: np.ndarray) -> float:
    pos, neg = margins[labels], margins[~labels]
    if not len(pos) or not len(neg):
        return float("nan")
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / (len(pos) * len(neg)))


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0)


def fmt(t) -> str:
    return "/".join(f"{x:.3f}" for x in t)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tuned", type=Path, required=True, help="bench/topics_tune.py --write DIR"
    )
    parser.add_argument("--splits", nargs="+", default=["16", "20"], choices=list(SPLITS))
    parser.add_argument("--band", type=float, nargs="+", default=[0.05, 0.08])
    parser.add_argument(
        "--cap", type=int, default=60, help="held-out pairs per split, nearest first"
    )
    parser.add_argument(
        "--answers", type=int, default=10, help="answers per topic judged for the cut"
    )
    parser.add_argument(
        "--prompt",
        default="plain",
        choices=["examples", "plain", "about", "shots-headlines"],
    )
    parser.add_argument(
        "--cut", type=float, default=1.8, help="[stories] topic_check_cut for the sliding line"
    )
    parser.add_argument(
        "--slope", type=float, default=2.0, help="[stories] topic_check_slope (per 0.1)"
    )
    parser.add_argument("--model", default="qwen2.5-coder-1.5b-instruct")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--dry", action="store_true", help="no model: count pairs, perfect judge")
    parser.add_argument("--dump", type=Path, help="write every scored pair as JSON lines")
    parser.add_argument(
        "--margins", type=Path, help="a --dump of an earlier run: its margins, no model"
    )
    args = parser.parse_args()

    from columnist import config as config_mod
    from columnist.stories.embed import shared_embedder
    from columnist.stories.evaluate import half, load_topic_set
    from columnist.stories.topics import TopicAssigner

    base = config_mod.load(REAL / "topics_real.toml")
    items = load_topic_set(REAL / "topics_real.jsonl", base.topics)
    meta = [json.loads(x) for x in (REAL / "feeds" / "items.jsonl").read_text().splitlines()]
    day = [m["id"].split("-")[1] for m in meta]
    halves = {
        "16": [i for i, d in enumerate(day) if d == "0516"],
        "20": [i for i, d in enumerate(day) if d == "0520"],
        "A": [i for i, it in enumerate(items) if half(it.title) == 0],
        "B": [i for i, it in enumerate(items) if half(it.title) == 1],
    }
    other = {"16": "20", "20": "16", "A": "B", "B": "A"}
    embedder = shared_embedder()
    vectors = embedder.embed([i.text for i in items])
    band = max(args.band)

    started = time.perf_counter()
    stored: dict[tuple[str, str, str], float] = {}
    if args.margins:
        for line in args.margins.read_text().splitlines():
            r = json.loads(line)
            stored[(r["split"], r["topic"], r["title"])] = r["margin"]
    judge = DryJudge() if args.dry or args.margins else Judge(args.model, args.threads)
    load_seconds = time.perf_counter() - started
    print(
        f"model loaded in {load_seconds:.1f} s; yes ids {judge.yes}, no ids {judge.no}; "
        f"prompt {args.prompt!r}",
        flush=True,
    )
    dump = args.dump.open("w") if args.dump else None
    results, timing = [], {"seconds": 0.0, "checks": 0}

    def check(topic, item) -> float:
        if args.margins:
            return stored[(key, topic.name, item.title)]
        tokens = judge.render(messages_for(args.prompt, topic, item.title, item.summary))
        t0 = time.perf_counter()
        value = judge.margin(tokens)
        timing["seconds"] += time.perf_counter() - t0
        timing["checks"] += 1
        return value

    for key in args.splits:
        stem, label = SPLITS[key]
        settings = config_mod.load(args.tuned / f"{stem}.toml")
        topics = settings.topics
        assigner = TopicAssigner(topics, settings.stories, embedder.embed)
        hits = [assigner.text_hits(f"{i.title}\n{i.summary}") for i in items]
        sc = assigner.score_many(vectors, hits)
        names = np.array([assigner.name_evidence(h) for h in hits]).reshape(sc.view.shape)
        sc = replace(sc, names=names)
        score = assigner.filing_score(sc)
        th = np.array([assigner.threshold_of(t) for t in topics])
        filed = np.array(
            [assigner.filed_mask(sc.row(i), hits[i], score[i])[1] for i in range(len(items))]
        )
        gold = np.array([[t.slug in it.topics for t in topics] for it in items])
        tune_on, test_on = halves[key], halves[other[key]]
        by_title = {}
        for i in tune_on:
            by_title.setdefault(items[i].title, i)

        # Calibration: the answers `topics tune` collected (the examples and
        # counter-examples of the tuned TOML), each judged as a new item.
        answered = []  # (topic, item, belongs)
        for k, t in enumerate(topics):
            n_no = SHOWN_YES if args.prompt.startswith("shots") else SHOWN_NO
            shown = set(t.examples[:SHOWN_YES] + t.counter_examples[:n_no])
            pairs = [(k, by_title[e], True) for e in t.examples if e in by_title]
            pairs += [(k, by_title[e], False) for e in t.counter_examples if e in by_title]
            pairs = [p for p in pairs if items[p[1]].title not in shown]
            if len(pairs) > args.answers:  # an even spread, keeping the share of yes
                pairs = [pairs[j * len(pairs) // args.answers] for j in range(args.answers)]
            answered += pairs
        # Test: held-out pairs whose filing turns on a score within the band.
        band_pairs = sorted(
            (abs(score[i, k] - th[k]), i, k)
            for i in test_on
            for k in range(len(topics))
            if assigner.similarity_decides(k, hits[i]) and abs(score[i, k] - th[k]) <= band
        )
        tested = band_pairs[: args.cap]
        tune_m: list[tuple[int, float, bool]] = []  # topic, margin, belongs
        test_m: dict[tuple[int, int], float] = {}
        for k, i, belongs in sorted(answered):  # topic by topic: the prefix stays cached
            tune_m.append((k, check(topics[k], items[i]), belongs))
            if dump:
                dump.write(
                    json.dumps(
                        {
                            "split": key,
                            "half": "answers",
                            "topic": topics[k].name,
                            "title": items[i].title,
                            "label": belongs,
                            "margin": round(tune_m[-1][1], 4),
                        }
                    )
                    + "\n"
                )
        print(
            f"  {label}: {len(answered)} answers judged; "
            f"{timing['seconds'] / max(timing['checks'], 1):.2f} s a check, "
            f"{judge.evaluated}/{judge.prompted} prompt tokens evaluated (the rest cached)",
            flush=True,
        )
        for _, i, k in sorted(tested, key=lambda p: (p[2], p[1])):
            test_m[(i, k)] = check(topics[k], items[i])
            if dump:
                dump.write(
                    json.dumps(
                        {
                            "split": key,
                            "half": "held_out",
                            "topic": topics[k].name,
                            "title": items[i].title,
                            "label": bool(gold[i, k]),
                            "score": round(float(score[i, k]), 4),
                            "threshold": round(float(th[k]), 4),
                            "filed": bool(filed[i, k]),
                            "margin": round(test_m[(i, k)], 4),
                        }
                    )
                    + "\n"
                )
        print(
            f"  {label}: {len(tested)} of {len(band_pairs)} held-out pairs within {band} judged; "
            f"{timing['seconds'] / max(timing['checks'], 1):.2f} s a check, "
            f"{judge.evaluated}/{judge.prompted} prompt tokens evaluated",
            flush=True,
        )

        def counts(b, cuts, slope=0.0, split=(test_on, filed, gold, score, th, test_m)):
            return held_out_counts(*split, b, cuts, slope)

        def best_cut(pairs) -> float:
            """The margin cut filing the answered pairs with the best F1 (ties: middle)."""
            vals = sorted({m for _, m, _ in pairs})
            if not vals:
                return 0.0
            mids = [(a + c) / 2 for a, c in zip(vals, vals[1:], strict=False)]
            cands = [vals[0] - 1, *mids, vals[-1] + 1]
            f1 = []
            for c in cands:
                tp = sum(m >= c and y for _, m, y in pairs)
                fp = sum(m >= c and not y for _, m, y in pairs)
                fn = sum(m < c and y for _, m, y in pairs)
                f1.append(prf(tp, fp, fn)[2])
            tied = [c for c, f in zip(cands, f1, strict=True) if f >= max(f1) - 1e-9]
            return tied[len(tied) // 2]

        cut = best_cut(tune_m)
        per = np.array([best_cut([p for p in tune_m if p[0] == k]) for k in range(len(topics))])
        glob = np.full(len(topics), cut)
        flat = np.full(len(topics), args.cut)  # the product's cut, with its slope
        m_tune = np.array([m for _, m, _ in tune_m])
        y_tune = np.array([y for _, _, y in tune_m], dtype=bool)
        row = {
            "split": label,
            "thresholds": [round(float(x), 3) for x in th],
            "answers": [len(tune_m), int(y_tune.sum())],
            "auc_answers": round(auc(m_tune, y_tune), 3),
            "cut": round(cut, 3),
            "per_topic_cut": [round(float(c), 3) for c in per],
            "without": [round(x, 3) for x in prf(*counts(-1.0, None).sum(axis=0))],
            "without_counts": [int(x) for x in counts(-1.0, None).sum(axis=0)],
        }
        lines = [
            f"{label}: {row['answers'][0]} answers ({row['answers'][1]} yes), margin AUC "
            f"{row['auc_answers']}, cut {cut:+.2f} (per topic "
            + ", ".join(f"{c:+.2f}" for c in per)
            + f"); held-out P/R/F1 without the check {fmt(row['without'])}"
        ]
        for b in args.band:
            sel = [(m, gold[i, k]) for (i, k), m in test_m.items() if abs(score[i, k] - th[k]) <= b]
            m = np.array([x for x, _ in sel])
            y = np.array([g for _, g in sel], dtype=bool)
            r = row[str(b)] = {
                "pairs": [len(sel), int(y.sum())],
                "in_band": sum(1 for d, _, _ in band_pairs if d <= b),
                "auc": round(auc(m, y), 3) if len(sel) else None,
                "with": [round(x, 3) for x in prf(*counts(b, glob).sum(axis=0))],
                "with_per_topic": [round(x, 3) for x in prf(*counts(b, per).sum(axis=0))],
                "sliding": [round(x, 3) for x in prf(*counts(b, flat, args.slope).sum(axis=0))],
                "perfect": [round(x, 3) for x in prf(*counts(b, None).sum(axis=0))],
            }
            lines.append(
                f"  band {b}: {r['pairs'][0]} of {r['in_band']} held-out pairs judged "
                f"({r['pairs'][1]} yes), AUC {r['auc']}; held-out P/R/F1 with the check "
                f"{fmt(r['with'])}, per-topic cuts {fmt(r['with_per_topic'])}, cut "
                f"{args.cut:+.1f} sliding {args.slope:g} per 0.1 {fmt(r['sliding'])}, "
                f"perfect judge {fmt(r['perfect'])}"
            )
        print("\n".join(lines), flush=True)
        results.append(row)
    per_check = timing["seconds"] / max(timing["checks"], 1)
    print(
        f"{timing['checks']} checks, {per_check:.2f} s a check, "
        f"{judge.evaluated}/{judge.prompted} prompt tokens evaluated (the rest cached)"
    )
    print(
        json.dumps(
            {
                "prompt": args.prompt,
                "checks": timing["checks"],
                "seconds_per_check": round(per_check, 2),
                "tokens_evaluated": judge.evaluated,
                "tokens_prompted": judge.prompted,
                "splits": results,
            }
        )
    )
    if dump:
        dump.close()


if __name__ == "__main__":
    sys.exit(main())
