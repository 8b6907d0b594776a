"""The model-call log (model_calls, since migration 0002_writer_calls): what each call
to a writing model cost and how its reply fared, as simonw/llm's log keeps it plus the
checks' verdict. Written by the write stage, read by `columnist log` and `eval-writer`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
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
    rows = [
        asdict(c) | {"problems": json.dumps(c.problems) if c.problems else None, "created": now}
        for c in calls
    ]
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


@dataclass(slots=True, kw_only=True)
class CallRow(NewCall):
    """A logged call, as `columnist log` shows it."""

    id: int
    created: datetime

    def as_dict(self, full: bool = False) -> dict:
        data = {"id": self.id, "created": self.created.isoformat()}
        data |= {f.name: getattr(self, f.name) for f in fields(NewCall) if f.name != "response"}
        data["seconds"] = round(self.seconds, 3)
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
    names = [f.name for f in fields(CallRow)]
    return [
        CallRow(
            **{n: r._mapping[n] for n in names}
            | {"problems": json.loads(r.problems) if r.problems else []}
        )
        for r in conn.execute(q)
    ]
