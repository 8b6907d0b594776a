"""`columnist demo` builds a whole site offline from the sample feed it ships."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import SMALL_MODEL


def test_demo_builds_a_site_with_the_small_model(tmp_path: Path) -> None:
    env = os.environ | {"COLUMNIST_DEMO_MODEL": SMALL_MODEL}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "columnist",
            "demo",
            str(tmp_path / "demo"),
            "--words",
            "60",
            "--threads",
            "1",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    site = tmp_path / "demo" / "site"
    assert "Demo site ready" in done.stderr and "columnist serve" in done.stderr
    for stage in ("ingest:", "assign:", "write:", "build:", "announce:"):
        assert stage in done.stderr
    topics = sorted(p.parent.name for p in (site / "topics").glob("*/index.html"))
    assert len(topics) == 5
    posts = list((site / "posts").glob("*/index.html"))
    assert len(posts) >= 10, "20 items, a few about the same event, make 10+ stories"
    for slug in topics:
        assert "Continue reading" in (site / "topics" / slug / "index.html").read_text()
    assert (site / "feed.xml").is_file() and (site / "sitemap.xml").is_file()
