"""Incremental builds: nothing changes -> nothing written; one post -> only its pages."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from columnist.config import SiteSettings
from columnist.errors import ColumnistError
from columnist.site import build_site, search
from columnist.site.manifest import MANIFEST_NAME, is_safe_relative, load_manifest
from tests.site.sitekit import TOPICS, make_post, read_doc, sample_posts


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """path -> (inode, mtime_ns): an atomic rewrite changes the inode."""
    out = {}
    for path in root.rglob("*"):
        if path.is_file() and path.name != MANIFEST_NAME:
            st = path.stat()
            out[path.relative_to(root).as_posix()] = (st.st_ino, st.st_mtime_ns)
    return out


def changed(before: dict, after: dict) -> set[str]:
    return {p for p in after if before.get(p) != after[p]}


def test_second_build_writes_nothing(settings: SiteSettings) -> None:
    posts = sample_posts()
    first = build_site(posts, TOPICS, settings)
    assert first.pages_written > 50 and first.pages_removed == 0
    before = snapshot(settings.output)
    again = build_site(sample_posts(), TOPICS, settings)
    assert again.pages_written == 0 and again.written == []
    assert again.pages_unchanged == first.pages_written
    assert again.pages_removed == 0
    assert snapshot(settings.output) == before


def test_new_post_rewrites_only_the_pages_that_show_it(settings: SiteSettings) -> None:
    posts = sample_posts()
    build_site(posts, TOPICS, settings)
    before = snapshot(settings.output)
    energy = TOPICS[1]
    newest = make_post(100, [energy])
    report = build_site([*posts, newest], TOPICS, settings)

    written = set(report.written)
    assert written == changed(before, snapshot(settings.output))
    required = {
        "posts/post-100/index.html",
        "cards/post-100.png",  # its share card: it has no source image
        "topics/energy/index.html",
        "index.html",
        "topics/index.html",
        "feed.xml",
        "feed.json",
        "topics/energy/feed.xml",
        "topics/energy/feed.json",
        "sitemap.xml",
        "sitemaps/pages.xml",
        "sitemaps/posts-1.xml",
        # its week's digest page (2025-13, a new one here), the digest index and feed
        "digest/2025-13/index.html",
        "digest/index.html",
        "digest/feed.xml",
    }
    assert required <= written
    others = written - required
    # Besides those, only the newest search shard; energy's older archive pages keep
    # their posts and numbers (page 1 grows until it holds 2 * per_page - 1 posts).
    assert others and all(p.startswith("search/") for p in others), others
    assert report.search_indexed == 1
    assert all(p.startswith("search/") for p in report.removed), report.removed


def test_no_unrelated_page_changes_when_a_post_is_added(settings: SiteSettings) -> None:
    posts = sample_posts()
    build_site(posts, TOPICS, settings)
    report = build_site([*posts, make_post(100, [TOPICS[1]])], TOPICS, settings)
    for path in report.written:
        assert not path.startswith(("about/", "static/", "topics/science/", "404")), path
        assert not path.startswith("posts/") or path == "posts/post-100/index.html", path


def test_deleted_post_loses_its_page_and_empty_folders(settings: SiteSettings) -> None:
    posts = sample_posts()
    build_site(posts, TOPICS, settings)
    gone = next(p for p in posts if p.id == 25)
    report = build_site([p for p in posts if p.id != 25], TOPICS, settings)
    assert "posts/post-25/index.html" in report.removed
    assert not (settings.output / "posts/post-25").exists()
    assert (settings.output / "posts").is_dir()
    assert f"posts/{gone.slug}/" not in (settings.output / "sitemaps/posts-1.xml").read_text()
    assert report.pages_removed == len(report.removed)


def test_shrinking_topic_removes_its_last_archive_page(settings: SiteSettings) -> None:
    posts = sample_posts()
    build_site(posts, TOPICS, settings)
    assert (settings.output / "topics/science/page/2/index.html").is_file()
    kept = [p for p in posts if "science" not in {t.slug for t in p.topics}]
    report = build_site(kept, TOPICS, settings)
    assert not (settings.output / "topics/science/page").exists()
    assert "topics/science/page/2/index.html" in report.removed
    assert "No posts yet" in (settings.output / "topics/science/index.html").read_text()


def test_edited_post_rewrites_its_page(settings: SiteSettings) -> None:
    posts = sample_posts()
    build_site(posts, TOPICS, settings)
    edited = [replace(p, body=p.body + "\n\nA late correction.") if p.id == 3 else p for p in posts]
    report = build_site(edited, TOPICS, settings)
    assert "posts/post-3/index.html" in report.written
    assert "A late correction." in (settings.output / "posts/post-3/index.html").read_text()


def test_missing_file_is_written_again(settings: SiteSettings) -> None:
    posts = sample_posts()
    build_site(posts, TOPICS, settings)
    (settings.output / "posts/post-4/index.html").unlink()
    report = build_site(posts, TOPICS, settings)
    assert report.written == ["posts/post-4/index.html"]


def test_foreign_files_are_kept_and_manifest_cannot_reach_outside(
    settings: SiteSettings, tmp_path: Path
) -> None:
    posts = sample_posts(6)
    build_site(posts, TOPICS, settings)
    (settings.output / "CNAME").write_text("example.org\n")
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    manifest = settings.output / MANIFEST_NAME
    data = json.loads(manifest.read_text())
    data["files"]["../precious.txt"] = "x"
    data["files"]["/etc/hostname"] = "x"
    manifest.write_text(json.dumps(data))
    build_site(posts[1:], TOPICS, settings)
    assert (settings.output / "CNAME").is_file()
    assert outside.read_text() == "keep me"


def test_settings_change_rebuilds_every_page(settings: SiteSettings) -> None:
    posts = sample_posts(6)
    first = build_site(posts, TOPICS, settings)
    report = build_site(posts, TOPICS, replace(settings, title="Renamed Desk"))
    html_pages = [p for p in report.written if p.endswith(".html")]
    assert len(html_pages) == len([p for p in first.written if p.endswith(".html")])


def test_writes_are_atomic_and_leave_no_temporary_files(settings: SiteSettings) -> None:
    posts = sample_posts(6)
    build_site(posts, TOPICS, settings)
    build_site([*posts, make_post(50, [TOPICS[0]])], TOPICS, settings)
    leftovers = [p for p in settings.output.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    assert os.listdir(settings.output)


def test_theme_overrides_templates_and_static_files(settings: SiteSettings, tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    (theme / "static").mkdir()
    (theme / "static/style.css").write_text("body { color: teal; }\n")
    (theme / "static/extra.css").write_text("/* extra */\n")
    (theme / "templates/_header.html").write_text(
        '<header class="themed"><a href="{{ site.base }}">{{ site.title }}</a>'
        '<nav>{% for t in nav_topics %}<a href="{{ t.href }}">{{ t.name }}</a>{% endfor %}</nav>'
        "</header>\n"
    )
    posts = sample_posts(6)
    build_site(posts, TOPICS, settings)
    report = build_site(posts, TOPICS, settings, theme_dir=theme)
    assert "static/extra.css" in report.written
    assert (settings.output / "static/style.css").read_text() == "body { color: teal; }\n"
    assert 'class="themed"' in (settings.output / "posts/post-1/index.html").read_text()
    again = build_site(posts, TOPICS, settings, theme_dir=theme)
    assert again.pages_written == 0


def test_theme_base_extends_the_packaged_base(settings: SiteSettings, tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    (theme / "templates/base.html").write_text(
        '{% extends "default/base.html" %}\n'
        '{% block extra_head %}<meta name="theme-color" content="#008080">{% endblock %}\n'
        '{% block footer %}{{ super() }}<p class="theme-note">Set in teal.</p>{% endblock %}\n'
    )
    posts = sample_posts(6)
    build_site(posts, TOPICS, settings, theme_dir=theme)
    for path in ("posts/post-1/index.html", "index.html", "topics/index.html"):
        page = (settings.output / path).read_text()
        # the theme's additions ...
        head = page.split("</head>")[0]
        assert head.endswith('<meta name="theme-color" content="#008080">')
        assert '</footer>\n<p class="theme-note">Set in teal.</p>' in page
        # ... around the packaged page
        assert page.startswith("<!doctype html>") and 'class="skip-link"' in page
        assert '<footer class="site-footer">' in page and "How it is made" in page
    post = (settings.output / "posts/post-1/index.html").read_text()
    assert "Paragraph 2 of post 1 says something" in post
    assert build_site(posts, TOPICS, settings, theme_dir=theme).pages_written == 0


def test_progress_reports_every_file(settings: SiteSettings) -> None:
    calls: list[tuple[int, int]] = []
    report = build_site(
        sample_posts(), TOPICS, settings, progress=lambda d, t: calls.append((d, t))
    )
    total = report.pages_written + report.pages_unchanged
    assert calls and calls[-1] == (total, total)


def test_repeated_slug_keeps_both_posts(settings: SiteSettings) -> None:
    a = make_post(1, [TOPICS[0]])
    b = replace(make_post(2, [TOPICS[0]]), slug="post-1")
    build_site([a, b], TOPICS, settings)
    assert (settings.output / "posts/post-1/index.html").is_file()
    assert (settings.output / "posts/post-1-2/index.html").is_file()


def test_unsafe_slug_cannot_escape_the_output_folder(settings: SiteSettings) -> None:
    evil = replace(make_post(1, [TOPICS[0]]), slug="../../escape")
    build_site([evil], TOPICS, settings)
    assert (settings.output / "posts/escape/index.html").is_file()
    assert not (settings.output.parent / "escape").exists()


def test_broken_theme_template_is_a_user_error_naming_the_file(
    settings: SiteSettings, tmp_path: Path
) -> None:
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    broken = '{% extends "base.html" %}{% block content %}\n{{ nope }'
    (theme / "templates/post.html").write_text(broken)
    with pytest.raises(ColumnistError, match="post.html"):
        build_site(sample_posts(3), TOPICS, settings, theme_dir=theme)
    with pytest.raises(ColumnistError, match="theme folder not found"):
        build_site(sample_posts(3), TOPICS, settings, theme_dir=tmp_path / "missing")


def test_older_archive_pages_stay_put_until_page_one_is_full(settings: SiteSettings) -> None:
    """per_page 4: page 1 takes 4..7 posts, so adding posts leaves page 2.. alone until a
    fifth page-1 post would make 8, when the pages are cut again."""
    topic = [TOPICS[0]]
    posts = [make_post(i, topic) for i in range(1, 13)]  # 12 posts: pages of 4, 4, 4
    build_site(posts, TOPICS, settings, search=False)
    older = {"topics/china-russia/page/2/index.html", "topics/china-russia/page/3/index.html"}
    for i in range(13, 16):  # 13, 14, 15 posts: page 1 holds 5, 6, 7
        posts.append(make_post(i, topic))
        report = build_site(posts, TOPICS, settings, search=False)
        assert "topics/china-russia/index.html" in report.written
        assert not older & set(report.written), report.written
    posts.append(make_post(16, topic))  # 16 posts: four pages of four
    report = build_site(posts, TOPICS, settings, search=False)
    assert "topics/china-russia/page/4/index.html" in report.written
    assert older <= set(report.written)
    last = read_doc(settings.output / "topics/china-russia/page/4/index.html")
    assert [a["h2_links"][0]["href"] for a in last.articles] == [
        f"/desk/posts/post-{i}/" for i in (4, 3, 2, 1)
    ]
    assert last.find("link", rel="prev")[0]["href"] == "/desk/topics/china-russia/page/3/"
    assert not last.find("link", rel="next")


def test_search_shards_are_indexed_again_only_when_their_posts_change(
    settings: SiteSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "BLOCK", 8)
    monkeypatch.setattr(search, "SMALL", 4)
    posts = sample_posts(13)  # ids 1..13: blocks 0-7 whole, 8-15 split into 8-11 and 12-15
    first = build_site(posts, TOPICS, settings)
    names = sorted(p.name for p in (settings.output / "search").iterdir() if p.is_dir())
    assert names == ["0", "12s", "8s"]
    assert first.search_indexed == 3

    posts.append(make_post(14, [TOPICS[1]]))
    report = build_site(posts, TOPICS, settings)
    assert report.search_indexed == 1
    assert {p.split("/")[1] for p in report.written if p.startswith("search/")} <= {"12s", ""}

    edited = [replace(p, body=p.body + " Corrected.") if p.id == 2 else p for p in posts]
    report = build_site(edited, TOPICS, settings)
    assert report.search_indexed == 1
    searched = [p for p in report.written if p.startswith("search/")]
    assert searched and all(p.startswith("search/0/") for p in searched), searched

    # Id 16 opens block 16-23: block 8-15 becomes one shard and its small ones go.
    edited.append(make_post(16, [TOPICS[1]]))
    report = build_site(edited, TOPICS, settings)
    names = sorted(p.name for p in (settings.output / "search").iterdir() if p.is_dir())
    assert names == ["0", "16s", "8"]
    assert report.search_indexed == 2
    assert any(p.startswith("search/8s/") for p in report.removed)

    # A lost file is noticed: its shard is indexed again.
    (settings.output / "search/0/pagefind-entry.json").unlink()
    assert build_site(edited, TOPICS, settings).search_indexed == 1
    assert (settings.output / "search/0/pagefind-entry.json").is_file()


def test_many_posts_are_indexed_by_several_pagefind_processes_alike(
    settings: SiteSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "BLOCK", 8)
    monkeypatch.setattr(search, "SMALL", 4)
    monkeypatch.setattr(search, "available_cores", lambda: 2)
    started: list[int] = []
    real = search.PagefindService

    def counted() -> search.PagefindService:
        started.append(1)
        return real()

    monkeypatch.setattr(search, "PagefindService", counted)
    posts = sample_posts(21)  # shards 0, 8, 16s, 20s
    outputs = {}
    for name, limit in (("one", 10**6), ("several", 1)):
        monkeypatch.setattr(search, "PROCESS_POSTS", limit)
        started.clear()
        out = settings.output.parent / name
        report = build_site(posts, TOPICS, replace(settings, output=out))
        assert report.search_indexed == 4
        assert len(started) == (1 if name == "one" else 2)
        outputs[name] = {
            p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted((out / "search").rglob("*"))
            if p.is_file()
        }
    assert outputs["one"] == outputs["several"]


def test_search_can_be_left_out(settings: SiteSettings) -> None:
    posts = sample_posts(6)
    build_site(posts, TOPICS, settings)
    assert (settings.output / "search/index.html").is_file()
    report = build_site(posts, TOPICS, settings, search=False)
    assert not (settings.output / "search").exists()
    assert report.search_shards == 0
    assert 'role="search"' not in (settings.output / "index.html").read_text()


@pytest.mark.parametrize(
    "path",
    ["a/b.html", "posts/x/index.html", ".hidden", "a/.b", "a/..b", "..a/b", "x.y/z",
     "../x", "/x", "a//b", "a/./b", "a/..", ".", "..", "./a", "a\\b", "a\x00b", "", "a/b/",
     MANIFEST_NAME],
)  # fmt: skip
def test_manifest_paths_checked_in_bulk_as_one_by_one(settings: SiteSettings, path: str) -> None:
    """load_manifest checks all paths in a few scans; its verdict must be is_safe_relative's."""
    settings.output.mkdir(parents=True)
    for files in ({path: "k", "ok/page.html": "k"}, {"ok/page.html": "k", path: "k"}):
        data = {"version": 1, "generator": "columnist", "files": files}
        (settings.output / MANIFEST_NAME).write_text(json.dumps(data))
        loaded = load_manifest(settings.output).files
        assert "ok/page.html" in loaded
        assert (path in loaded) == is_safe_relative(path)


def test_a_manifest_from_before_groups_is_taken_over(settings: SiteSettings) -> None:
    """Sites built before search shards became manifest groups (version 1: one entry per
    file) are brought up to date without losing a file."""
    posts = sample_posts()
    build_site(posts, TOPICS, settings)
    path = settings.output / MANIFEST_NAME
    data = json.loads(path.read_text())
    assert data["version"] == 2 and data["groups"]
    files = dict(data["files"])
    for folder, group in data.pop("groups").items():
        files.update({folder + name: "v1" for name in group["files"]})
    search_files = {p for p in files if p.startswith("search/") and "/" in p[7:]}
    path.write_text(json.dumps({"version": 1, "generator": "columnist", "files": files}))

    report = build_site(posts, TOPICS, settings)
    assert report.removed == []
    assert all((settings.output / p).is_file() for p in search_files)
    again = json.loads(path.read_text())
    regrouped = {f + n for f, g in again["groups"].items() for n in g["files"]}
    assert regrouped == search_files
    assert build_site(posts, TOPICS, settings).pages_written == 0
