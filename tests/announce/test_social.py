"""Mastodon and Bluesky end to end against one receiver on 127.0.0.1 that implements
their endpoints and validates every request (tests/announce/receivers.py): only
published posts go out, once each, within the accounts' topics and min_interval; the
card goes along when the built page names one; a crash between the intent and its
result does not post twice."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from columnist.site.urls import Urls
from tests.announce.kit import announce_desk, build
from tests.announce.receivers import APP_PASSWORD, HANDLE, TOKEN, SocialServer, serve
from tests.conftest import invoke


def mastodon(url: str, extra: str = "min_interval = 0\n") -> str:
    return f'[[social]]\nkind = "mastodon"\ninstance = "{url}"\ntoken_env = "MASTO_TOKEN"\n{extra}'


def bluesky(url: str, extra: str = "min_interval = 0\n") -> str:
    return (
        f'[[social]]\nkind = "bluesky"\nservice = "{url}"\nhandle = "{HANDLE}"\n'
        f'app_password_env = "BSKY_PASSWORD"\n{extra}'
    )


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASTO_TOKEN", TOKEN)
    monkeypatch.setenv("BSKY_PASSWORD", APP_PASSWORD)


def announce(settings) -> subprocess.CompletedProcess[str]:  # noqa: ANN001
    return invoke("announce", "-c", str(settings.path))


def test_published_posts_go_out_once_on_both(tmp_path: Path) -> None:
    server = SocialServer()
    with serve(server.app()) as url:
        settings, (post, _held, _draft) = announce_desk(
            tmp_path, mastodon(url) + bluesky(url), ["published", "held", "draft"]
        )
        build(settings)
        done = announce(settings)
        assert done.returncode == 0, done.stderr
        assert server.problems == []
        assert len(server.statuses) == 1 and len(server.records) == 1  # not the held, draft
        link = "https://example.org/posts/" + next(iter(server.records.values()))["embed"][
            "external"]["uri"].rsplit("/posts/", 1)[1]  # fmt: skip
        assert (settings.site.output / Urls.post_file(link.rsplit("/", 2)[1])).is_file()
        status = next(iter(server.statuses.values()))["content"]
        title = f"Council votes for harbour homes {post}"
        assert status.startswith(title + "\n\nI think the council was right")
        assert status.endswith("\n\n" + link)
        record = next(iter(server.records.values()))
        assert record["text"].startswith(title) and record["text"].endswith("\n\n" + link)
        assert len(record["text"]) <= 300
        assert record["facets"][0]["features"][0]["uri"] == link
        assert record["embed"]["external"]["title"] == title
        assert announce(settings).returncode == 0  # again: nothing new
        assert len(server.statuses) == 1 and len(server.records) == 1
        log = invoke("log", "--social", "-c", str(settings.path)).stdout.splitlines()
        assert len(log) == 2 and all(" sent after 1 attempt: " in line for line in log)
        assert any("https://m.example/@desk/1" in line for line in log)
        assert any("at://did:plc:deskdesk/app.bsky.feed.post/" in line for line in log)


def test_the_card_goes_along_with_its_alt_text(tmp_path: Path) -> None:
    server = SocialServer()
    with serve(server.app()) as url:
        settings, (post,) = announce_desk(tmp_path, mastodon(url) + bluesky(url), ["published"])
        build(settings)  # the post has no source picture: its page carries a share card
        assert list(settings.site.output.glob("cards/*.png")), "the build drew the card"
        assert announce(settings).returncode == 0
        assert server.problems == []
        alt = f"Share card with the headline: Council votes for harbour homes {post}"
        assert [m["description"] for m in server.media.values()] == [alt]
        assert next(iter(server.statuses.values()))["media_attachments"] == ["1"]
        thumb = next(iter(server.records.values()))["embed"]["external"]["thumb"]
        assert thumb in server.blobs.values() and thumb["mimeType"] == "image/png"


def test_topics_and_min_interval(tmp_path: Path) -> None:
    server = SocialServer()
    with serve(server.app()) as url:
        targets = mastodon(url, 'min_interval = "1h"\n') + bluesky(url, 'topics = ["energy"]\n')
        settings, _ids = announce_desk(tmp_path, targets, ["published", "published"])
        build(settings)
        done = announce(settings)
        assert done.returncode == 0, done.stderr
        assert len(server.statuses) == 1  # the second waits an hour
        assert "1 waiting for min_interval" in done.stderr
        assert server.records == {} and "createSession" not in server.calls  # housing only
        announce(settings)
        assert len(server.statuses) == 1


@pytest.mark.parametrize("kind", ["mastodon", "bluesky"])
def test_a_crash_between_intent_and_result_posts_once(tmp_path: Path, kind: str) -> None:
    server = SocialServer(hold_once=True)  # the first post's answer never comes
    with serve(server.app()) as url:
        target = mastodon(url) if kind == "mastodon" else bluesky(url)
        settings, _ids = announce_desk(tmp_path, target, ["published"])
        build(settings)
        child = subprocess.Popen(
            [sys.executable, "-m", "columnist", "announce", "-c", str(settings.path)],
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while not (server.statuses or server.records) and time.monotonic() < deadline:
            time.sleep(0.1)
        child.kill()  # posted, but the result was never recorded
        child.wait(10)
        assert len(server.statuses) + len(server.records) == 1
        done = announce(settings)
        assert done.returncode == 0, done.stderr
        assert server.problems == []
        assert len(server.statuses) + len(server.records) == 1  # not posted twice
        if kind == "bluesky":
            assert "getRecord" in server.calls
        else:  # found among the account's statuses, not posted again
            assert "account_statuses" in server.calls and server.calls.count("status") == 1
        log = invoke("log", "--social", "-c", str(settings.path)).stdout
        assert " sent after 2 attempts: " in log


def test_bad_credentials_cost_nothing_else(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MASTO_TOKEN")
    monkeypatch.setenv("BSKY_PASSWORD", "wrong")
    server = SocialServer()
    with serve(server.app()) as url:
        settings, (post,) = announce_desk(tmp_path, mastodon(url) + bluesky(url), ["published"])
        build(settings)
        done = announce(settings)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "`social[0].token_env` names $MASTO_TOKEN" in errors[0]
        assert (
            f"bluesky {HANDLE} {url}: published post {post} failed after 1 attempt" in done.stderr
        )
        assert "HTTP 401: Invalid identifier or password); will try again" in done.stderr, (
            done.stderr
        )
        assert server.statuses == {} and server.records == {}
        log = invoke("log", "--social", "-c", str(settings.path)).stdout
        assert "failed after 1 attempt: HTTP 401" in log
