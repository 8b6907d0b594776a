"""`columnist users`: the people who may review posts (add, list, remove, passwd).

Once the desk has an admin, only an admin (`--as NAME` or $COLUMNIST_USER) adds and
removes users and sets passwords; a user may set their own. Before that anyone may,
which is how the first users are added.

A password is asked twice with a hidden prompt, never taken from the command line
(where `ps` and the shell's history would keep it); from a pipe it is read as two
lines, for scripts.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from columnist.cli import ConfigOpt, open_desk, say
from columnist.review.users import ROLES, UserError, add_user, check_name, user_manager

app = typer.Typer(name="users", no_args_is_help=True, help="The desk's reviewers.")
AsOpt = Annotated[
    str | None,
    typer.Option("--as", help="The admin acting, once the desk has one ($COLUMNIST_USER)."),
]


def shell_user() -> str:
    """Who ran a `users` command, for the audit log (it has no desk user yet)."""
    try:
        return f"shell:{getpass.getuser()}"
    except (KeyError, OSError):
        return "shell"


def ask_password(name: str) -> str:
    """The new password, asked twice; both must match."""
    if sys.stdin.isatty():
        first = getpass.getpass(f"Password for {name}: ")
        second = getpass.getpass("Repeat it: ")
    else:
        first, second = sys.stdin.readline().rstrip("\n"), sys.stdin.readline().rstrip("\n")
    if first != second:
        raise UserError(f"user {name!r}: the two passwords differ")
    return first


def _audit(engine, action: str, name: str, who: str | None) -> None:  # noqa: ANN001 - an Engine
    from columnist.store import audit
    from columnist.store.db import transaction

    with transaction(engine) as conn:
        audit.record(conn, who or shell_user(), action, None, f"user {name}")


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The user's name (no spaces).")],
    config: ConfigOpt = None,
    role: Annotated[str, typer.Option(help=" | ".join(ROLES))] = "editor",
    as_user: AsOpt = None,
) -> None:
    """Add a user; the password is asked twice on the terminal."""
    name = check_name(name)
    with open_desk(config) as (_settings, engine):
        who = user_manager(engine, as_user)
        add_user(engine, name, role, ask_password(name))
        _audit(engine, "user-add", name, who)
    say(f"user {name} added ({role})")


@app.command("list")
def list_users(config: ConfigOpt = None) -> None:
    """List the users: name, role, when added."""
    from columnist.store.users import all_users

    with open_desk(config) as (_settings, engine), engine.connect() as conn:
        rows = all_users(conn)
    for u in rows:
        print(f"{u.name:<20} {u.role:<7} added {u.created:%Y-%m-%d %H:%M}")
    if not rows:
        say("no users: add one with `columnist users add NAME`")


@app.command("remove")
def remove(name: str, config: ConfigOpt = None, as_user: AsOpt = None) -> None:
    """Remove a user (what they did stays in the audit log under their name)."""
    from columnist.review.users import remove_user

    with open_desk(config) as (_settings, engine):
        who = user_manager(engine, as_user)
        remove_user(engine, name)
        _audit(engine, "user-remove", name, who)
    say(f"user {name} removed")


@app.command("passwd")
def passwd(name: str, config: ConfigOpt = None, as_user: AsOpt = None) -> None:
    """Set a user's password (an admin, or the user themselves); asked twice."""
    from columnist.review.users import acting_user, set_password

    with open_desk(config) as (_settings, engine):
        acting_user(engine, name)  # says so if there is no such user, before asking
        who = user_manager(engine, as_user, target=name)
        set_password(engine, name, ask_password(name))
        _audit(engine, "user-passwd", name, who)
    say(f"password of {name} changed")
