"""Real receivers on 127.0.0.1 for the announce tests, each a small Starlette app served
by uvicorn in a thread (`serve`):

- `WebhookReceiver` checks each delivery's HMAC signature as a receiver must (over the
  raw body, constant-time) and keeps what came; on cue it fails the first tries with a
  500 or never answers.
- `SocialServer` implements the Mastodon and Bluesky endpoints columnist uses and
  validates every request against the services' documented schemas (auth header,
  required fields and types, the link facet's byte offsets, blob refs from an upload,
  record keys, idempotency); a request that breaks them gets a 400 and is listed in
  `problems`, which a test expects empty.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@contextmanager
def serve(app: Starlette) -> Iterator[str]:
    """`app` served by a real uvicorn on 127.0.0.1; yields its base URL (no slash)."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@dataclass
class Received:
    event: str
    delivery: str
    signed: bool  # the signature header was present and right
    payload: dict


@dataclass
class WebhookReceiver:
    secret: str | None = None
    fail_first: int = 0  # answer 500 to this many requests
    hang: bool = False  # never answer
    requests: int = 0
    received: list[Received] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hook", self.hook, methods=["POST"])])

    async def hook(self, request: Request) -> Response:
        self.requests += 1
        body = await request.body()
        if self.hang:
            await asyncio.sleep(3600)
        if self.requests <= self.fail_first:
            return JSONResponse({"error": "down for a moment"}, status_code=500)
        given = request.headers.get("x-columnist-signature-256", "")
        signed = False
        if self.secret is not None:
            mac = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
            signed = hmac.compare_digest(given, f"sha256={mac}")
            if not signed:
                return JSONResponse({"error": "bad signature"}, status_code=401)
        assert request.headers["content-type"] == "application/json"
        self.received.append(
            Received(
                request.headers["x-columnist-event"],
                request.headers["x-columnist-delivery"],
                signed,
                json.loads(body),
            )
        )
        return Response(status_code=204)


TOKEN = "mastodon-token"
HANDLE = "desk.example.org"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
DID = "did:plc:deskdesk"
TID = re.compile(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}")
MAX_BLOB = 1_000_000


