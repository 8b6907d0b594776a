"""Precision and recall of the restatement check (commentary/restate.py) by threshold, on
hand-labelled sentence pairs from the writer's own columns.

    python bench/restatement.py [tests/data/restatement_pairs.jsonl]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from columnist.commentary import restate


def main(path: Path) -> None:
    pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    raw = []
    for p in pairs:
        r, _ = restate.similarities([p["earlier"], p["later"]])
        raw.append(float(r[0, 1]))
    truth = [p["restates"] for p in pairs]
    print(f"{len(pairs)} pairs, {sum(truth)} restatements (labelled by hand)")
    print(
        f"cosine  masked  flagged  precision  recall  (masked {restate.MASKED_COSINE}: the check"
        f" as it runs: also a pair {restate.MASKED_ALONE} close masked, or two of their pieces"
        f" {restate.CLAUSE_COSINE} close)"
    )
    for threshold in (0.70, 0.72, 0.74, 0.76, 0.78, 0.80, 0.82):
        for floor in (0.0, restate.MASKED_COSINE):
            flagged = (
                [
                    bool(restate.restated([(0, p["earlier"]), (1, p["later"])], threshold))
                    for p in pairs
                ]
                if floor
                else [r >= threshold for r in raw]
            )
            hits = sum(f and t for f, t in zip(flagged, truth, strict=True))
            n = sum(flagged)
            used = threshold == restate.RESTATE_COSINE and floor == restate.MASKED_COSINE
            print(
                f"{threshold:6.2f}  {floor:6.2f}  {n:7d}  {hits / n if n else 0:9.0%}  "
                f"{hits / sum(truth):6.0%}{'  <- used' if used else ''}"
            )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/restatement_pairs.jsonl"))
