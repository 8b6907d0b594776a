"""Signed session cookies, CSRF tokens and the login throttle of the admin.

The cookie holds a small JSON payload (user, CSRF token, login and last-seen times)
signed with HMAC-SHA256. A session ends after IDLE_SECONDS without a request or
ABSOLUTE_SECONDS after login, whichever is first, or when its user's sessions are
ended (logout, a new password, a removal). The signing key, the ended sessions and
the failed logins the throttle counts are kept in the store (store/admin_state.py), so
every admin process on the desk (several `columnist admin`, or uvicorn workers)
accepts the same cookies, ends the same sessions and throttles the same logins; a
restart logs nobody out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from columnist.store import admin_state
from columnist.store.db import Engine, transaction

COOKIE = "columnist_admin"
IDLE_SECONDS = 30 * 60
ABSOLUTE_SECONDS = 12 * 3600
MAX_FAILURES = 5  # per account and address ...
LOCK_SECONDS = 15 * 60  # ... then this long a wait


@dataclass(slots=True)
class Session:
    csrf: str
    user: str | None = None
    started: float = 0.0  # login time
    seen: float = 0.0  # last request

    @classmethod
    def fresh(cls) -> Session:
        now = time.time()
        return cls(csrf=secrets.token_urlsafe(32), started=now, seen=now)


class Signer:
    def __init__(self, key: bytes | None = None) -> None:
        self.key = key or secrets.token_bytes(32)

    def _mac(self, data: bytes) -> str:
        return base64.urlsafe_b64encode(hmac.new(self.key, data, hashlib.sha256).digest()).decode()

    def dump(self, session: Session) -> str:
        payload = json.dumps(
            [session.csrf, session.user, session.started, session.seen], separators=(",", ":")
        ).encode()
        data = base64.urlsafe_b64encode(payload)
        return f"{data.decode()}.{self._mac(data)}"

    def load(self, value: str | None, now: float | None = None) -> Session | None:
        """The session in a cookie, or None if it is forged, malformed or expired."""
        if not value or "." not in value:
            return None
        data, mac = value.rsplit(".", 1)
        if not hmac.compare_digest(mac, self._mac(data.encode())):
            return None
        try:
            csrf, user, started, seen = json.loads(base64.urlsafe_b64decode(data))
        except (ValueError, TypeError):
            return None
        now = time.time() if now is None else now
        if user is not None and (now - seen > IDLE_SECONDS or now - started > ABSOLUTE_SECONDS):
            return None
        return Session(csrf=csrf, user=user, started=started, seen=seen)


def same_token(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())


def signing_key(engine: Engine) -> bytes:
    """The desk's cookie key: made by the first admin process, shared by every other."""
    with transaction(engine) as conn:
        return bytes.fromhex(admin_state.shared_key(conn, "session", secrets.token_hex(32)))


def end_sessions(engine: Engine, name: str, now: float | None = None) -> None:
    """End every session of `name` begun until now, in every admin process."""
    with transaction(engine) as conn:
        admin_state.end_sessions(conn, name, time.time() if now is None else now)


def session_ended(engine: Engine, session: Session) -> bool:
    """The session's user was logged out (or their password changed) after it began."""
    if session.user is None:
        return False
    with engine.connect() as conn:
        return session.started <= admin_state.sessions_ended(conn, session.user)


class Throttle:
    """Failed logins per (account, address), counted in the store: MAX_FAILURES within
    LOCK_SECONDS lock that name at that address, in every admin process, until the
    oldest of them is LOCK_SECONDS old."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def locked(self, name: str, address: str, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        with self.engine.connect() as conn:
            count = admin_state.failures(conn, name, address, now - LOCK_SECONDS)
        return count >= MAX_FAILURES

    def failed(self, name: str, address: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with transaction(self.engine) as conn:
            admin_state.add_failure(conn, name, address, now, forget=now - LOCK_SECONDS)

    def passed(self, name: str, address: str) -> None:
        with transaction(self.engine) as conn:
            admin_state.clear_failures(conn, name, address)
