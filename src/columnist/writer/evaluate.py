"""`columnist eval-writer`: the real write stage over a fixed story set, measured.

The stories go into a scratch SQLite store (never the desk's), the write stage runs
over it exactly as `columnist write` would, and the posts and model calls it leaves are
measured: how often the grounding check passes (first draft and final post), how many
unsupported facts a post carries, how many openings repeat, and how long posts are.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from statistics import mean

from sqlalchemy import func, select

from columnist.config import DatabaseSettings, Settings
from columnist.errors import ColumnistError
from columnist.store.db import open_engine
from columnist.store.schema import model_calls, posts, story_topics
from columnist.writer.evalset import EvalStory, seed_store
from columnist.writer.openings import opening, opening_problem
from columnist.writer.pipeline import run_write


@dataclass(slots=True)
class PostResult:
    title: str
    topic: str
    status: str
    body: str
    checks: dict
    opening_repeats: bool = False

    @property
    def first_unsupported(self) -> int:
        return len(self.checks.get("first_draft", {}).get("unsupported", []))


@dataclass(slots=True)
class EvalReport:
    model: str
    backend: str
    posts: list[PostResult] = field(default_factory=list)
    calls: int = 0
    tokens_out: int = 0
    model_seconds: float = 0.0
    seconds: float = 0.0

    def _share(self, test: Callable[[PostResult], bool]) -> float:
        return round(sum(map(test, self.posts)) / len(self.posts), 3) if self.posts else 0.0

    def _mean(self, value: Callable[[PostResult], float]) -> float:
        return round(mean(map(value, self.posts)), 2) if self.posts else 0.0

    def as_dict(self) -> dict:
        words = [p.checks.get("words", 0) for p in self.posts]
        return {
            "model": self.model,
            "backend": self.backend,
            "stories": len(self.posts),
            "published": sum(p.status == "published" for p in self.posts),
            "drafts": sum(p.status != "published" for p in self.posts),
            "passed_all_checks": self._share(lambda p: p.checks.get("passed", False)),
            "grounding_pass": self._share(lambda p: p.checks.get("grounded", False)),
            "grounding_pass_first_draft": self._share(lambda p: p.first_unsupported == 0),
            "unsupported_per_post": self._mean(lambda p: len(p.checks.get("unsupported", []))),
            "unsupported_per_first_draft": self._mean(lambda p: p.first_unsupported),
            "opening_repeat": self._share(lambda p: p.opening_repeats),
            "words_per_post": self._mean(lambda p: p.checks.get("words", 0)),
            "words_min": min(words, default=0),
            "words_max": max(words, default=0),
            "within_length": self._share(
                lambda p: not any("words, outside" in x for x in p.checks.get("problems", []))
            ),
            "sentences_removed_per_post": self._mean(lambda p: len(p.checks.get("removed", []))),
            "calls_per_post": round(self.calls / len(self.posts), 2) if self.posts else 0.0,
            "tokens_per_second": round(self.tokens_out / self.model_seconds, 1)
            if self.model_seconds
            else 0.0,
            "seconds": round(self.seconds, 1),
        }

    def lines(self) -> list[str]:
        d = self.as_dict()
        return [
            f"eval-writer: {d['stories']} stories with {d['model']} ({d['backend']}) "
            f"in {d['seconds']:.0f}s, {d['calls_per_post']} model calls per post, "
            f"{d['tokens_per_second']} tokens/s",
            f"  published / drafts:            {d['published']} / {d['drafts']} "
            f"(passed every check: {d['passed_all_checks']:.0%})",
            f"  passing the grounding check:   {d['grounding_pass']:.0%} of posts "
            f"(first drafts: {d['grounding_pass_first_draft']:.0%})",
            f"  unsupported facts per post:    {d['unsupported_per_post']} "
            f"(first drafts: {d['unsupported_per_first_draft']}; "
            f"sentences removed per post: {d['sentences_removed_per_post']})",
            f"  openings that repeat:          {d['opening_repeat']:.0%}",
            f"  words per post:                {d['words_per_post']:.0f} "
            f"(min {d['words_min']}, max {d['words_max']}; "
            f"within +-25% of the target: {d['within_length']:.0%})",
        ]


def _mark_repeats(results: list[PostResult], settings: Settings) -> None:
    """Does each opening repeat a stock phrase or an earlier post on the same topic?"""
    earlier: dict[str, list[str]] = {}
    for r in results:
        seen = earlier.setdefault(r.topic, [])
        problem = opening_problem(r.body, seen, settings.writer.stock_openings)
        r.opening_repeats = problem is not None
        seen.insert(0, opening(r.body))


def evaluate(
    items: list[EvalStory],
    settings: Settings,
    *,
    store: Path | None = None,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> EvalReport:
    """Write a commentary for every story in a scratch store and measure them."""
    items = items[:limit]
    if store is not None and store.exists():
        raise ColumnistError(f"{store} already exists; eval-writer writes only a new store")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="columnist-eval-") as tmp:
        db = store or Path(tmp) / "eval.db"
        scratch = replace(settings, database=DatabaseSettings(url=f"sqlite:///{db}"))
        engine = open_engine(scratch.database.url)
        try:
            seed_store(engine, items)
            run_write(engine, scratch, progress)
            report = _collect(engine, settings)
        finally:
            engine.dispose()
    report.seconds = time.perf_counter() - started
    _mark_repeats(report.posts, settings)
    return report


def _collect(engine, settings: Settings) -> EvalReport:
    w = settings.writer
    report = EvalReport(model=w.model, backend=w.backend)
    with engine.connect() as conn:
        q = (
            select(posts, story_topics.c.topic)
            .join(story_topics, story_topics.c.story_id == posts.c.story_id)
            .order_by(posts.c.story_id)
        )
        for r in conn.execute(q):
            report.posts.append(
                PostResult(
                    title=r.title,
                    topic=r.topic,
                    status=r.status,
                    body=r.body,
                    checks=json.loads(r.checks or "{}"),
                )
            )
        calls, tokens, seconds = conn.execute(
            select(
                func.count(model_calls.c.id),
                func.coalesce(func.sum(model_calls.c.tokens_out), 0),
                func.coalesce(func.sum(model_calls.c.seconds), 0.0),
            )
        ).one()
    report.calls, report.tokens_out, report.model_seconds = calls, tokens, seconds
    return report


def write_results(report: EvalReport, out: Path) -> None:
    """Every post, one JSON object a line, for reading the commentaries themselves."""
    with out.open("w", encoding="utf-8") as fh:
        for p in report.posts:
            record = {
                "title": p.title,
                "topic": p.topic,
                "status": p.status,
                "opening_repeats": p.opening_repeats,
                "body": p.body,
                "checks": p.checks,
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
