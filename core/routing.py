"""The one place where a request becomes a context: session → user → organisation → membership
→ enabled plugins → access rule → CSRF → view. Views receive a ready ``RequestContext``."""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import anyio
import anyio.to_thread
from sqlalchemy import and_, bindparam, select
from sqlalchemy.exc import OperationalError
from starlette.datastructures import FormData
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import NoMatchFound, Route

from core import i18n
from core.auth import (
    ANON_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    csrf_valid,
    resolve_session,
    session_binding,
)
from core.context import RequestContext, finish
from core.contracts import Access
from core.errors import Forbidden, HTTPProblem, NotFound, SignInRequired
from core.models import Membership, Organisation
from core.state import AppState

log = logging.getLogger("declic.request")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_UPLOAD_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class RouteDef:
    """A route as the platform knows it: its path, view, methods, access rule, owner."""

    path: str
    endpoint: Callable[..., Response]
    methods: tuple[str, ...]
    access: Access
    name: str
    plugin: str | None = None


def cookie_options(request: Request, secure_setting: bool) -> dict[str, Any]:
    return {
        "httponly": True,
        "samesite": "lax",
        "secure": secure_setting or request.url.scheme == "https",
        "path": "/",
    }


def _view_limiter(state: AppState, unsafe: bool) -> anyio.CapacityLimiter:
    """How many views run at once in this process: ``DECLIC_VIEW_THREADS`` reading, as many
    writing, except on SQLite where one transaction writes at a time anyway: there one thread
    writes and the others queue in the event loop, so that writers waiting for the lock never
    hold every thread while pages could be read. One set of limiters per event loop (a test
    may drive one application from several)."""
    loop = asyncio.get_running_loop()
    per_loop: weakref.WeakKeyDictionary[
        asyncio.AbstractEventLoop, tuple[anyio.CapacityLimiter, anyio.CapacityLimiter]
    ] = state.extra.setdefault("view_limiters", weakref.WeakKeyDictionary())
    limiters = per_loop.get(loop)
    if limiters is None:
        threads = state.settings.view_threads
        writers = 1 if state.settings.is_sqlite else threads
        limiters = per_loop[loop] = (anyio.CapacityLimiter(threads), anyio.CapacityLimiter(writers))
    return limiters[1] if unsafe else limiters[0]


def build_route(defn: RouteDef) -> Route:
    async def handler(request: Request) -> Response:
        form: FormData | None = None
        if request.method not in SAFE_METHODS:
            try:
                form = await request.form(
                    max_files=20, max_fields=2000, max_part_size=MAX_UPLOAD_BYTES
                )
            except MultiPartException as exc:
                return Response(str(exc), status_code=400, media_type="text/plain")
        limiter = _view_limiter(request.app.state.declic, request.method not in SAFE_METHODS)
        return await anyio.to_thread.run_sync(_handle, defn, request, form, limiter=limiter)

    return Route(defn.path, handler, methods=list(defn.methods), name=defn.name)


# SQLite lets one transaction write at a time, and a writer that finds the lock taken polls for
# it with growing sleeps (up to 100 ms each): under a stampede of answer saves, writers slept
# while the lock was free and some waited past the busy timeout ("database is locked", 503).
# Within one process, writers queue on a plain lock instead, woken as soon as it is released.
# Other processes on the same file still meet SQLite's own busy handling.
WRITER_WAIT_SECONDS = 10.0
_writer_locks: dict[str, threading.Lock] = {}
_writer_locks_guard = threading.Lock()


def _writer_lock(database_url: str) -> threading.Lock:
    lock = _writer_locks.get(database_url)
    if lock is None:
        with _writer_locks_guard:
            lock = _writer_locks.setdefault(database_url, threading.Lock())
    return lock


def _handle(defn: RouteDef, request: Request, form: FormData | None) -> Response:
    settings = request.app.state.declic.settings
    if request.method in SAFE_METHODS or not settings.is_sqlite:
        return _handle_request(defn, request, form)
    lock = _writer_lock(settings.database_url)
    # On timeout, go on without the lock: SQLite's busy timeout then decides (503 if it must).
    acquired = lock.acquire(timeout=WRITER_WAIT_SECONDS)
    try:
        return _handle_request(defn, request, form)
    finally:
        if acquired:
            lock.release()


