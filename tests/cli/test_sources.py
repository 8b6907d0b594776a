"""`columnist sources`, `sources import` / `export` and `ingest --due`, run as the
real command (in-process) against a real config file, store and server."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

from columnist.errors import ColumnistError
from columnist.ingest.opml import MAX_OPML_BYTES, parse_opml
from tests.conftest import desk, invoke
from tests.feedserver import FeedServer

FEEDS = Path(__file__).resolve().parent.parent / "data" / "feeds"

CONFIG = """\
# My desk: a comment that must survive an import.
[site]
title = "Desk"

[[sources]]
name = "World"
url = "{world}"
"""

OPML = """\
<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Reader export</title></head>
  <body>
    <outline text="News">
      <outline type="rss" text="World again" xmlUrl="{world}"/>
      <outline type="rss" text="Atom &amp; Co" title="Atom &amp; Co" xmlUrl="{atom}"/>
      <outline text="Deeper">
        <outline type="rss" text="World" xmlurl="{broken}"/>
      </outline>
    </outline>
    <outline type="rss" text="Sneaky" xmlUrl="javascript:alert(1)"/>
    <outline type="rss" text="Local" xmlUrl="file:///etc/passwd"/>
    <outline type="link" text="Just a link" url="https://example.org/"/>
  </body>
