"""``create_app(settings)``: the Starlette application with core's and every plugin's routes."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.contracts import Access
from core.plugins import PluginHost
from core.routing import RouteDef, build_route
from core.settings import Settings, load_settings
from core.state import AppState, build_state
from core.static_files import CachedStaticFiles, StaticURLs
from core.templating import THEMES_DIR, available_themes
from core.views import core_routes

log = logging.getLogger("declic")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
        b"frame-ancestors 'none'",
    ),
]


class SecurityHeaders:
    """Adds the same protective headers to every answer (pages, static files, errors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


def plugin_route_defs(host: PluginHost) -> list[RouteDef]:
    """Every plugin's routes, mounted under ``/o/{org}/NAME``."""
    defs: list[RouteDef] = []
    for plugin, routes in host.call_each("declic_routes"):
        for route in routes:
            name = route.name or route.endpoint.__name__
            defs.append(
                RouteDef(
                    path=f"/o/{{org}}/{plugin}{route.path}",
                    endpoint=route.endpoint,
                    methods=tuple(route.methods),
                    access=route.access,
                    name=f"{plugin}.{name}",
                    plugin=plugin,
                )
            )
    return defs


def platform_route_defs(host: PluginHost) -> list[RouteDef]:
    """Plugins' platform pages, under ``/admin/p/NAME``: platform admins only, always."""
    defs: list[RouteDef] = []
    for plugin, routes in host.call_each("declic_platform_routes"):
        for route in routes:
            name = route.name or route.endpoint.__name__
            defs.append(
                RouteDef(
                    path=f"/admin/p/{plugin}{route.path}",
                    endpoint=route.endpoint,
                    methods=tuple(route.methods),
                    access=Access(platform_admin=True, csrf=route.access.csrf),
                    name=f"{plugin}.{name}",
                    plugin=plugin,
                )
            )
    return defs


def platform_links(host: PluginHost) -> list[tuple[str, str]]:
    """(label, path) of the plugins' platform pages that can be linked to directly."""
    links: list[tuple[str, str]] = []
    for plugin, routes in host.call_each("declic_platform_routes"):
        for route in routes:
            if route.label and "{" not in route.path and "GET" in route.methods:
                links.append((route.label, f"/admin/p/{plugin}{route.path}"))
    return links


def all_route_defs(state: AppState) -> list[RouteDef]:
    return [*core_routes(), *plugin_route_defs(state.host), *platform_route_defs(state.host)]


def create_app(settings: Settings | None = None, host: PluginHost | None = None) -> Starlette:
    settings = settings or load_settings()
    state = build_state(settings, host)

    static_roots: dict[str, Path] = {}
    mounts: list[BaseRoute] = []
    for theme in available_themes():
        folder = THEMES_DIR / theme / "static"
        if folder.is_dir():
            static_roots[f"t/{theme}"] = folder
            mounts.append(Mount(f"/static/t/{theme}", CachedStaticFiles(directory=folder)))
    for plugin, folder in state.host.call_each("declic_static_dir"):
        if folder and Path(folder).is_dir():
            static_roots[f"p/{plugin}"] = Path(folder)
            mounts.append(Mount(f"/static/p/{plugin}", CachedStaticFiles(directory=folder)))
    state.extra["static_url"] = StaticURLs(static_roots)
    state.templates.globals["static"] = state.extra["static_url"]

    defs = all_route_defs(state)
    state.extra["route_defs"] = defs
    state.extra["platform_links"] = platform_links(state.host)

    async def healthz(request: Request) -> JSONResponse:
        def check() -> bool:
            try:
                with state.engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                return True
            except Exception:  # any failure means "not ok"
                log.exception("health check: database unavailable")
                return False

        from starlette.concurrency import run_in_threadpool

        ok = await run_in_threadpool(check)
        return JSONResponse(
            {"status": "ok" if ok else "degraded", "database": "ok" if ok else "unavailable"},
            status_code=200 if ok else 503,
        )

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, name="healthz"),
        *mounts,
        *(build_route(d) for d in defs),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        state.dispose()

    # Pages, CSS and JS go out gzipped (learners on slow links: a page is about a quarter of its
    # size); PDFs and images are already compressed.
    gzip = Middleware(
        GZipMiddleware,
        minimum_size=500,
        compresslevel=6,
        exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/pdf"),
    )
    app = Starlette(
        routes=routes, middleware=[gzip, Middleware(SecurityHeaders)], lifespan=lifespan
    )
    app.state.declic = state
    return app
