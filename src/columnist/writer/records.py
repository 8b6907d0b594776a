"""The writer's own queries: its model-call log and the openings of recent posts.

Kept beside the writer rather than in `store/` because only the writer and its
commands (`columnist log`, `eval-writer`) use them; they touch only tables the schema
defines (model_calls since migration 0002_writer_calls).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from columnist.store.schema import model_calls, posts, story_topics
from columnist.writer.compose import Call
from columnist.writer.openings import opening


def story_topics_by_score(conn: Connection, story_id: int) -> list[str]:
    """A story's topic slugs, the strongest first (its persona comes from the first)."""
    q = (
        select(story_topics.c.topic)
        .where(story_topics.c.story_id == story_id)
        .order_by(story_topics.c.score.desc(), story_topics.c.topic)
    )
    return list(conn.execute(q).scalars())


def recent_openings(conn: Connection, topic: str, limit: int) -> list[str]:
    """First sentences of the latest published posts on a topic, newest first."""
    q = (
        select(posts.c.body)
        .join(story_topics, story_topics.c.story_id == posts.c.story_id)
        .where(story_topics.c.topic == topic, posts.c.status == "published")
        .order_by(posts.c.id.desc())
        .limit(limit)
    )
    return [opening(body) for body in conn.execute(q).scalars()]


def log_calls(
    conn: Connection,
    calls: list[Call],
    *,
    backend: str,
    model: str,
    prompt_version: str,
    persona: str | None,
    story_id: int | None,
) -> None:
    """One model_calls row per call: what simonw/llm's log keeps, plus the checks' verdict."""
    if not calls:
        return
    now = datetime.now(UTC)
    rows = []
    for c in calls:
        done = c.completion
        rows.append(
            dict(
                story_id=story_id,
                backend=backend,
                model=model,
                prompt_version=prompt_version,
                purpose=c.purpose,
                persona=persona,
                attempt=c.attempt,
                tokens_in=done.tokens_in if done else None,
                tokens_out=done.tokens_out if done else None,
                seconds=done.seconds if done else 0.0,
                outcome=c.outcome,
                error=c.error,
                response=done.text if done else None,
                problems=json.dumps(c.problems) if c.problems else None,
                created=now,
            )
        )
    conn.execute(insert(model_calls), rows)


@dataclass(slots=True)
class CallRow:
    id: int
    created: datetime
    story_id: int | None
    backend: str
    model: str
    prompt_version: str
    purpose: str
    persona: str | None
    attempt: int | None
    tokens_in: int | None
    tokens_out: int | None
    seconds: float
    outcome: str
    error: str | None
    response: str | None
    problems: list[str]

    def as_dict(self, full: bool = False) -> dict:
        data = {
            "id": self.id,
            "created": self.created.isoformat(),
            "story_id": self.story_id,
            "backend": self.backend,
            "model": self.model,
            "prompt_version": self.prompt_version,
            "purpose": self.purpose,
            "persona": self.persona,
            "attempt": self.attempt,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "seconds": round(self.seconds, 3),
            "outcome": self.outcome,
            "error": self.error,
            "problems": self.problems,
        }
        if full:
            data["response"] = self.response
        return data


def recent_calls(
    conn: Connection,
    limit: int = 20,
    *,
    story_id: int | None = None,
    outcome: str | None = None,
) -> list[CallRow]:
    """The latest model calls, newest first."""
    q = select(model_calls).order_by(model_calls.c.id.desc()).limit(limit)
    if story_id is not None:
        q = q.where(model_calls.c.story_id == story_id)
    if outcome:
        q = q.where(model_calls.c.outcome == outcome)
    return [
        CallRow(
            id=r.id,
            created=r.created,
            story_id=r.story_id,
            backend=r.backend,
            model=r.model,
            prompt_version=r.prompt_version,
            purpose=r.purpose,
            persona=r.persona,
            attempt=r.attempt,
            tokens_in=r.tokens_in,
            tokens_out=r.tokens_out,
            seconds=r.seconds,
            outcome=r.outcome,
            error=r.error,
            response=r.response,
            problems=json.loads(r.problems) if r.problems else [],
        )
        for r in conn.execute(q)
    ]
