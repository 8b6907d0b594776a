"""`columnist users` as a user runs it: passwords from a pipe (two lines), argon2 hashes
in a real SQLite store, one-line errors naming the user."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from columnist.review.users import verify
from columnist.store import audit
from columnist.store import users as user_store
from columnist.store.db import open_engine
from tests.conftest import error_line
from tests.review.kit import make_desk


def run(folder: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "columnist", *args, "-c", str(folder / "columnist.toml")],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_add_list_passwd_remove(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/desk.db"
    make_desk(tmp_path, url)
    done = run(tmp_path, "users", "add", "ada", "--role", "admin", stdin="correct horse\n" * 2)
    assert done.returncode == 0, done.stderr
    assert "correct horse" not in done.stdout + done.stderr
    engine = open_engine(url)
    with engine.connect() as conn:
        ada = user_store.get(conn, "ada")
    assert ada is not None and ada.role == "admin"
    assert ada.password_hash.startswith("$argon2id$") and "correct horse" not in ada.password_hash
    assert verify(engine, "ada", "correct horse") is not None
    assert verify(engine, "ada", "wrong horse") is None
    assert verify(engine, "nobody", "correct horse") is None

    listed = run(tmp_path, "users", "list")
    assert listed.stdout.split()[:2] == ["ada", "admin"]

    assert (
        run(
            tmp_path, "users", "passwd", "ada", "--as", "ada", stdin="battery staple\n" * 2
        ).returncode
        == 0
    )
    assert verify(engine, "ada", "battery staple") is not None
    assert verify(engine, "ada", "correct horse") is None

    assert run(tmp_path, "users", "remove", "ada", "--as", "ada").returncode == 0
    with engine.connect() as conn:
        assert user_store.get(conn, "ada") is None
        actions = [(a.action, a.detail) for a in audit.recent(conn)]
    engine.dispose()
    assert actions == [
        ("user-remove", "user ada"),
        ("user-passwd", "user ada"),
        ("user-add", "user ada"),
    ]


def test_errors_are_one_line_naming_the_user(tmp_path: Path) -> None:
    make_desk(tmp_path, f"sqlite:///{tmp_path}/desk.db")
    assert run(tmp_path, "users", "add", "ada", stdin="long enough\n" * 2).returncode == 0
    cases = {
        ("users", "add", "ada"): ("long enough\n" * 2, "user 'ada' exists already"),
        ("users", "add", "bob"): ("one password\nanother one\n", "user 'bob': the two passwords"),
        ("users", "add", "cy"): ("short\nshort\n", "user 'cy': the password must have at least"),
        ("users", "add", "dee", "--role", "boss"): ("long enough\n" * 2, "role must be editor"),
        ("users", "remove", "zed"): ("", "user 'zed' does not exist"),
        ("users", "passwd", "zed"): ("long enough\n" * 2, "user 'zed' does not exist"),
    }
    for args, (stdin, expected) in cases.items():
        assert expected in error_line(run(tmp_path, *args, stdin=stdin)), args
