"""The ingest stage against a real server on 127.0.0.1 and a real SQLite file:
per-source health and schedule, redirects that stick, concurrency, full text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update

from columnist.config import Settings
from columnist.ingest import schedule
from columnist.ingest.stage import IngestReport, run_ingest
from columnist.stages import BY_NAME
from columnist.store.db import open_engine
from columnist.store.entries import Added
from columnist.store.schema import entries, sources
from columnist.store.sources import SourceState, all_sources, sync_sources
from columnist.watch import StopFlag, attempt
from tests.conftest import desk_settings
from tests.feedserver import FeedServer

FEEDS = Path(__file__).resolve().parent.parent / "data" / "feeds"


def source(name: str, url: str, extra: str = "") -> str:
    return f'[[sources]]\nname = "{name}"\nurl = "{url}"\n{extra}\n'


@pytest.fixture
def engines(tmp_path: Path):
    opened: list[Engine] = []

    def open_for(settings: Settings) -> Engine:
        engine = open_engine(settings.database.url)
        opened.append(engine)
        return engine

    yield open_for
    for engine in opened:
        engine.dispose()


def states(engine: Engine) -> dict[str, SourceState]:
    with engine.connect() as conn:
        return {s.name: s for s in all_sources(conn)}


def entry_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(entries)).scalar_one()


def outcomes(report: IngestReport) -> dict[str, Any]:
    return {o.name: o for o in report.outcomes}


def near(value: datetime | None, expected: datetime, slack_s: float = 30.0) -> bool:
    """Stored schedule times are computed from the clock during the run."""
    return value is not None and abs((value - expected).total_seconds()) <= slack_s


# --- health and schedule ---------------------------------------------------------------


def test_health_and_backoff_are_recorded_per_source(
    tmp_path: Path, feed_server: FeedServer, engines
) -> None:
    settings = desk_settings(
        tmp_path,
        source("good", feed_server.url("/feeds/rss20.xml"))
        + source("broken", feed_server.url("/status/500")),
    )
    engine = engines(settings)
    report = run_ingest(engine, settings)
    got = outcomes(report)
    assert got["good"].new == 2 and got["good"].error is None
    assert got["broken"].error == "HTTP 500 Internal Server Error"

    s = states(engine)
    good, broken = s["good"], s["broken"]
    assert good.failures == 0 and good.last_error is None
    assert good.last_success is not None and good.last_success == good.last_fetch
    assert good.interval_s is not None
    assert schedule.MIN_INTERVAL <= good.interval_s <= schedule.MAX_INTERVAL
    assert near(good.next_due, good.last_fetch + timedelta(seconds=good.interval_s), 1)
    assert broken.failures == 1 and broken.last_success is None
    assert broken.last_error == "HTTP 500 Internal Server Error"
    assert near(broken.next_due, broken.last_fetch + timedelta(minutes=5), 1)

    run_ingest(engine, settings)  # every source again: the broken one backs off further
    broken = states(engine)["broken"]
    assert broken.failures == 2
    assert near(broken.next_due, broken.last_fetch + timedelta(minutes=10), 1)
    assert entry_count(engine) == 2  # nothing stored twice


def test_retry_after_sets_the_next_due_time(
    tmp_path: Path, feed_server: FeedServer, engines
) -> None:
    settings = desk_settings(
        tmp_path, source("busy", feed_server.url("/status/429?retry_after=7200"))
    )
    engine = engines(settings)
    report = run_ingest(engine, settings)
    assert "HTTP 429" in (report.outcomes[0].error or "")
    busy = states(engine)["busy"]
    assert busy.failures == 1
    assert near(busy.next_due, busy.last_fetch + timedelta(hours=2), 1)


def test_due_only_fetches_just_the_sources_whose_time_has_come(
    tmp_path: Path, feed_server: FeedServer, engines
) -> None:
    settings = desk_settings(
        tmp_path,
        source("a", feed_server.url("/feeds/rss20.xml"))
        + source("b", feed_server.url("/feeds/atom10.xml")),
    )
    engine = engines(settings)
    assert len(run_ingest(engine, settings, due_only=True).outcomes) == 2  # never fetched: due
    report = run_ingest(engine, settings, due_only=True)
    assert report.outcomes == [] and report.not_due == 2

    with engine.begin() as conn:
        past = datetime.now(UTC) - timedelta(seconds=1)
        conn.execute(update(sources).where(sources.c.name == "b").values(next_due=past))
    report = run_ingest(engine, settings, due_only=True)
    assert [o.name for o in report.outcomes] == ["b"] and report.not_due == 1
    assert len(run_ingest(engine, settings).outcomes) == 2  # without due_only: all


def test_configured_interval_overrides_the_adaptive_one(
    tmp_path: Path, feed_server: FeedServer, engines
) -> None:
    url = feed_server.url("/feeds/rss20.xml")
    settings = desk_settings(tmp_path, source("a", url, 'interval = "30m"'))
    engine = engines(settings)
    report = run_ingest(engine, settings)
    a = states(engine)["a"]
    assert a.interval_s == 1800
    assert near(a.next_due, a.last_fetch + timedelta(minutes=30), 1)
    assert report.outcomes[0].next_due == a.next_due

    # a changed interval takes effect at once, not after the next poll
    settings = desk_settings(tmp_path, source("a", url, 'interval = "2h"'))
    run_ingest(engine, settings, due_only=True)
    a = states(engine)["a"]
    assert a.interval_s == 7200
    assert near(a.next_due, a.last_fetch + timedelta(hours=2), 1)


def test_not_modified_is_a_success_that_keeps_the_validators(
    tmp_path: Path, feed_server: FeedServer, engines
) -> None:
    settings = desk_settings(tmp_path, source("c", feed_server.url("/conditional")))
    engine = engines(settings)
    run_ingest(engine, settings)
    first = states(engine)["c"]
    assert first.etag == feed_server.etag
    report = run_ingest(engine, settings)
    assert report.outcomes[0].not_modified and report.outcomes[0].new == 0
    c = states(engine)["c"]
    assert c.etag == feed_server.etag and c.last_modified == feed_server.last_modified
    assert c.last_success is not None and c.last_success > first.last_success
    assert c.failures == 0 and c.interval_s == first.interval_s
    assert near(c.next_due, c.last_fetch + timedelta(seconds=c.interval_s or 0), 1)
    assert entry_count(engine) == 2


# --- redirects -------------------------------------------------------------------------


def test_a_permanent_redirect_sticks_until_the_config_changes(
    tmp_path: Path, feed_server: FeedServer, engines
) -> None:
    target = feed_server.url("/feeds/rss20.xml")
    moved = feed_server.url("/redirect/301?to=/feeds/rss20.xml")
    settings = desk_settings(tmp_path, source("moved", moved))
    engine = engines(settings)
    run_ingest(engine, settings)
    s = states(engine)["moved"]
    assert s.url == target and s.config_url == moved

    seen = len(feed_server.requests)
    run_ingest(engine, settings)  # same config: fetched from where it moved
    paths = [path for path, _ in feed_server.requests[seen:]]
    assert paths == ["/feeds/rss20.xml"]
    assert states(engine)["moved"].url == target

    elsewhere = feed_server.url("/feeds/atom10.xml")
    settings = desk_settings(tmp_path, source("moved", elsewhere))  # the user edits the URL
    run_ingest(engine, settings)
    s = states(engine)["moved"]
    assert s.url == elsewhere and s.config_url == elsewhere


def test_a_move_is_recorded_even_when_the_feed_is_unchanged(
    tmp_path: Path, feed_server: FeedServer, engines
) -> None:
    moved = feed_server.url("/redirect/308?to=/conditional")
    settings = desk_settings(tmp_path, source("c", moved))
    engine = engines(settings)
    with engine.begin() as conn:  # as if fetched before the feed moved
        sync_sources(conn, settings.sources)
        conn.execute(update(sources).values(etag=feed_server.etag))
    report = run_ingest(engine, settings)
    assert report.outcomes[0].not_modified and report.outcomes[0].error is None
    c = states(engine)["c"]
    assert c.url == feed_server.url("/conditional") and c.config_url == moved
    assert c.etag == feed_server.etag and c.next_due is not None


def test_a_temporary_redirect_does_not_move_the_source(
    tmp_path: Path, feed_server: FeedServer, engines
) -> None:
    url = feed_server.url("/redirect/302?to=/feeds/rss20.xml")
    settings = desk_settings(tmp_path, source("temp", url))
    engine = engines(settings)
    run_ingest(engine, settings)
    assert states(engine)["temp"].url == url and entry_count(engine) == 2


# --- one source never holds up the rest ------------------------------------------------


def test_a_slow_source_does_not_hold_up_a_fast_one(
    tmp_path: Path, feed_server: FeedServer, engines
) -> None:
    settings = desk_settings(
        tmp_path,
        source("slow", feed_server.url("/slow?delay=3"))
        + source("fast", feed_server.url("/feeds/rss20.xml")),
        fetch={"timeout": 1.0, "concurrency": 2},
    )
    engine = engines(settings)
    progress: list[tuple[int, int]] = []
    report = run_ingest(engine, settings, lambda done, total: progress.append((done, total)))
    # the fast source is stored and reported first, though the slow one was listed first
    assert [o.name for o in report.outcomes] == ["fast", "slow"]
    fast, slow = report.outcomes
    assert fast.new == 2 and fast.error is None
    assert slow.error == "timed out after 1s"
    assert progress == [(1, 2), (2, 2)]
    s = states(engine)
    assert s["fast"].failures == 0 and s["slow"].failures == 1
    assert entry_count(engine) == 2


def test_hostile_and_broken_feeds_fail_alone(
    tmp_path: Path, feed_server: FeedServer, engines
) -> None:
    settings = desk_settings(
        tmp_path,
        source("bomb", feed_server.url("/feeds/billion_laughs.xml"))
        + source("page", feed_server.url("/feeds/html_page.html"))
        + source("gone", feed_server.url("/status/404"))
        + source("good", feed_server.url("/feeds/rss20.xml")),
    )
    engine = engines(settings)
    got = outcomes(run_ingest(engine, settings))
    assert got["bomb"].error is not None and got["bomb"].error.startswith("refused:")
    assert got["page"].error is not None and "HTML page" in got["page"].error
    assert got["gone"].error == "HTTP 404 Not Found"
    assert got["good"].new == 2 and entry_count(engine) == 2


def test_duplicates_within_and_across_feeds_are_stored_once(
    tmp_path: Path, feed_server: FeedServer, engines
) -> None:
    item = "<item><title>{t}</title><link>{l}</link><guid>{g}</guid><description>{d}</description>"
    rows = [
        ("One", "https://x.example/1", "g1", "first text"),
        ("One again", "https://x.example/1b", "g1", "same guid"),  # key seen above
        ("Other", "https://x.example/1", "g2", "same link"),  # link seen above
        ("One", "https://x.example/3", "g3", "first text"),  # content seen above
        ("Storm closes ports", "https://news.example.com/world/2024/storm", "g4", "x"),
        ("Four", "https://x.example/4", "g5", "new"),
    ]
    items = "".join(item.format(t=t, l=link, g=g, d=d) + "</item>" for t, link, g, d in rows)
    feed = tmp_path / "dups.xml"
    feed.write_text(f'<rss version="2.0"><channel><title>D</title>{items}</channel></rss>')
    wire = source("wire", feed_server.url("/feeds/rss20.xml"))
    engine = engines(desk_settings(tmp_path, wire))
    assert run_ingest(engine, desk_settings(tmp_path, wire)).outcomes[0].new == 2
    settings = desk_settings(tmp_path, wire + source("dups", str(feed)))
    got = outcomes(run_ingest(engine, settings))
    # the storm story is already stored from the wire
    assert (got["dups"].new, got["dups"].seen) == (2, 4) and got["wire"].new == 0
    # ... and each skip has its reason: three repeats within the feed, one from elsewhere
    assert got["dups"].added == Added(new=2, stored_before=0, other_source=1, repeated=3)
    assert got["wire"].added == Added(new=0, stored_before=2)
    with engine.connect() as conn:
        guids = sorted(g for (g,) in conn.execute(select(entries.c.guid)) if g.startswith("g"))
    assert guids == ["g1", "g5"] and entry_count(engine) == 4
    again = run_ingest(engine, settings)
    assert outcomes(again)["dups"].added == Added(new=0, stored_before=5, other_source=1)
    assert again.read == 8 and again.read_note() == (
        "8 read, 8 skipped: 1 already stored from another source, "
        "7 already stored from the same source"
    )


def test_the_report_says_why_read_entries_were_not_stored(
    tmp_path: Path, feed_server: FeedServer, engines
) -> None:
    """A second outlet carrying the wire's stories adds nothing: the report says why."""
    copy = tmp_path / "copy.xml"
    copy.write_bytes((FEEDS / "rss20.xml").read_bytes())
    wire = source("wire", feed_server.url("/feeds/rss20.xml"))
    engine = engines(desk_settings(tmp_path, wire))
    first = run_ingest(engine, desk_settings(tmp_path, wire))
    assert (first.new, first.read, first.read_note()) == (2, 2, "2 read")
    settings = desk_settings(tmp_path, source("copy", str(copy)))
    report = run_ingest(engine, settings)
    assert (report.new, report.read) == (0, 2)
    assert report.read_note() == "2 read, 2 skipped: already stored from another source"
    assert report.empty == [] and report.errors == []


