"""Two admin processes on one desk: two apps, each with its own engine, over one
SQLite file (and one PostgreSQL database). A cookie one made is good at the other, the
login throttle counts the failures made at both, and a logout, a new password or a
removal at one ends the sessions at the other (store/admin_state.py, migration 0008)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from columnist.admin.app import create_app
from columnist.admin.session import COOKIE, MAX_FAILURES
from columnist.review.users import remove_user, set_password
from columnist.store import audit
from columnist.store.db import open_engine
from tests.review.kit import PASSWORD, seeded_desk


@pytest.fixture
def two(tmp_path: Path, database_url: str) -> Iterator[tuple[TestClient, TestClient, object]]:
    """Clients of two apps on the same store, and an engine of a third party (the CLI)."""
    settings, engine, _ids = seeded_desk(
        tmp_path, database_url, ["held"], {"ada": "admin", "ed": "editor"}
    )
    one, other = open_engine(settings.database.url), open_engine(settings.database.url)
    with TestClient(create_app(settings, one)) as a, TestClient(create_app(settings, other)) as b:
        yield a, b, engine
    for e in (one, other, engine):
        e.dispose()


def csrf(page: httpx.Response) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> int:
    form = {"name": name, "password": password, "csrf": csrf(client.get("/login"))}
    return client.post("/login", data=form, follow_redirects=False).status_code


def cookie(client: TestClient) -> dict[str, str]:
    return {"cookie": f"{COOKIE}={client.cookies.get(COOKIE)}"}


def signed_in(client: TestClient, headers: dict[str, str] | None = None) -> bool:
    return client.get("/", headers=headers, follow_redirects=False).status_code == 200


def test_a_session_made_by_one_process_is_good_at_the_other(two) -> None:  # noqa: ANN001
    a, b, _engine = two
    assert log_in(a, "ed") == 303
    assert signed_in(b, cookie(a))  # the same signing key, from the store
    forged = {"cookie": cookie(a)["cookie"][:-3] + "AAA"}
    assert not signed_in(b, forged)


def test_the_throttle_counts_failures_made_at_both(two) -> None:  # noqa: ANN001
    a, b, engine = two
    for n in range(MAX_FAILURES):
        assert log_in(a if n % 2 else b, "ed", "not the one") == 401
    for client in (a, b):  # the right password, refused at both
        refused = client.post(
            "/login",
            data={"name": "ed", "password": PASSWORD, "csrf": csrf(client.get("/login"))},
        )
        assert refused.status_code == 429 and "wait 15 minutes" in refused.text
    assert log_in(a, "ada") == 303  # another name from the same address is not locked
    with engine.connect() as conn:
        actions = [r.action for r in audit.recent(conn, 20) if r.who == "ed"]
    assert actions.count("login-failed") == MAX_FAILURES
    assert actions.count("login-throttled") == 2


def test_a_logout_at_one_ends_the_session_at_the_other(two) -> None:  # noqa: ANN001
    a, b, _engine = two
    assert log_in(a, "ed") == 303
    copied = cookie(a)
    assert signed_in(b, copied)
    token = csrf(a.get("/"))
    assert a.post("/logout", data={"csrf": token}, follow_redirects=False).status_code == 303
    assert not signed_in(b, copied)  # ended in the store, seen by the other process
    assert log_in(b, "ed") == 303 and signed_in(b)  # a new login is a new session


def test_a_new_password_or_removal_anywhere_ends_the_sessions(two) -> None:  # noqa: ANN001
    a, b, engine = two
    assert log_in(a, "ed") == 303 and log_in(b, "ada") == 303
    token = csrf(b.get("/users"))
    new = "ed's new one"
    form = {"csrf": token, "name": "ed", "password": new, "repeat": new}
    assert b.post("/users/passwd", data=form).status_code == 200  # ada, at b
    assert not signed_in(a)  # ed, at a
    assert signed_in(b)  # the admin's own session goes on

    assert log_in(a, "ed", new) == 303
    set_password(engine, "ed", "from the terminal")  # `columnist users passwd`
    assert not signed_in(a)
    assert log_in(a, "ed", "from the terminal") == 303
    remove_user(engine, "ed")  # `columnist users remove`
    assert not signed_in(a)


def test_a_restart_keeps_the_sessions(tmp_path: Path, database_url: str) -> None:
    settings, engine, _ids = seeded_desk(tmp_path, database_url, ["held"], {"ed": "editor"})
    with TestClient(create_app(settings, engine)) as first:
        assert log_in(first, "ed") == 303
        copied = cookie(first)
    with TestClient(create_app(settings, engine)) as second:
        assert signed_in(second, copied)
    engine.dispose()
