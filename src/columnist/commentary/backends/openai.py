"""Any OpenAI-compatible chat endpoint (vLLM, llama.cpp server, Ollama, hosted APIs).

One httpx client is shared by the write stage's threads, with as many pooled
connections as `writer.concurrency`, so a server that batches sees that many requests
at once. Busy and failing servers (429, 5xx, dropped connections, timeouts) are retried
with exponential backoff and jitter, honouring Retry-After; other errors fail at once
with one line naming `writer.openai.base_urls`. Its options are `[writer.openai]`.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, ClassVar

from columnist.commentary.backends.base import Completion, Message, OptionTable
from columnist.commentary.backends.endpoints import EndpointPool
from columnist.errors import ConfigError, ModelError

if TYPE_CHECKING:  # httpx loads when a backend is made, not when the config is read
    import httpx

    from columnist.commentary.constraints import Constraints
    from columnist.config import WriterSettings

NAME = "openai"
URLS = f"writer.{NAME}.base_urls"  # what errors about a server name


@dataclass(frozen=True, slots=True)
class OpenAIOptions:
    """`[writer.openai]`: the servers and how they are asked."""

    base_urls: list[str] = field(default_factory=list)  # .../v1; requests spread over them
    api_key_env: str = "OPENAI_API_KEY"  # the environment variable holding the API key
    retries: int = 4  # retries of a failed request (429, 5xx, network)
    timeout: float = 300.0  # seconds for one reply
    connect_timeout: float = 10.0

    FLAT_KEYS: ClassVar[dict[str, str]] = {
        "base_url": "base_urls",
        "api_key_env": "api_key_env",
        "retries": "retries",
        "timeout": "timeout",
        "connect_timeout": "connect_timeout",
    }

    @classmethod
    def parse(cls, table: OptionTable, *, chosen: bool) -> OpenAIOptions:
        d = cls()
        raw = table.get("base_urls", (str, list), None)
        urls = [raw] if isinstance(raw, str) else list(raw or [])
        if not all(isinstance(u, str) and u.strip() for u in urls):
            raise table.fail("base_urls", "must be a URL or a list of URLs")
        if chosen and not urls:
            raise table.fail("base_urls", f'is required when backend = "{NAME}"')
        if chosen:
            for url in urls:
                if not url.startswith(("http://", "https://")):
                    raise table.fail("base_urls", f"must hold http(s) URLs, not {url!r}")
        return cls(
            base_urls=urls,
            api_key_env=table.get("api_key_env", str, d.api_key_env),
            retries=table.get("retries", int, d.retries, min_value=0),
            timeout=table.get("timeout", float, d.timeout, min_value=1.0),
            connect_timeout=table.get("connect_timeout", float, d.connect_timeout, min_value=0.1),
        )


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


def _first_top_logprobs(choice: dict) -> dict[str, float] | None:
    """The first reply token's alternatives from a chat choice's `logprobs`, or None when
    the server sent none (not asked, or it does not give them)."""
    try:
        first = choice["logprobs"]["content"][0]
        return {t["token"]: float(t["logprob"]) for t in first["top_logprobs"]} or None
    except (KeyError, IndexError, TypeError, ValueError):
        return None


class OpenAIBackend:
    name = NAME

    def __init__(
        self, settings: WriterSettings, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        import httpx

        options: OpenAIOptions = settings.options_for(self.name)
        bases = [u.rstrip("/") for u in options.base_urls]
        if not bases:
            raise ConfigError(f'`{URLS}` is required when backend = "{self.name}"')
        for base in bases:
            if not base.startswith(("http://", "https://")):
                raise ConfigError(f"`{URLS}` must hold http(s) URLs, not {base!r}")
        self.model = settings.model
        self.pool = EndpointPool([b + "/chat/completions" for b in bases])
        self.url = self.pool.endpoints[0].url
        self.concurrency = settings.concurrency
        self.retries = options.retries
        self.key_env = options.api_key_env
        key = os.environ.get(options.api_key_env, "")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.client = httpx.Client(
            timeout=httpx.Timeout(options.timeout, connect=options.connect_timeout),
            headers=headers,
            limits=httpx.Limits(
                max_connections=settings.concurrency * len(bases),
                max_keepalive_connections=settings.concurrency * len(bases),
            ),
        )
        self._sleep = sleep

    def _fail(self, why: str, url: str | None = None) -> ModelError:
        return ModelError(f"{URLS} {url or self.url}: {why}")

    def _refusal(self, response: httpx.Response, url: str) -> ModelError:
        """A reply that retrying will not fix, explained in one line."""
        status, text = response.status_code, " ".join(response.text.split())[:200]
        if status in (401, 403):
            hint = f"set the API key in ${self.key_env} (writer.{NAME}.api_key_env)"
            return self._fail(f"HTTP {status}, not authorised: {hint}", url)
        if status == 404:
            why = f"HTTP 404 {text!r} (does the URL end in /v1? is the model served?)"
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
            top_logprobs=_first_top_logprobs(choice),
        )

    def complete(
        self,
        messages: list[Message],
        *,
        max_tokens: int,
        temperature: float,
        seed: int | None = None,
        constraints: Constraints | None = None,
        top_logprobs: int = 0,
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
        if top_logprobs > 0:
            body["logprobs"], body["top_logprobs"] = True, top_logprobs
        grammar = constraints.as_grammar() if constraints else None
        if grammar:
            body["grammar"] = grammar  # the lead, vocabulary and shape, enforced by the server
        import httpx

        started = time.perf_counter()
        last = ""
        for attempt in range(self.retries + 1):
            wait: float | None = None
            endpoint = self.pool.acquire()
            ok = False
            try:
                response = self.client.post(endpoint.url, json=body)
            except httpx.TimeoutException as exc:
                last = f"timed out ({type(exc).__name__}; writer.{NAME}.timeout)"
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
        raise ModelError(f"{URLS} {last} (after {tries} tr{'y' if tries == 1 else 'ies'})")

    def close(self) -> None:
        self.client.close()
