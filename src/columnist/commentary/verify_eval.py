"""`columnist eval-verifier`: precision and recall of the claim verifier on a labelled set.

Each case is a sentence written about one story of a writer eval set, labelled by hand
as supported by that story's sources or not, with the kind of twist it carries
(tests/data/verifier_eval.md). "Positive" is a sentence the verifier flags; precision is
the share of flagged sentences that are really unsupported, recall the share of
unsupported sentences it flags.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from columnist.commentary.backends.base import Backend
from columnist.commentary.evalset import load_stories
from columnist.commentary.verify import verify
from columnist.errors import ColumnistError

TRUE_KINDS = ("supported", "opinion", "inference")


@dataclass(slots=True)
class VerifierReport:
    mode: str
    total: Counter = field(default_factory=Counter)  # cases per kind
    flagged: Counter = field(default_factory=Counter)  # flagged per kind
    # flagged for a reason the writer acts on (Verdict.precise): its operating point
    acted: Counter = field(default_factory=Counter)
    # Cases that are every sentence of a published post carry "post": what a reader of
    # those posts meets, per post (tests/data/verifier_posts.jsonl)
    posts: set[str] = field(default_factory=set)
    post_counts: Counter = field(default_factory=Counter)  # "unsupported", "flagged", ...
    seconds: float = 0.0

    def count_post(self, case: dict, flagged: bool, acted: bool) -> None:
        if "post" not in case:
            return
        self.posts.add(str(case["post"]))
        wrong = not case["supported"]
        self.post_counts.update(
            {
                "unsupported": wrong,
                "flagged": flagged,
                "acted_on": acted,
                "unsupported_flagged": wrong and flagged,
                "unsupported_acted_on": wrong and acted,
            }
        )

    def per_post(self) -> dict[str, float] | None:
        """Means per post of the labelled unsupported sentences and of the flags."""
        if not self.posts:
            return None
        n = len(self.posts)
        keys = ("unsupported", "flagged", "acted_on", "unsupported_flagged")
        return (
            {"posts": n}
            | {k: round(self.post_counts[k] / n, 2) for k in keys}
            | {
                "unsupported_left_by_writer": round(
                    (self.post_counts["unsupported"] - self.post_counts["unsupported_acted_on"])
                    / n,
                    2,
                )
            }
        )

    def _rates(self, counted: Counter) -> tuple[float, float]:
        """Precision and recall of the flags counted per kind in `counted`."""
        unsupported = sum(n for k, n in self.total.items() if k not in TRUE_KINDS)
        true_flags = sum(n for k, n in counted.items() if k not in TRUE_KINDS)
        flags = sum(counted.values())
        precision = round(true_flags / flags, 3) if flags else 0.0
        return precision, round(true_flags / unsupported, 3) if unsupported else 0.0

    def as_dict(self) -> dict:
        unsupported = sum(n for k, n in self.total.items() if k not in TRUE_KINDS)
        true_flags = sum(n for k, n in self.flagged.items() if k not in TRUE_KINDS)
        flags = sum(self.flagged.values())
        precision, recall = self._rates(self.flagged)
        acted_precision, acted_recall = self._rates(self.acted)
        return {
            "mode": self.mode,
            "cases": sum(self.total.values()),
            "precision": precision,
            "recall": recall,
            "twisted_passed": round(1 - true_flags / unsupported, 3) if unsupported else 0.0,
            "true_flagged": round(
                (flags - true_flags) / max(1, sum(self.total[k] for k in TRUE_KINDS)), 3
            ),
            "acted_precision": acted_precision,
            "acted_recall": acted_recall,
            "by_kind": {
                k: f"{self.flagged[k]}/{n} flagged, {self.acted[k]} acted on"
                for k, n in sorted(self.total.items())
            },
            "per_post": self.per_post(),
            "seconds": round(self.seconds, 1),
        }


def load_cases(cases: Path, stories: Path) -> list[tuple[dict, str]]:
    """Each labelled case with its story's source text; a case naming no story is an error."""
    by_title = {s.title: s for s in load_stories(stories)}
    loaded = []
    for n, line in enumerate(cases.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
            story = by_title[case["story"]]
            case["sentence"], case["supported"], case["kind"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ColumnistError(f"{cases}:{n}: not a verifier case ({exc})") from None
        loaded.append((case, story.source_text))
    return loaded


def evaluate_verifier(
    cases: list[tuple[dict, str]],
    backend: Backend | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> VerifierReport:
    started = time.perf_counter()
    report = VerifierReport("rules + model" if backend else "rules")
    for i, (case, text) in enumerate(cases, 1):
        verdicts = verify(case["sentence"], text, backend)
        report.total[case["kind"]] += 1
        flagged = not all(v.supported for v in verdicts)
        acted = any(v.precise for v in verdicts)
        report.flagged[case["kind"]] += flagged
        report.acted[case["kind"]] += acted
        report.count_post(case, flagged, acted)
        if progress:
            progress(i, len(cases))
    report.seconds = time.perf_counter() - started
    return report
