"""Growth: the learner's pages timed with little and with much data around them. Each case
starts from the same small base (1 organisation, 100 users, 100 questions in the bank, 10 past
attempts) and grows one dimension: 1,000 organisations, 100,000 users, 10,000 questions,
10,000 past attempts (of the same quiz, by other learners). Seeded with bulk inserts
(``python -m bench seed`` does the same by hand).

The five cases are served at once (uvicorn, one worker each, SQLite) and timed from one client
(httpx, keep-alive) taking turns: batches of 10 requests, each page, each case, 15 rounds, after
a warm-up; figures are medians of the 150 timings. Goal: each page within 1.5x of the base case.
Writes bench/results/growth.json.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

from bench._journey import csrf
from bench._machine import machine, print_table, results_path
from bench._scenario import fresh_database, seed_quiz
from bench._servers import Server, app_env

BASE = {"extra_orgs": 0, "extra_users": 99, "extra_questions": 80, "past_attempts": 10}
CASES = {
    "base": {},
    "1,000 organisations": {"extra_orgs": 999},
    "100,000 users": {"extra_users": 99_999},
    "10,000 questions": {"extra_questions": 9_980},
    "10,000 past attempts": {"past_attempts": 10_000},
}
GOAL = 1.5


class Learner:
    """One signed-in learner with an attempt started, and the pages to time."""

    def __init__(self, base: str, slug: str, quiz_id: int, code: str) -> None:
        self.client = client = httpx.Client(base_url=base, timeout=30)
        page = client.get("/login/code")
        client.post("/login/code", data={"code": code, "csrf_token": csrf(page.text)})
        quiz = f"/o/{slug}/quiz/{quiz_id}"
        token = csrf(client.get(quiz).text)
        started = client.post(f"{quiz}/start", data={"csrf_token": token}, follow_redirects=False)
        attempt = started.headers["location"].split("?")[0]
        self.sequence = 10**12
        self.calls: dict[str, Callable[[], httpx.Response]] = {
            "organisation home": lambda: client.get(f"/o/{slug}/"),
            "quiz page": lambda: client.get(quiz),
            "question page": lambda: client.get(attempt),
            "save": lambda: client.post(
                f"{attempt}/save",
                headers={"x-csrf-token": token},
                data={"slot": "1", "seq": str(self._next()), "q1": "b"},
            ),
            "summary": lambda: client.get(f"{attempt}/summary"),
        }

    def _next(self) -> int:
        self.sequence += 1
        return self.sequence

    def time(self, name: str, count: int) -> list[float]:
        times = []
        for _ in range(count):
            began = time.perf_counter()
            answer = self.calls[name]()
            if answer.status_code != 200:
                raise RuntimeError(f"{name}: {answer.status_code}")
            times.append(time.perf_counter() - began)
        return times


def main() -> int:
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    rounds, batch = (4, 10) if quick else (15, 10)
    cases: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="declic-growth-") as tmp, ExitStack() as stack:
        learners: dict[str, Learner] = {}
        for label, grown in CASES.items():
            folder = Path(tmp) / str(len(cases))
            folder.mkdir()
            url = stack.enter_context(fresh_database("sqlite", folder, "growth"))
            began = time.perf_counter()
            scenario = seed_quiz(url, 1, **{**BASE, **grown})
            seeded = time.perf_counter() - began
            env = app_env(url, scenario.secret_key, folder / "data")
            server = stack.enter_context(
                Server("core.app:create_app", 1, env, folder / "server.log")
            )
            learners[label] = Learner(
                server.url, scenario.slug, scenario.quiz_id, scenario.codes[0]
            )
            stack.callback(learners[label].client.close)
            cases[label] = {"seed_s": round(seeded, 1)}
            print(f"{label}: seeded in {seeded:.1f} s", flush=True)
        names = list(next(iter(learners.values())).calls)
        for learner in learners.values():  # warm-up
            for name in names:
                learner.time(name, 10)
        # The cases take turns, batch by batch, so a burst of load from other jobs on the
        # machine falls on every case alike rather than on whichever ran at that moment.
        samples: dict[str, dict[str, list[float]]] = {c: {n: [] for n in names} for c in CASES}
        for _round in range(rounds):
            for name in names:
                for label, learner in learners.items():
                    samples[label][name].extend(learner.time(name, batch))
        for label in CASES:
            cases[label]["median_ms"] = {
                n: round(statistics.median(samples[label][n]) * 1000, 2) for n in names
            }
        count = rounds * batch
    base = cases["base"]["median_ms"]
    names = list(base)
    rows = []
    worst = 0.0
    for label, case in cases.items():
        ratios = {n: case["median_ms"][n] / base[n] for n in names}
        case["ratio_to_base"] = {n: round(r, 2) for n, r in ratios.items()}
        if label != "base":
            worst = max(worst, *ratios.values())
        rows.append([label, *(f"{case['median_ms'][n]:.1f} ({ratios[n]:.2f}x)" for n in names)])
    print_table(["case (median ms, ratio to base)", *names], rows)
    print(f"worst ratio {worst:.2f}x (goal {GOAL}x: {'met' if worst <= GOAL else 'NOT met'})")
    results = results_path("growth")
    results.parent.mkdir(exist_ok=True)
    results.write_text(
        json.dumps(
            {
                "machine": machine(),
                "requests_per_page": count,
                "base": BASE,
                "cases": cases,
                "worst_ratio": round(worst, 2),
            },
            indent=2,
        )
    )
    print(f"written {results}")
    return 0
