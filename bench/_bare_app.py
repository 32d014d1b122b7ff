"""The floor: bare Starlette endpoints, served exactly like Déclic (uvicorn, same worker count,
sync ``def`` views run in Starlette's thread pool as Déclic's are). GET answers a short page;
POST parses the form first, as Déclic's save does."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

PAGE = "<!doctype html><title>ok</title><p>ok</p>"


def _answer() -> HTMLResponse:
    return HTMLResponse(PAGE)


async def page(request: Request) -> HTMLResponse:
    if request.method == "POST":
        await request.form()
    return await run_in_threadpool(_answer)


def create_app() -> Starlette:
    return Starlette(routes=[Route("/", page, methods=["GET", "POST"])])
