"""The `write` stage: one commentary per filed story, checked, then stored.

Each story is one unit of work: its post and the log of the model calls made for it
are committed together, so a killed run leaves no half-written post and the next run
picks the story up again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select

from columnist.config import Settings
from columnist.errors import ModelError
from columnist.store import entries as entry_store
from columnist.store import stories as story_store
from columnist.store.db import transaction
from columnist.store.posts import NewPost, insert_post
from columnist.store.schema import model_calls, posts
from columnist.writer.backends import Backend, Completion, make_backend
from columnist.writer.checks import CheckResult, check_commentary
from columnist.writer.prompts import (
    PROMPT_VERSION,
    build_messages,
    environment,
    source_texts,
)
from columnist.writer.text import clean_body, make_excerpt, split_sentences

SOURCE_BUDGET_WORDS = 1400


@dataclass(slots=True)
class WriteReport:
    stories: int = 0
    published: int = 0
    drafts: int = 0
    failed: int = 0
    tokens_out: int = 0
    model_seconds: float = 0.0


@dataclass(slots=True)
class Attempt:
    body: str
    check: CheckResult
    completion: Completion


def max_tokens_for(settings: Settings) -> int:
    return settings.writer.max_tokens or int(settings.writer.words * 2) + 64


def recent_openings(conn, limit: int = 8) -> list[str]:
    """First sentences of the latest posts, so a new one is asked not to echo them."""
    bodies = conn.execute(select(posts.c.body).order_by(posts.c.id.desc()).limit(limit))
    openings = []
    for (body,) in bodies:
        first = split_sentences(body.split("\n\n")[0])[:1]
        if first:
            openings.append(" ".join(first[0].split()[:8]))
    return openings


def _log_call(
    conn,
    backend: Backend,
    story_id: int,
    completion: Completion | None,
    outcome: str,
    error: str | None = None,
    seconds: float = 0.0,
) -> None:
    conn.execute(
        insert(model_calls).values(
            story_id=story_id,
            backend=backend.name,
            model=backend.model,
            prompt_version=PROMPT_VERSION,
            purpose="commentary",
            tokens_in=completion.tokens_in if completion else None,
            tokens_out=completion.tokens_out if completion else None,
            seconds=completion.seconds if completion else seconds,
            outcome=outcome,
            error=error,
            created=datetime.now(UTC),
        )
    )


def write_story(
    engine: Engine, settings: Settings, backend: Backend, env, story_id: int, report: WriteReport
) -> None:
    with engine.connect() as conn:
        story = story_store.get(conn, story_id)
        items = entry_store.story_entries(conn, story_id)
        avoid = recent_openings(conn)
    sources = source_texts(
        [(e.source_name, e.title, e.text, e.published) for e in items], SOURCE_BUDGET_WORDS
    )
    source_text = "\n".join(f"{e.title}\n{e.text}" for e in items)
    messages = build_messages(
        env,
        persona=settings.writer.persona,
        words=settings.writer.words,
        headline=story.title,
        sources=sources,
        avoid_openings=avoid,
    )
    attempts: list[Attempt] = []
    try:
        for n in range(settings.writer.max_attempts):
            seed = None if settings.writer.seed is None else settings.writer.seed + n
            completion = backend.complete(
                messages,
                max_tokens=max_tokens_for(settings),
                temperature=settings.writer.temperature,
                seed=seed,
            )
            body = clean_body(completion.text)
            check = check_commentary(
                body,
                target_words=settings.writer.words,
                source_text=f"{story.title}\n{source_text}",
            )
            attempts.append(Attempt(body, check, completion))
            report.tokens_out += completion.tokens_out or 0
            report.model_seconds += completion.seconds
            if check.passed:
                break
    except ModelError as exc:
        with transaction(engine) as conn:
            for a in attempts:
                _log_call(conn, backend, story_id, a.completion, "rejected")
            _log_call(conn, backend, story_id, None, "error", str(exc))
        report.failed += 1
        raise
    best = min(attempts, key=lambda a: (not a.check.passed, len(a.check.problems)))
    publish = best.check.passed or not settings.writer.strict
    with transaction(engine) as conn:
        for a in attempts:
            _log_call(conn, backend, story_id, a.completion, "ok" if a is best else "rejected")
        checks = best.check.as_dict() | {"attempts": len(attempts)}
        insert_post(
            conn,
            NewPost(
                story_id=story_id,
                title=story.title,
                body=best.body,
                excerpt=make_excerpt(best.body, settings.site.excerpt_words),
                status="published" if publish else "draft",
                backend=backend.name,
                model=backend.model,
                prompt_version=PROMPT_VERSION,
                checks=checks,
                source_count=len(items),
            ),
        )
    report.stories += 1
    if publish:
        report.published += 1
    else:
        report.drafts += 1


def run_write(
    engine: Engine,
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    backend: Backend | None = None,
    limit: int | None = None,
) -> WriteReport:
    report = WriteReport()
    with engine.connect() as conn:
        todo = story_store.needing_posts(conn, limit)
    if not todo:
        return report
    backend = backend or make_backend(settings.writer)
    env = environment(settings.root / "templates" / "prompts")
    for i, story in enumerate(todo, 1):
        write_story(engine, settings, backend, env, story.id, report)
        if progress:
            progress(i, len(todo))
    return report
