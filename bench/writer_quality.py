"""What a reader sees in a set of posts, whichever writer made them.

    python bench/writer_quality.py POSTS.jsonl [--stories tests/data/writer_eval.jsonl]

POSTS.jsonl is `columnist eval-writer --out` output (title, status, body per line), from
this version or an older one; each post is read again with today's reader checks against
its story's sources, so a before/after table compares like with like. Prints one line per
figure and a JSON summary last.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from statistics import mean

from columnist.commentary.evalset import load_stories
from columnist.commentary.grounding import Support, find_claims
from columnist.commentary.reader import READER_CHECKS, read_as_reader
from columnist.commentary.verify import verify


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("posts", type=Path)
    parser.add_argument("--stories", type=Path, default=Path("tests/data/writer_eval.jsonl"))
    parser.add_argument("--all", action="store_true", help="drafts too, not only published")
    args = parser.parse_args()
    sources = {s.title: s.source_text for s in load_stories(args.stories)}
    rows = [json.loads(line) for line in args.posts.read_text().splitlines() if line.strip()]
    published_share = sum(r["status"] == "published" for r in rows) / max(1, len(rows))
    rows = [r for r in rows if args.all or r["status"] == "published"]
    passes = {name: 0 for name in READER_CHECKS}
    copied, claims, flags = [], [], []
    for r in rows:
        text = sources[r["title"]]
        report = read_as_reader(r["body"], text)
        for name, problems in report.checks.items():
            passes[name] += not problems
        copied.append(report.copied_6gram_share)
        claims.append(len(find_claims(r["body"], Support(text))))
        flags.append(sum(not v.supported for v in verify(r["body"], text)))
    n = max(1, len(rows))
    summary = {
        "posts": len(rows),
        "published_share": round(published_share, 3),
        **{f"{name}_pass": round(passes[name] / n, 3) for name in READER_CHECKS},
        "copied_6gram_mean": round(mean(copied), 3) if copied else 0.0,
        "copied_6gram_max": round(max(copied, default=0.0), 3),
        "unsupported_names_numbers_per_post": round(mean(claims), 2) if claims else 0.0,
        "verifier_flags_per_post": round(mean(flags), 2) if flags else 0.0,
    }
    for key, value in summary.items():
        print(f"{key:36} {value}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
