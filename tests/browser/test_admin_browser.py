"""The admin in a real browser: `columnist admin`'s app served by uvicorn on 127.0.0.1
over a desk with held posts (a SQLite file, then PostgreSQL), driven by headless
Chromium (cdp.py).

Logging in and publishing a held post that then shows on the built site; a wrong
password refused, then throttled; POSTs without or with a wrong CSRF token refused;
the session cookie's flags as the browser stores them; a hostile feed title shown as
text and never run; axe-core on the login, queue and post pages; two editors saving
the same post; writing a post again with a note. One server and one Chromium for the
whole module and store.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import update

from columnist.admin.app import create_app
from columnist.config import Settings
from columnist.store.db import open_engine, transaction
from columnist.store.review import get
from columnist.store.schema import posts
from tests.browser.cdp import Browser, Page, chromium_path
from tests.browser.test_browser import AXE, require, run_axe
from tests.commentary.kit import ScriptedBackend
from tests.conftest import database_url_for, served
from tests.review.kit import PARAGRAPH, PASSWORD, PLAN, seeded_desk

# A feed title that would set window.pwned if any admin page ran it.
HOSTILE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> homes'


@dataclass
class Admin:
    url: str  # the admin, ends with "/"
    site: str  # the built site, served, ends with "/"
    settings: Settings
    held: int  # post ids, as seeded
    hostile: int
    contested: int
    draft: int
    published: int  # its story grew: a rewrite waits, and bob corrects it (last test)
    writer: ScriptedBackend  # what writes a post again


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def admin(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Admin]:
    import uvicorn

    folder = tmp_path_factory.mktemp("admin")
    url = database_url_for(request.param, folder)
    editors = dict.fromkeys(("bob", "carol", "dora"), "editor")
    statuses = ["held", "held", "held", "draft", "published"]
    settings, engine, ids = seeded_desk(folder, url, statuses, editors)
    held, hostile, contested, draft, published = ids
    with transaction(engine) as conn:
        conn.execute(update(posts).where(posts.c.id == hostile).values(title=HOSTILE))
    settings.site.output.mkdir(parents=True, exist_ok=True)
    writer = ScriptedBackend([PLAN, *[PARAGRAPH] * 40])
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, engine, writer), host="127.0.0.1", port=0, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        port = server.servers[0].sockets[0].getsockname()[1]
        with served(settings.site.output) as site:
            yield Admin(
                f"http://127.0.0.1:{port}/", site, settings, held, hostile, contested, draft,
                published, writer,
            )  # fmt: skip
    finally:
        server.should_exit = True
        thread.join(10)
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    binary = chromium_path()
    require("chromium", binary is not None)
    assert binary is not None
    chromium = Browser(binary)
    try:
        yield chromium
    finally:
        chromium.close()


def fresh_page(browser: Browser) -> Page:
    """A tab in a browser context of its own: its own cookies, i.e. its own editor."""
    context = browser.send("Target.createBrowserContext")["browserContextId"]
    target = browser.send("Target.createTarget", url="about:blank", browserContextId=context)
    session = browser.send("Target.attachToTarget", targetId=target["targetId"], flatten=True)
    return Page(browser, target["targetId"], session["sessionId"])


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    page = fresh_page(browser)
    try:
        yield page
    finally:
        page.close()


def submit(tab: Page, selector: str, **fields: str) -> None:
    """Fill the form's fields (by name) and submit it as a person would, with its button;
    returns once the next page has loaded."""
    fill = "".join(
        f"form.elements[{json.dumps(k)}].value = {json.dumps(v)};" for k, v in fields.items()
    )
    since = tab.browser.event_count()
    tab.evaluate(
        f"(() => {{ const form = document.querySelector({json.dumps(selector)}); {fill}"
        "form.querySelector('button[type=submit]').click(); return true; })()"
    )
    tab.browser.wait_event("Page.loadEventFired", tab.session, since)


def log_in(tab: Page, admin: Admin, name: str, password: str = PASSWORD) -> None:
    tab.goto(admin.url + "login")
    submit(tab, "form[action='/login']", name=name, password=password)


def text(tab: Page, selector: str = "main") -> str:
    return tab.evaluate(f"document.querySelector({json.dumps(selector)}).textContent")


def status_of(admin: Admin, post_id: int) -> str:
    engine = open_engine(admin.settings.database.url)
    with engine.connect() as conn:
        post = get(conn, post_id)
    engine.dispose()
    return post.status


def test_log_in_publish_and_see_it_on_the_site(admin: Admin, tab: Page) -> None:
    log_in(tab, admin, "bob")
    assert tab.evaluate("location.pathname") == "/"
    assert "Signed in as bob" in text(tab, "header")
    tab.evaluate(f"document.querySelector('a[href=\"/posts/{admin.held}\"]').click()")
    tab.wait_for(f"location.pathname === '/posts/{admin.held}'")
    tab.wait_for("document.readyState === 'complete'")
    submit(tab, f"form[action='/posts/{admin.held}/publish']")
    assert tab.evaluate("location.pathname") == f"/posts/{admin.held}"
    assert text(tab, ".status") == "published"
    assert status_of(admin, admin.held) == "published"

    engine = open_engine(admin.settings.database.url)
    with engine.connect() as conn:
        slug = get(conn, admin.held).slug
    engine.dispose()
    tab.goto(f"{admin.site}posts/{slug}/")
    assert tab.evaluate("document.querySelector('h1').textContent").startswith(
        "Council votes for harbour homes"
    )
    assert "reviewed and approved by bob" in text(tab, "body")


def test_wrong_password_refused_then_throttled(admin: Admin, tab: Page) -> None:
    for _ in range(5):
        log_in(tab, admin, "carol", "not the one")
        assert tab.evaluate("location.pathname") == "/login"
        assert text(tab, "[role=alert]") == "Wrong name or password."
    log_in(tab, admin, "carol")  # the right password, too late
    assert tab.evaluate("location.pathname") == "/login"
    assert "wait 15 minutes" in text(tab, "[role=alert]")
    tab.goto(admin.url)
    assert tab.evaluate("location.pathname") == "/login"  # not signed in


def post_form(tab: Page, action: str, fields: dict[str, str]) -> None:
    """A form the page never had, posted from the page: what another site's form or a
    stale page would send."""
    inputs = "".join(
        f"i = document.createElement('input'); i.name = {json.dumps(k)}; "
        f"i.value = {json.dumps(v)}; f.appendChild(i);"
        for k, v in fields.items()
    )
    since = tab.browser.event_count()
    tab.evaluate(
        "(() => { const f = document.createElement('form'); f.method = 'post'; "
        f"f.action = {json.dumps(action)}; let i; {inputs} document.body.appendChild(f); "
        "f.submit(); return true; })()"
    )
    tab.browser.wait_event("Page.loadEventFired", tab.session, since)


def test_posts_without_or_with_a_wrong_csrf_token_are_refused(admin: Admin, tab: Page) -> None:
    log_in(tab, admin, "dora")
    tab.goto(f"{admin.url}posts/{admin.draft}")
    action = f"/posts/{admin.draft}/reject"
    post_form(tab, action, {"version": "1", "reason": "no token"})
    assert "did not come from this page" in text(tab, "[role=alert]")
    tab.goto(f"{admin.url}posts/{admin.draft}")
    post_form(tab, action, {"version": "1", "reason": "forged", "csrf": "forged-token"})
    assert "did not come from this page" in text(tab, "[role=alert]")
    assert status_of(admin, admin.draft) == "draft"
    tab.goto(admin.url)
    assert tab.evaluate("location.pathname") == "/"  # still signed in: only the POST failed


def test_session_cookie_flags(admin: Admin, tab: Page) -> None:
    log_in(tab, admin, "dora")
    cookies = tab.send("Network.getCookies", urls=[admin.url])["cookies"]
    [cookie] = [c for c in cookies if c["name"] == "columnist_admin"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["secure"] is False  # plain http on 127.0.0.1
    assert tab.evaluate("document.cookie") == ""  # out of any script's reach


def test_hostile_feed_title_is_shown_not_run(admin: Admin, tab: Page) -> None:
    log_in(tab, admin, "dora")
    for path in ("", f"posts/{admin.hostile}", "?problem=words", "?topic=housing"):
        tab.goto(admin.url + path)
        tab.wait_for("document.readyState === 'complete'")
        assert tab.evaluate("window.pwned === undefined"), path
        assert tab.evaluate("document.querySelectorAll('main script, main img').length") == 0
        if path in ("", f"posts/{admin.hostile}", "?topic=housing"):
            assert "<script>window.pwned=1</script>" in text(tab), path
    # An edit that fails keeps the hostile text on the notice page: shown, not run.
    tab.goto(f"{admin.url}posts/{admin.hostile}")
    submit(tab, f"form[action='/posts/{admin.hostile}/edit']", body=HOSTILE, version="0")
    assert "changed since you read it" in text(tab, "[role=alert]")
    assert tab.evaluate("document.querySelector('#kept').value") == HOSTILE
    assert tab.evaluate("window.pwned === undefined")


def test_axe_finds_no_violations_on_the_admin_pages(admin: Admin, tab: Page) -> None:
    require("axe-core (npm)", AXE.is_file())
    problems = {}
    tab.goto(admin.url + "login")
    problems["login"] = run_axe(tab)
    log_in(tab, admin, "wrong-name", "not the one")  # the page with its error
    problems["login, refused"] = run_axe(tab)
    log_in(tab, admin, "dora")
    for name, path in [
        ("queue", ""),
        ("post", f"posts/{admin.hostile}"),
        ("draft", f"posts/{admin.draft}"),
        ("published", f"posts/{admin.held}"),
    ]:
        tab.goto(admin.url + path)
        problems[name] = run_axe(tab)
    problems = {k: v for k, v in problems.items() if v}
    assert problems == {}, json.dumps(problems, indent=1)


def test_two_editors_saving_the_same_post(admin: Admin, browser: Browser) -> None:
    first, second = fresh_page(browser), fresh_page(browser)
    try:
        for tab, name in ((first, "bob"), (second, "dora")):
            log_in(tab, admin, name)
            tab.goto(f"{admin.url}posts/{admin.contested}")
        form = f"form[action='/posts/{admin.contested}/edit']"
        mine = "I think the harbour homes matter.\n\nFamilies have waited long enough."
        theirs = "I doubt the harbour homes will be ready.\n\nThe council has promised before."
        submit(first, form, body=mine)
        assert first.evaluate("location.pathname") == f"/posts/{admin.contested}"
        submit(second, form, body=theirs)
        alert = text(second, "[role=alert]")
        assert "changed since you read it" in alert and "nothing was saved" in alert
        assert second.evaluate("document.querySelector('#kept').value") == theirs
        engine = open_engine(admin.settings.database.url)
        with engine.connect() as conn:
            assert get(conn, admin.contested).body == mine
        engine.dispose()
    finally:
        first.close()
        second.close()


def test_write_again_with_a_note(admin: Admin, tab: Page) -> None:
    log_in(tab, admin, "bob")
    tab.goto(f"{admin.url}posts/{admin.draft}")
    note = "Warmer, and about the <em>families</em>."
    submit(tab, f"form[action='/posts/{admin.draft}/rewrite']", note=note)
    assert tab.evaluate("location.pathname") == f"/posts/{admin.draft}"
    assert text(tab, ".status") == "held"  # written again, waiting for a person
    assert PARAGRAPH[:40] in text(tab, ".post-body")
    assert f"<note>{note}</note>" in admin.writer.prompts[0][-1]["content"]
    assert status_of(admin, admin.draft) == "held"


def test_a_waiting_rewrite_that_would_drop_a_correction(admin: Admin, tab: Page) -> None:
    """The published post's story grew and the writer's new text waits; then bob
    corrected the published text. The page says so (axe finds nothing wrong with it),
    publishing without the box is refused, with it the rewrite goes up."""
    from columnist.review import actions
    from columnist.review.users import acting_user
    from columnist.store.review import offer_rewrite
    from columnist.store.schema import posts as posts_table

    engine = open_engine(admin.settings.database.url)
    with transaction(engine) as conn:
        row = conn.execute(posts_table.select().where(posts_table.c.id == admin.published)).one()
        offer_rewrite(conn, row, {
            "status": "held", "body": PARAGRAPH, "excerpt": PARAGRAPH[:40], "backend": "scripted",
            "model": "script", "prompt_version": "p1", "checks": "{}", "source_count": 3,
        })  # fmt: skip
    post = actions.load(engine, admin.published)
    fix = "The vote was 7 to 2, not <b>8</b> to 1."
    body = post.body.replace("I think", "I still think", 1)
    actions.edit(engine, admin.settings, acting_user(engine, "bob"), post, body, fix, "correction")
    log_in(tab, admin, "dora")
    tab.goto(f"{admin.url}posts/{admin.published}")
    box = text(tab, ".conflict")
    assert "corrected after the writer wrote it" in box and "Correction by bob on " in box
    assert fix in box  # as text: the <b> is not markup
    assert tab.evaluate("document.querySelectorAll('.conflict b').length") == 0
    if AXE.is_file():
        assert run_axe(tab) == []
    form = f"form[action='/posts/{admin.published}/publish']"
    submit(tab, form, reason="The new source checks.")
    refused = text(tab, "[role=alert]")
    assert "correction by bob" in refused and "from 3 sources" in refused
    assert actions.load(engine, admin.published).pending is not None
    tab.goto(f"{admin.url}posts/{admin.published}")
    tab.evaluate("document.querySelector('#carries').checked = true")
    submit(tab, form, reason="It keeps 7 to 2.")
    assert tab.evaluate("location.pathname") == f"/posts/{admin.published}"
    after = actions.load(engine, admin.published)
    engine.dispose()
    assert after.pending is None and after.body == PARAGRAPH
