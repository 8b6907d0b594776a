"""Posting to Mastodon through its REST API: the card image first
(`POST /api/v2/media`: multipart `file` and `description`, the alt text), then the
status (`POST /api/v1/statuses`: `status`, `media_ids[]`), with the delivery's key as
`Idempotency-Key`, so a status sent again after a crash comes back as the one already
posted instead of a second one (Mastodon keeps the key for an hour)."""

from __future__ import annotations

import asyncio

import httpx

from columnist.announce.card import Card
from columnist.announce.http import Refused, parse_json, request
from columnist.config import SocialSettings

MEDIA_POLLS = 5  # GET /api/v1/media/:id while the server still processes the upload
MEDIA_POLL_SECONDS = 1.0


async def _upload(
    client: httpx.AsyncClient, account: SocialSettings, auth: dict, card: Card
) -> str:
    """The media id of the uploaded card, once the server has processed it."""
    base = account.instance
    status, body = await request(
        client,
        "POST",
        f"{base}/api/v2/media",
        account.timeout,
        headers=auth,
        files={"file": (card.name, card.data, card.mime)},
        data={"description": card.alt},
    )
    media_id = str(parse_json(body, "media upload").get("id") or "")
    if not media_id:
        raise Refused("media upload: no id in the answer", status)
    for _ in range(MEDIA_POLLS if status == 202 else 0):  # 202: still processing
        await asyncio.sleep(MEDIA_POLL_SECONDS)
        status, _body = await request(
            client, "GET", f"{base}/api/v1/media/{media_id}", account.timeout, headers=auth
        )
        if status == 200:
            break
    return media_id


async def post_status(
    client: httpx.AsyncClient,
    account: SocialSettings,
    token: str,
    text: str,
    card: Card | None,
    key: str,
    language: str,
) -> tuple[int, str]:
    """Post `text` (with `card`) once; (HTTP status, the status's URL)."""
    auth = {"Authorization": f"Bearer {token}"}
    form: dict[str, object] = {"status": text, "visibility": "public", "language": language}
    if card is not None:
        form["media_ids"] = [await _upload(client, account, auth, card)]
    status, body = await request(
        client,
        "POST",
        f"{account.instance}/api/v1/statuses",
        account.timeout,
        headers=auth | {"Idempotency-Key": key},
        json=form,
    )
    posted = parse_json(body, "status")
    return status, str(posted.get("url") or posted.get("uri") or posted.get("id") or "")
