"""Roles: an editor publishes, rejects, edits and rewrites; only an admin retracts a
published post and, once the desk has an admin, manages its users. Refused from the
terminal with one line, in the admin with a 403 page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from columnist.admin.app import create_app
from columnist.review import actions
from columnist.review.users import acting_user, verify
from columnist.store import audit
from columnist.store.db import open_engine
from tests.conftest import error_line, invoke
from tests.review.kit import load, make_desk, seeded_desk


@pytest.fixture
def desk(tmp_path: Path, database_url: str):  # noqa: ANN201 - (config path, engine, post ids)
    users = {"ed": "editor", "ada": "admin"}
    statuses = ["held", "published", "published"]
    settings, engine, ids = seeded_desk(tmp_path, database_url, statuses, users)
    yield settings.root / "columnist.toml", engine, ids
    engine.dispose()


def test_an_editor_decides_but_only_an_admin_retracts(desk) -> None:  # noqa: ANN001
    config, engine, (held, published, _other) = desk
    ed, ada = acting_user(engine, "ed"), acting_user(engine, "ada")
    actions.publish(engine, ed, actions.load(engine, held))  # an editor publishes
    with pytest.raises(actions.Forbidden, match="ed is an editor: only an admin may retract"):
        actions.retract(engine, ed, actions.load(engine, published), "Wrong.")
    assert actions.load(engine, published).status == "published"
    refused = invoke("review", "retract", str(published), "--reason", "Wrong.", "--as", "ed",
                     "-c", str(config))  # fmt: skip
    assert error_line(refused) == (
        "error: ed is an editor: only an admin may retract a published post"
    )
    actions.retract(engine, ada, actions.load(engine, published), "Wrong.")
    assert actions.load(engine, published).status == "retracted"


def login(client: TestClient, name: str) -> str:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    done = client.post(
        "/login",
        data={"name": name, "password": "long enough", "csrf": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    return token


def test_the_admin_app_refuses_an_editor_retracting(desk) -> None:  # noqa: ANN001
    config, engine, (_held, published, _other) = desk
    settings = load(config)
    app = create_app(settings, engine)
    with TestClient(app) as editor, TestClient(app) as admin:
        login(editor, "ed")
        page = editor.get(f"/posts/{published}").text
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        assert f'action="/posts/{published}/retract"' not in page  # not offered
        assert f'action="/posts/{published}/edit"' in page  # an editor still edits
        gone = editor.post(
            f"/posts/{published}/retract", data={"version": "1", "csrf": token, "reason": "No."}
        )
        assert gone.status_code == 403
        assert "ed is an editor: only an admin may retract a published post" in gone.text
        assert actions.load(engine, published).status == "published"

        login(admin, "ada")
        page = admin.get(f"/posts/{published}").text
        assert f'action="/posts/{published}/retract"' in page
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        done = admin.post(
            f"/posts/{published}/retract",
            data={"version": "1", "csrf": token, "reason": "No."},
            follow_redirects=False,
        )
        assert done.status_code == 303
    assert actions.load(engine, published).status == "retracted"


def test_only_an_admin_manages_users_once_there_is_one(tmp_path: Path) -> None:
    config = str(make_desk(tmp_path, f"sqlite:///{tmp_path}/desk.db"))
    password = "long enough\n" * 2

    def users(*args: str, stdin: str = password):  # noqa: ANN202
        return invoke("users", *args, "-c", config, input=stdin)

    assert users("add", "ed").returncode == 0  # no admin yet: the first users come in freely
    assert users("add", "ada", "--role", "admin").returncode == 0
    assert "say who you are: --as NAME" in error_line(users("add", "cy"))
    assert error_line(users("add", "cy", "--as", "ed")) == (
        "error: user 'ed' is an editor: only an admin manages users (--as an admin)"
    )
    assert "only an admin manages users" in error_line(users("remove", "ada", "--as", "ed"))
    assert "only an admin manages users" in error_line(users("passwd", "ada", "--as", "ed"))
    assert users("passwd", "ed", "--as", "ed", stdin="new secret\n" * 2).returncode == 0  # own
    assert users("add", "cy", "--as", "ada").returncode == 0
    assert users("remove", "cy", "--as", "ada").returncode == 0
    engine = open_engine(f"sqlite:///{tmp_path}/desk.db")
    assert verify(engine, "ed", "new secret") is not None
    with engine.connect() as conn:
        log = [(a.who, a.action, a.detail) for a in audit.recent(conn)]
    engine.dispose()
    assert log[:3] == [
        ("ada", "user-remove", "user cy"),
        ("ada", "user-add", "user cy"),
        ("ed", "user-passwd", "user ed"),
    ]
    assert log[-1][0].startswith("shell")  # before there was an admin
