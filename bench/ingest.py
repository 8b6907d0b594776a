"""Benchmark of ingest: entries parsed per second, and 1,000 sources polled.

1. Parsing: `parse_feed` on generated 1,000-entry feeds (RSS 2.0, RSS 1.0/RDF,
   Atom 1.0, JSON Feed), each entry with a realistic HTML summary, a tracking-laden
   link and a date. Entries per second over all formats, and per format.
2. Polling: 1,000 sources on a local HTTP/1.1 keep-alive server running in its own
   process (so it does not share this process's GIL), through the real `run_ingest`
   with a real SQLite store. A first poll fetches everything (200 + ETag); the timed
   poll then finds 90% unchanged (304 to If-None-Match) and 10% with one new entry.

    .venv/bin/python bench/ingest.py [--sources 1000] [--concurrency 8] [--rounds 5]
                                     [--polls 3]

Each figure is the best of several rounds: on a machine shared with other jobs, they
only ever make a round slower. The load average is printed beside the figures.

The last line is one JSON object: {"entries_per_s": ..., "poll_1000_s": ...}.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ENTRIES = 1000
CHANGING = 10  # every 10th source has a new entry on every poll
T0 = datetime(2026, 11, 1, tzinfo=UTC)


# --- generated feeds -------------------------------------------------------------------


def _summary(i: int) -> str:
    return (
        f"<p>The <b>minister</b> said on Monday that plan {i} would go ahead, despite "
        f'<a href="/related/{i}">objections</a> from the opposition and several regional '
        "leaders, who want more time.</p><p>Critics argue that the costs, put at "
        f"{i % 9 + 1}.{i % 10} billion, were understated, and that the timetable is "
        "unrealistic given the state of public finances &amp; the economy.</p>"
    )


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(i: int) -> str:
    return f"https://news.example.com/world/2026/story-{i}?utm_source=rss&amp;id={i}"


def rss20(n: int, offset: int = 0) -> bytes:
    items = "".join(
        f"<item><title>Story {i}: the minister&#8217;s plan &amp; its critics</title>"
        f"<link>{_link(i)}</link><guid isPermaLink='false'>tag:news.example.com,2026:{i}</guid>"
        f"<pubDate>{format_datetime(T0 + timedelta(minutes=i), usegmt=True)}</pubDate>"
        f"<description>{_esc(_summary(i))}</description></item>"
        for i in range(offset, offset + n)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Bench</title><link>https://news.example.com/</link>{items}</channel></rss>"
    ).encode()


def rdf(n: int) -> bytes:
    items = "".join(
        f'<item rdf:about="{_link(i)}"><title>Story {i}</title><link>{_link(i)}</link>'
        f"<dc:date>{(T0 + timedelta(minutes=i)).isoformat()}</dc:date>"
        f"<description>{_esc(_summary(i))}</description></item>"
        for i in range(n)
    )
    return (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<channel rdf:about="https://news.example.com/"><title>Bench</title>'
        f"<link>https://news.example.com/</link></channel>{items}</rdf:RDF>"
    ).encode()


def atom(n: int) -> bytes:
    entries = "".join(
        f"<entry><id>tag:news.example.com,2026:{i}</id><title>Story {i}</title>"
        f'<link href="{_link(i)}"/><updated>{(T0 + timedelta(minutes=i)).isoformat()}</updated>'
        f"<author><name>Desk</name></author>"
        f'<content type="html">{_esc(_summary(i))}</content></entry>'
        for i in range(n)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Bench</title><id>urn:bench</id><updated>{T0.isoformat()}</updated>"
        f"{entries}</feed>"
    ).encode()


def json_feed(n: int) -> bytes:
    items = [
        {
            "id": f"tag:news.example.com,2026:{i}",
            "url": _link(i).replace("&amp;", "&"),
            "title": f"Story {i}",
            "content_html": _summary(i),
            "date_published": (T0 + timedelta(minutes=i)).isoformat(),
        }
        for i in range(n)
    ]
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "Bench", "items": items}
    return json.dumps(doc).encode()


def bench_parse(rounds: int) -> tuple[float, float, dict[str, float]]:
    """Entries/s over one feed of each format, by wall clock and by CPU time (best
    round of each: other jobs on a shared machine only ever make a round slower), and
    the wall-clock rate per format."""
    from columnist.ingest.parse import parse_feed

    feeds = {"rss20": rss20(ENTRIES), "rdf": rdf(ENTRIES), "atom": atom(ENTRIES)}
    feeds["jsonfeed"] = json_feed(ENTRIES)
    per_format: dict[str, float] = {}
    best_wall = best_cpu = 0.0
    for name, content in feeds.items():
        parse_feed(content, "https://news.example.com/feed")  # warm up
        walls, cpus = [], []
        for _ in range(rounds):
            started, cpu = time.perf_counter(), time.thread_time()
            n = len(parse_feed(content, "https://news.example.com/feed").entries)
            walls.append(time.perf_counter() - started)
            cpus.append(time.thread_time() - cpu)
            assert n == ENTRIES, (name, n)
        per_format[name] = ENTRIES / min(walls)
        best_wall += min(walls)
        best_cpu += min(cpus)
    total = ENTRIES * len(feeds)
    return total / best_wall, total / best_cpu, per_format


# --- the feed server (a child process) -------------------------------------------------


class _FeedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one connection serves many sources

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        i = int(self.path.rsplit("/", 1)[-1].removesuffix(".xml"))
        counts = self.server.counts  # type: ignore[attr-defined]
        if i % CHANGING == 0:
            counts[i] = counts.get(i, 0) + 1  # a new entry on every poll
        version = counts.get(i, 0)
        etag = f'"{i}-{version}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = rss20(5, offset=i * 1000 + version)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(port_file: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FeedHandler)
    server.daemon_threads = True
    server.counts = {}  # type: ignore[attr-defined]
    port_file.write_text(str(server.server_address[1]))
    server.serve_forever()


def start_server(folder: Path) -> tuple[subprocess.Popen, int]:
    port_file = folder / "port"
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port_file)])
    while not port_file.exists() or not port_file.read_text():
        if proc.poll() is not None:
            raise SystemExit("the bench server did not start")
        time.sleep(0.05)
    return proc, int(port_file.read_text())


# --- polling ---------------------------------------------------------------------------


def poll_settings(folder: Path, port: int, n: int, concurrency: int):
    from columnist.config import parse_settings

    data = {
        "database": {"url": f"sqlite:///{folder}/bench.db"},
        "fetch": {"allow_private": True, "timeout": 30.0, "concurrency": concurrency},
        "sources": [
            {"name": f"source {i}", "url": f"http://127.0.0.1:{port}/feed/{i}.xml"}
            for i in range(n)
        ],
    }
    return parse_settings(data, folder / "columnist.toml")


def bench_poll(n: int, concurrency: int, repeat: int) -> dict:
    from columnist.ingest.stage import run_ingest
    from columnist.store.db import open_engine

    with tempfile.TemporaryDirectory(prefix="columnist-bench-") as tmp:
        folder = Path(tmp)
        server, port = start_server(folder)
        try:
            settings = poll_settings(folder, port, n, concurrency)
            engine = open_engine(settings.database.url)
            started = time.perf_counter()
            first = run_ingest(engine, settings)
            cold = time.perf_counter() - started
            assert not first.errors, first.errors[:3]
            polls = []
            for _ in range(repeat):
                started, cpu = time.perf_counter(), time.process_time()
                report = run_ingest(engine, settings)
                polls.append((time.perf_counter() - started, time.process_time() - cpu))
                assert not report.errors and len(report.outcomes) == n, report.errors[:3]
            engine.dispose()
        finally:
            server.terminate()
            server.wait()
    unchanged = sum(o.not_modified for o in report.outcomes)
    return {
        "cold_s": cold,
        "poll_s": min(wall for wall, _ in polls),
        "poll_all_s": [round(wall, 2) for wall, _ in polls],
        "poll_cpu_s": min(cpu for _, cpu in polls),
        "not_modified": unchanged,
        "new_entries": report.new,
        "first_entries": first.new,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5, help="parses of each feed")
    parser.add_argument("--polls", type=int, default=3, help="steady polls (best counts)")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (other jobs slow the figures)")
    rate, cpu_rate, per_format = bench_parse(args.rounds)
    shown = ", ".join(f"{name} {value:,.0f}" for name, value in per_format.items())
    print(
        f"parse: {rate:,.0f} entries/s over one feed of each format "
        f"({cpu_rate:,.0f}/s of CPU time); per format: {shown}"
    )

    poll = bench_poll(args.sources, args.concurrency, args.polls)
    print(
        f"poll: {args.sources} sources, concurrency {args.concurrency}: first poll "
        f"(all 200, {poll['first_entries']} entries stored) {poll['cold_s']:.2f}s; "
        f"steady poll ({poll['not_modified']} x 304, {poll['new_entries']} new entries) "
        f"best {poll['poll_s']:.2f}s of {poll['poll_all_s']}, "
        f"{poll['poll_cpu_s']:.2f}s CPU in this process"
    )
    print(json.dumps({"entries_per_s": round(rate), "poll_1000_s": round(poll["poll_s"], 2)}))


if __name__ == "__main__":
    main()
