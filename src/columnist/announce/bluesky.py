"""Posting to Bluesky through the AT Protocol's XRPC endpoints:
`com.atproto.server.createSession` (handle and app password), `com.atproto.repo.
uploadBlob` (the card image), `com.atproto.repo.createRecord` of an `app.bsky.feed.post`
with the link as a facet (UTF-8 byte offsets) and an `app.bsky.embed.external` card.

The record key is the delivery's key (a TID made when the intent was recorded), so
after a crash `com.atproto.repo.getRecord` tells whether the post went out, and it is
never created twice.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime

import httpx

from columnist.announce.card import Card
from columnist.announce.http import Refused, parse_json, request
from columnist.announce.text import SocialText
from columnist.config import SocialSettings

COLLECTION = "app.bsky.feed.post"
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def new_tid() -> str:
    """A record key in the TID form: microseconds since 1970 and a random clock id,
    13 base32-sortable characters."""
    value = (time.time_ns() // 1000) << 10 | secrets.randbelow(1024)
    out = ""
    for _ in range(13):
        out = _TID_ALPHABET[value & 31] + out
        value >>= 5
    return out


def _xrpc(account: SocialSettings, method: str) -> str:
    return f"{account.service}/xrpc/{method}"


async def _session(client: httpx.AsyncClient, account: SocialSettings, password: str) -> dict:
    _status, body = await request(
        client,
        "POST",
        _xrpc(account, "com.atproto.server.createSession"),
        account.timeout,
        json={"identifier": account.handle, "password": password},
    )
    session = parse_json(body, "createSession")
    if not isinstance(session.get("accessJwt"), str) or not isinstance(session.get("did"), str):
        raise Refused("createSession: no accessJwt or did in the answer")
    return session


async def _existing(
    client: httpx.AsyncClient, account: SocialSettings, did: str, rkey: str
) -> str | None:
    """The at:// URI of the record with this key, if the repository has it."""
    try:
        _status, body = await request(
            client,
            "GET",
            _xrpc(account, "com.atproto.repo.getRecord"),
            account.timeout,
            params={"repo": did, "collection": COLLECTION, "rkey": rkey},
        )
    except Refused as exc:
        if exc.status in (400, 404):  # RecordNotFound
            return None
        raise
    return str(parse_json(body, "getRecord").get("uri") or "") or None


async def _upload(
    client: httpx.AsyncClient, account: SocialSettings, auth: dict, card: Card
) -> dict:
    _status, body = await request(
        client,
        "POST",
        _xrpc(account, "com.atproto.repo.uploadBlob"),
        account.timeout,
        headers=auth | {"Content-Type": card.mime},
        content=card.data,
    )
    blob = parse_json(body, "uploadBlob").get("blob")
    if not isinstance(blob, dict):
        raise Refused("uploadBlob: no blob in the answer")
    return blob


def record(
    words: SocialText, title: str, description: str, language: str, thumb: dict | None
) -> dict:
    """The `app.bsky.feed.post` record: text, link facet, link card."""
    external: dict[str, object] = {"uri": words.link, "title": title, "description": description}
    if thumb is not None:
        external["thumb"] = thumb
    return {
        "$type": COLLECTION,
        "text": words.text,
        "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "langs": [language],
        "facets": [
            {
                "index": {"byteStart": words.link_start, "byteEnd": words.link_end},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": words.link}],
            }
        ],
        "embed": {"$type": "app.bsky.embed.external", "external": external},
    }


async def post_record(
    client: httpx.AsyncClient,
    account: SocialSettings,
    password: str,
    words: SocialText,
    title: str,
    description: str,
    card: Card | None,
    rkey: str,
    language: str,
    tried_before: bool,
) -> tuple[int, str]:
    """Create the post once; (HTTP status, its at:// URI). `tried_before`: an earlier
    attempt may have created it, so look for it first."""
    session = await _session(client, account, password)
    did = session["did"]
    auth = {"Authorization": f"Bearer {session['accessJwt']}"}
    if tried_before and (uri := await _existing(client, account, did, rkey)):
        return 200, uri
    thumb = await _upload(client, account, auth, card) if card is not None else None
    status, body = await request(
        client,
        "POST",
        _xrpc(account, "com.atproto.repo.createRecord"),
        account.timeout,
        headers=auth,
        json={
            "repo": did,
            "collection": COLLECTION,
            "rkey": rkey,
            "record": record(words, title, description, language, thumb),
        },
    )
    return status, str(parse_json(body, "createRecord").get("uri") or "")
