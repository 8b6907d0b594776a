"""A topic's own threshold, calibrated from a user's yes/no answers (`topics tune`).

One threshold for every topic is wrong for most of them on real feeds: "War in Ukraine"
files Russian court cases and diplomatic expulsions at 0.33-0.51 while its own items
score 0.5 and more, and "Sport" misses transfer news at 0.20-0.24 (tests/data/real).
The answers of `topics tune` are labelled points around the topic's boundary, so the
threshold that makes the fewest wrong calls on them is where the boundary is. Each
answer is scored without itself among the examples (the score a new story like it
would get), and the threshold is the one with the fewest wrong answers (a wrongly filed
one costs `fp_cost`, a missed one 1), taken midway between two answers' scores, nearest
the old threshold among equals, then shrunk toward the old threshold as if it were
`prior` more answers, and kept at or above `floor`.

Measured on the real feeds (bench/topics_tune.py, held-out halves): with the session
asking around the calibrated threshold as it moves, 20 answers per topic take micro
precision from 0.71-0.85 to 0.85-0.96 (README "Topic filing: figures").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def calibrated_threshold(
    scores: Sequence[float] | np.ndarray,
    belongs: Sequence[bool] | np.ndarray,
    prior: float,
    *,
    prior_answers: float = 0.0,
    floor: float | None = None,
    fp_cost: float = 1.0,
) -> float:
    """The threshold that files the fewest answers wrongly, shrunk toward `prior`.

    `scores`: each answered story's filing score (judged without its own answer);
    `belongs`: the answers. With no answers the prior stands.
    """
    x = np.asarray(scores, dtype=np.float64)
    y = np.asarray(belongs, dtype=bool)
    if not len(x):
        return prior
    s = np.unique(x)
    cuts = np.concatenate([[prior, s[0] - 1e-3, s[-1] + 1e-3], (s[:-1] + s[1:]) / 2])
    if floor is not None:
        cuts = np.append(cuts[cuts >= floor], floor)
    filed = x[None, :] >= cuts[:, None]
    cost = fp_cost * (filed & ~y).sum(axis=1) + (~filed & y).sum(axis=1)
    best = cuts[cost <= cost.min() + 1e-9]
    cut = float(best[np.argmin(np.abs(best - prior))])
    shrunk = (len(x) * cut + prior_answers * prior) / (len(x) + prior_answers)
    return max(shrunk, floor) if floor is not None else shrunk
