"""The store's commands: `columnist posts` (list them), `migrate-store` (copy a desk
between databases) and `db upgrade` (apply schema migrations)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from columnist import config as config_mod
from columnist.cli import ConfigOpt, open_desk
from columnist.progress import console, stage

app = typer.Typer()
db_app = typer.Typer(name="db", no_args_is_help=True, help="Database schema.")
app.add_typer(db_app)


@app.command()
def posts(
    config: ConfigOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines.")] = False,
    status: Annotated[
        str | None, typer.Option(help="published | draft | held | rejected | retracted")
    ] = None,
) -> None:
    """List posts; with --json one JSON object per line."""
    from columnist.store.posts import checks_by_post, post_views

    with open_desk(config) as (settings, engine), engine.connect() as conn:
        views = post_views(conn, settings.topics, status=status)
        checks = checks_by_post(conn)
    base = settings.site.base_url
    for p in views:
        if as_json:
            print(
                json.dumps(
                    {
                        "id": p.id,
                        "slug": p.slug,
                        "title": p.title,
                        "url": f"{base}posts/{p.slug}/",
                        "topics": [t.slug for t in p.topics],
                        "body": p.body,
                        "excerpt": p.excerpt,
                        "sources": [s.url for s in p.sources],
                        "status": p.status,
                        "created": p.created.isoformat(),
                        "model": p.model,
                        "checks": checks.get(p.id, {}),
                    },
                    ensure_ascii=False,
                )
            )
        else:
            topics = ", ".join(t.name for t in p.topics)
            print(f"{p.id:>5} {p.status:<9} {p.created:%Y-%m-%d} {p.title} [{topics}]")


@app.command()
def stories(
    config: ConfigOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines.")] = False,
    count: Annotated[int, typer.Option("--count", "-n", help="How many stories.")] = 50,
) -> None:
    """The latest stories with their entries, topics and post status."""
    from columnist.store.stories import overview

    with open_desk(config) as (_settings, engine), engine.connect() as conn:
        rows = overview(conn, max(1, count))
    for s in rows:
        if as_json:
            print(json.dumps(s, ensure_ascii=False))
            continue
        topics = ",".join(t["topic"] for t in s["topics"]) or "-"
        post = f"post {s['post']['id']} {s['post']['status']}" if s["post"] else "no post"
        print(f"{s['id']:>5} {len(s['entries']):>3} entries [{topics}] {post}: {s['title']}")


@app.command("migrate-store")
def migrate_store(
    source: Annotated[str, typer.Option("--from", help="Database URL to copy from.")],
    target: Annotated[str, typer.Option("--to", help="Empty database URL to copy into.")],
) -> None:
    """Copy a whole desk between databases, e.g. from SQLite to PostgreSQL."""
    from columnist.store.copy import copy_store
    from columnist.store.db import open_engine

    src, dst = open_engine(source), open_engine(target)
    with stage("copy") as progress:
        copied = copy_store(src, dst, lambda _table, done, total: progress(done, total))
    src.dispose()
    dst.dispose()
    summary = ", ".join(f"{name} {n}" for name, n in copied.items())
    console.print(f"copied {summary}", highlight=False)


@db_app.command("upgrade")
def db_upgrade(config: ConfigOpt = None) -> None:
    """Apply pending schema migrations."""
    from columnist.store import tasks
    from columnist.store.db import make_engine, upgrade

    settings = config_mod.load(config)
    engine = make_engine(settings.database.url)
    before, after = upgrade(engine)
    with engine.connect() as conn:
        refile = tasks.reason(conn, tasks.REFILE)
    engine.dispose()
    console.print(f"database schema: {before or 'empty'} -> {after}", highlight=False)
    if refile:
        console.print(
            f"{refile}: the next `columnist assign` or `write` files every story again "
            "(or `columnist topics refile --days 0` now)",
            markup=False,
            highlight=False,
        )
