"""Does the writing model's own likelihood tell an unsupported sentence from a supported one?

The verifier's rules are precise on twisted claims written for this project but right only
about half the time on the model's own paraphrase (README, "Hand labels kept"), and the
hand labels of `tests/data/writer_labels.jsonl` say most unsupported sentences use only
words the sources use: a wrong actor, a moved place, a firmer relation. A sentence the
sources support should be more likely with the sources in the prompt than without them;
an invented relation should gain little. This bench scores every labelled sentence twice
with the shipped 1.5B model, under the product's system message with the story's sources
(A) and with none (B), the paragraph's earlier sentences before it as the model's own
turn, and prints how well each statistic ranks the unsupported sentences (AUC; 0.5 is
chance) and the precision and recall at a few cuts.

    PYTHONPATH=src .venv/bin/python bench/support_likelihood.py [--labels F] [--dump F.jsonl]
    PYTHONPATH=src .venv/bin/python bench/support_likelihood.py --scores F.jsonl   # re-read a dump

Statistics per sentence (token log-probabilities; PMI = log P_A - log P_B):
  tokens       the sentence's length (the baseline: longer sentences hold more claims)
  mean_a       mean log P_A of the sentence's tokens (low: the model is unsure of it)
  mean_pmi     mean PMI (low: the sources do not make it likelier)
  low_a        tokens with log P_A < -3 (surprising even with the sources)
  low_unexpl   such tokens whose PMI < 1 (surprising and not explained by the sources)
  min_pmi_low  the lowest PMI among the tokens with log P_A < -2
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from _llama import eval_after_cache, load_llama  # bench/ is on sys.path when run

from columnist.commentary.backends.embedded import chat_formatter
from columnist.commentary.evalset import load_stories
from columnist.commentary.prompts import environment, source_texts, system_message
from columnist.commentary.text import split_sentences
from columnist.config import BUILTIN_PERSONAS

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "data" / "writer_labels.jsonl"
STORIES = ROOT / "tests" / "data" / "writer_eval.jsonl"
ASK = "Write the next paragraph of my column."
STATS = ("tokens", "mean_a", "mean_pmi", "low_a", "low_unexpl", "min_pmi_low")
HIGH_IS_BAD = {"tokens", "low_a", "low_unexpl"}


class Scorer:
    """Token log-probabilities of a continuation, the prompt's shared prefix kept cached."""

    def __init__(self, threads: int) -> None:
        self.llm = load_llama("qwen2.5-coder-1.5b-instruct", threads, 3072, logits_all=True)
        self.chat = chat_formatter(self.llm)

    def tokens(self, text: str) -> list[int]:
        return self.llm.tokenize(text.encode(), add_bos=False, special=True)

    def logprobs(self, prefix: str, sentence: str) -> np.ndarray:
        """log P of each token of `sentence` following `prefix` (a rendered prompt)."""
        head = self.tokens(prefix)
        full = self.tokens(prefix + sentence)
        start = next(
            (i for i, (a, b) in enumerate(zip(head, full, strict=False)) if a != b), len(head)
        )
        llm = self.llm
        eval_after_cache(llm, full)
        rows = np.asarray(llm.scores[start - 1 : len(full) - 1], dtype=np.float64)
        top = rows.max(axis=1, keepdims=True)
        lse = np.log(np.exp(rows - top).sum(axis=1)) + top[:, 0]
        return rows[np.arange(len(rows)), full[start:]] - lse


def prompt(scorer: Scorer, system: dict, before: str) -> str:
    messages = [system, {"role": "user", "content": ASK}]
    rendered = scorer.chat(messages=messages).prompt
    return rendered + (before + " " if before else "")


