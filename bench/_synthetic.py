"""Words the benchmarks make synthetic headlines and bodies from."""

from __future__ import annotations

import random

WORDS = [
    "minister",
    "talks",
    "agreement",
    "market",
    "report",
    "city",
    "police",
    "court",
    "vote",
    "plan",
    "prices",
    "energy",
    "officials",
    "deal",
    "company",
    "league",
    "season",
    "research",
    "hospital",
    "storm",
    "border",
    "trade",
    "budget",
    "election",
    "army",
    "rocket",
    "launch",
    "data",
    "network",
    "bank",
    "rates",
    "growth",
    "strike",
]


def sentence(rng: random.Random, n: int) -> str:
    """n random words, capitalised, with a full stop."""
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."
