"""`columnist review`: the queue of held and draft posts, and a person's decisions on
them from the terminal (publish, reject, retract, edit, rewrite). Each decision is made as a
desk user (`--as NAME` or $COLUMNIST_USER), logged in the audit log, and followed by a
build so the site shows it at once."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import click
import typer

from columnist.cli import ConfigOpt, QuietOpt, open_desk, say
from columnist.errors import ColumnistError
from columnist.records import EditorChange, QueuedPost

app = typer.Typer(name="review", no_args_is_help=True, help="Review held and draft posts.")

IdArg = Annotated[int, typer.Argument(help="The post's id (see `columnist review list`).")]
AsOpt = Annotated[
    str | None, typer.Option("--as", help="The desk user acting (default: $COLUMNIST_USER).")
]
ReasonOpt = Annotated[str | None, typer.Option("--reason", help="Why, for the audit log.")]


def _line(p: QueuedPost) -> str:
    """One queued post; a published post's waiting rewrite shows as its status (held or
    draft), when it was written, and a mark saying the published text stays up."""
    topics = ",".join(p.topics) or "-"
    status, when = (p.pending.status, p.pending.created) if p.pending else (p.status, p.created)
    line = f"{p.id:>5} {status:<6} {when:%Y-%m-%d %H:%M} [{topics}] {p.title}"
    if p.pending:
        line += f" (published; rewrite from {p.pending.source_count} sources waits)"
        if p.pending.corrections:
            line += " (the published text was corrected since it was written)"
    problems = p.waiting_problems
    if problems:
        more = f" (+{len(problems) - 1})" if len(problems) > 1 else ""
        line += f" — {problems[0]}{more}"
    return line


def _change(c: EditorChange) -> dict:
    return {
        "kind": c.kind,
        "who": c.who,
        "when": c.when.isoformat(),
        "text": c.text,
        "version": c.version,
    }


def _pending(p: QueuedPost) -> dict | None:
    if p.pending is None:
        return None
    return {
        "status": p.pending.status,
        "source_count": p.pending.source_count,
        "created": p.pending.created.isoformat(),
        "problems": p.pending.problems,
        "body": p.pending.body,
        # a person's corrections of the published text this rewrite does not carry
        "corrections": [_change(c) for c in p.pending.corrections],
    }


def _json(p: QueuedPost) -> str:
    return json.dumps(
        {
            "id": p.id,
            "status": p.status,
            "version": p.version,
            "title": p.title,
            "topics": p.topics,
            "created": p.created.isoformat(),
            "updated": p.updated.isoformat(),
            "source_count": p.source_count,
            "problems": p.problems,
            "borrowed": p.checks.get("borrowed", []),  # for the editor; holds nothing
            "body": p.body,
            "pending": _pending(p),  # a published post's rewrite waiting for review
        },
        ensure_ascii=False,
    )


@app.command("list")
def list_queue(
    config: ConfigOpt = None,
    topic: Annotated[
        str | None, typer.Option(help="Only posts filed under this topic slug.")
    ] = None,
    problem: Annotated[
        str | None, typer.Option(help="Only posts with a problem containing this text.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines.")] = False,
) -> None:
    """Held and draft posts, and published posts whose rewritten text waits, newest
    first, each with what its checks found."""
    from columnist.store.review import queue

    with open_desk(config) as (_settings, engine), engine.connect() as conn:
        posts = queue(conn, topic)
    if problem:
        posts = [p for p in posts if any(problem.lower() in x.lower() for x in p.waiting_problems)]
    for p in posts:
        print(_json(p) if as_json else _line(p))
    if not as_json:
        say(f"{len(posts)} post{'s' if len(posts) != 1 else ''} waiting for review")


def _say_borrowed(borrowed: list[dict], out: Callable[[str], None] = print) -> None:
    """A speaker's words used as the writer's own: shown to the editor, never a problem
    (publishing over them needs no reason)."""
    from columnist.review.marks import borrowed_why

    if borrowed:
        out("for the editor (holds nothing):")
    for b in borrowed:
        out(f"  - {borrowed_why(b)}, in: {b.get('sentence', '')}")


@app.command("show")
def show(post_id: IdArg, config: ConfigOpt = None) -> None:
    """One post: its status, what the checks found, its text and its history."""
    from columnist.review.actions import load
    from columnist.store import audit
    from columnist.store.review import revisions

    with open_desk(config) as (_settings, engine):
        p = load(engine, post_id)
        with engine.connect() as conn:
            kept = revisions(conn, post_id)
            log = audit.recent(conn, 20, post_id=post_id)
    when = f"{p.created:%Y-%m-%d %H:%M}"
    print(f"#{p.id} {p.title}")
    topics = ", ".join(p.topics) or "-"
    print(f"status {p.status}, version {p.version}, topics {topics}, {p.source_count} sources, "
          f"written {when}")  # fmt: skip
    if p.reviewed_by and p.reviewed_at:
        note = f": {p.review_note}" if p.review_note else ""
        print(f"{p.status} by {p.reviewed_by} on {p.reviewed_at:%Y-%m-%d %H:%M}{note}")
    print("problems:" if p.problems else "problems: none")
    for x in p.problems:
        print(f"  - {x}")
    _say_borrowed(p.checks.get("borrowed", []))
    print(f"\n{p.body}\n")
    if p.pending:
        w = p.pending
        print(f"published; a rewritten text from {w.source_count} sources waits for review "
              f"({w.status}, written {w.created:%Y-%m-%d %H:%M}): `review publish` puts it in "
              "place of the text above, `review reject` keeps the text above")  # fmt: skip
        print("its problems:" if w.problems else "its problems: none")
        for x in w.problems:
            print(f"  - {x}")
        if w.corrections:
            print(
                "the published text was changed after the writer wrote it; the rewritten "
                "text was written without (publishing it needs --carries-corrections):"
            )
            for c in w.corrections:
                print(f"  - {c.describe()}")
        print(f"\n{w.body}\n")
    for r in kept:
        why = f": {r['reason']}" if r["reason"] else ""
        who = r["who"] or "the writer"
        print(f"revision {r['version']} {r['kind']} by {who} {r['created']:%Y-%m-%d %H:%M}{why}")
    for a in log:
        detail = f": {a.detail}" if a.detail else ""
        print(f"log {a.created:%Y-%m-%d %H:%M} {a.who} {a.action}{detail}")


def _rebuild(config: Path | None, quiet: bool) -> None:
    """Bring the site up to date, as `columnist build` does."""
    from columnist.cli.pipeline import run_stages

    run_stages(config, ["build"], quiet)


def _act(
    config: Path | None,
    post_id: int,
    as_user: str | None,
    quiet: bool,
    do,
    verb: str,  # noqa: ANN001
) -> None:
    from columnist.review.actions import load
    from columnist.review.users import acting_user

    with open_desk(config) as (_settings, engine):
        user = acting_user(engine, as_user)
        do(engine, user, load(engine, post_id))
    say(f"post {post_id} {verb} by {user.name}")
    _rebuild(config, quiet)


@app.command("publish")
def publish(
    post_id: IdArg,
    config: ConfigOpt = None,
    reason: ReasonOpt = None,
    carries: Annotated[
        bool,
        typer.Option(
            "--carries-corrections",
            help="A waiting rewrite of a corrected post: you checked it carries the corrections.",
        ),
    ] = False,
    as_user: AsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Publish a post; over a failing check only with --reason. On a published post whose
    rewritten text waits, publish that text (if the published one was corrected since
    the writer wrote it, only with --carries-corrections)."""
    from columnist.review import actions

    _act(config, post_id, as_user, quiet,
         lambda e, u, p: actions.publish(e, u, p, reason, carries), "published")  # fmt: skip


