"""Builds rendered by forked helper processes: same bytes, same manifest, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from columnist.config import SiteSettings
from columnist.errors import ColumnistError
from columnist.site import build, build_site, output
from columnist.site.manifest import MANIFEST_NAME
from tests.site.sitekit import TOPICS, make_post, sample_posts

DEFAULT_FORK_MIN = build.FORK_MIN


@pytest.fixture(autouse=True)
def helper_shares(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Fork helpers from 10 pages due, so a small site exercises them; the paths each
    forked helper was given, so a test can tell that helpers really rendered."""
    monkeypatch.setattr(build, "FORK_MIN", 10)
    shares: list[list[str]] = []

    class Recorded(output._Helper):
        def __init__(self, owner: output.OutputWriter, share: list) -> None:
            shares.append([page.path for page in share])
            super().__init__(owner, share)

    monkeypatch.setattr(output, "_Helper", Recorded)
    return shares


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MANIFEST_NAME
    }


def manifest(root: Path) -> dict[str, str]:
    return json.loads((root / MANIFEST_NAME).read_text())["files"]


def settings_in(folder: Path) -> SiteSettings:
    return SiteSettings(title="Parallel Desk", base_url="https://example.org/", output=folder)


def test_helpers_write_the_same_site_as_one_process(
    tmp_path: Path, helper_shares: list[list[str]]
) -> None:
    posts = sample_posts(40)
    one = build_site(posts, TOPICS, settings_in(tmp_path / "one"), search=False, workers=1)
    assert helper_shares == []
    three = build_site(posts, TOPICS, settings_in(tmp_path / "three"), search=False, workers=3)
    assert len(helper_shares) == 2 and all(len(share) > 20 for share in helper_shares)
    assert files(tmp_path / "one") == files(tmp_path / "three")
    assert manifest(tmp_path / "one") == manifest(tmp_path / "three")
    assert sorted(one.written) == sorted(three.written)
    assert three.pages_written == one.pages_written > 40
    again = build_site(posts, TOPICS, settings_in(tmp_path / "three"), search=False, workers=3)
    assert again.pages_written == 0 and again.pages_unchanged == one.pages_written


def test_progress_counts_every_page_once(tmp_path: Path, helper_shares: list[list[str]]) -> None:
    seen: list[tuple[int, int]] = []
    report = build_site(
        sample_posts(40),
        TOPICS,
        settings_in(tmp_path / "site"),
        search=False,
        workers=2,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert len(helper_shares) == 1
    dones = [d for d, _ in seen]
    assert dones == sorted(dones)
    assert seen[-1] == (report.pages_written, report.pages_written)


def test_a_template_error_in_a_helper_is_one_line_and_the_manifest_stays_true(
    tmp_path: Path, helper_shares: list[list[str]]
) -> None:
    posts = sample_posts(40)
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    # A build like the failing one, to learn which posts the helper renders.
    build_site(posts, TOPICS, settings_in(tmp_path / "dry"), search=False, workers=2)
    (share,) = helper_shares
    page = next(p for p in share if p.startswith("posts/post-"))
    post_id = int(page.split("/")[1].removeprefix("post-"))
    # Fails for that post only, which the helper (not the build process) renders.
    (theme / "templates/post.html").write_text(
        '{% extends "base.html" %}{% block content %}'
        f"{{% if post.id == {post_id} %}}{{{{ post.no_such_field.x }}}}{{% endif %}}"
        "<h1>{{ post.title }}</h1>{% endblock %}\n"
    )
    out = tmp_path / "site"
    with pytest.raises(ColumnistError) as failure:
        build_site(posts, TOPICS, settings_in(out), search=False, workers=2, theme_dir=theme)
    assert helper_shares[1] == share  # the same pages went to the helper
    message = str(failure.value)
    assert "\n" not in message
    assert "post.html" in message and page in message
    # Whatever was written is in the manifest with its fingerprint; the rest is not.
    listed = manifest(out)
    assert page not in listed
    assert all((out / path).is_file() for path in listed)

    (theme / "templates/post.html").unlink()
    build_site(posts, TOPICS, settings_in(out), search=False, workers=2, theme_dir=theme)
    reference = tmp_path / "reference"
    build_site(posts, TOPICS, settings_in(reference), search=False, workers=1, theme_dir=theme)
    assert files(out) == files(reference)


def test_a_new_post_is_rendered_without_helpers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helper_shares: list[list[str]]
) -> None:
    """Few pages due: no process is forked (it would cost more than it saves)."""
    posts = sample_posts(40)
    out = tmp_path / "site"
    build_site(posts, TOPICS, settings_in(out), search=False, workers=2)
    assert len(helper_shares) == 1  # the first build forked one
    monkeypatch.setattr(build, "FORK_MIN", DEFAULT_FORK_MIN)
    newest = make_post(100, [TOPICS[0]])
    report = build_site([*posts, newest], TOPICS, settings_in(out), search=False, workers=2)
    assert "posts/post-100/index.html" in report.written
    assert len(helper_shares) == 1  # and this one none