def stats(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    pmi = a - b
    low = a < -2
    return {
        "tokens": float(len(a)),
        "mean_a": float(a.mean()),
        "mean_pmi": float(pmi.mean()),
        "low_a": float((a < -3).sum()),
        "low_unexpl": float(((a < -3) & (pmi < 1)).sum()),
        "min_pmi_low": float(pmi[low].min()) if low.any() else 5.0,
    }


def score_all(labels: list[dict], threads: int, dump: Path | None) -> list[dict]:
    stories = {s.title: s for s in load_stories(STORIES)}
    env = environment()
    persona = next(p for p in BUILTIN_PERSONAS if p.name == "columnist")
    scorer = Scorer(threads)
    by_story: dict[str, list[dict]] = defaultdict(list)
    for row in labels:
        by_story[row["title"]].append(row)
    out, started = [], time.monotonic()
    for n, (title, rows) in enumerate(by_story.items(), 1):
        story = stories[title]
        items = [(s.outlet, s.title, s.text, None) for s in story.sources]
        with_sources = system_message(env, persona, title, source_texts(items, 1200))
        without = system_message(env, persona, "", [])
        rows.sort(key=lambda r: (r["paragraph"], r["sentence"]))
        found: dict[int, dict[str, np.ndarray]] = defaultdict(dict)
        for name, system in (("a", with_sources), ("b", without)):
            for i, row in enumerate(rows):
                before = " ".join(split_sentences(row["paragraph"])[: row["sentence"] - 1])
                found[i][name] = scorer.logprobs(prompt(scorer, system, before), row["text"])
        for i, row in enumerate(rows):
            out.append(row | stats(found[i]["a"], found[i]["b"]))
        print(
            f"{n}/{len(by_story)} {title[:50]}: {len(rows)} sentences, "
            f"{time.monotonic() - started:.0f} s",
            file=sys.stderr,
        )
    if dump:
        dump.write_text("".join(json.dumps(r) + "\n" for r in out), encoding="utf-8")
    return out


def auc(values: np.ndarray, bad: np.ndarray) -> float:
    """P(a random unsupported sentence scores worse than a random supported one)."""
    pos, neg = values[bad], values[~bad]
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / (len(pos) * len(neg)))


def report(rows: list[dict]) -> None:
    bad = np.array([bool(r["unsupported"]) for r in rows])
    print(f"{len(rows)} sentences, {bad.sum()} unsupported ({bad.mean():.0%})")
    groups = {
        "all": np.ones(len(rows), bool),
        "first sentences": np.array([r["sentence"] == 1 for r in rows]),
        "later sentences": np.array([r["sentence"] > 1 for r in rows]),
    }
    for stat in STATS:
        worse = np.array([r[stat] for r in rows]) * (1 if stat in HIGH_IS_BAD else -1)
        aucs = " ".join(
            f"{g} {auc(worse[m], bad[m]):.3f}" for g, m in groups.items() if bad[m].any()
        )
        cuts = []
        for share in (0.1, 0.2, 0.3):
            cut = np.quantile(worse, 1 - share)
            flagged = worse >= cut
            tp = int((flagged & bad).sum())
            cuts.append(
                f"top {share:.0%}: P {tp / max(1, flagged.sum()):.2f} R {tp / bad.sum():.2f}"
            )
        print(f"{stat:12s} AUC {aucs} | " + "; ".join(cuts))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labels", type=Path, default=LABELS)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dump", type=Path, help="write each sentence's statistics here")
    ap.add_argument("--scores", type=Path, help="report from an earlier --dump, no model")
    ap.add_argument("--limit", type=int, default=0, help="only the first N stories")
    args = ap.parse_args()
    if args.scores:
        rows = [json.loads(x) for x in args.scores.read_text(encoding="utf-8").splitlines()]
    else:
        labels = [json.loads(x) for x in args.labels.read_text(encoding="utf-8").splitlines()]
        if args.limit:
            keep = list(dict.fromkeys(r["title"] for r in labels))[: args.limit]
            labels = [r for r in labels if r["title"] in keep]
        rows = score_all(labels, args.threads, args.dump)
    report(rows)


if __name__ == "__main__":
    main()
