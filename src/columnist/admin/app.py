"""The admin web app: log in, see the review queue, publish or reject a post; an admin
also manages the desk's users (list, add, remove, set a password).

Starlette on uvicorn, bound to 127.0.0.1. Every page is rendered with autoescaping
(feed text is hostile until shown otherwise), served with a Content-Security-Policy of
`default-src 'self'` and no script at all; every form carries the session's CSRF token
and every POST is refused without it. Decisions go through review/actions.py, exactly
as `columnist review` makes them, and the site is rebuilt after each.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from columnist import config as config_mod
from columnist.admin.session import (
    COOKIE,
    Session,
    Signer,
    Throttle,
    end_sessions,
    same_token,
    session_ended,
    signing_key,
)
from columnist.commentary.backends.base import Backend
from columnist.errors import ModelError
from columnist.review import actions
from columnist.review.marks import flags, marked
from columnist.review.users import (
    MIN_PASSWORD,
    ROLES,
    UserError,
    add_user,
    check_name,
    remove_user,
    set_password,
    verify,
)
from columnist.store import audit
from columnist.store import review as review_store
from columnist.store import users as user_store
from columnist.store.db import Engine, open_engine, transaction

HERE = Path(__file__).parent
SITE_STYLE = HERE.parent / "site" / "static" / "style.css"
HEADERS = [
    (b"content-security-policy", b"default-src 'self'; frame-ancestors 'none'; form-action 'self'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


class SecurityHeaders:
    """Adds HEADERS to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *HEADERS]
            await send(message)

        await self.app(scope, receive, sending)