def _handle_request(defn: RouteDef, request: Request, form: FormData | None) -> Response:
    state = request.app.state.declic
    unsafe = request.method not in SAFE_METHODS
    factory = state.write_db if unsafe else state.db
    db = factory()
    ctx = RequestContext(request=request, app=state, db=db, form=form, plugin=defn.plugin)
    try:
        try:
            response = _dispatch(defn, ctx)
            if ctx.user is not None and _is_download(response):
                _audit_download(ctx, defn)
            db.commit()
        except HTTPProblem as problem:
            db.rollback()
            response = problem_response(ctx, problem)
        except OperationalError:
            db.rollback()
            log.exception("database unavailable on %s %s", request.method, request.url.path)
            response = problem_response(
                ctx,
                HTTPProblem(
                    i18n.gettext(
                        "The server is busy. Nothing was lost: please try again in a moment."
                    )
                ),
                status=503,
            )
        except Exception:
            db.rollback()
            log.exception("error on %s %s", request.method, request.url.path)
            response = problem_response(
                ctx,
                HTTPProblem(i18n.gettext("Something went wrong on our side. Please try again.")),
                status=500,
            )
    finally:
        db.close()
    if ctx.user is not None:
        response.headers.setdefault("Cache-Control", "no-store")
    return finish(response, ctx)


def _is_download(response: Response) -> bool:
    return "attachment" in response.headers.get("content-disposition", "").lower()


def _audit_download(ctx: RequestContext, defn: RouteDef) -> None:
    """Every file handed to a signed-in person (exports, reports, sheets, PDFs) is in the audit
    log, whichever plugin serves it: personal data leaving the platform is traced in one place.
    A GET runs on the read session, so the event goes through a write session of its own."""
    detail = {"path": ctx.request.url.path, "query": ctx.request.url.query[:200]}
    if ctx.request.method not in SAFE_METHODS:
        ctx.audit("file.downloaded", defn.name, detail)
        return
    read_db, ctx.db = ctx.db, ctx.app.write_db()
    try:
        ctx.audit("file.downloaded", defn.name, detail)
        ctx.db.commit()
    finally:
        ctx.db.close()
        ctx.db = read_db


# The organisation of the URL and the user's membership in it, in one statement built once
# (no user: the join matches nothing and the membership is None).
_ORG_AND_MEMBERSHIP = (
    select(Organisation, Membership)
    .outerjoin(
        Membership,
        and_(
            Membership.organisation_id == Organisation.id,
            Membership.user_id == bindparam("user_id"),
        ),
    )
    .where(Organisation.slug == bindparam("slug"))
)


