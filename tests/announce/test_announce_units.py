"""The pure parts of the announce stage: the social text and its link facet, the
signature a receiver checks, which events are new for a target, and the config keys."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from columnist.announce.bluesky import new_tid
from columnist.announce.events import next_events
from columnist.announce.payload import signature
from columnist.announce.text import bluesky_text, mastodon_text
from columnist.errors import ConfigError
from columnist.store.deliveries import Delivery, PostState
from tests.announce.receivers import TID
from tests.conftest import desk_settings

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
LINK = "https://example.org/posts/café-naïve/"


def test_social_text_fits_and_its_facet_covers_the_link_in_bytes() -> None:
    title = "Café owners 🎉 say naïve plans for the harbour miss the point"
    body = ("Über den Hafen: I think " + "the plan is long " * 40 + ".") + "\n\nMore."
    sky = bluesky_text(title, body, LINK)
    raw = sky.text.encode("utf-8")
    assert len(sky.text) <= 300 and sky.text.startswith(title) and sky.text.endswith(LINK)
    assert raw[sky.link_start : sky.link_end].decode() == LINK
    assert "…" in sky.text  # the opening was cut at a word
    toot = mastodon_text(title, body, LINK).text
    assert len(toot) - len(LINK) + 23 <= 500 and toot.endswith("\n\n" + LINK)


def test_the_signature_is_the_hmac_of_the_raw_body() -> None:
    body = b'{"event":"published"}'
    mac = hmac.new(b"key", body, hashlib.sha256).hexdigest()
    assert signature("key", body) == f"sha256={mac}"


def test_record_keys_are_tids() -> None:
    keys = {new_tid() for _ in range(50)}
    assert len(keys) == 50 and all(TID.fullmatch(k) for k in keys)


def state(pid: int, status: str = "published", age: float = 60, updated: float = 0) -> PostState:
    return PostState(
        pid, status, NOW - timedelta(seconds=updated), NOW - timedelta(seconds=age), f"p{pid}",
        ["housing"],
    )  # fmt: skip


def told(pid: int, event: str, when: datetime, status: str = "sent") -> Delivery:
    return Delivery(1, "t", "webhook", pid, event, when, "k", status, 1, None, None, NOW, NOW)


ALL = ("published", "updated", "retracted")


def test_next_events() -> None:
    def found(states, rows, events=ALL, topics=()):  # noqa: ANN001, ANN202
        by_post: dict[int, list[Delivery]] = {}
        for r in rows:
            by_post.setdefault(r.post_id, []).append(r)
        return [
            (e.post_id, e.event, e.wanted)
            for e in next_events(states, by_post, events, NOW, 86400, lambda s: s.id != 9, topics)
        ]

    assert found([state(1), state(2, age=3 * 86400), state(9)], []) == [
        (1, "published", True),
        (2, "published", False),  # too old: recorded, not sent
    ]  # fmt: skip  (9: its page is not built yet)
    earlier = NOW - timedelta(hours=1)
    assert found([state(1)], [told(1, "published", earlier)]) == [(1, "updated", True)]
    assert found([state(1)], [told(1, "published", NOW)]) == []
    assert found([state(1, "retracted")], [told(1, "published", NOW)]) == [(1, "retracted", True)]
    assert found([state(1, "retracted")], []) == []  # never seen published
    assert found([state(1)], [], events=("retracted",)) == [(1, "published", False)]
    assert found([state(1)], [], events=("published",), topics=("energy",)) == [
        (1, "published", False)
    ]


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ('[[webhooks]]\nurl = "ftp://x"\n', "webhooks[0].url"),
        ('[[webhooks]]\nurl = "https://x/h"\nevents = ["deleted"]\n', "webhooks[0].events"),
        (
            '[[webhooks]]\nurl = "https://x/h"\nsecret_env = "not a name"\n',
            "webhooks[0].secret_env",
        ),
        ('[[webhooks]]\nurl = "https://x/h"\nsecret = "inline"\n', "webhooks[0].secret"),
        ('[[social]]\nkind = "myspace"\n', "social[0].kind"),
        ('[[social]]\nkind = "mastodon"\ninstance = "https://m.example"\n', "social[0].token_env"),
        ('[[social]]\nkind = "bluesky"\napp_password_env = "P"\n', "social[0].handle"),
        (
            '[[social]]\nkind = "bluesky"\nhandle = "a.b"\napp_password_env = "P"\n'
            'topics = ["sport"]\n',
            "social[0].topics",
        ),
        (
            '[[social]]\nkind = "mastodon"\ninstance = "https://m.example"\ntoken_env = "T"\n'
            'min_interval = "soon"\n',
            "social[0].min_interval",
        ),
    ],
)
def test_config_errors_name_the_key(tmp_path: Path, toml: str, key: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(f"`{key}`")):
        desk_settings(tmp_path, '[[topics]]\nname = "Housing"\n', toml)


def test_config_defaults(tmp_path: Path) -> None:
    settings = desk_settings(
        tmp_path,
        '[[webhooks]]\nurl = "https://hooks.example/in"\n',
        '[[social]]\nkind = "bluesky"\nhandle = "desk.bsky.social"\napp_password_env = "P"\n',
    )
    (hook,) = settings.webhooks
    assert (hook.events, hook.secret_env, hook.attempts) == (list(ALL), None, 3)
    (sky,) = settings.social
    assert (sky.service, sky.min_interval, sky.topics) == ("https://bsky.social", 300, [])


def test_watch_sees_a_target_left_out_in_its_brief_line() -> None:
    from columnist.announce.stage import AnnounceReport

    why = "columnist.toml: `webhooks[0].secret_env` names $S, which is not set; ..."
    report = AnnounceReport(targets=2, sent=1, problems=[why])
    assert report.fatal() == why and report.warnings() == []  # the command's error line
    assert why in report.summary(brief=True) and why not in report.summary()
    assert AnnounceReport().summary() == "announce: no [[webhooks]] or [[social]] configured"