@dataclass
class SocialServer:
    """A Mastodon instance and a Bluesky PDS in one app (they use different paths)."""

    hold_once: bool = False  # keep the first created post's answer back for good
    statuses: dict[str, dict] = field(default_factory=dict)  # Idempotency-Key -> status
    media: dict[str, dict] = field(default_factory=dict)
    blobs: dict[str, dict] = field(default_factory=dict)  # cid -> blob
    records: dict[str, dict] = field(default_factory=dict)  # rkey -> record
    calls: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _held: bool = False

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/v2/media", self.upload_media, methods=["POST"]),
                Route("/api/v1/statuses", self.post_status, methods=["POST"]),
                Route("/api/v1/accounts/verify_credentials", self.me, methods=["GET"]),
                Route("/api/v1/accounts/{id}/statuses", self.account_statuses, methods=["GET"]),
                Route("/xrpc/com.atproto.server.createSession", self.session, methods=["POST"]),
                Route("/xrpc/com.atproto.repo.uploadBlob", self.upload_blob, methods=["POST"]),
                Route("/xrpc/com.atproto.repo.createRecord", self.create, methods=["POST"]),
                Route("/xrpc/com.atproto.repo.getRecord", self.get_record, methods=["GET"]),
            ]
        )

    def bad(self, why: str, status: int = 400) -> JSONResponse:
        self.problems.append(why)
        return JSONResponse({"error": "InvalidRequest", "message": why}, status_code=status)

    async def hold(self) -> None:
        """The answer to the first created post never comes (the sender is killed)."""
        if self.hold_once and not self._held:
            self._held = True
            await asyncio.sleep(3600)

    # --- Mastodon ---------------------------------------------------------------------

    def _mastodon_auth(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {TOKEN}"

    async def upload_media(self, request: Request) -> Response:
        self.calls.append("media")
        if not self._mastodon_auth(request):
            return self.bad("media: no or wrong bearer token", 401)
        form = await request.form()
        file, description = form.get("file"), form.get("description")
        if file is None or isinstance(file, str):
            return self.bad("media: `file` must be a file part")
        data = await file.read()
        if not isinstance(description, str) or not description.strip():
            return self.bad("media: `description` (alt text) missing")
        if file.content_type not in ("image/jpeg", "image/png", "image/gif", "image/webp"):
            return self.bad(f"media: unsupported type {file.content_type}")
        media_id = str(len(self.media) + 1)
        self.media[media_id] = {"id": media_id, "type": "image", "description": description,
                                "size": len(data)}  # fmt: skip
        return JSONResponse(self.media[media_id] | {"url": f"https://m.example/{media_id}"})

    async def post_status(self, request: Request) -> Response:
        self.calls.append("status")
        if not self._mastodon_auth(request):
            return self.bad("status: no or wrong bearer token", 401)
        key = request.headers.get("idempotency-key")
        if not key:
            return self.bad("status: no Idempotency-Key")
        if key in self.statuses:  # Mastodon answers a repeated key with the first status
            return JSONResponse(self.statuses[key])
        data = await request.json()
        text = data.get("status")
        if not isinstance(text, str) or not text.strip() or len(text) > 500:
            return self.bad("status: `status` must be text of 1-500 characters")
        media_ids = data.get("media_ids", [])
        if not isinstance(media_ids, list) or any(m not in self.media for m in media_ids):
            return self.bad(f"status: unknown media_ids {media_ids!r}")
        if data.get("visibility", "public") not in ("public", "unlisted", "private", "direct"):
            return self.bad("status: bad visibility")
        sid = str(len(self.statuses) + 1)
        self.statuses[key] = {"id": sid, "url": f"https://m.example/@desk/{sid}",
                              "content": text, "media_attachments": media_ids}  # fmt: skip
        await self.hold()
        return JSONResponse(self.statuses[key])

    async def me(self, request: Request) -> Response:
        self.calls.append("verify_credentials")
        if not self._mastodon_auth(request):
            return self.bad("verify_credentials: no or wrong bearer token", 401)
        return JSONResponse({"id": "109", "username": "desk", "acct": "desk"})

    async def account_statuses(self, request: Request) -> Response:
        self.calls.append("account_statuses")
        if not self._mastodon_auth(request) or request.path_params["id"] != "109":
            return self.bad("account statuses: wrong token or account", 401)
        limit = int(request.query_params.get("limit", "20"))
        if not 1 <= limit <= 40:
            return self.bad("account statuses: limit must be 1-40")
        newest = list(self.statuses.values())[::-1][:limit]
        return JSONResponse(  # content is HTML, as Mastodon renders it
            [s | {"content": "<p>" + html.escape(s["content"]).replace("\n", "<br>") + "</p>"}
             for s in newest]
        )  # fmt: skip

    # --- Bluesky ----------------------------------------------------------------------

    def _bsky_auth(self, request: Request) -> bool:
        return request.headers.get("authorization") == "Bearer access-jwt"

    async def session(self, request: Request) -> Response:
        self.calls.append("createSession")
        data = await request.json()
        if data.get("identifier") != HANDLE or data.get("password") != APP_PASSWORD:
            return JSONResponse({"error": "AuthenticationRequired",
                                 "message": "Invalid identifier or password"}, 401)  # fmt: skip
        return JSONResponse(
            {"accessJwt": "access-jwt", "refreshJwt": "refresh-jwt", "handle": HANDLE, "did": DID}
        )

    async def upload_blob(self, request: Request) -> Response:
        self.calls.append("uploadBlob")
        if not self._bsky_auth(request):
            return self.bad("uploadBlob: no or wrong bearer token", 401)
        mime = request.headers.get("content-type", "")
        data = await request.body()
        if not mime.startswith("image/") or not data or len(data) > MAX_BLOB:
            return self.bad(f"uploadBlob: {mime!r}, {len(data)} bytes")
        cid = "bafkrei" + hashlib.sha256(data).hexdigest()[:40]
        blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(data)}
        self.blobs[cid] = blob
        return JSONResponse({"blob": blob})

    def _check_record(self, record: object) -> str | None:
        """Why `record` is not a valid app.bsky.feed.post with a link facet and card."""
        if not isinstance(record, dict) or record.get("$type") != "app.bsky.feed.post":
            return "record: $type must be app.bsky.feed.post"
        text = record.get("text")
        if not isinstance(text, str) or len(text) > 300:
            return "record: text must be a string of at most 300 graphemes"
        try:
            datetime.fromisoformat(str(record.get("createdAt")).replace("Z", "+00:00"))
        except ValueError:
            return "record: createdAt must be a datetime"
        raw = text.encode("utf-8")
        for facet in record.get("facets", []):
            index = facet.get("index", {})
            start, end = index.get("byteStart"), index.get("byteEnd")
            if not (
                isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(raw)
            ):
                return f"record: facet index {index!r} outside the text's bytes"
            for feature in facet.get("features", []):
                if feature.get("$type") != "app.bsky.richtext.facet#link":
                    return f"record: unknown facet feature {feature.get('$type')!r}"
                if raw[start:end].decode("utf-8", "replace") != feature.get("uri"):
                    return "record: the link facet's byte offsets do not cover its uri"
        embed = record.get("embed")
        if embed is not None:
            if embed.get("$type") != "app.bsky.embed.external":
                return "record: embed must be app.bsky.embed.external"
            ext = embed.get("external", {})
            for key in ("uri", "title", "description"):
                if not isinstance(ext.get(key), str):
                    return f"record: embed.external.{key} must be a string"
            thumb = ext.get("thumb")
            if thumb is not None:
                link = thumb.get("ref", {}).get("$link") if isinstance(thumb, dict) else None
                if link not in self.blobs or self.blobs[link] != thumb:
                    return "record: embed.external.thumb is not a blob this repo was given"
        return None

    async def create(self, request: Request) -> Response:
        self.calls.append("createRecord")
        if not self._bsky_auth(request):
            return self.bad("createRecord: no or wrong bearer token", 401)
        data = await request.json()
        if data.get("repo") != DID or data.get("collection") != "app.bsky.feed.post":
            return self.bad("createRecord: repo must be the session's did, collection a post")
        rkey = data.get("rkey")
        if rkey is not None and not (isinstance(rkey, str) and TID.fullmatch(rkey)):
            return self.bad(f"createRecord: rkey {rkey!r} is not a TID")
        if why := self._check_record(data.get("record")):
            return self.bad(why)
        rkey = rkey or f"3k{len(self.records):011d}"
        if rkey in self.records:
            return self.bad("createRecord: a record with this rkey exists")
        self.records[rkey] = data["record"]
        answer = {"uri": f"at://{DID}/app.bsky.feed.post/{rkey}", "cid": "bafyrei" + rkey}
        await self.hold()
        return JSONResponse(answer)

    async def get_record(self, request: Request) -> Response:
        self.calls.append("getRecord")
        q = request.query_params
        rkey = q.get("rkey", "")
        if q.get("repo") != DID or rkey not in self.records:
            return JSONResponse({"error": "RecordNotFound", "message": "not found"}, 400)
        return JSONResponse({"uri": f"at://{DID}/app.bsky.feed.post/{rkey}",
                             "value": self.records[rkey]})  # fmt: skip
