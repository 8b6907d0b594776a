"""The model-call log (model_calls, since migration 0002_writer_calls): what each call
to a writing model cost and how its reply fared, as simonw/llm's log keeps it plus the
checks' verdict. Written by the write stage, read by `columnist log` and `eval-writer`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, func, insert, select

from columnist.store.schema import model_calls


@dataclass(slots=True)
class NewCall:
    """One call to log."""

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
    problems: list[str] = field(default_factory=list)


def log_calls(conn: Connection, calls: list[NewCall]) -> None:
    """One model_calls row per call, all stamped with the same time."""
    if not calls:
        return
    now = datetime.now(UTC)
    rows = []
    for c in calls:
        rows.append(
            dict(
                story_id=c.story_id,
                backend=c.backend,
                model=c.model,
                prompt_version=c.prompt_version,
                purpose=c.purpose,
                persona=c.persona,
                attempt=c.attempt,
                tokens_in=c.tokens_in,
                tokens_out=c.tokens_out,
                seconds=c.seconds,
                outcome=c.outcome,
                error=c.error,
                response=c.response,
                problems=json.dumps(c.problems) if c.problems else None,
                created=now,
            )
        )
    conn.execute(insert(model_calls), rows)


def totals(conn: Connection) -> tuple[int, int, float]:
    """(calls, tokens out, model seconds) over the whole log."""
    calls, tokens, seconds = conn.execute(
        select(
            func.count(model_calls.c.id),
            func.coalesce(func.sum(model_calls.c.tokens_out), 0),
            func.coalesce(func.sum(model_calls.c.seconds), 0.0),
        )
    ).one()
    return calls, tokens, seconds


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
