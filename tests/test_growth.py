"""A story that grows after its post was written: the post lists the new sources, and
with `[stories] rewrite_on_growth = true` its commentary is rewritten in place."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, desk, small_writer

TOPIC = (
    '[[topics]]\nname = "China-Russia relations"\n'
    'description = "Relations between China and Russia: Xi Jinping and Vladimir Putin, '
    'summits, gas pipelines and energy deals between Beijing and Moscow."\n'
)


def columnist(cfg: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "columnist", *args, "-c", str(cfg)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def feed_with(items: int, path: Path) -> None:
    """The e2e wire feed cut to its first `items` items (both are the pipeline deal)."""
    text = (DATA / "e2e" / "wire.xml").read_text()
    head, *rest = re.split(r"(?=<item>)", text)
    kept = rest[:items]
    kept[-1] = kept[-1].split("</item>")[0] + "</item>\n"
    path.write_text(head + "".join(kept) + "</channel>\n</rss>\n")


@pytest.mark.parametrize("rewrite", [False, True])
def test_a_growing_story_updates_its_post(tmp_path: Path, rewrite: bool) -> None:
    feed = tmp_path / "wire.xml"
    feed_with(1, feed)
    cfg = desk(
        tmp_path,
        f'[[sources]]\nname = "Wire"\nurl = "{feed}"\n',
        TOPIC,
        small_writer(30),
        stories={"rewrite_on_growth": rewrite},
    )
    for stage in ("ingest", "assign", "write", "build"):
        columnist(cfg, stage)
    (before,) = [json.loads(line) for line in columnist(cfg, "posts", "--json").splitlines()]
    assert len(before["sources"]) == 1

    feed_with(2, feed)
    for stage in ("ingest", "assign", "write", "build"):
        columnist(cfg, stage)
    (after,) = [json.loads(line) for line in columnist(cfg, "posts", "--json").splitlines()]
    assert after["id"] == before["id"] and after["slug"] == before["slug"]
    assert len(after["sources"]) == 2, "the post lists the source that arrived later"
    page = (tmp_path / "site" / "posts" / after["slug"] / "index.html").read_text()
    assert all(url in page for url in after["sources"])
    assert "2 sources" in page
    with sqlite3.connect(tmp_path / "columnist.db") as db:
        # a column takes several calls (a plan, then its paragraphs); each write's first
        # call is its attempt 1
        written_from, writes = db.execute(
            "SELECT source_count, (SELECT count(*) FROM model_calls WHERE attempt = 1) FROM posts"
        ).fetchone()
    if rewrite:
        assert (written_from, writes) == (2, 2), "rewritten from both sources"
    else:
        assert (written_from, writes) == (1, 1) and after["body"] == before["body"]
