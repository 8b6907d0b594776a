"""Posting to Mastodon through its REST API: the card image first
(`POST /api/v2/media`: multipart `file` and `description`, the alt text), then the
status (`POST /api/v1/statuses`: `status`, `media_ids[]`), with the delivery's key as
`Idempotency-Key`, so a status sent again after a crash comes back as the one already
posted instead of a second one. Mastodon keeps the key for an hour only, so a delivery
tried before first looks for the post's link among the account's latest statuses.
"""

from __future__ import annotations

import asyncio
import html
import json

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


LOOK_BACK = 40  # the account's latest statuses searched for an earlier try's post


async def _already_posted(
    client: httpx.AsyncClient, account: SocialSettings, auth: dict, link: str
) -> tuple[int, str] | None:
    """(HTTP status, URL) of the account's recent status linking to `link`, if any."""
    base, timeout = account.instance, account.timeout
    _status, body = await request(
        client, "GET", f"{base}/api/v1/accounts/verify_credentials", timeout, headers=auth
    )
    me = str(parse_json(body, "verify_credentials").get("id") or "")
    if not me:
        raise Refused("verify_credentials: no account id in the answer")
    status, body = await request(
        client, "GET", f"{base}/api/v1/accounts/{me}/statuses", timeout, headers=auth,
        params={"limit": LOOK_BACK},
    )  # fmt: skip
    try:
        statuses = json.loads(body)
    except ValueError:
        raise Refused("account statuses: the answer is not JSON") from None
    for item in statuses if isinstance(statuses, list) else []:
        if isinstance(item, dict) and link in html.unescape(str(item.get("content", ""))):
            return status, str(item.get("url") or item.get("id") or "")
    return None


async def post_status(
    client: httpx.AsyncClient,
    account: SocialSettings,
    token: str,
    text: str,
    card: Card | None,
    key: str,
    language: str,
    link: str,
    tried_before: bool,
) -> tuple[int, str]:
    """Post `text` (with `card`) once; (HTTP status, the status's URL). `tried_before`:
    an earlier attempt may have posted it, so look for `link` first."""
    auth = {"Authorization": f"Bearer {token}"}
    if tried_before and (found := await _already_posted(client, account, auth, link)):
        return found
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
