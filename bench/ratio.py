"""Ratio to the floor: requests per second of the quiz question page and of an answer save, each
next to a bare Starlette endpoint served the same way (uvicorn, one worker, sync view in the
thread pool; bench/_bare_app.py), measured in the same run with wrk (Debian's package).

The four targets take turns (bare GET, question page, bare POST, save), ROUNDS times, so a
burst of load from other jobs on the machine hits every target alike; each figure is the median
over the rounds. The save posts the answer form with the session cookie and the CSRF header, a
growing sequence number each time (so every save is stored). SQLite, one learner signed in with
their code, a timed quiz of 20 questions.

Goal: each at least 25 % of its bare endpoint. Writes bench/results/ratio.json.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench._journey import csrf
from bench._machine import machine, print_table, results_path
from bench._scenario import fresh_database, seed_quiz
from bench._servers import Server, app_env
from bench._wrk import WrkMissingError, require_wrk, run_wrk

CONNECTIONS = 8
GOAL = 0.25


def sign_in_and_start(base: str, slug: str, quiz_id: int, code: str) -> tuple[str, str, str]:
    """(cookie header, CSRF token, attempt path) of a learner with an attempt started."""
    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/login/code")
        client.post("/login/code", data={"code": code, "csrf_token": csrf(page.text)})
        page = client.get(f"/o/{slug}/quiz/{quiz_id}")
        token = csrf(page.text)
        started = client.post(f"/o/{slug}/quiz/{quiz_id}/start", data={"csrf_token": token})
        attempt = started.headers["location"].split("?")[0]
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    return cookie, token, attempt


def main() -> int:
    try:
        require_wrk()
    except WrkMissingError as missing:
        print(f"ratio: skipped: {missing}")
        return 1
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    rounds, seconds = (1, 3) if quick else (3, 8)
    samples: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="declic-ratio-") as tmp:
        folder = Path(tmp)
        with fresh_database("sqlite", folder, "ratio") as url:
            scenario = seed_quiz(url, 1)
            env = app_env(url, scenario.secret_key, folder / "data")
            with (
                Server("core.app:create_app", 1, env, folder / "app.log") as app,
                Server("bench._bare_app:create_app", 1, {}, folder / "bare.log") as bare,
            ):
                cookie, token, attempt = sign_in_and_start(
                    app.url, scenario.slug, scenario.quiz_id, scenario.codes[0]
                )
                targets = [
                    ("bare GET", bare.url + "/", "get_cookie.lua", {}),
                    (
                        "question page",
                        app.url + attempt,
                        "get_cookie.lua",
                        {"BENCH_COOKIE": cookie},
                    ),
                    (
                        "bare POST",
                        bare.url + "/",
                        "post_form.lua",
                        {"BENCH_BODY": "slot=1&seq={seq}&q1=a"},
                    ),
                    (
                        "save",
                        app.url + attempt + "/save",
                        "post_form.lua",
                        {
                            "BENCH_COOKIE": cookie,
                            "BENCH_CSRF": token,
                            "BENCH_BODY": "slot=1&seq={seq}&q1=a",
                        },
                    ),
                ]
                for _name, target, script, extra in targets:  # warm-up: caches, templates
                    run_wrk(target, script, 1, CONNECTIONS, extra)
                for _round in range(rounds):
                    for name, target, script, extra in targets:
                        samples.setdefault(name, []).append(
                            run_wrk(target, script, seconds, CONNECTIONS, extra)
                        )
    figures: dict[str, Any] = {}
    for name, runs in samples.items():
        figures[name] = {
            "rps": round(statistics.median(r["rps"] for r in runs), 1),
            "rps_runs": [r["rps"] for r in runs],
            "median_ms": round(statistics.median(r["median_ms"] for r in runs), 2),
            "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 2),
            "bad_status": sum(int(r["bad_status"]) for r in runs),
            "socket_errors": sum(int(r["socket_errors"]) for r in runs),
        }
    ratios = {
        "question page / bare GET": figures["question page"]["rps"] / figures["bare GET"]["rps"],
        "save / bare POST": figures["save"]["rps"] / figures["bare POST"]["rps"],
    }
    print_table(
        ["target", "req/s (median)", "runs", "median ms", "p99 ms", "errors"],
        [
            [
                n,
                f["rps"],
                " ".join(f"{x:.0f}" for x in f["rps_runs"]),
                f["median_ms"],
                f["p99_ms"],
                f["bad_status"] + f["socket_errors"],
            ]
            for n, f in figures.items()
        ],
    )
    for label, value in ratios.items():
        print(f"{label}: {value:.1%} (goal {GOAL:.0%}: {'met' if value >= GOAL else 'NOT met'})")
    results = results_path("ratio")
    results.parent.mkdir(exist_ok=True)
    results.write_text(
        json.dumps(
            {
                "machine": machine(),
                "connections": CONNECTIONS,
                "seconds": seconds,
                "rounds": rounds,
                "backend": "sqlite",
                "workers": 1,
                "figures": figures,
                "ratios": {k: round(v, 4) for k, v in ratios.items()},
            },
            indent=2,
        )
    )
    print(f"written {results}")
    bad = sum(f["bad_status"] + f["socket_errors"] for f in figures.values())
    return 1 if bad else 0