def _dispatch(defn: RouteDef, ctx: RequestContext) -> Response:
    request = ctx.request
    state = ctx.app
    secure = state.settings.secure_cookies
    # A plugin's pages look up their strings in the plugin's own catalogue first.
    i18n.set_domain(defn.plugin)
    i18n.set_language(
        i18n.negotiate(
            None, None, request.headers.get("accept-language"), request.cookies.get("declic_lang")
        )
    )

    # 1. Session and user.
    token = request.cookies.get(SESSION_COOKIE)
    resolved = resolve_session(ctx.db, token, state.session_policy)
    if resolved is not None and token:
        ctx.session, ctx.user = resolved
        ctx.csrf_binding = session_binding(token)
    else:
        if token:
            ctx.set_cookie(SESSION_COOKIE, "")
        anon = request.cookies.get(ANON_COOKIE)
        if not anon:
            anon = secrets.token_urlsafe(24)
            ctx.set_cookie(ANON_COOKIE, anon, **cookie_options(request, secure))
        ctx.csrf_binding = "a:" + anon

    # 2. Organisation of the URL and membership in it.
    slug = request.path_params.get("org")
    if slug is not None:
        found = ctx.db.execute(
            _ORG_AND_MEMBERSHIP,
            {"slug": slug, "user_id": ctx.user.id if ctx.user is not None else None},
        ).first()
        if found is None:
            raise NotFound(i18n.gettext("This organisation does not exist."))
        org, ctx.membership = found
        ctx.organisation = org
        enabled = state.host.enabled_for(ctx.db, org)
        ctx.hooks = state.host.hooks_for(enabled)
        if defn.plugin is not None and defn.plugin not in enabled:
            raise NotFound(i18n.gettext("This page does not exist."))

    i18n.set_language(
        i18n.negotiate(
            ctx.user.language if ctx.user else None,
            ctx.organisation.default_language if ctx.organisation else None,
            request.headers.get("accept-language"),
            request.cookies.get("declic_lang"),
        )
    )

    # 3. The route's access rule.
    access = defn.access
    if not access.public:
        if ctx.user is None:
            raise SignInRequired(i18n.gettext("Please sign in first."))
        if access.platform_admin and not ctx.user.is_platform_admin:
            raise Forbidden(i18n.gettext("Only the platform administrators can open this page."))
        if (
            ctx.organisation is not None
            and ctx.membership is None
            and not ctx.user.is_platform_admin
        ):
            raise Forbidden(i18n.gettext("You are not a member of this organisation."))
        if access.capability is not None:
            if ctx.organisation is None and not ctx.user.is_platform_admin:
                raise Forbidden(
                    i18n.gettext("Only the platform administrators can open this page.")
                )
            ctx.require(access.capability)

    # 4. CSRF on every state change, forms and htmx alike.
    if request.method not in SAFE_METHODS and access.csrf:
        sent = request.headers.get(CSRF_HEADER)
        if not sent and ctx.form is not None:
            value = ctx.form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
        if not csrf_valid(state.settings.secret_key, ctx.csrf_binding, sent):
            raise Forbidden(
                i18n.gettext(
                    "This form has expired or did not come from this site. Go back, reload the page and try again."
                )
            )

    params = {k: v for k, v in request.path_params.items() if k != "org"}
    return defn.endpoint(ctx, **params)


def url_path(app: Any, name: str, org_slug: str | None, params: dict[str, Any]) -> str:
    """Path of a named route, filling ``org`` from the request's organisation when the route
    takes one. Starlette's ``url_path_for`` tries every route in turn and raises an exception
    for each that does not match (a few hundred routes: a fifth of a quiz page's time,
    profiled); the routes are indexed by name once per application instead."""
    index = app.state.declic.extra.get("route_index")
    if index is None:
        index = {}
        for route in app.routes:
            if isinstance(route, Route):
                index.setdefault(route.name, []).append(route)
        app.state.declic.extra["route_index"] = index
    candidates = index.get(name)
    if not candidates:
        return str(app.url_path_for(name, **params))
    for route in candidates:
        wanted = params
        if org_slug is not None and "org" not in params and "org" in route.param_convertors:
            wanted = {**params, "org": org_slug}
        try:
            return str(route.url_path_for(name, **wanted))
        except NoMatchFound:
            continue
    raise NoMatchFound(name, params)


def problem_response(
    ctx: RequestContext, problem: HTTPProblem, status: int | None = None
) -> Response:
    """The page for a refusal: sign-in redirect for pages, a plain page otherwise."""
    request = ctx.request
    if isinstance(problem, SignInRequired) and request.method in SAFE_METHODS:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    code = status or problem.status
    titles = {
        400: i18n.gettext("This request is not valid"),
        401: i18n.gettext("Please sign in"),
        403: i18n.gettext("Not allowed"),
        404: i18n.gettext("Page not found"),
        409: i18n.gettext("Already done"),
        429: i18n.gettext("Too many tries"),
        500: i18n.gettext("Something went wrong"),
        503: i18n.gettext("Please try again in a moment"),
    }
    try:
        # htmx swaps the answer into a part of the page: give it a message, not a whole page.
        partial = bool(request.headers.get("hx-request"))
        response: Response = ctx.render(
            "core/error_fragment.html" if partial else "core/error.html",
            status=code,
            title=titles.get(code, titles[400]),
            message=problem.message,
            menu=[],
        )
    except Exception:
        log.exception("error page failed to render")
        response = Response(
            problem.message or titles.get(code, ""), status_code=code, media_type="text/plain"
        )
    response.headers.update(problem.headers)
    if request.headers.get("hx-request"):
        # htmx does not swap error answers by default; tell it to, so the message shows.
        response.headers["HX-Reswap"] = "innerHTML"
    return response
