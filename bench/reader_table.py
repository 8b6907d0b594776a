"""Before/after: posts from two versions of the writer, read by today's checks.

Each version's own checks decided what it published; this reads every post again with
the current reader checks, grounding check and verifier, so an old writer is not judged
by the lighter checks it shipped with:

    columnist eval-writer tests/data/writer_eval.jsonl --out after.jsonl
    python bench/reader_table.py tests/data/writer_eval.jsonl before.jsonl after.jsonl

Prints one Markdown table (a column per file, a row per figure) for the README.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from statistics import mean

from columnist.commentary.checks import check_commentary
from columnist.commentary.evalset import load_stories
from columnist.commentary.grounding import Support
from columnist.commentary.verify import verify
from columnist.stories.evaluate import read_jsonl

COPY_LIMIT = 0.15


def figures(posts: list[dict], sources: dict[str, str], words: int) -> dict[str, str]:
    """The table's rows for one file; every post is read, the published ones reported."""
    published = [p for p in posts if p["status"] == "published"]
    read = []
    for p in published:
        text = sources[p["title"]]
        check = check_commentary(p["body"], target_words=words, support=Support(text))
        flags = [v for v in verify(p["body"], text) if not v.supported]
        read.append((check, flags))

    def share(test) -> str:
        return f"{sum(map(test, read)) / len(read):.0%}" if read else "-"

    def failing(name: str):
        return lambda r: bool(r[0].reader.checks[name])

    copied = [r[0].copied_6gram_share for r in read]
    return {
        "stories": str(len(posts)),
        "published": f"{len(published)} ({len(published) / max(1, len(posts)):.0%})",
        "posts in the first person (voice check)": share(lambda r: not failing("voice")(r)),
        "copied 6-grams, mean / max": (
            f"{mean(copied):.1%} / {max(copied):.1%}" if copied else "-"
        ),
        f"posts copying more than {COPY_LIMIT:.0%}": share(
            lambda r: r[0].copied_6gram_share > COPY_LIMIT
        ),
        "posts that repeat a sentence": share(failing("repetition")),
        "posts with a seam": share(failing("seams")),
        "posts with an invented name or word": share(failing("invented")),
        "posts with markup or lists": share(failing("prose")),
        "posts misstating a passage (facts check)": share(failing("facts")),
        "unsupported numbers, names, quotes per post": (
            f"{mean(len(r[0].claims) for r in read):.2f}" if read else "-"
        ),
        "sentences the verifier flags per post": (
            f"{mean(len(r[1]) for r in read):.2f}" if read else "-"
        ),
        "words per post": f"{mean(r[0].words for r in read):.0f}" if read else "-",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stories", type=Path, help="the story set the posts were written from")
    parser.add_argument("posts", type=Path, nargs="+", help="eval-writer --out files")
    parser.add_argument("--words", type=int, default=300, help="the target length")
    args = parser.parse_args()
    sources = {s.title: s.source_text for s in load_stories(args.stories)}
    columns = {
        path.stem: figures([post for _, post in read_jsonl(path)], sources, args.words)
        for path in args.posts
    }
    rows = next(iter(columns.values())).keys()
    print("| | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for row in rows:
        print(f"| {row} | " + " | ".join(c[row] for c in columns.values()) + " |")


if __name__ == "__main__":
    main()