class Desk:
    """What the app's handlers share: settings, store, templates, signer, throttle."""

    def __init__(
        self, settings: config_mod.Settings, engine: Engine, backend: Backend | None = None
    ) -> None:
        self.settings, self.engine, self.backend = settings, engine, backend
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
        )
        # The key, the throttle's counts and ended sessions are the store's: every
        # admin process on this desk shares them (admin/session.py).
        self.signer = Signer(signing_key(engine))
        self.throttle = Throttle(engine)
        self.build_lock = threading.Lock()
        self.write_lock = threading.Lock()  # one rewrite at a time: one model in memory

    def session(self, request: Request) -> Session | None:
        return self.signer.load(request.cookies.get(COOKIE))

    def page(
        self, request: Request, session: Session, template: str, status: int = 200, **values
    ) -> HTMLResponse:
        if "is_admin" not in values:  # the header links to the users page for an admin
            values["is_admin"] = self.role(session) == "admin"
        html = self.env.get_template(template).render(
            site_title=self.settings.site.title, session=session, **values
        )
        return self.keep(request, HTMLResponse(html, status_code=status), session)

    def role(self, session: Session) -> str | None:
        if not session.user:
            return None
        with self.engine.connect() as conn:
            user = user_store.get(conn, session.user)
        return user.role if user else None

    def keep(self, request: Request, response: Response, session: Session) -> Response:
        """Send the session back with its last-seen time moved on."""
        session.seen = time.time()
        response.set_cookie(
            COOKIE,
            self.signer.dump(session),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
        return response

    def rebuild(self) -> None:
        """One build at a time: two editors deciding at once must not write the same pages."""
        from columnist.site.stage import run_build

        with self.build_lock:
            run_build(self.engine, self.settings)


def posted(
    handler: Callable[[Request, FormData], Response],
) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint that reads the posted form, then runs `handler` on a worker thread:
    password hashing, the store and the site build block, the event loop must not."""

    async def endpoint(request: Request) -> Response:
        form = await request.form()
        return await run_in_threadpool(handler, request, form)

    return endpoint


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def create_app(
    settings: config_mod.Settings, engine: Engine | None = None, backend: Backend | None = None
) -> Starlette:
    """The admin app; `backend` writes rewrites (default: the desk's writer, loaded for
    each rewrite and closed after it)."""
    desk = Desk(settings, engine or open_engine(settings.database.url), backend)

    def login_form(request: Request) -> Response:
        if signed_in(request) is not None:
            return RedirectResponse("/", 303)
        session = desk.session(request) or Session.fresh()
        if session.user:  # a session that ended (logged out elsewhere, password changed)
            session = Session.fresh()
        return desk.page(request, session, "login.html")

    def login(request: Request, form: FormData) -> Response:
        session = desk.session(request)
        if session is None or not same_token(session.csrf, form.get("csrf")):
            return forbidden(request)
        name, password = str(form.get("name", "")), str(form.get("password", ""))
        address = _address(request)
        if desk.throttle.locked(name, address):
            _log(desk, name, "login-throttled", f"from {address}")
            message = "Too many failed logins for this name from your address: wait 15 minutes."
            return desk.page(request, session, "login.html", 429, error=message, name=name)
        user = verify(desk.engine, name, password)
        if user is None:
            desk.throttle.failed(name, address)
            _log(desk, name, "login-failed", f"from {address}")
            message = "Wrong name or password."
            return desk.page(request, session, "login.html", 401, error=message, name=name)
        desk.throttle.passed(name, address)
        _log(desk, user.name, "login", f"from {address}")
        fresh = Session.fresh()  # a new token after login: none chosen before it survives
        fresh.user = user.name
        return desk.keep(request, RedirectResponse("/", 303), fresh)

    def forbidden(request: Request) -> Response:
        session = desk.session(request) or Session.fresh()
        message = "This form has expired or did not come from this page; please try again."
        return desk.page(request, session, "message.html", 403, message=message)

    def logout(request: Request, form: FormData) -> Response:
        session = desk.session(request)
        if session is None or not same_token(session.csrf, form.get("csrf")):
            return forbidden(request)
        if session.user:  # every session of the user ends, a copied cookie's too
            end_sessions(desk.engine, session.user)
            _log(desk, session.user, "logout", f"from {_address(request)}")
        response = RedirectResponse("/login", 303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response

    def signed_in(request: Request) -> Session | None:
        session = desk.session(request)
        if session is None or session.user is None:
            return None
        if session_ended(desk.engine, session):  # logged out, here or in another process
            return None
        with desk.engine.connect() as conn:
            if user_store.get(conn, session.user) is None:  # removed since
                return None
        return session

    def queue(request: Request) -> Response:
        session = signed_in(request)
        if session is None:
            return RedirectResponse("/login", 303)
        topic = request.query_params.get("topic") or None
        problem = request.query_params.get("problem") or ""
        with desk.engine.connect() as conn:
            posts = review_store.queue(conn, topic)
        if problem:
            posts = [
                p for p in posts if any(problem.lower() in x.lower() for x in p.waiting_problems)
            ]
        topics = [t.slug for t in desk.settings.topics]
        return desk.page(
            request, session, "queue.html", posts=posts, topics=topics, topic=topic, problem=problem
        )

    def show(request: Request) -> Response:
        session = signed_in(request)
        if session is None:
            return RedirectResponse("/login", 303)
        with desk.engine.connect() as conn:
            post = review_store.get(conn, int(request.path_params["post_id"]))
            user = user_store.get(conn, session.user or "")
        if post is None:
            return desk.page(request, session, "message.html", 404, message="No such post.")
        return desk.page(
            request,
            session,
            "post.html",
            post=post,
            paragraphs=marked(post.body, post.checks),
            flags=flags(post.checks),
            pending_paragraphs=marked(post.pending.body, post.pending.checks)
            if post.pending
            else [],
            pending_flags=flags(post.pending.checks) if post.pending else [],
            admin=user is not None and user.role == "admin",
        )

    def decide(request: Request, form: FormData) -> Response:
        session = signed_in(request)
        if session is None:
            return RedirectResponse("/login", 303)
        if not same_token(session.csrf, form.get("csrf")):
            return forbidden(request)
        post_id, action = int(request.path_params["post_id"]), request.path_params["action"]
        reason = str(form.get("reason", "")).strip() or None
        try:
            with desk.engine.connect() as conn:
                user = user_store.get(conn, session.user or "")
            post = actions.load(desk.engine, post_id)
            post.version = int(str(form.get("version", "0")))  # what the editor saw
            if user is None:
                raise actions.ReviewError("your user no longer exists")
            if action == "publish":
                carries = form.get("carries") == "yes"  # the box: it has the corrections
                actions.publish(desk.engine, user, post, reason, carries)
            elif action == "reject":
                actions.reject(desk.engine, user, post, reason or "")
            elif action == "retract":
                actions.retract(desk.engine, user, post, reason or "")
            elif action == "edit":
                text, note = str(form.get("body", "")), str(form.get("note", "")) or None
                actions.edit(desk.engine, desk.settings, user, post, text, reason, note)
            elif action == "rewrite":
                # On the worker thread `posted` runs this handler on: the model call
                # blocks it, not the event loop (tests/review/test_rewrite.py serves
                # other pages and editors meanwhile); one rewrite at a time.
                with desk.write_lock:
                    actions.rewrite(
                        desk.engine, desk.settings, user, post, str(form.get("note", "")),
                        desk.backend,
                    )  # fmt: skip
            else:
                return desk.page(request, session, "message.html", 404, message="No such action.")
        except (actions.ReviewError, ModelError, ValueError) as exc:
            status = 409 if isinstance(exc, actions.Conflict) else 400
            status = 403 if isinstance(exc, actions.Forbidden) else status
            status = 503 if isinstance(exc, ModelError) else status
            # nothing is lost: the edited text or the note is shown again
            kept = str(form.get({"edit": "body", "rewrite": "note"}.get(action, ""), ""))
            return desk.page(request, session, "message.html", status, message=str(exc), kept=kept)
        desk.rebuild()
        return desk.keep(request, RedirectResponse(f"/posts/{post_id}", 303), session)

    def admin_only(request: Request) -> tuple[Session | None, Response | None]:
        """The signed-in admin's session, or the response for anyone else: the login
        page for nobody, a 403 page for an editor."""
        session = signed_in(request)
        if session is None:
            return None, RedirectResponse("/login", 303)
        if desk.role(session) != "admin":
            message = f"{session.user} is not an admin: only an admin manages users."
            return None, desk.page(request, session, "message.html", 403, message=message)
        return session, None

    def users_page(
        request: Request, session: Session, status: int = 200, **values: object
    ) -> Response:
        with desk.engine.connect() as conn:
            rows = user_store.all_users(conn)
        values.setdefault("role", "editor")
        return desk.page(
            request, session, "users.html", status, users=rows, roles=ROLES,
            min_password=MIN_PASSWORD, is_admin=True, **values,
        )  # fmt: skip

    def users(request: Request) -> Response:
        session, refused = admin_only(request)
        if session is None:
            return refused  # type: ignore[return-value]
        return users_page(request, session)

    def manage(request: Request, form: FormData) -> Response:
        """Add or remove a user or set a password, as `columnist users` does: the same
        store functions and checks, the same audit lines, under the admin's name."""
        session, refused = admin_only(request)
        if session is None:
            return refused  # type: ignore[return-value]
        if not same_token(session.csrf, form.get("csrf")):
            return forbidden(request)
        action = request.path_params["action"]
        who = session.user or ""
        name = str(form.get("name", "")).strip()
        password, repeat = str(form.get("password", "")), str(form.get("repeat", ""))
        try:
            name = check_name(name)
            if action in ("add", "passwd") and password != repeat:
                raise UserError(f"user {name!r}: the two passwords differ")
            if action == "add":
                role = str(form.get("role", ""))
                add_user(desk.engine, name, role, password)
                done = f"user {name} added ({role})"
            elif action == "remove":
                if name == who:
                    raise UserError("you cannot remove yourself here (another admin can)")
                remove_user(desk.engine, name)  # their sessions end with them
                done = f"user {name} removed"
            elif action == "passwd":
                # their sessions end (they log in with the new password); not the
                # admin's own session here
                set_password(desk.engine, name, password, end_sessions=name != who)
                done = f"password of {name} changed"
            else:
                return desk.page(request, session, "message.html", 404, message="No such action.")
        except UserError as exc:
            kept = {"name": name, "role": str(form.get("role", ""))} if action == "add" else {}
            return users_page(request, session, 400, error=str(exc), **kept)
        _log(desk, who, f"user-{action}", f"user {name}")
        return users_page(request, session, done=done)

    def style(request: Request) -> Response:
        return FileResponse(SITE_STYLE, media_type="text/css")

    def admin_style(request: Request) -> Response:
        return FileResponse(HERE / "admin.css", media_type="text/css")

    app = Starlette(
        routes=[
            Route("/login", login_form, methods=["GET"]),
            Route("/login", posted(login), methods=["POST"]),
            Route("/logout", posted(logout), methods=["POST"]),
            Route("/", queue, methods=["GET"]),
            Route("/posts/{post_id:int}", show, methods=["GET"]),
            Route("/posts/{post_id:int}/{action}", posted(decide), methods=["POST"]),
            Route("/users", users, methods=["GET"]),
            Route("/users/{action}", posted(manage), methods=["POST"]),
            Route("/static/style.css", style, methods=["GET"]),
            Route("/static/admin.css", admin_style, methods=["GET"]),
        ]
    )
    app.state.desk = desk
    return SecurityHeaders(app)  # type: ignore[return-value]


def _log(desk: Desk, who: str, action: str, detail: str) -> None:
    with transaction(desk.engine) as conn:
        audit.record(conn, who[:100] or "-", action, None, detail)


def serve(settings: config_mod.Settings, bind: str, port: int) -> None:
    """Serve the admin on bind:port until interrupted (behind a TLS proxy on the same
    machine, uvicorn takes its X-Forwarded-Proto and the cookie gets Secure)."""
    import uvicorn

    uvicorn.run(create_app(settings), host=bind, port=port, log_level="info")
