"""Sending one webhook delivery: signed JSON, a few tries with backoff within a run."""

from __future__ import annotations

import asyncio

import httpx

from columnist.announce.http import Begin, Log, Outcome, Refused, logged, request
from columnist.announce.payload import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signature
from columnist.config import WebhookSettings

BACKOFF = 0.5  # seconds before the second try; doubled before each next one


async def send_webhook(
    client: httpx.AsyncClient,
    hook: WebhookSettings,
    secret: str | None,
    event: str,
    key: str,
    body: bytes,
    begin: Begin,
    log: Log,
) -> Outcome:
    """POST `body` to the receiver up to `hook.attempts` times; each try is logged.

    Only an answer worth waiting for (no answer, 5xx, 408, 429) is tried again in this
    run; every failure is tried again by later runs up to `max_attempts`. The delivery
    id stays the same on every try, so a receiver can drop repeats.
    """
    headers = {
        "Content-Type": "application/json",
        EVENT_HEADER: event,
        DELIVERY_HEADER: key,
    }
    if secret is not None:
        headers[SIGNATURE_HEADER] = signature(secret, body)
    error = "not tried"
    for attempt in range(hook.attempts):
        if attempt:
            await asyncio.sleep(BACKOFF * 2 ** (attempt - 1))
        try:
            status, _ = await logged(
                begin,
                log,
                lambda: request(
                    client, "POST", hook.url, hook.timeout, content=body, headers=headers
                ),
            )
        except Refused as exc:
            error = str(exc)
            if not exc.transient:
                break
            continue
        return Outcome(sent=True, remote=f"HTTP {status}")
    return Outcome(sent=False, error=error)
