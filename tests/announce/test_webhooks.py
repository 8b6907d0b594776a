"""Webhooks end to end: a real store (SQLite, then PostgreSQL), the built site, and a
Starlette receiver served by uvicorn on 127.0.0.1 that checks each HMAC signature.
Published, updated and retracted events arrive once each; a receiver answering 500 is
tried again, one that hangs costs a bounded time, an unset secret is one line naming
its key, and every attempt is in `columnist log --webhooks`."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from columnist.site.urls import Urls
from tests.announce.kit import announce_desk, build, correct, set_status
from tests.announce.receivers import WebhookReceiver, serve
from tests.conftest import invoke

SECRET = "s3cret-for-hooks"


def hook(url: str, **keys: object) -> str:
    extra = "".join(f"{k} = {json.dumps(v)}\n" for k, v in keys.items())
    return f'[[webhooks]]\nurl = "{url}/hook"\n{extra}'


def announce(settings) -> object:  # noqa: ANN001
    return invoke("announce", "-c", str(settings.path))


def test_events_arrive_signed_once_each(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    receiver = WebhookReceiver(secret=SECRET)
    with serve(receiver.app()) as url:
        settings, (first, second, held) = announce_desk(
            tmp_path, hook(url, secret_env="HOOK_SECRET"), ["published", "published", "held"],
            database_url,
        )  # fmt: skip
        build(settings)
        done = announce(settings)
        assert done.returncode == 0, done.stderr
        assert "announce: 2 sent, 0 failed" in done.stderr
        got = receiver.received
        assert sorted((r.event, r.payload["post"]["id"]) for r in got) == [
            ("published", first), ("published", second)
        ]  # fmt: skip
        assert all(r.signed for r in got)
        assert len({r.delivery for r in got}) == 2
        one = next(r.payload for r in got if r.payload["post"]["id"] == first)
        assert one["delivery"] == next(r.delivery for r in got if r.payload["post"]["id"] == first)
        post = one["post"]
        page = settings.site.output / Urls.post_file(post["url"].rsplit("/", 2)[1])
        assert post["url"].startswith("https://example.org/posts/") and page.is_file()
        assert post["title"].startswith("Council votes for harbour homes")
        assert post["text"].startswith("I think the council was right")
        assert (
            post["opening"].startswith("I think the council was right")
            and "\n" not in post["opening"]
        )
        assert post["published"].endswith("Z") and post["updated"].endswith("Z")
        assert one["story"]["topics"] == [{"slug": "housing", "name": "Housing"}]
        assert sorted(s["outlet"] for s in one["sources"]) == ["Daily", "Wire"]
        assert one["checks"]["passed"] is True
        assert one["disclosure"] in page.read_text()  # the line the post page shows

        assert announce(settings).returncode == 0  # nothing new: nothing sent again
        assert len(receiver.received) == 2

        correct(
            settings,
            first,
            "I think the council got it right.\n\nThe homes matter.",
            "The vote was 7 to 2.",
        )
        set_status(settings, second, "retracted", "The story was wrong.")
        set_status(settings, held, "published")
        build(settings)
        done = announce(settings)
        assert done.returncode == 0, done.stderr
        later = {(r.event, r.payload["post"]["id"]): r.payload for r in receiver.received[2:]}
        assert set(later) == {("updated", first), ("retracted", second), ("published", held)}
        assert later["updated", first]["post"]["text"].startswith(
            "I think the council got it right"
        )
        assert later["retracted", second]["retraction"]["reason"] == "The story was wrong."
        assert "reviewed and approved by bob" in later["published", held]["disclosure"]

        log = invoke("log", "--webhooks", "--json", "-c", str(settings.path))
        lines = [json.loads(line) for line in log.stdout.splitlines()]
        assert len(lines) == 5 and all(x["outcome"] == "ok" for x in lines)
        assert {x["status_code"] for x in lines} == {204}
        text = invoke("log", "--webhooks", "-c", str(settings.path)).stdout
        assert f"retracted post {second} -> {url}/hook" in text


def test_a_failing_receiver_is_tried_again_then_given_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flaky, down = WebhookReceiver(fail_first=1), WebhookReceiver(fail_first=100)
    with serve(flaky.app()) as flaky_url, serve(down.app()) as down_url:
        targets = hook(flaky_url) + hook(down_url, attempts=2, max_attempts=4)
        settings, (post,) = announce_desk(tmp_path, targets, ["published"])
        build(settings)
        done = announce(settings)
        assert done.returncode == 0, done.stderr  # a failing receiver fails nothing
        assert [r.event for r in flaky.received] == ["published"] and flaky.requests == 2
        assert down.requests == 2
        assert (
            f"published post {post} failed after 2 attempts (HTTP 500: down for a moment); "
            "will try again" in done.stderr
        )
        assert "1 sent, 1 failed" in done.stderr
        done = announce(settings)  # the next run tries again, up to max_attempts in all
        assert (
            down.requests == 4
            and "failed after 4 attempts" in done.stderr
            and "gave up" in done.stderr
        )
        announce(settings)
        assert down.requests == 4 and flaky.requests == 2  # given up; nothing sent twice
        log = invoke("log", "--webhooks", "-c", str(settings.path)).stdout.splitlines()
        assert sum("error (HTTP 500" in line for line in log) == 5
        assert sum(" ok (HTTP 204" in line for line in log) == 1


def test_a_hanging_receiver_costs_a_bounded_time(tmp_path: Path) -> None:
    hanging, fine = WebhookReceiver(hang=True), WebhookReceiver()
    with serve(hanging.app()) as slow_url, serve(fine.app()) as url:
        targets = hook(slow_url, timeout=0.5, attempts=2) + hook(url)
        settings, _ids = announce_desk(tmp_path, targets, ["published"])
        assert invoke("build", "-c", str(settings.path)).returncode == 0
        started = time.monotonic()
        done = announce(settings)
        assert time.monotonic() - started < 10
        assert done.returncode == 0, done.stderr
        assert "no answer within 0.5s" in done.stderr and "Traceback" not in done.stderr
        assert (settings.site.output / "index.html").is_file()
        assert len(fine.received) == 1  # the other receiver is not held up


def test_an_unset_secret_is_one_line_naming_its_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_SECRET", raising=False)
    unsigned, other = WebhookReceiver(), WebhookReceiver()
    with serve(unsigned.app()) as url, serve(other.app()) as other_url:
        targets = hook(url, secret_env="NO_SUCH_SECRET") + hook(other_url)
        settings, _ids = announce_desk(tmp_path, targets, ["published"])
        build(settings)
        done = announce(settings)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1
        assert "`webhooks[0].secret_env` names $NO_SUCH_SECRET, which is not set" in errors[0]
        assert unsigned.requests == 0  # never sent unsigned
        assert len(other.received) == 1  # the other receiver still hears


def test_watch_announces_after_its_build(tmp_path: Path) -> None:
    receiver = WebhookReceiver()
    with serve(receiver.app()) as url:
        settings, (post,) = announce_desk(tmp_path, hook(url), ["published"])
        done = subprocess.run(
            [sys.executable, "-m", "columnist", "watch", "--once", "-c", str(settings.path)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        assert "announce: 1 sent" in done.stderr
        assert [(r.event, r.payload["post"]["id"]) for r in receiver.received] == [
            ("published", post)
        ]
