"""The build stage on a real store: what it reads, and the desk's own theme folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from columnist.config import Settings, SourceSettings
from columnist.site.stage import run_build
from columnist.store import posts, sources, stories
from columnist.store.db import open_engine, transaction
from columnist.store.published import PostDetails, published_posts
from columnist.store.schema import entries
from columnist.store.schema import posts as posts_table
from columnist.store.schema import stories as stories_table
from tests.conftest import desk_settings
from tests.site.sitekit import read_doc

START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


STAGE_DESK = (
    '[site]\ntitle = "Stage Desk"\nbase_url = "https://example.org/"\noutput = "site"\n'
    '[[topics]]\nname = "Climate"\n[[topics]]\nname = "Energy"\n'
)


def fill(settings: Settings, n: int = 5) -> None:
    """n stories with one to three source entries each, and a post for each; the last is a
    draft, and one story is filed under a topic the config does not have."""
    engine = open_engine(settings.database.url)
    with transaction(engine) as conn:
        src = sources.sync_sources(
            conn, [SourceSettings(name="Wire", url="/w.xml"), SourceSettings("Daily", "/d.xml")]
        )
        for i in range(n):
            when = START + timedelta(hours=i)
            sid = stories.create(conn, f"Story {i}", when, b"")
            conn.execute(
                insert(entries),
                [
                    dict(
                        source_id=src[k % 2].id,
                        dedupe_key=f"k{i}-{k}",
                        link=f"https://news.example/{i}/{k}",
                        content_hash=f"h{i}-{k}",
                        title=f"Report {k} on story {i}",
                        summary_html="<p>x</p>",
                        text="x",
                        published=when - timedelta(minutes=10 * (3 - k)),
                        fetched=when,
                        story_id=sid,
                    )
                    for k in range(1 + i % 3)
                ],
            )
            # As the stories stage keeps it (the build reads it as the sources count).
            conn.execute(
                update(stories_table).where(stories_table.c.id == sid).values(entry_count=1 + i % 3)
            )
            filed = [("climate", 0.5, "similarity")] + (
                [("energy", 0.4, "similarity"), ("gone", 0.3, "keyword")] if i == 1 else []
            )
            stories.set_topics(conn, sid, filed)
            posts.insert_post(
                conn,
                posts.NewPost(
                    story_id=sid,
                    title=f"Post {i}",
                    body=f"I think story {i} matters.\n\nSecond paragraph of {i}.",
                    excerpt=f"I think story {i} matters.",
                    status="draft" if i == n - 1 else "published",
                    backend="embedded",
                    model="m",
                    prompt_version="p",
                    checks={},
                    source_count=1 + i % 3,
                ),
            )
    engine.dispose()


def test_loader_reads_what_post_views_reads(tmp_path: Path, database_url: str) -> None:
    settings = desk_settings(tmp_path, STAGE_DESK, database=database_url)
    fill(settings)
    engine = open_engine(settings.database.url)
    with engine.connect() as conn:
        fast = sorted(published_posts(conn, settings.topics), key=lambda p: p.id)
        reference = sorted(posts.post_views(conn, settings.topics), key=lambda p: p.id)
    engine.dispose()
    assert len(fast) == 4  # the draft is left out
    assert fast == reference
    assert all(p.created.tzinfo is not None for p in fast)
    assert [s.title for s in fast[2].sources] == [
        "Report 0 on story 2",
        *[f"Report {k} on story 2" for k in (1, 2)],
    ]
    assert [t.slug for t in fast[1].topics] == ["climate", "energy"]  # "gone" is not configured


def test_desk_theme_folder_overrides_templates_and_static_files(tmp_path: Path) -> None:
    settings = desk_settings(tmp_path, STAGE_DESK)
    fill(settings)
    engine = open_engine(settings.database.url)
    plain = run_build(engine, settings, search=False)
    out = settings.site.output
    assert out == tmp_path / "site"
    assert "Stage Desk" in (out / "index.html").read_text()
    assert plain.pages_written > 10

    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    (theme / "static").mkdir()
    (theme / "static/style.css").write_text("body { background: papayawhip; }\n")
    (theme / "static/logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    (theme / "templates/_header.html").write_text(
        '<header class="desk-header"><a href="{{ site.base }}">{{ site.title }}</a>'
        '<nav aria-label="Topics">{% for t in nav_topics %}<a href="{{ t.href }}">'
        "{{ t.name }}</a>{% endfor %}</nav></header>\n"
    )
    themed = run_build(engine, settings, search=False)
    assert "static/logo.svg" in themed.written
    assert (out / "static/style.css").read_text() == "body { background: papayawhip; }\n"
    # Files the theme does not replace still come from the package.
    assert (out / "static/search.js").is_file()
    for page in ("index.html", "posts/post-0/index.html", "topics/climate/index.html"):
        doc = read_doc(out / page)
        assert doc.find("header", **{"class": "desk-header"}), page
        assert not doc.find("header", **{"class": "site-header"}), page
    assert run_build(engine, settings, search=False).pages_written == 0

    (theme / "static/logo.svg").unlink()
    (theme / "templates/_header.html").unlink()
    back = run_build(engine, settings, search=False)
    assert "static/logo.svg" in back.removed
    assert read_doc(out / "index.html").find("header", **{"class": "site-header"})
    engine.dispose()


def test_stage_builds_the_search_index(tmp_path: Path) -> None:
    settings = desk_settings(tmp_path, STAGE_DESK)
    fill(settings)
    engine = open_engine(settings.database.url)
    report = run_build(engine, settings)
    assert report.search_shards == 1 and report.search_indexed == 1
    out = settings.site.output
    bundle = out / "search/0s"
    assert (bundle / "pagefind-entry.json").is_file()
    assert len(list((bundle / "fragment").glob("*.pf_fragment"))) == 4  # published posts only
    assert not list(bundle.glob("pagefind-ui*"))  # the site has its own search script
    again = run_build(engine, settings)
    assert again.search_indexed == 0 and again.pages_written == 0
    engine.dispose()


def _add_entry(conn, story_title: str, title: str) -> None:
    """A new entry joins a story through the store, as the stories stage does it."""
    sid = conn.execute(select(stories_table.c.id).where(stories_table.c.title == story_title))
    when = START + timedelta(days=1)
    entry_id = conn.execute(
        insert(entries).values(
            source_id=1,
            dedupe_key=f"grown-{title}",
            link="https://news.example/grown",
            content_hash=f"grown-{title}",
            title=title,
            summary_html="<p>x</p>",
            text="x",
            published=when,
            fetched=when,
        )
    ).inserted_primary_key[0]
    stories.attach_entry(conn, sid.scalar_one(), entry_id, when, b"")


def test_rebuild_from_the_store_follows_edited_and_grown_posts(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bodies and sources are read only for pages being rendered; a post's page is still
    rendered again whenever its body changes or its story gains a source."""
    settings = desk_settings(tmp_path, STAGE_DESK, database=database_url)
    fill(settings)
    engine = open_engine(settings.database.url)
    out = settings.site.output
    run_build(engine, settings, search=False)
    asked: list[int] = []
    real = PostDetails.__call__

    def counting(self: PostDetails, ids):  # noqa: ANN001, ANN202
        ids = list(ids)
        asked.extend(ids)
        return real(self, ids)

    monkeypatch.setattr(PostDetails, "__call__", counting)
    assert run_build(engine, settings, search=False).pages_written == 0
    assert asked == []  # nothing rendered: no body read

    with transaction(engine) as conn:
        post_id = conn.execute(select(posts_table.c.id).where(posts_table.c.title == "Post 0"))
        post_id = post_id.scalar_one()
        posts.replace_post_body(
            conn,
            post_id,
            posts.NewPost(1, "Post 0", "A rewritten first paragraph.\n\nAnd a second.",
                          "A rewritten first paragraph.", "published", "embedded", "m", "p",
                          {}, 1),
        )  # fmt: skip
    report = run_build(engine, settings, search=False)
    assert "posts/post-0/index.html" in report.written
    assert not any(p.startswith("posts/") and "post-0" not in p for p in report.written)
    assert "A rewritten first paragraph." in (out / "posts/post-0/index.html").read_text()
    assert set(asked) <= {1, 2, 3, 4} and post_id in asked and len(asked) < 12

    with transaction(engine) as conn:
        _add_entry(conn, "Story 2", "A late report on story 2")
    report = run_build(engine, settings, search=False)
    assert "posts/post-2/index.html" in report.written
    page = read_doc(out / "posts/post-2/index.html")
    assert "A late report on story 2" in page.text and "4 sources" in page.text
    assert "4 sources" in read_doc(out / "topics/climate/index.html").text

    assert not any(p.startswith("posts/") and "post-2" not in p for p in report.written)
    engine.dispose()
