"""`columnist review` and `log --audit` as a user runs them, on a real SQLite desk with
posts seeded into its store: the queue, decisions as a named user, the checks on an
edit made in $EDITOR, a conflict when the post changed meanwhile, the rebuilt site."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from columnist.store.db import open_engine
from columnist.store.review import get, revisions
from tests.conftest import error_line
from tests.review.kit import BODY, load, make_desk, seed_posts

EDITOR = """
import os, sys, time
path = sys.argv[1]
text = open(os.environ["NEW_TEXT"]).read()
if os.environ.get("BUMP_DB"):
    import sqlite3
    db = sqlite3.connect(os.environ["BUMP_DB"])
    db.execute("UPDATE posts SET version = version + 1 WHERE id = ?", (int(os.environ["POST"]),))
    db.commit()
open(path, "w").write(text)
later = time.time() + 5
os.utime(path, (later, later))
"""


@pytest.fixture
def desk(tmp_path: Path) -> tuple[Path, list[int]]:
    """A desk with posts 1 held, 2 draft (failing a check), 3 published; users ada (an
    admin, who may retract) and bob (an editor)."""
    url = f"sqlite:///{tmp_path}/desk.db"
    settings = load(make_desk(tmp_path, url))
    ids = seed_posts(settings, ["held", "draft", "published"])
    for args in (("ada", "--role", "admin"), ("bob", "--as", "ada")):
        assert run(tmp_path, "users", "add", *args, stdin="long enough\n" * 2).returncode == 0
    return tmp_path, ids


def run(
    folder: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "columnist", *args, "-c", str(folder / "columnist.toml")],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        env={k: v for k, v in os.environ.items() if k != "COLUMNIST_USER"} | (env or {}),
    )


def post(folder: Path, post_id: int):  # noqa: ANN201 - a QueuedPost
    engine = open_engine(f"sqlite:///{folder}/desk.db")
    with engine.connect() as conn:
        found = get(conn, post_id), revisions(conn, post_id)
    engine.dispose()
    return found


def test_list_filters_and_json(desk: tuple[Path, list[int]]) -> None:
    folder, (held, draft, _published) = desk
    listed = run(folder, "review", "list")
    lines = listed.stdout.splitlines()
    assert [int(line.split()[0]) for line in lines] == [draft, held]
    assert "12 words, outside 45-75" in lines[0] and "held" in lines[1]
    rows = [json.loads(x) for x in run(folder, "review", "list", "--json").stdout.splitlines()]
    assert [(r["id"], r["status"], r["version"]) for r in rows] == [
        (draft, "draft", 1),
        (held, "held", 1),
    ]
    assert rows[0]["problems"] == ["12 words, outside 45-75"]
    assert run(folder, "review", "list", "--topic", "energy").stdout == ""
    only = run(folder, "review", "list", "--problem", "WORDS", "--json").stdout.splitlines()
    assert [json.loads(x)["id"] for x in only] == [draft]
    shown = run(folder, "review", "show", str(draft)).stdout
    assert "status draft, version 1" in shown and BODY.split("\n")[0] in shown


def test_publish_reject_retract_with_audit_and_site(desk: tuple[Path, list[int]]) -> None:
    folder, (held, draft, published) = desk
    assert "say who you are" in error_line(run(folder, "review", "publish", str(held)))
    unknown = run(folder, "review", "publish", str(held), "--as", "zed")
    assert "user 'zed' does not exist" in error_line(unknown)

    done = run(folder, "review", "publish", str(held), env={"COLUMNIST_USER": "ada"})
    assert done.returncode == 0, done.stderr
    assert "build:" in done.stderr and (folder / "site/posts").is_dir()
    now, _ = post(folder, held)
    assert (now.status, now.reviewed_by, now.version) == ("published", "ada", 2)

    failing = run(folder, "review", "publish", str(draft), "--as", "bob")
    assert "fails its checks (12 words, outside 45-75): publishing it needs" in error_line(failing)
    assert post(folder, draft)[0].status == "draft"
    over = run(
        folder, "review", "publish", str(draft), "--as", "bob", "--reason", "short on purpose"
    )
    assert over.returncode == 0, over.stderr
    assert post(folder, draft)[0].review_note == "short on purpose"

    again = run(folder, "review", "publish", str(held), "--as", "bob")
    assert f"post {held} is published already" in error_line(again)
    wrong = run(folder, "review", "reject", str(published), "--as", "bob", "--reason", "x")
    assert "retract it instead" in error_line(wrong)
    assert "does not exist" in error_line(run(folder, "review", "show", "999"))

    gone = run(folder, "review", "retract", str(published), "--as", "ada", "--reason", "Wrong vote")
    assert gone.returncode == 0, gone.stderr
    assert post(folder, published)[0].status == "retracted"

    log = run(folder, "log", "--audit").stdout.splitlines()
    assert log[0].split(" ", 2)[2] == f"ada retract post {published}: Wrong vote"
    rows = [json.loads(x) for x in run(folder, "log", "--audit", "--json").stdout.splitlines()]
    assert [(r["who"], r["action"], r["post_id"], r["detail"]) for r in rows[:3]] == [
        ("ada", "retract", published, "Wrong vote"),
        ("bob", "publish", draft, "short on purpose"),
        ("ada", "publish", held, ""),
    ]


def _editor(folder: Path, text: str, **env: str) -> dict[str, str]:
    script = folder / "editor.py"
    script.write_text(EDITOR)
    new = folder / "new.txt"
    new.write_text(text)
    return {"EDITOR": f"{sys.executable} {script}", "NEW_TEXT": str(new), **env}


def test_edit_runs_the_checks_and_keeps_revisions(desk: tuple[Path, list[int]]) -> None:
    folder, (held, _draft, _published) = desk
    invented = BODY.replace("2027", "2031")
    done = run(folder, "review", "edit", str(held), "--as", "bob", env=_editor(folder, invented))
    assert done.returncode == 0, done.stderr
    assert "saved as version 2 by bob" in done.stderr and "2031" in done.stderr  # the finding
    now, kept = post(folder, held)
    assert now.body == invented and now.status == "held" and now.version == 2
    assert any("2031" in x for x in now.problems) and now.checks["edited_by"] == "bob"
    assert [(r["version"], r["kind"], r["who"]) for r in kept] == [
        (1, "written", None),
        (2, "edit", "bob"),
    ]
    assert kept[0]["body"] == BODY
    refused = run(folder, "review", "publish", str(held), "--as", "ada")
    assert "fails its checks" in error_line(refused)


def test_edit_of_a_post_changed_meanwhile_is_a_conflict(desk: tuple[Path, list[int]]) -> None:
    folder, (held, _draft, _published) = desk
    mine = BODY.replace("a long time", "twenty years")
    env = _editor(folder, mine, BUMP_DB=str(folder / "desk.db"), POST=str(held))
    line = error_line(run(folder, "review", "edit", str(held), "--as", "bob", env=env))
    assert f"post {held} changed since you read it (version 1, now 2" in line
    kept = folder / f"post-{held}-edit.txt"
    assert f"your text is kept in {kept}" in line and "twenty years" in kept.read_text()
    now, revs = post(folder, held)
    assert now.body == BODY and revs == []
    db = sqlite3.connect(folder / "desk.db")
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'edit'").fetchone() == (0,)


def test_edit_of_a_published_post_needs_a_note(desk: tuple[Path, list[int]]) -> None:
    folder, (_held, _draft, published) = desk
    env = _editor(folder, BODY.replace("a long time", "twenty years"))
    refused = run(folder, "review", "edit", str(published), "--as", "bob", env=env)
    assert "--correction TEXT or --update TEXT" in error_line(refused)
    done = run(
        folder, "review", "edit", str(published), "--as", "bob", "--update", "Adds the date.",
        env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    now, kept = post(folder, published)
    assert "twenty years" in now.body and now.status == "published"
    assert [(r["kind"], r["reason"]) for r in kept] == [
        ("written", None),
        ("update", "Adds the date."),
    ]
    page = next((folder / "site/posts").glob(f"*-{published}/index.html")).read_text()
    assert "<strong>Update</strong>" in page and "Adds the date." in page
