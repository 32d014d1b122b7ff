"""CPU per request of the whole application stack, in-process, without a server or a load tool:
the ASGI app (middleware, router, thread pool, view, gzip) is called directly in an event loop,
for the bare Starlette endpoint and for Déclic's question page and save. A tool for finding
what to fix (not a benchmark: the ratio benchmark measures through uvicorn and wrk); its ratios
are close to what ``ratio`` measures on a quiet machine, without the load tool's share of CPU.

``python -m bench._asgi_cost [N] [--profile page|save]``
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench._bare_app import create_app as create_bare
from bench._journey import csrf
from bench._scenario import fresh_database, seed_quiz


def _request(
    method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b""
) -> tuple[dict[str, Any], Callable[[], Any]]:
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"accept-encoding", b"gzip"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    sent = [False]

    async def receive() -> dict[str, Any]:
        if sent[0]:
            await asyncio.sleep(3600)
        sent[0] = True
        return {"type": "http.request", "body": body, "more_body": False}

    def reset() -> None:
        sent[0] = False

    return scope, receive, reset  # type: ignore[return-value]


async def _run(app: Any, scope: dict[str, Any], receive: Any, reset: Any, count: int) -> float:
    status: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    for _ in range(20):
        reset()
        await app(dict(scope), receive, send)
    started = time.process_time()
    for _ in range(count):
        reset()
        await app(dict(scope), receive, send)
    spent = time.process_time() - started
    bad = [s for s in status if s >= 400]
    if bad:
        raise SystemExit(f"{len(bad)} requests answered {bad[0]}")
    return spent / count * 1000


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv and argv[0].isdigit() else 500
    profile = argv[argv.index("--profile") + 1] if "--profile" in argv else None
    with tempfile.TemporaryDirectory() as tmp, fresh_database("sqlite", Path(tmp), "c") as url:
        from starlette.testclient import TestClient

        from core.app import create_app
        from core.settings import load_settings

        scenario = seed_quiz(url, 1)
        app = create_app(
            load_settings(
                data_dir=Path(tmp) / "d", database_url=url, secret_key=scenario.secret_key
            )
        )
        with TestClient(app, base_url="http://127.0.0.1") as client:
            page = client.get("/login/code")
            client.post(
                "/login/code", data={"code": scenario.codes[0], "csrf_token": csrf(page.text)}
            )
            quiz = f"/o/{scenario.slug}/quiz/{scenario.quiz_id}"
            token = csrf(client.get(quiz).text)
            attempt = client.post(
                f"{quiz}/start", data={"csrf_token": token}, follow_redirects=False
            ).headers["location"]
            cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items()).encode()

            bare = create_bare()
            form = [(b"content-type", b"application/x-www-form-urlencoded")]
            seq = iter(range(10**12, 10**13))

            def save_body() -> bytes:
                return urlencode({"slot": "1", "seq": str(next(seq)), "q1": "a"}).encode()

            auth = [(b"cookie", cookie), (b"x-csrf-token", token.encode())]
            targets: dict[str, tuple[Any, str, str, list[tuple[bytes, bytes]], bool]] = {
                "bare GET": (bare, "GET", "/", [], False),
                "question page": (app, "GET", attempt, auth, False),
                "bare POST": (bare, "POST", "/", form, False),
                "save": (app, "POST", f"{attempt}/save", [*auth, *form], True),
            }

            async def measure(name: str) -> float:
                target, method, path, headers, is_save = targets[name]
                if not is_save:
                    scope, receive, reset = _request(method, path, headers, b"q=1")
                    return await _run(target, scope, receive, reset, count)
                # A new sequence number for every save, so each one is really stored.
                scope, _r, _x = _request(method, path, headers)
                state = {"body": b"", "sent": False}

                async def receive() -> dict[str, Any]:
                    if state["sent"]:
                        await asyncio.sleep(3600)
                    state["sent"] = True
                    return {"type": "http.request", "body": state["body"], "more_body": False}

                def reset() -> None:
                    state["sent"], state["body"] = False, save_body()

                return await _run(target, scope, receive, reset, count)

            async def all_targets() -> dict[str, float]:
                return {name: await measure(name) for name in targets}

            if profile:
                profiler = cProfile.Profile()
                profiler.enable()
                asyncio.run(measure("question page" if profile == "page" else "save"))
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
                return 0
            costs = asyncio.run(all_targets())
        for name, ms in costs.items():
            print(f"{name:15s} {ms:6.3f} ms CPU per request")
        print(f"question page / bare GET: {costs['bare GET'] / costs['question page']:.1%}")
        print(f"save / bare POST: {costs['bare POST'] / costs['save']:.1%}")
        app.state.declic.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
