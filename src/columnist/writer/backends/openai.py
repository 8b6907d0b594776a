"""Any OpenAI-compatible chat endpoint (vLLM, llama.cpp server, Ollama, hosted APIs)."""

from __future__ import annotations

import os
import time

import httpx

from columnist.config import WriterSettings
from columnist.errors import ModelError
from columnist.writer.backends.base import Completion, Message

RETRY_STATUS = {429, 500, 502, 503, 504}


class OpenAIBackend:
    name = "openai"

    def __init__(self, settings: WriterSettings, retries: int = 3) -> None:
        self.model = settings.model
        self.url = (settings.base_url or "").rstrip("/") + "/chat/completions"
        key = os.environ.get(settings.api_key_env, "")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.client = httpx.Client(timeout=settings.timeout, headers=headers)
        self.retries = retries

    def complete(
        self,
        messages: list[Message],
        *,
        max_tokens: int,
        temperature: float,
        seed: int | None = None,
    ) -> Completion:
        body = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": temperature,
        }
        if seed is not None:
            body["seed"] = seed
        started = time.perf_counter()
        for attempt in range(self.retries + 1):
            try:
                response = self.client.post(self.url, json=body)
            except httpx.HTTPError as exc:
                if attempt == self.retries:
                    raise ModelError(f"writer.base_url {self.url}: {exc}") from None
            else:
                if response.status_code not in RETRY_STATUS or attempt == self.retries:
                    break
            time.sleep(min(30.0, 0.5 * 2**attempt))
        if response.status_code != 200:
            raise ModelError(
                f"writer.base_url {self.url}: HTTP {response.status_code} {response.text[:200]!r}"
            )
        data = response.json()
        usage = data.get("usage") or {}
        return Completion(
            text=data["choices"][0]["message"].get("content") or "",
            tokens_in=usage.get("prompt_tokens"),
            tokens_out=usage.get("completion_tokens"),
            seconds=time.perf_counter() - started,
        )
