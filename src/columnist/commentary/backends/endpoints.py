"""Spreading requests over several OpenAI-compatible servers.

Each request goes to the server with the fewest requests in flight among those that
are up. A server that fails (connection refused, timeout, 5xx) is set aside for a
cool-down that doubles with each failure in a row (5 s ... 5 min) and is tried again
when it ends, so a server that comes back takes its share again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

COOLDOWN_BASE = 5.0
COOLDOWN_CAP = 300.0


@dataclass(slots=True)
class Endpoint:
    url: str  # .../chat/completions
    in_flight: int = 0
    failures: int = 0  # in a row
    down_until: float = 0.0
    served: int = 0


class EndpointPool:
    def __init__(self, urls: list[str], clock: Callable[[], float] = time.monotonic) -> None:
        self.endpoints = [Endpoint(u) for u in urls]
        self.clock = clock
        self._lock = threading.Lock()

    def acquire(self) -> Endpoint:
        """The least busy server that is up; if all are down, the one back soonest."""
        with self._lock:
            now = self.clock()
            up = [e for e in self.endpoints if e.down_until <= now]
            if up:
                chosen = min(up, key=lambda e: (e.in_flight, e.served))
            else:
                chosen = min(self.endpoints, key=lambda e: e.down_until)
            chosen.in_flight += 1
            return chosen

    def release(self, endpoint: Endpoint, ok: bool, hold: float | None = None) -> None:
        """Record a request's end; a failure (or a server's Retry-After) sets it aside."""
        with self._lock:
            endpoint.in_flight -= 1
            if ok:
                endpoint.failures, endpoint.down_until = 0, 0.0
                endpoint.served += 1
                return
            endpoint.failures += 1
            cooldown = min(COOLDOWN_CAP, COOLDOWN_BASE * 2 ** (endpoint.failures - 1))
            endpoint.down_until = self.clock() + max(cooldown, hold or 0.0)

    def any_up(self) -> bool:
        now = self.clock()
        return any(e.down_until <= now for e in self.endpoints)