def test_a_feed_without_items_is_said_to_have_none(
    tmp_path: Path, feed_server: FeedServer, engines
) -> None:
    cdf = tmp_path / "channel.cdf"
    cdf.write_text(
        '<?xml version="1.0"?>\n<CHANNEL HREF="http://cdf.example.com/">'
        "<TITLE>Empty CDF</TITLE></CHANNEL>\n"
    )
    settings = desk_settings(
        tmp_path,
        source("cdf", str(cdf)) + source("wire", feed_server.url("/feeds/rss20.xml")),
    )
    report = run_ingest(engines(settings), settings)
    got = outcomes(report)
    assert got["cdf"].error is None and got["cdf"].read == 0
    assert [o.name for o in report.empty] == ["cdf"] and report.errors == []
    assert states(engines(settings))["cdf"].failures == 0


def test_watch_says_what_ingest_read_and_skipped(
    tmp_path: Path, feed_server: FeedServer, engines
) -> None:
    """`columnist watch` words its ingest line like `columnist ingest` does."""
    copy = tmp_path / "copy.xml"
    copy.write_bytes((FEEDS / "rss20.xml").read_bytes())
    (tmp_path / "empty.cdf").write_text("<CHANNEL><TITLE>E</TITLE></CHANNEL>")
    settings = desk_settings(
        tmp_path,
        source("wire", feed_server.url("/feeds/rss20.xml"))
        + source("copy", str(copy))
        + source("empty", str(tmp_path / "empty.cdf")),
    )
    said: list[str] = []
    attempt(BY_NAME["ingest"], engines(settings), settings, StopFlag(), said.append)
    assert said == [
        "source 'empty': no items",
        "ingest: 2 new entries from 3 sources due (4 read, 2 skipped: already stored from "
        "another source; 0 failed, 0 not due)",
    ]


