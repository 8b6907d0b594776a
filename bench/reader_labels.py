"""Hand labels of published paragraphs, kept so that a reading counts again.

    python bench/reader_labels.py sheet RUN.jsonl [RUN.jsonl ...] --out SHEET.md
    python bench/reader_labels.py record SHEET.md UNSUPPORTED.txt --by "who, how"
    python bench/reader_labels.py score RUN.jsonl [RUN.jsonl ...]

RUN.jsonl is `columnist eval-writer --out` output. The figure the issue asks for is
unsupported sentences a published post, by a reader; no check counts it. A post that
comes out word for word as before needs no new reading, and most do: one change moves a
few paragraphs. So each labelled sentence is kept in tests/data/writer_labels.jsonl with
its paragraph, and a run is scored from what is there.

- sheet: each story's sources, then every distinct paragraph the runs published that the
  labels do not hold, shuffled, sentences numbered (S<story>.<k>.<j>). Which run wrote
  which paragraph is not shown: the reading is blind.
- record: the ids of the sentences you found unsupported (a fact claim the sources do not
  make: an invented detail or voice, a wrong doer, a reversal, an overstatement; an opinion
  or a wish passes), whitespace-separated; every sentence of the sheet is added.
- score: per run, posts published, posts fully labelled, and unsupported sentences a post
  over those; the paragraphs still to read are counted.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from datetime import date
from pathlib import Path

from columnist.commentary.evalset import load_stories
from columnist.commentary.text import paragraphs, split_sentences

LABELS = Path("tests/data/writer_labels.jsonl")
STORIES = Path("tests/data/writer_eval.jsonl")
_STORY = re.compile(r"^# Story \d+: (.+)$")
_PARAGRAPH = re.compile(r"^### ([SN]\d+\.\d+)$")
_SENTENCE = re.compile(r"^([SN]\d+\.\d+\.\d+): (.+)$")


def paragraph_key(text: str) -> str:
    """A paragraph as its sentences joined, so spacing does not split one reading in two."""
    return " ".join(split_sentences(text))


def load_labels(path: Path) -> dict[tuple[str, str], list[bool]]:
    """(story title, paragraph) -> whether each of its sentences is unsupported."""
    found: dict[tuple[str, str], dict[int, bool]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            found.setdefault((row["title"], row["paragraph"]), {})[row["sentence"]] = row[
                "unsupported"
            ]
    return {k: [v[i] for i in sorted(v)] for k, v in found.items()}


def rows_of(run: Path) -> list[dict]:
    """The posts of an eval-writer run, published or held."""
    return [json.loads(line) for line in run.read_text(encoding="utf-8").splitlines() if line]


def sheet(runs: list[Path], stories_path: Path, out: Path, labels: Path, seed: int) -> int:
    """Write the blind sheet of unlabelled paragraphs; return how many it lists."""
    stories = {s.title: s for s in load_stories(stories_path)}
    known = load_labels(labels)
    order: dict[str, list[str]] = {}
    for run in runs:
        for post in rows_of(run):
            if post["status"] != "published":
                continue
            found = order.setdefault(post["title"], [])
            for p in paragraphs(post["body"]):
                key = paragraph_key(p)
                if (post["title"], key) not in known and key not in found:
                    found.append(key)
    rng = random.Random(seed)
    lines, count = [], 0
    for i, (title, found) in enumerate(order.items(), 1):
        if not found:
            continue
        lines.append(f"\n# Story {i}: {title}\n\n## Sources\n\n{stories[title].source_text}\n")
        rng.shuffle(found)
        for k, text in enumerate(found, 1):
            lines.append(f"\n### S{i}.{k}\n")
            lines += [f"S{i}.{k}.{j}: {s}" for j, s in enumerate(split_sentences(text), 1)]
            count += 1
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return count


def record(sheet_path: Path, unsupported_path: Path, by: str, labels: Path) -> int:
    """Add every sentence of a labelled sheet to the labels; return how many."""
    unsupported = set(unsupported_path.read_text(encoding="utf-8").split())
    known = load_labels(labels)
    rows, title, paragraph = [], "", []
    named = set()

    def flush() -> None:
        if title and paragraph:
            key = paragraph_key(" ".join(s for _, s in paragraph))
            if (title, key) not in known:
                rows.extend(
                    {
                        "title": title,
                        "paragraph": key,
                        "sentence": j,
                        "text": s,
                        "unsupported": sid in unsupported,
                        "by": by,
                        "date": date.today().isoformat(),
                    }  # fmt: skip
                    for j, (sid, s) in enumerate(paragraph, 1)
                )
        paragraph.clear()

    for line in sheet_path.read_text(encoding="utf-8").splitlines():
        if m := _STORY.match(line):
            flush()
            title = m.group(1)
        elif _PARAGRAPH.match(line):
            flush()
        elif m := _SENTENCE.match(line):
            paragraph.append((m.group(1), m.group(2)))
            named.add(m.group(1))
    flush()
    unknown = unsupported - named
    if unknown:
        missing = " ".join(sorted(unknown))
        raise SystemExit(f"{unsupported_path}: ids not in {sheet_path}: {missing}")
    with labels.open("a", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


def score(run: Path, known: dict[tuple[str, str], list[bool]]) -> dict:
    """Unsupported sentences a post over the run's fully labelled published posts;
    `known` is `load_labels`, read once for all the runs scored."""
    rows = rows_of(run)
    posts = [p for p in rows if p["status"] == "published"]
    counts, unread = [], 0
    for post in posts:
        marks = [known.get((post["title"], paragraph_key(p))) for p in paragraphs(post["body"])]
        missing = sum(m is None for m in marks)
        unread += missing
        if not missing:
            counts.append(sum(sum(m) for m in marks if m))
    return {
        "run": str(run),
        "published": len(posts),
        "stories": len(rows),
        "labelled_posts": len(counts),
        "unsupported_per_post": round(sum(counts) / len(counts), 2) if counts else None,
        "paragraphs_to_read": unread,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sheet", help="a blind sheet of the paragraphs not yet labelled")
    p.add_argument("runs", type=Path, nargs="+")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--stories", type=Path, default=STORIES)
    p.add_argument("--seed", type=int, default=11)
    p = sub.add_parser("record", help="add a labelled sheet to the labels")
    p.add_argument("sheet", type=Path)
    p.add_argument("unsupported", type=Path)
    p.add_argument("--by", required=True, help="who read, and whether blind")
    p = sub.add_parser("score", help="unsupported sentences a post, from the labels")
    p.add_argument("runs", type=Path, nargs="+")
    args = parser.parse_args()
    if args.command == "sheet":
        count = sheet(args.runs, args.stories, args.out, args.labels, args.seed)
        print(f"{count} paragraphs to read in {args.out}")
    elif args.command == "record":
        print(f"{record(args.sheet, args.unsupported, args.by, args.labels)} sentences added")
    else:
        known = load_labels(args.labels)
        for run in args.runs:
            print(json.dumps(score(run, known)))


if __name__ == "__main__":
    main()
