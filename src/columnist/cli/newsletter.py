"""`columnist digest`: the newsletter digest of what was published, written and sent."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from columnist.cli import ConfigOpt, QuietOpt, open_desk, say
from columnist.errors import ColumnistError
from columnist.progress import console, plain_help

if TYPE_CHECKING:
    from columnist.config import Settings
    from columnist.newsletter.render import DigestMail
    from columnist.site.issues import Issue
    from columnist.store.db import Engine

app = typer.Typer()


@app.command()
def digest(
    config: ConfigOpt = None,
    topic: Annotated[str | None, typer.Option(help="Only this topic (its slug).")] = None,
    since: Annotated[
        str | None, typer.Option(help='The period up to now: "7d" (default), "36h", "2w".')
    ] = None,
    week: Annotated[
        str | None, typer.Option(help="An ISO week instead, e.g. 2026-48 (as the site's page).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Folder for the .html and .txt (default: digests/).")
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help=plain_help("Mail it through [newsletter]."))
    ] = False,
    to: Annotated[
        list[str] | None, typer.Option("--to", help="Send to this address (repeatable).")
    ] = None,
    again: Annotated[bool, typer.Option("--again", help="Send an issue sent before.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Write the digest of the posts published in a period, grouped by topic; --send mails
    it, one message per recipient, once per issue."""
    from columnist.newsletter.digest import (
        desk_model,
        make_digest,
        period_of,
        write_digest,
    )
    from columnist.site.issues import parse_since

    if to and not send:
        raise ColumnistError("--to: give --send as well to mail the digest")
    period = period_of(datetime.now(UTC), parse_since(since) if since else None, week)
    with open_desk(config) as (settings, engine):
        with engine.connect() as conn:
            model = desk_model(conn, settings)
            issue, mail = make_digest(model, settings, period, topic)
        label = f"digest {issue.name}" + (f" ({issue.topic})" if issue.topic else "")
        if not issue.entries:
            say(f"{label}: nothing was published from {issue.period}; skipped")
            return
        folder = out if out is not None else settings.root / "digests"
        files = write_digest(folder, issue, mail)
        outcome = (
            _send(settings, engine, issue, mail, to or [], again, quiet, label) if send else ""
        )
    count = len(issue.entries)
    say(
        f"{label}: {count} post{'s' if count != 1 else ''} in {len(issue.sections)} "
        f"section{'s' if len(issue.sections) != 1 else ''} -> {', '.join(map(str, files))}"
    )
    if outcome:
        say(outcome)


def _send(
    settings: Settings,
    engine: Engine,
    issue: Issue,
    mail: DigestMail,
    to: list[str],
    again: bool,
    quiet: bool,
    label: str,
) -> str:
    """Mail the issue to `to` or the recipient list, unless it was sent before; returns
    the line saying what was done (warnings are printed as they come)."""
    from columnist.newsletter.digest import mail_domain
    from columnist.newsletter.recipients import check_address, read_recipients
    from columnist.newsletter.send import connect, send_digest
    from columnist.progress import stage
    from columnist.store.db import transaction
    from columnist.store.digests import last_sent, record_sent

    if to:
        addresses = [check_address(a, "--to") for a in to]
    elif settings.newsletter.recipients is not None:
        found = read_recipients(settings.newsletter.recipients)
        for line in found.problems:
            console.print(line, style="yellow", highlight=False, markup=False)
        addresses = found.addresses
    else:
        raise ColumnistError(
            "newsletter.recipients: no recipients: set it to a list file or give --to ADDR"
        )
    if not addresses:
        raise ColumnistError(f"{settings.newsletter.recipients}: no valid address to send to")
    with engine.connect() as conn:
        before = last_sent(conn, issue.name, issue.topic)
    if before is not None and not again:
        return (
            f"{label} was already sent to {before.recipients} recipient"
            f"{'s' if before.recipients != 1 else ''} on {before.sent:%Y-%m-%d %H:%M} UTC; "
            "--again sends it again"
        )
    smtp = connect(settings.newsletter)  # a bad setting, server or login: before any send
    with stage("send", quiet=quiet) as progress:
        report = send_digest(
            smtp, settings.newsletter, mail, addresses, mail_domain(settings), progress=progress
        )
    for line in report.refused:
        console.print(line, style="yellow", highlight=False, markup=False)
    if report.sent:
        with transaction(engine) as conn:
            record_sent(conn, issue.name, issue.topic, len(issue.entries), report.sent)
    if report.stopped:
        raise ColumnistError(report.stopped)
    return f"{label}: sent to {report.sent} of {len(addresses)} recipients"
