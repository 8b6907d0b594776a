"""The JSON a webhook receives, and its signature.

The body is signed the way GitHub signs its webhooks (`X-Hub-Signature-256`): the
HMAC-SHA256 of the raw body under the shared secret, as `sha256=<hex>` in
`X-Columnist-Signature-256`. A receiver computes the same over the bytes it got and
compares in constant time (`hmac.compare_digest`).
"""

from __future__ import annotations

import hashlib
import hmac
import json

from columnist.commentary.openings import opening
from columnist.config import Settings
from columnist.records import AnnouncedPost
from columnist.site.text import disclosure, iso
from columnist.site.urls import Urls, safe_slug

SIGNATURE_HEADER = "X-Columnist-Signature-256"
EVENT_HEADER = "X-Columnist-Event"
DELIVERY_HEADER = "X-Columnist-Delivery"


def post_url(settings: Settings, slug: str) -> str:
    """The post's absolute URL on the site."""
    return Urls(settings.site.base_url).absolute(Urls.post_path(safe_slug(slug)))


def payload(settings: Settings, post: AnnouncedPost, event: str, delivery: str) -> dict:
    """What a receiver is told about `event` of `post`: the post, its story, sources,
    checks and the disclosure line the post page shows."""
    names = {t.slug: t.name for t in settings.topics}
    body = {
        "event": event,
        "delivery": delivery,
        "site": {"title": settings.site.title, "url": settings.site.base_url},
        "post": {
            "id": post.id,
            "title": post.title,
            "url": post_url(settings, post.slug),
            "status": post.status,
            "published": iso(post.reviewed_at or post.created),
            "updated": iso(post.updated),
            "opening": opening(post.body),
            "excerpt": post.excerpt,
            "text": post.body,
        },
        "story": {
            "id": post.story_id,
            "topics": [{"slug": s, "name": names.get(s, s)} for s in post.topics],
        },
        "sources": [
            {
                "title": s.title,
                "url": s.url,
                "outlet": s.source_name,
                "published": iso(s.published) if s.published else None,
            }
            for s in post.sources
        ],
        "checks": post.checks,
        "disclosure": disclosure(post.model, post.reviewed_by, post.reviewed_at),
    }
    if event == "retracted":
        body["retraction"] = {
            "reason": post.review_note or "",
            "at": iso(post.reviewed_at or post.updated),
        }
    return body


def encode(data: dict) -> bytes:
    """The exact bytes sent (and signed)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex>` of the HMAC-SHA256 of `body` under `secret`."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