# --- full text -------------------------------------------------------------------------

TEASER = "Short teaser about the vote."


def teaser_feed(folder: Path, links: list[str]) -> Path:
    items = "".join(
        f"<item><title>Item {i}</title><link>{link}</link><guid>item-{i}</guid>"
        f"<pubDate>Tue, 05 Mar 2024 1{i}:00:00 GMT</pubDate>"
        f"<description>{TEASER} ({i})</description></item>"
        for i, link in enumerate(links)
    )
    path = folder / "teasers.xml"
    path.write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    )
    return path


def texts(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(entries.c.guid, entries.c.text)).all())


def test_full_text_replaces_teasers_and_falls_back_to_them(
    tmp_path: Path, feed_server: FeedServer, engines
) -> None:
    feed = teaser_feed(
        tmp_path,
        [
            feed_server.url("/articles/budget.html"),
            feed_server.url("/articles/missing.html"),  # 404
            feed_server.url("/articles/data.json"),  # not a page
            feed_server.url("/slow?delay=3"),  # too slow
        ],
    )
    settings = desk_settings(
        tmp_path, source("teasers", str(feed), "full_text = true"), fetch={"timeout": 1.0}
    )
    engine = engines(settings)
    report = run_ingest(engine, settings)
    assert report.outcomes[0].new == 4 and report.outcomes[0].full_text == 1
    got = texts(engine)
    article = got["item-0"]
    assert article.startswith("Budget vote delayed until March")
    assert "reconsider the planned cuts to regional transport" in article
    assert "SCRIPT-IN" not in article and "Most read" not in article
    assert "\n\n" in article  # paragraphs kept apart
    for guid in ("item-1", "item-2", "item-3"):
        assert got[guid].startswith(TEASER)

    seen = len(feed_server.requests)
    run_ingest(engine, settings)  # known entries: no article is fetched again
    assert not any(p.startswith("/articles/") for p, _ in feed_server.requests[seen:])
    assert entry_count(engine) == 4