</opml>
"""

BOMB = """\
<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<opml version="2.0"><body><outline text="&b;" xmlUrl="https://example.org/feed"/></body></opml>
"""


def world_desk(tmp_path: Path, feed_server: FeedServer) -> Path:
    return desk(tmp_path, CONFIG.format(world=feed_server.url("/feeds/rss20.xml")))


def test_import_appends_new_feeds_and_keeps_the_file(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    config = world_desk(tmp_path, feed_server)
    before = config.read_text()
    opml = tmp_path / "reader.opml"
    opml.write_text(
        OPML.format(
            world=feed_server.url("/feeds/rss20.xml"),
            atom=feed_server.url("/feeds/atom10.xml"),
            broken=feed_server.url("/status/500"),
        )
    )
    done = invoke("sources", "import", str(opml), "-c", str(config), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = config.read_text()
    assert text.startswith(before)  # comments and layout untouched: only appended
    assert "# imported from reader.opml" in text
    names = [(s["name"], s["url"]) for s in tomllib.loads(text)["sources"]]
    assert names == [
        ("World", feed_server.url("/feeds/rss20.xml")),
        ("Atom & Co", feed_server.url("/feeds/atom10.xml")),
        ("World (2)", feed_server.url("/status/500")),  # a name clash, made unique
    ]
    out = done.stderr
    assert "added 2 sources, skipped 1 already there and 2 unusable" in out
    assert "javascript:alert(1)" in out and "not an http(s) URL" in out
    assert "Traceback" not in out

    again = invoke("sources", "import", str(opml), "-c", str(config), cwd=tmp_path)
    assert again.returncode == 0 and "no new feeds" in again.stderr
    assert config.read_text() == text


def test_hostile_opml_is_refused_in_one_line(tmp_path: Path, feed_server: FeedServer) -> None:
    config = world_desk(tmp_path, feed_server)
    before = config.read_text()
    bomb = tmp_path / "bomb.opml"
    bomb.write_text(BOMB)
    done = invoke("sources", "import", str(bomb), "-c", str(config), cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "bomb.opml: refused: a DTD" in lines[0], done.stderr
    assert config.read_text() == before


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (BOMB.replace("<!DOCTYPE", "<!-- -->\n<!DOCTYPE"), "refused: a DTD"),
        ("<opml><body>", "not valid XML"),
        ("<html><body/></html>", "not an OPML document (root is <html>)"),
        ("<opml>" + "x" * MAX_OPML_BYTES + "</opml>", "larger than"),
    ],
)
def test_bad_opml_is_a_clear_error(body: str, reason: str) -> None:
    with pytest.raises(ColumnistError, match=re.escape(f"list.opml: {reason}")):
        parse_opml(body.encode(), "list.opml")


def test_export_and_health_after_an_ingest(tmp_path: Path, feed_server: FeedServer) -> None:
    config = world_desk(tmp_path, feed_server)
    with config.open("a") as fh:
        fh.write(f'\n[[sources]]\nname = "Broken <b>"\nurl = "{feed_server.url("/status/503")}"\n')

    first = invoke("ingest", "-q", "-c", str(config), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "source 'Broken <b>': HTTP 503" in first.stderr
    due = invoke("ingest", "--due", "-q", "-c", str(config), cwd=tmp_path)
    assert "from 0 sources (0 failed, 2 not due)" in due.stderr

    listed = invoke("sources", "--json", "-c", str(config), cwd=tmp_path)
    rows = {r["name"]: r for r in map(json.loads, listed.stdout.splitlines())}
    assert rows["World"]["failures"] == 0 and rows["World"]["last_success"]
    assert rows["Broken <b>"]["failures"] == 1
    assert rows["Broken <b>"]["last_error"] == "HTTP 503 Service Unavailable"
    assert rows["Broken <b>"]["last_success"] is None and rows["Broken <b>"]["next_due"]

    table = invoke("sources", "-c", str(config), cwd=tmp_path).stdout
    for needle in ("last success", "next due", "World", "Broken <b>", "HTTP 503", "never"):
        assert needle in table

    done = invoke("sources", "export", "-c", str(config), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    root = SafeET.fromstring(done.stdout.encode())
    assert root.tag == "opml" and root.get("version") == "2.0"
    outlines = [(o.get("text"), o.get("xmlUrl")) for o in root.iter("outline")]
    assert outlines == [
        ("World", feed_server.url("/feeds/rss20.xml")),
        ("Broken <b>", feed_server.url("/status/503")),
    ]
    out = tmp_path / "sources.opml"
    written = invoke("sources", "export", "-c", str(config), "-o", str(out), cwd=tmp_path)
    assert "wrote 2 sources" in written.stderr
    assert [o.get("xmlUrl") for o in SafeET.parse(out).getroot().iter("outline")] == [
        url for _, url in outlines
    ]


def test_ingest_says_why_read_entries_were_skipped(tmp_path: Path, feed_server: FeedServer) -> None:
    config = world_desk(tmp_path, feed_server)
    (tmp_path / "copy.xml").write_bytes((FEEDS / "rss20.xml").read_bytes())
    (tmp_path / "empty.cdf").write_text(
        '<?xml version="1.0"?>\n<CHANNEL><TITLE>E</TITLE></CHANNEL>'
    )
    with config.open("a") as fh:
        fh.write(
            '\n[[sources]]\nname = "Copy"\nurl = "copy.xml"\n'
            '\n[[sources]]\nname = "Empty"\nurl = "empty.cdf"\n'
            '\n[[sources]]\nname = "[bold]Gone[/]"\nurl = "gone.xml"\n'
        )
    done = invoke("ingest", "-q", "-c", str(config), cwd=tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    # Whichever of World and Copy is stored first, the other's two entries are repeats.
    assert (
        "ingest: 2 new entries from 4 sources (4 read, 2 skipped: already stored from "
        "another source; 1 failed)"
    ) in done.stderr
    assert "source 'Empty': no items" in done.stderr
    # User text is shown as written, never read as Rich markup.
    assert "source '[bold]Gone[/]': " in done.stderr and "file not found" in done.stderr

    again = invoke("ingest", "-q", "-c", str(config), cwd=tmp_path)
    assert "(4 read, 4 skipped: 2 already stored from another source, 2 already stored " in (
        again.stderr
    )
    table = invoke("sources", "-c", str(config), cwd=tmp_path).stdout
    assert "[bold]Gone[/]" in table


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("sources", "--help"), "as [[sources]] (comments kept)"),
        (("sources", "import", "--help"), "as [[sources]] (comments kept)"),
        (("topics", "events", "--help"), "a TOML file of [[topics]]."),
    ],
)
def test_help_shows_double_brackets_as_written(args: tuple[str, ...], needle: str) -> None:
    done = invoke(*args)
    assert done.returncode == 0, done.stderr
    text = " ".join(re.sub("[│╭╮╰╯─]", " ", done.stdout).split())  # the panels' wrapping undone
    assert needle in text, done.stdout
