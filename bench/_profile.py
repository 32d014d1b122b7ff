"""Profile the question page and the save in-process with pyinstrument (not a benchmark: a tool
for finding what to fix). ``python -m bench._profile [page|save] [N]`` prints the call tree and
the number of SQL statements per request."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from pyinstrument import Profiler
from sqlalchemy import event
from starlette.testclient import TestClient

from bench._journey import csrf
from bench._scenario import fresh_database, seed_quiz


def main(argv: list[str]) -> int:
    kind = argv[0] if argv else "page"
    count = int(argv[1]) if len(argv) > 1 else 300
    with tempfile.TemporaryDirectory() as tmp, fresh_database("sqlite", Path(tmp), "p") as url:
        from core.app import create_app
        from core.settings import load_settings

        scenario = seed_quiz(url, 1)
        settings = load_settings(
            data_dir=Path(tmp) / "d", database_url=url, secret_key=scenario.secret_key
        )
        app = create_app(settings)
        statements = [0]
        for engine in (app.state.declic.engine, getattr(app.state.declic, "write_engine", None)):
            if engine is not None:
                event.listen(
                    engine,
                    "before_cursor_execute",
                    lambda *a, **k: statements.__setitem__(0, statements[0] + 1),
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

            def once(n: int) -> None:
                if kind == "page":
                    assert client.get(attempt).status_code == 200
                else:
                    answer = client.post(
                        f"{attempt}/save",
                        headers={"x-csrf-token": token},
                        data={"slot": "1", "seq": str(10**12 + n), "q1": "a"},
                    )
                    assert answer.status_code == 200, answer.text

            for n in range(20):
                once(n)
            statements[0] = 0
            # The view runs in Starlette's thread pool: profile inside each request's thread.
            import core.routing

            profiler = Profiler(interval=0.0002)
            original = core.routing._handle

            def profiled(*args: object) -> object:
                profiler.start()
                try:
                    return original(*args)  # type: ignore[arg-type]
                finally:
                    profiler.stop()

            core.routing._handle = profiled  # type: ignore[assignment]
            try:
                for n in range(count):
                    once(100 + n)
            finally:
                core.routing._handle = original
        print(f"{statements[0] / count:.1f} SQL statements per request")
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        app.state.declic.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