@app.command("reject")
def reject(
    post_id: IdArg,
    reason: Annotated[str, typer.Option("--reason", help="Why (required).")],
    config: ConfigOpt = None,
    as_user: AsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Keep a held or draft post off the site for good."""
    from columnist.review import actions

    _act(config, post_id, as_user, quiet,
         lambda e, u, p: actions.reject(e, u, p, reason), "rejected")  # fmt: skip


@app.command("retract")
def retract(
    post_id: IdArg,
    reason: Annotated[str, typer.Option("--reason", help="Why (required; shown on the page).")],
    config: ConfigOpt = None,
    as_user: AsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Take a published post down: its page becomes a dated retraction note."""
    from columnist.review import actions

    _act(config, post_id, as_user, quiet,
         lambda e, u, p: actions.retract(e, u, p, reason), "retracted")  # fmt: skip


@app.command("edit")
def edit(
    post_id: IdArg,
    config: ConfigOpt = None,
    reason: ReasonOpt = None,
    correction: Annotated[
        str | None, typer.Option(help="A published post: the correction note readers see.")
    ] = None,
    update: Annotated[
        str | None, typer.Option(help="A published post: the update note readers see.")
    ] = None,
    as_user: AsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Edit a post's text in $EDITOR; the writer's checks run on it again. A published
    post's edit needs --correction or --update: a dated note on its page."""
    from columnist.review import actions
    from columnist.review.users import acting_user

    with open_desk(config) as (settings, engine):
        user = acting_user(engine, as_user)
        post = actions.load(engine, post_id)
        note = "correction" if correction else "update" if update else None
        reason = correction or update or reason
        actions.need_note(post, note, reason)  # before the editor opens, not after
        text = click.edit(post.body + "\n", extension=".txt", require_save=True)
        if text is None or actions.tidy(text) == post.body:
            say(f"post {post_id}: no change, nothing saved")
            return
        try:
            found = actions.edit(engine, settings, user, post, text, reason, note)
        except actions.ReviewError as exc:
            kept = settings.root / f"post-{post_id}-edit.txt"
            kept.write_text(text)
            raise ColumnistError(f"{exc}; your text is kept in {kept}") from None
    say(f"post {post_id} saved as version {post.version + 1} by {user.name}")
    for x in found.problems:
        say(f"  - {x}")
    if not found.problems:
        say("  the checks find no problem")
    _say_borrowed(found.borrowed, say)
    _rebuild(config, quiet)


@app.command("rewrite")
def rewrite(
    post_id: IdArg,
    note: Annotated[
        str, typer.Option("--note", help="What the writer should do differently (required).")
    ],
    config: ConfigOpt = None,
    as_user: AsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Have the writer write a held or draft post again, with your note in its prompt;
    the new text is checked and held for review. For a published post whose rewritten
    text waits for review, that text is written again (the published text stays up)."""
    from columnist.review import actions
    from columnist.review.users import acting_user

    with open_desk(config) as (settings, engine):
        user = acting_user(engine, as_user)
        post = actions.load(engine, post_id)
        draft = actions.rewrite(engine, settings, user, post, note)
    if post.pending is not None:
        say(f"post {post_id}: its waiting rewrite written again for {user.name}, held for "
            "review; the published text stays up")  # fmt: skip
    else:
        say(f"post {post_id} written again as version {post.version + 1} for {user.name}, held")
    problems = draft.check.problems + [f"unverified: {v['sentence']}" for v in draft.unverified]
    for x in problems:
        say(f"  - {x}")
    if not problems:
        say("  the checks find no problem")
    _say_borrowed(draft.borrowed, say)
    _rebuild(config, quiet)
