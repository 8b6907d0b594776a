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

from columnist.commentary.evalset import EvalStory
from columnist.commentary.openings import opening, opening_problem
from columnist.commentary.reader import READER_CHECKS, named_passes
from columnist.commentary.stage import run_write
from columnist.config import DatabaseSettings, Settings
from columnist.errors import ColumnistError
from columnist.store import calls as call_store
from columnist.store import posts as post_store
from columnist.store.db import open_engine
from columnist.store.seed import seed_store


@dataclass(slots=True)
class PostResult:
    title: str
    topic: str
    status: str
    body: str
    checks: dict
    opening_repeats: bool = False

    @property
    def unsupported(self) -> int:
        return len(self.checks.get("unsupported", []))

    @property
    def borrowed(self) -> int:
        """Sentences using a speaker's quoted words as the writer's own."""
        return len(self.checks.get("borrowed", []))


@dataclass(slots=True)
class EvalReport:
    model: str
    backend: str
    posts: list[PostResult] = field(default_factory=list)
    calls: int = 0
    tokens_out: int = 0
    model_seconds: float = 0.0
    seconds: float = 0.0

    def _share(self, test: Callable[[PostResult], bool], posts=None) -> float:
        posts = self.posts if posts is None else posts
        return round(sum(map(test, posts)) / len(posts), 3) if posts else 0.0

    def _mean(self, value: Callable[[PostResult], float], posts=None) -> float:
        posts = self.posts if posts is None else posts
        return round(mean(map(value, posts)), 3) if posts else 0.0

    def as_dict(self) -> dict:
        words = [p.checks.get("words", 0) for p in self.posts]
        published = [p for p in self.posts if p.status == "published"]
        copied = [p.checks.get("copied_6gram_share", 0.0) for p in published]
        reader = {
            name: self._share(lambda p, n=name: named_passes(p.checks).get(n, False), published)
            for name in READER_CHECKS
        }
        return {
            "model": self.model,
            "backend": self.backend,
            "stories": len(self.posts),
            "published": len(published),
            "drafts": len(self.posts) - len(published),
            "published_share": self._share(lambda p: p.status == "published"),
            "passed_all_checks": self._share(lambda p: p.checks.get("passed", False)),
            "reader_checks_passed": reader,  # share of published posts passing each
            "copied_6gram_mean": round(mean(copied), 3) if copied else 0.0,
            "copied_6gram_max": round(max(copied, default=0.0), 3),
            "grounding_pass": self._share(lambda p: p.checks.get("grounded", False)),
            "unsupported_per_post": self._mean(lambda p: p.unsupported),
            "unsupported_per_published": self._mean(lambda p: p.unsupported, published),
            "verifier_flags_per_post": self._mean(
                lambda p: len(p.checks.get("unverified", [])), published
            ),
            # posts using a speaker's quoted words as the writer's own, and which: a flag
            # for an editor that holds no post, so counted over every post
            "borrowed_posts": sum(p.borrowed > 0 for p in self.posts),
            "borrowed_titles": [p.title for p in self.posts if p.borrowed],
            "opening_repeat": self._share(lambda p: p.opening_repeats),
            "words_per_post": self._mean(lambda p: p.checks.get("words", 0)),
            "words_min": min(words, default=0),
            "words_max": max(words, default=0),
            "within_length": self._share(
                lambda p: not any("words, outside" in x for x in p.checks.get("problems", []))
            ),
            "paragraphs_rewritten_per_post": self._mean(
                lambda p: len(p.checks.get("rewritten_paragraphs", []))
            ),
            "paragraphs_left_out_per_post": self._mean(
                lambda p: len(p.checks.get("left_out_paragraphs", []))
            ),
            "calls_per_post": round(self.calls / len(self.posts), 2) if self.posts else 0.0,
            "seconds_per_story": round(self.seconds / len(self.posts), 1) if self.posts else 0.0,
            "tokens_per_second": round(self.tokens_out / self.model_seconds, 1)
            if self.model_seconds
            else 0.0,
            "seconds": round(self.seconds, 1),
        }

    def lines(self) -> list[str]:
        d = self.as_dict()
        reader = d["reader_checks_passed"]
        return [
            f"eval-writer: {d['stories']} stories with {d['model']} ({d['backend']}) "
            f"in {d['seconds']:.0f}s ({d['seconds_per_story']}s a story), "
            f"{d['calls_per_post']} model calls per post, {d['tokens_per_second']} tokens/s",
            f"  published / drafts:            {d['published']} / {d['drafts']} "
            f"({d['published_share']:.0%} published; passed every check: "
            f"{d['passed_all_checks']:.0%})",
            "  reader checks (published):     "
            + ", ".join(f"{name} {share:.0%}" for name, share in reader.items()),
            f"  copied 6-grams (published):    mean {d['copied_6gram_mean']:.1%}, "
            f"max {d['copied_6gram_max']:.1%}",
            f"  unsupported facts per post:    {d['unsupported_per_post']} "
            f"(published: {d['unsupported_per_published']}); grounded: "
            f"{d['grounding_pass']:.0%}; verifier flags per published post: "
            f"{d['verifier_flags_per_post']}",
            f"  speakers' words as own:        {d['borrowed_posts']} of {d['stories']} posts"
            + (f" ({'; '.join(d['borrowed_titles'])})" if d["borrowed_titles"] else ""),
            f"  openings that repeat:          {d['opening_repeat']:.0%}",
            f"  words per post:                {d['words_per_post']:.0f} "
            f"(min {d['words_min']}, max {d['words_max']}; "
            f"within +-25% of the target: {d['within_length']:.0%}); paragraphs written "
            f"again per post: {d['paragraphs_rewritten_per_post']}, left out: "
            f"{d['paragraphs_left_out_per_post']}",
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
        for p in post_store.posts_by_topic(conn):
            report.posts.append(
                PostResult(
                    title=p.title, topic=p.topic, status=p.status, body=p.body, checks=p.checks
                )
            )
        calls, tokens, seconds = call_store.totals(conn)
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
