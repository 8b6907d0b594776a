"""Any OpenAI-compatible chat endpoint (vLLM, llama.cpp server, Ollama, hosted APIs).

One httpx client is shared by the write stage's threads, with as many pooled
connections as `writer.concurrency`, so a server that batches sees that many requests
at once. Busy and failing servers (429, 5xx, dropped connections, timeouts) are retried
with exponential backoff and jitter, honouring Retry-After; other errors fail at once
with one line naming `writer.base_url`.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime

import httpx

from columnist.config import WriterSettings
from columnist.errors import ConfigError, ModelError
from columnist.writer.backends.base import Completion, Message
from columnist.writer.backends.endpoints import EndpointPool
from columnist.writer.constraints import Constraints

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
BACKOFF_BASE = 0.5  # seconds before the first retry
BACKOFF_CAP = 30.0
RETRY_AFTER_CAP = 120.0  # a longer Retry-After is waited for only this long


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def backoff_seconds(attempt: int, rng: Callable[[], float] = random.random) -> float:
    """Exponential backoff with jitter: 0.5 s, 1 s, 2 s, ... each scaled by 0.5-1.0."""
    return min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt) * (0.5 + rng() / 2)


class OpenAIBackend:
    name = "openai"

    def __init__(
        self, settings: WriterSettings, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        bases = [u.rstrip("/") for u in (settings.base_urls or [settings.base_url or ""])]
        for base in bases:
            if not base.startswith(("http://", "https://")):
                raise ConfigError(f"`writer.base_url` must be an http(s) URL, not {base!r}")
        self.model = settings.model
        self.pool = EndpointPool([b + "/chat/completions" for b in bases])
        self.url = self.pool.endpoints[0].url
        self.concurrency = settings.concurrency
        self.retries = settings.retries
        self.key_env = settings.api_key_env
        key = os.environ.get(settings.api_key_env, "")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.client = httpx.Client(
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
            headers=headers,
            limits=httpx.Limits(
                max_connections=settings.concurrency * len(bases),
                max_keepalive_connections=settings.concurrency * len(bases),
            ),
        )
        self._sleep = sleep

    def _fail(self, why: str, url: str | None = None) -> ModelError:
        return ModelError(f"writer.base_url {url or self.url}: {why}")

    def _refusal(self, response: httpx.Response, url: str) -> ModelError:
        """A reply that retrying will not fix, explained in one line."""
        status, text = response.status_code, " ".join(response.text.split())[:200]
        if status in (401, 403):
            hint = f"set the API key in ${self.key_env} (writer.api_key_env)"
            return self._fail(f"HTTP {status}, not authorised: {hint}", url)
        if status == 404:
            why = f"HTTP 404 {text!r} (does base_url end in /v1? is the model served?)"
            return self._fail(why, url)
        return self._fail(f"HTTP {status} {text!r}", url)

    def _parse(self, response: httpx.Response, started: float, url: str) -> Completion:
        try:
            data = response.json()
            choice = data["choices"][0]
            text = choice["message"].get("content") or ""
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise self._fail("the reply is not an OpenAI chat completion", url) from None
        usage = data.get("usage") or {}
        return Completion(
            text=text,
            tokens_in=usage.get("prompt_tokens"),
            tokens_out=usage.get("completion_tokens"),
            seconds=time.perf_counter() - started,
            finish_reason=choice.get("finish_reason"),
        )

    def complete(
        self,
        messages: list[Message],
        *,
        max_tokens: int,
        temperature: float,
        seed: int | None = None,
        constraints: Constraints | None = None,
    ) -> Completion:
        """One chat completion; a grammar goes as `grammar` (llama.cpp server, llama-cpp-python's
        server). The n-gram blocker needs the sampler, so a remote call goes without it and
        the writer's checks catch what it would have prevented."""
        body: dict = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": temperature,
            "top_p": 0.9,
        }
        if seed is not None:
            body["seed"] = seed
        grammar = constraints.as_grammar() if constraints else None
        if grammar:
            body["grammar"] = grammar  # the lead, vocabulary and shape, enforced by the server
        started = time.perf_counter()
        last = ""
        for attempt in range(self.retries + 1):
            wait: float | None = None
            endpoint = self.pool.acquire()
            ok = False
            try:
                response = self.client.post(endpoint.url, json=body)
            except httpx.TimeoutException as exc:
                last = f"timed out ({type(exc).__name__}; writer.timeout)"
            except httpx.TransportError as exc:
                last = f"cannot connect ({type(exc).__name__}: {exc})"
            else:
                ok = response.status_code == 200 or response.status_code not in RETRY_STATUS
                if response.status_code not in RETRY_STATUS:
                    self.pool.release(endpoint, ok=True)
                    if response.status_code == 200:
                        return self._parse(response, started, endpoint.url)
                    raise self._refusal(response, endpoint.url)
                last = f"HTTP {response.status_code} {' '.join(response.text.split())[:120]!r}"
                wait = retry_after_seconds(response.headers.get("retry-after"))
            finally:
                if not ok:
                    self.pool.release(endpoint, ok=False, hold=wait)
            last = f"{endpoint.url}: {last}"
            if attempt == self.retries:
                break
            if self.pool.any_up():
                continue  # another server can take it now
            if wait is None:
                wait = backoff_seconds(attempt)
            self._sleep(min(wait, RETRY_AFTER_CAP))
        tries = self.retries + 1
        raise ModelError(f"writer.base_url {last} (after {tries} tr{'y' if tries == 1 else 'ies'})")

    def close(self) -> None:
        self.client.close()
