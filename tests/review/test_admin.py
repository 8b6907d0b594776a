"""The admin web app against a real desk (a SQLite file, then PostgreSQL): cookie
flags, CSRF on every POST, the login throttle and its log, escaping of hostile feed
text, publishing from the queue with the site rebuilt, and a stale version refused. The
same app served by a real uvicorn on 127.0.0.1 answers with the security headers."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from columnist.admin.app import create_app
from columnist.admin.session import ABSOLUTE_SECONDS, IDLE_SECONDS, Session, Signer
from columnist.store import audit
from columnist.store.db import open_engine, transaction
from columnist.store.review import get
from columnist.store.schema import posts
from tests.review.kit import seeded_desk

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def desk(tmp_path: Path, database_url: str):  # noqa: ANN201 - (client, settings, post ids)
    # bob is an admin: he retracts too
    settings, engine, ids = seeded_desk(tmp_path, database_url, ["held", "draft"], {"bob": "admin"})
    with transaction(engine) as conn:  # a feed's hostile headline
        conn.execute(update(posts).where(posts.c.id == ids[0]).values(title=HOSTILE))
    with TestClient(create_app(settings, engine)) as client:
        yield client, settings, ids
    engine.dispose()


def csrf(page: httpx.Response) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def log_in(client: TestClient, name: str = "bob", password: str = "long enough") -> httpx.Response:
    form = client.get("/login")
    return client.post(
        "/login",
        data={"name": name, "password": password, "csrf": csrf(form)},
        follow_redirects=False,
    )


def test_cookie_flags_headers_and_csrf_on_login(desk) -> None:  # noqa: ANN001
    client, _settings, _ids = desk
    page = client.get("/login")
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["x-frame-options"] == "DENY"
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    assert "<script" not in page.text
    refused = client.post("/login", data={"name": "bob", "password": "long enough"})
    assert refused.status_code == 403
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_wrong_passwords_are_refused_logged_and_throttled(desk) -> None:  # noqa: ANN001
    client, settings, _ids = desk
    for _ in range(5):
        assert log_in(client, password="not the one").status_code == 401
    locked = log_in(client)  # the right password, but too late
    assert locked.status_code == 429 and "wait 15 minutes" in locked.text
    engine = open_engine(settings.database.url)
    with engine.connect() as conn:
        rows = [(a.who, a.action, a.detail) for a in reversed(audit.recent(conn))]
    engine.dispose()
    assert rows.count(("bob", "login-failed", "from testclient")) == 5
    assert rows[-1] == ("bob", "login-throttled", "from testclient")


def test_queue_escapes_and_publish_needs_the_token(desk) -> None:  # noqa: ANN001
    client, settings, (held, draft) = desk
    done = log_in(client)
    assert done.status_code == 303 and done.headers["location"] == "/"
    queue = client.get("/")
    assert queue.status_code == 200
    assert "&lt;script&gt;" in queue.text and "<script>" not in queue.text
    assert "onerror=alert" not in queue.text.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert "12 words, outside 45-75" in queue.text
    page = client.get(f"/posts/{held}")
    assert "<script>" not in page.text
    token = csrf(page)
    flagged = client.get(f"/posts/{draft}")
    assert "<mark" not in flagged.text  # the draft's problem is its length: nothing to mark

    assert client.post(f"/posts/{held}/publish", data={"version": "1"}).status_code == 403
    wrong = client.post(f"/posts/{held}/publish", data={"version": "1", "csrf": "forged"})
    assert wrong.status_code == 403

    stale = client.post(f"/posts/{held}/publish", data={"version": "0", "csrf": token})
    assert stale.status_code == 409 and "changed since you read it" in stale.text

    ok = client.post(
        f"/posts/{held}/publish", data={"version": "1", "csrf": token}, follow_redirects=False
    )
    assert ok.status_code == 303, ok.text
    engine = open_engine(settings.database.url)
    with engine.connect() as conn:
        post = get(conn, held)
    engine.dispose()
    assert (post.status, post.reviewed_by) == ("published", "bob")
    built = next((settings.site.output / "posts").glob("*/index.html")).read_text()
    assert "reviewed and approved by bob" in built and "&lt;script&gt;" in built

    failing = client.post(f"/posts/{draft}/publish", data={"version": "1", "csrf": token})
    assert failing.status_code == 400 and "needs a written reason" in failing.text

    copied = {"cookie": f"columnist_admin={client.cookies.get('columnist_admin')}"}
    assert client.get("/", headers=copied, follow_redirects=False).status_code == 200
    out = client.post("/logout", data={"csrf": token}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    late = client.get("/", headers=copied, follow_redirects=False)  # a copy is no good either
    assert late.headers["location"] == "/login"


def test_sessions_expire_and_cannot_be_forged() -> None:
    signer = Signer()
    session = Session.fresh()
    session.user = "bob"
    value = signer.dump(session)
    assert signer.load(value).user == "bob"
    assert signer.load(value, now=session.seen + IDLE_SECONDS + 1) is None
    session.seen = session.started + ABSOLUTE_SECONDS
    assert signer.load(signer.dump(session), now=session.started + ABSOLUTE_SECONDS + 1) is None
    assert Signer().load(value) is None  # another key: a forged cookie
    assert signer.load(value[:-2] + "AA") is None


def test_served_by_uvicorn_on_loopback(desk) -> None:  # noqa: ANN001
    import uvicorn

    _client, settings, _ids = desk
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        host, port = server.servers[0].sockets[0].getsockname()[:2]
        assert host == "127.0.0.1"
        page = httpx.get(f"http://127.0.0.1:{port}/login", timeout=10)
        assert page.status_code == 200 and "Log in" in page.text
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        assert "samesite=strict" in page.headers["set-cookie"].lower()
        assert httpx.get(f"http://127.0.0.1:{port}/static/style.css").status_code == 200
    finally:
        server.should_exit = True
        thread.join(10)


def test_edit_conflict_keeps_the_text_and_retract(desk) -> None:  # noqa: ANN001
    client, settings, (held, _draft) = desk
    log_in(client)
    token = csrf(client.get(f"/posts/{held}"))
    mine = "I think the harbour homes matter.\n\nFamilies have waited long enough."
    saved = client.post(
        f"/posts/{held}/edit",
        data={"version": "1", "csrf": token, "body": mine},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    late = client.post(  # a second editor who opened version 1
        f"/posts/{held}/edit", data={"version": "1", "csrf": token, "body": "Other <b>text</b>."}
    )
    assert late.status_code == 409 and "changed since you read it" in late.text
    assert "Other &lt;b&gt;text&lt;/b&gt;." in late.text  # kept, escaped, for the editor
    engine = open_engine(settings.database.url)
    with engine.connect() as conn:
        assert get(conn, held).body == mine
    publish = {"version": "2", "csrf": token, "reason": "short on purpose"}
    assert client.post(f"/posts/{held}/publish", data=publish).status_code == 200
    page = client.get(f"/posts/{held}")
    assert f'action="/posts/{held}/retract"' in page.text
    gone = client.post(
        f"/posts/{held}/retract", data={"version": "3", "csrf": token, "reason": "Wrong."}
    )
    assert gone.status_code == 200
    with engine.connect() as conn:
        assert get(conn, held).status == "retracted"
        assert [a.action for a in audit.recent(conn)][:3] == ["retract", "publish", "edit"]
    engine.dispose()


def test_throttle_lifts_after_the_wait(desk) -> None:  # noqa: ANN001
    from columnist.admin.session import LOCK_SECONDS, MAX_FAILURES, Throttle

    _client, settings, _ids = desk
    engine = open_engine(settings.database.url)
    throttle = Throttle(engine)
    start = time.time()
    for n in range(MAX_FAILURES):
        throttle.failed("bob", "10.0.0.1", now=start + n)
    assert throttle.locked("bob", "10.0.0.1", now=start + MAX_FAILURES)
    assert not throttle.locked("bob", "10.0.0.2") and not throttle.locked("ada", "10.0.0.1")
    # the oldest failure ages out first: four left, unlocked
    assert not throttle.locked("bob", "10.0.0.1", now=start + LOCK_SECONDS + 0.5)
    throttle.failed("bob", "10.0.0.1", now=start + LOCK_SECONDS + 0.5)  # the fifth again
    assert throttle.locked("bob", "10.0.0.1", now=start + LOCK_SECONDS + 0.5)
    throttle.passed("bob", "10.0.0.1")
    assert not throttle.locked("bob", "10.0.0.1", now=start + LOCK_SECONDS + 0.5)
    engine.dispose()


def test_post_page_marks_what_the_checks_found_escaped(desk) -> None:  # noqa: ANN001
    client, _settings, (held, _draft) = desk
    log_in(client)
    token = csrf(client.get(f"/posts/{held}"))
    body = "I think 2031 is <script>alert(1)</script> too late.\n\nFamilies have waited."
    saved = client.post(f"/posts/{held}/edit", data={"version": "1", "csrf": token, "body": body})
    assert saved.status_code == 200
    page = client.get(f"/posts/{held}").text
    assert '<mark title="not in the sources: 2031">I think 2031 is &lt;script&gt;' in page
    assert "<dt><mark>2031</mark></dt><dd>number not in the sources" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page


def test_cookie_is_secure_over_https(desk) -> None:  # noqa: ANN001
    _client, settings, _ids = desk
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        cookie = client.get("/login").headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie
