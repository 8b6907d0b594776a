"""WebSub: the feeds name the hub, and the build pings a real hub on 127.0.0.1 for each
feed it changed; a hub that fails or hangs is a warning, never a failed build."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from columnist import config
from columnist.config import FetchSettings, Settings
from columnist.site.stage import run_build
from columnist.site.websub import PingReport, ping_hub
from columnist.store.db import open_engine
from tests.conftest import desk, error_line, invoke
from tests.review.kit import seed_posts

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://example.org/desk/"


class Hub:
    """A WebSub hub that records the publish pings; `mode` is "ok", "fail" or "hang"."""

    def __init__(self) -> None:
        self.pings: list[dict[str, list[str]]] = []
        self.types: list[str] = []
        self.mode = "ok"
        self.release = threading.Event()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                size = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(size).decode()
                hub.types.append(self.headers.get("Content-Type", ""))
                hub.pings.append(parse_qs(body))
                if hub.mode == "hang":
                    hub.release.wait(30)
                self.send_response(500 if hub.mode == "fail" else 202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub"

    def published(self) -> set[str]:
        assert all(p["hub.mode"] == ["publish"] for p in self.pings), self.pings
        return {url for p in self.pings for url in p["hub.url"]}


@pytest.fixture
def hub() -> Iterator[Hub]:
    running = Hub()
    threading.Thread(target=running.server.serve_forever, daemon=True).start()
    yield running
    running.release.set()
    running.server.shutdown()
    running.server.server_close()


def hub_desk(folder: Path, hub_url: str, **fetch: object) -> Settings:
    site = (
        f'[site]\ntitle = "Hub Desk"\nbase_url = "{BASE}"\noutput = "site"\n'
        f'websub_hub = "{hub_url}"\n[[topics]]\nname = "Housing"\n'
    )
    settings = config.load(desk(folder, site, fetch=fetch))
    seed_posts(settings, ["published", "published"])
    return settings


def feed_files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("feed.*")}


def test_feeds_name_the_hub_and_the_build_pings_it_for_each_changed_feed(
    tmp_path: Path, hub: Hub
) -> None:
    settings = hub_desk(tmp_path, hub.url)
    engine = open_engine(settings.database.url)
    report = run_build(engine, settings, search=False)
    site = settings.site.output
    feeds = feed_files(site)
    assert {"feed.xml", "feed.json", "digest/feed.xml", "topics/housing/feed.xml"} <= feeds
    assert hub.published() == {BASE + f for f in feeds}
    assert len(hub.pings) == len(feeds) and report.hub_pinged == len(feeds)
    assert all(t == "application/x-www-form-urlencoded" for t in hub.types)
    assert report.warnings() == []
    for name in ("feed.xml", "topics/housing/feed.xml", "digest/feed.xml"):
        links = ET.parse(site / name).getroot().findall(f"{ATOM}link")
        rels = {link.get("rel"): link.get("href") for link in links}
        assert rels["hub"] == hub.url and rels["self"] == BASE + name
    assert json.loads((site / "feed.json").read_text())["hubs"] == [
        {"type": "WebSub", "url": hub.url}
    ]

    again = run_build(engine, settings, search=False)  # nothing changed: no ping
    assert again.pages_written == 0 and len(hub.pings) == len(feeds)

    seed_posts(settings, ["published"])  # a new post changes some feeds: only those
    hub.pings.clear()
    newer = run_build(engine, settings, search=False)
    changed = {p for p in newer.written if p.rsplit("/", 1)[-1] in ("feed.xml", "feed.json")}
    assert changed and hub.published() == {BASE + p for p in changed}
    engine.dispose()


@pytest.mark.parametrize("mode", ["fail", "hang"])
def test_a_failing_or_hanging_hub_is_one_warning_and_the_site_is_built(
    tmp_path: Path, hub: Hub, mode: str
) -> None:
    hub.mode = mode
    settings = hub_desk(tmp_path, hub.url, timeout=1.0)
    started = time.monotonic()
    done = invoke("build", "-c", str(settings.path), "--quiet")
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert (settings.site.output / "feed.xml").is_file()
    warnings = [line for line in done.stderr.splitlines() if "websub_hub" in line]
    assert len(warnings) == 1, done.stderr
    expected = "HTTP 500" if mode == "fail" else "no answer in 1s"
    assert expected in warnings[0] and hub.url in warnings[0]
    assert "Traceback" not in done.stderr
    if mode == "hang":
        assert took < 20  # the whole build, bounded by the one-second ping deadline


def test_a_hub_on_a_private_address_is_refused_like_a_feed(tmp_path: Path, hub: Hub) -> None:
    settings = hub_desk(tmp_path, hub.url, allow_private=False)
    done = invoke("build", "-c", str(settings.path), "--quiet")
    assert done.returncode == 0, done.stderr
    assert hub.pings == []
    (line,) = [line for line in done.stderr.splitlines() if "websub_hub" in line]
    assert "not pinged" in line


def test_a_hub_that_is_not_a_url_is_a_config_error(tmp_path: Path) -> None:
    site = '[site]\nwebsub_hub = "hub.example"\n'
    line = error_line(invoke("build", "-c", str(desk(tmp_path, site))))
    assert "`site.websub_hub` must be an http:// or https:// URL, not 'hub.example'" in line


def test_the_hub_is_pinged_from_inside_a_running_event_loop(hub: Hub) -> None:
    """The admin builds the site from request handlers: the pings run on a thread then."""
    feeds = [BASE + "feed.xml", BASE + "topics/housing/feed.json"]
    fetch = FetchSettings(timeout=2.0, allow_private=True)

    async def inside() -> PingReport:
        return ping_hub(hub.url, feeds, fetch)

    report = asyncio.run(inside())
    assert report.pinged == feeds and report.warnings == []
    assert hub.published() == set(feeds)
