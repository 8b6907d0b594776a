"""Signed session cookies, CSRF tokens and the login throttle of the admin.

The cookie holds a small JSON payload (user, CSRF token, login and last-seen times)
signed with HMAC-SHA256 under a key made when the server starts, so restarting the
admin logs everyone out and no secret has to be stored. A session ends after
IDLE_SECONDS without a request or ABSOLUTE_SECONDS after login, whichever is first.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field

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


@dataclass(slots=True)
class Throttle:
    """Failed logins per (account, address); MAX_FAILURES of them lock for LOCK_SECONDS."""

    failures: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)  # logins run on threads

    def locked(self, name: str, address: str, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        with self.lock:
            recent = [t for t in self.failures.get((name, address), []) if now - t < LOCK_SECONDS]
            self.failures[(name, address)] = recent
            return len(recent) >= MAX_FAILURES

    def failed(self, name: str, address: str) -> None:
        with self.lock:
            self.failures.setdefault((name, address), []).append(time.time())

    def passed(self, name: str, address: str) -> None:
        with self.lock:
            self.failures.pop((name, address), None)
