"""The stampede: N learners (500; 50 with BENCH_QUICK=1; BENCH_LEARNERS=N) sign in with their codes and start the
same timed quiz within 10 s, answer 20 questions with 1–3 s of thought before each (an answer
saved each time) and submit. Load from Locust (headless, FastHttpUser) on the same machine.

Two set-ups: SQLite with one uvicorn process, PostgreSQL (a fresh schema on 127.0.0.1:5432,
dropped afterwards) with two worker processes. Afterwards the database is compared with what
Locust sent (the last choice per attempt and question): a difference is a lost answer. Peak
resident memory of each worker is sampled from /proc every 0.25 s.

Goals: zero errors, zero lost answers, p95 < 300 ms for every request kind, peak RSS < 250 MB
per worker. Writes bench/results/stampede.json.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError

from bench._locust import run_locust
from bench._machine import machine, print_table, results_path
from bench._scenario import check_answers, fresh_database, seed_quiz
from bench._servers import Server, app_env

P95_GOAL_MS = 300.0
RSS_GOAL_MB = 250.0


def quick() -> bool:
    return os.environ.get("BENCH_QUICK", "") not in ("", "0")


def setups() -> list[tuple[str, int]]:
    wanted = os.environ.get("BENCH_STAMPEDE", "sqlite:1,postgres:2")
    return [(part.split(":")[0], int(part.split(":")[1])) for part in wanted.split(",")]


def run_one(backend: str, workers: int, learners: int, folder: Path) -> dict[str, Any]:
    think = (1.0, 3.0)
    # Everyone starts within 10 s; 20 thoughts of at most 3 s; a generous bound for slow answers
    # (an overloaded server makes each of the 42 requests of a journey take seconds).
    run_time = 10 + 20 * int(think[1]) + 300
    with fresh_database(backend, folder, f"stampede{workers}") as url:
        began = time.perf_counter()
        scenario = seed_quiz(url, learners)
        seeded = time.perf_counter() - began
        scenario_file = folder / f"scenario-{backend}.json"
        scenario.save(scenario_file)
        sent_file = folder / f"sent-{backend}.json"
        env = app_env(url, scenario.secret_key, folder / "data")
        with Server(
            "core.app:create_app", workers, env, folder / f"server-{backend}.log"
        ) as server:
            began = time.perf_counter()
            figures = run_locust(
                "stampede.py",
                server.url,
                learners,
                learners / 10,
                run_time,
                folder,
                {
                    "BENCH_SCENARIO": str(scenario_file),
                    "BENCH_SENT": str(sent_file),
                    "BENCH_THINK_MIN": str(think[0]),
                    "BENCH_THINK_MAX": str(think[1]),
                },
            )
            elapsed = time.perf_counter() - began
            peak = sorted(server.peak_rss.values(), reverse=True)
        outcome = json.loads(sent_file.read_text()) if sent_file.exists() else {"sent": {}}
        check = check_answers(url, scenario.quiz_id, outcome["sent"], outcome.get("pending"))
    errors = sum(f["failures"] for f in figures.values() if f is not figures.get("Aggregated"))
    kinds = {k: v for k, v in figures.items() if k != "Aggregated"}
    return {
        "backend": backend,
        "workers": workers,
        "learners": learners,
        "think_s": list(think),
        "seed_s": round(seeded, 2),
        "elapsed_s": round(elapsed, 1),
        "journeys_done": outcome.get("done", 0),
        "journeys_failed": outcome.get("failed", 0),
        "errors": errors,
        "requests": kinds,
        "aggregated": figures.get("Aggregated", {}),
        "peak_rss_mb": [round(p, 1) for p in peak],
        **check,
        "goals": {
            "zero_errors": errors == 0 and outcome.get("failed", 0) == 0,
            "zero_lost": check["answers_lost"] == 0 and check["answers_sent"] == learners * 20,
            "p95_under_300ms": all(v["p95_ms"] < P95_GOAL_MS for v in kinds.values()),
            "rss_under_250mb": bool(peak) and peak[0] < RSS_GOAL_MB,
        },
    }


def learner_count() -> int:
    """500 (50 with BENCH_QUICK=1), or BENCH_LEARNERS: a smaller room finds how many learners
    this machine serves within the goal (docs/performance.md, "capacity")."""
    raw = os.environ.get("BENCH_LEARNERS", "")
    if raw:
        if not raw.isdigit() or not 0 < int(raw) <= 5000:
            raise SystemExit(f"BENCH_LEARNERS={raw!r}: give a number of learners from 1 to 5000")
        return int(raw)
    return 50 if quick() else 500


def main() -> int:
    learners = learner_count()
    default = learners == (50 if quick() else 500)
    runs = []
    status = 0
    with tempfile.TemporaryDirectory(prefix="declic-stampede-") as tmp:
        for backend, workers in setups():
            folder = Path(tmp) / backend
            folder.mkdir()
            load_before = round(os.getloadavg()[0], 2)
            print(
                f"-- {backend}, {workers} worker(s), {learners} learners "
                f"(load before: {load_before:.2f})",
                flush=True,
            )
            try:
                result = run_one(backend, workers, learners, folder)
            except OperationalError as exc:
                # No PostgreSQL on 127.0.0.1:5432 (or DECLIC_BENCH_POSTGRES_URL): say so, go on.
                print(f"   skipped: cannot reach the database ({exc.orig!r})", flush=True)
                status = 1
                continue
            result["load_before"] = load_before
            result["load_after"] = round(os.getloadavg()[0], 2)
            runs.append(result)
            rows = [
                [
                    name,
                    v["requests"],
                    v["failures"],
                    f"{v['median_ms']:.0f}",
                    f"{v['p95_ms']:.0f}",
                    f"{v['max_ms']:.0f}",
                    f"{v['rps']:.1f}",
                ]
                for name, v in sorted(result["requests"].items())
            ]
            print_table(
                ["request", "count", "errors", "median ms", "p95 ms", "max ms", "req/s"], rows
            )
            print(
                f"journeys done {result['journeys_done']}/{learners}, answers sent "
                f"{result['answers_sent']}, lost {result['answers_lost']}, attempts not "
                f"finished {result['attempts_not_finished']}, peak RSS per worker "
                f"{result['peak_rss_mb']} MB, goals {result['goals']}",
                flush=True,
            )
    results = results_path("stampede" if default else f"stampede.{learners}")
    results.parent.mkdir(exist_ok=True)
    # A run of some set-ups (BENCH_STAMPEDE=sqlite:1) replaces those and keeps the others'.
    kept = []
    if results.exists():
        done = {(r["backend"], r["workers"]) for r in runs}
        previous = json.loads(results.read_text()).get("runs", [])
        kept = [r for r in previous if (r["backend"], r["workers"]) not in done]
    for run in runs:
        run["machine"] = machine()
    results.write_text(json.dumps({"runs": [*kept, *runs]}, indent=2))
    print(f"written {results}")
    return status
