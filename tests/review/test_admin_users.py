"""The admin's users pages against a real desk (a SQLite file, then PostgreSQL): an
admin lists, adds and removes users and sets passwords (the CLI's store functions and
checks, its audit lines); every form needs the session's CSRF token; an editor is
refused with a 403."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from columnist.admin.app import create_app
from columnist.review.users import verify
from columnist.store import audit
from columnist.store import users as user_store
from tests.review.kit import PASSWORD, seeded_desk

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def desk(tmp_path: Path, database_url: str):  # noqa: ANN201 - (app, engine)
    users = {"ada": "admin", "ed": "editor"}
    settings, engine, _ids = seeded_desk(tmp_path, database_url, ["held"], users)
    yield create_app(settings, engine), engine
    engine.dispose()


def csrf(page: httpx.Response) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> int:
    done = client.post(
        "/login",
        data={"name": name, "password": password, "csrf": csrf(client.get("/login"))},
        follow_redirects=False,
    )
    return done.status_code


def names(engine) -> list[tuple[str, str]]:  # noqa: ANN001
    with engine.connect() as conn:
        return [(u.name, u.role) for u in user_store.all_users(conn)]


def log(engine, n: int) -> list[tuple[str, str, str]]:  # noqa: ANN001
    with engine.connect() as conn:
        return [(a.who, a.action, a.detail) for a in audit.recent(conn, n)]


def test_an_admin_adds_changes_and_removes_users(desk) -> None:  # noqa: ANN001
    app, engine = desk
    with TestClient(app) as client:
        assert log_in(client, "ada") == 303
        assert 'href="/users"' in client.get("/").text  # linked from the header
        page = client.get("/users")
        assert page.status_code == 200
        assert "ada" in page.text and "ed" in page.text and 'action="/users/add"' in page.text
        token = csrf(page)

        form = {"csrf": token, "name": "cy", "role": "editor", "password": "cy's secret",
                "repeat": "cy's secret"}  # fmt: skip
        assert client.post("/users/add", data=form | {"csrf": ""}).status_code == 403
        assert client.post("/users/add", data={k: v for k, v in form.items() if k != "csrf"}
                           ).status_code == 403  # fmt: skip
        assert ("cy", "editor") not in names(engine)
        added = client.post("/users/add", data=form)
        assert added.status_code == 200 and "user cy added (editor)" in added.text
        assert ("cy", "editor") in names(engine)
        assert verify(engine, "cy", "cy's secret") is not None

        # refused with the CLI's messages, the form kept (escaped)
        again = client.post("/users/add", data=form)
        assert again.status_code == 400 and "user &#39;cy&#39; exists already" in again.text
        short = client.post("/users/add", data=form | {"name": "dee", "password": "short",
                                                       "repeat": "short"})  # fmt: skip
        assert short.status_code == 400 and "at least 8 characters" in short.text
        differ = client.post("/users/add", data=form | {"name": "dee", "repeat": "other one"})
        assert differ.status_code == 400 and "the two passwords differ" in differ.text
        bad = client.post("/users/add", data=form | {"name": "<b onclick=x>"})
        assert bad.status_code == 400 and "<b onclick" not in bad.text and "no spaces" in bad.text
        shown = client.post("/users/add", data=form | {"name": HOSTILE})  # a valid name
        assert shown.status_code == 200 and HOSTILE not in shown.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown.text
        assert (
            client.post("/users/remove", data={"csrf": token, "name": HOSTILE}).status_code == 200
        )
        role = client.post("/users/add", data=form | {"name": "dee", "role": "owner"})
        assert role.status_code == 400 and "role must be editor or admin" in role.text
        assert [n for n, _ in names(engine)] == ["ada", "cy", "ed"]

        changed = client.post(
            "/users/passwd",
            data={
                "csrf": token,
                "name": "ed",
                "password": "ed's new one",
                "repeat": "ed's new one",
            },
        )
        assert changed.status_code == 200 and "password of ed changed" in changed.text
        assert verify(engine, "ed", "ed's new one") is not None
        assert verify(engine, "ed", PASSWORD) is None

        removed = client.post("/users/remove", data={"csrf": token, "name": "cy"})
        assert removed.status_code == 200 and "user cy removed" in removed.text
        assert [n for n, _ in names(engine)] == ["ada", "ed"]
        nobody = client.post("/users/remove", data={"csrf": token, "name": "zed"})
        assert nobody.status_code == 400 and "does not exist" in nobody.text
        self_ = client.post("/users/remove", data={"csrf": token, "name": "ada"})
        assert self_.status_code == 400 and "cannot remove yourself" in self_.text
    assert log(engine, 5) == [
        ("ada", "user-remove", "user cy"),
        ("ada", "user-passwd", "user ed"),
        ("ada", "user-remove", f"user {HOSTILE}"),
        ("ada", "user-add", f"user {HOSTILE}"),
        ("ada", "user-add", "user cy"),
    ]  # as `columnist users` logs them; refusals leave no line


def test_an_editor_is_refused_every_users_page(desk) -> None:  # noqa: ANN001
    app, engine = desk
    with TestClient(app) as client:
        assert client.get("/users", follow_redirects=False).headers["location"] == "/login"
        assert log_in(client, "ed") == 303
        assert 'href="/users"' not in client.get("/").text
        page = client.get("/users")
        assert page.status_code == 403 and "only an admin manages users" in page.text
        token = csrf(page)  # the logout form's: a valid token, still refused
        for action, form in [
            ("add", {"name": "cy", "role": "admin", "password": "x" * 10, "repeat": "x" * 10}),
            ("remove", {"name": "ada"}),
            ("passwd", {"name": "ada", "password": "y" * 10, "repeat": "y" * 10}),
            ("passwd", {"name": "ed", "password": "y" * 10, "repeat": "y" * 10}),
        ]:
            refused = client.post(f"/users/{action}", data=form | {"csrf": token})
            assert refused.status_code == 403, action
    assert names(engine) == [("ada", "admin"), ("ed", "editor")]
    assert verify(engine, "ada", PASSWORD) is not None and verify(engine, "ed", PASSWORD)
    assert not [a for a in log(engine, 20) if a[1].startswith("user-")]


def test_a_new_password_or_removal_ends_that_users_sessions(desk) -> None:  # noqa: ANN001
    app, engine = desk
    with TestClient(app) as admin, TestClient(app) as editor:
        assert log_in(editor, "ed") == 303
        assert editor.get("/", follow_redirects=False).status_code == 200
        assert log_in(admin, "ada") == 303
        token = csrf(admin.get("/users"))
        new = "ed's new one"
        form = {"csrf": token, "name": "ed", "password": new, "repeat": new}
        assert admin.post("/users/passwd", data=form).status_code == 200
        assert editor.get("/", follow_redirects=False).headers["location"] == "/login"
        assert log_in(editor, "ed", new) == 303
        assert admin.post("/users/remove", data={"csrf": token, "name": "ed"}).status_code == 200
        assert editor.get("/", follow_redirects=False).headers["location"] == "/login"
        assert admin.get("/users").status_code == 200  # the admin's own session goes on