def test_full_text_obeys_the_address_policy(
    tmp_path: Path, feed_server: FeedServer, engines
) -> None:
    feed = teaser_feed(tmp_path, [feed_server.url("/articles/budget.html?private")])
    settings = desk_settings(
        tmp_path, source("teasers", str(feed), "full_text = true"), fetch={"allow_private": False}
    )
    engine = engines(settings)
    seen = len(feed_server.requests)
    report = run_ingest(engine, settings)
    assert report.outcomes[0].new == 1 and report.outcomes[0].full_text == 0
    assert texts(engine)["item-0"].startswith(TEASER)
    assert len(feed_server.requests) == seen  # 127.0.0.1 was never asked


def test_sources_without_full_text_fetch_no_articles(
    tmp_path: Path, feed_server: FeedServer, engines
) -> None:
    feed = teaser_feed(tmp_path, [feed_server.url("/articles/budget.html?unwanted")])
    settings = desk_settings(tmp_path, source("teasers", str(feed)))
    engine = engines(settings)
    seen = len(feed_server.requests)
    run_ingest(engine, settings)
    assert len(feed_server.requests) == seen
    assert texts(engine)["item-0"].startswith(TEASER)


# --- schema ----------------------------------------------------------------------------


def test_upgrading_an_older_store_remembers_configured_urls(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from columnist.store.db import MIGRATIONS, head_revision, make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path}/old.db")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002_writer_calls")
        conn.exec_driver_sql(
            "INSERT INTO sources (name, url, failures, created) "
            "VALUES ('old', 'https://example.org/feed.xml', 0, '2024-01-01 00:00:00')"
        )
    assert upgrade(engine) == ("0002_writer_calls", head_revision())
    with engine.connect() as conn:
        row = conn.execute(select(sources.c.url, sources.c.config_url)).one()
    engine.dispose()
    assert row.config_url == row.url == "https://example.org/feed.xml"
