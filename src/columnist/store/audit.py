"""The audit log: who did what to which post, and when (`columnist log --audit`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from columnist.store.schema import audit_log


@dataclass(slots=True)
class AuditRow:
    id: int
    who: str
    action: str
    post_id: int | None
    detail: str
    created: datetime

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "who": self.who,
            "action": self.action,
            "post_id": self.post_id,
            "detail": self.detail,
            "created": self.created.isoformat(),
        }


def record(
    conn: Connection, who: str, action: str, post_id: int | None = None, detail: str = ""
) -> None:
    """One line of the log, in the caller's transaction (so it stands or falls with
    the change it describes)."""
    conn.execute(
        insert(audit_log).values(
            who=who, action=action, post_id=post_id, detail=detail, created=datetime.now(UTC)
        )
    )


def recent(conn: Connection, limit: int = 50, post_id: int | None = None) -> list[AuditRow]:
    """The latest lines, newest first."""
    q = select(audit_log).order_by(audit_log.c.created.desc(), audit_log.c.id.desc()).limit(limit)
    if post_id is not None:
        q = q.where(audit_log.c.post_id == post_id)
    return [
        AuditRow(r.id, r.who, r.action, r.post_id, r.detail, r.created) for r in conn.execute(q)
    ]
