"""Run a Locust file headless in a subprocess (bounded in users and time) and read its figures
from the CSV it writes."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

LOCUSTFILES = Path(__file__).resolve().parent / "locustfiles"


def run_locust(
    locustfile: str,
    host: str,
    users: int,
    spawn_rate: float,
    run_time: int,
    workdir: Path,
    env: dict[str, str],
) -> dict[str, dict[str, Any]]:
    """Figures per request name (and "Aggregated"): count, failures, median, p95, p99, max (ms),
    requests per second."""
    prefix = workdir / "locust"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILES / locustfile),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{run_time}s",
        "--host",
        host,
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "10",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    with (workdir / "locust.log").open("wb") as log:
        subprocess.run(
            command,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=run_time + 60,
            check=False,
        )
    figures: dict[str, dict[str, Any]] = {}
    with Path(f"{prefix}_stats.csv").open() as handle:
        for row in csv.DictReader(handle):
            figures[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "median_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "p99_ms": float(row["99%"] or 0),
                "max_ms": float(row["Max Response Time"] or 0),
                "rps": float(row["Requests/s"] or 0),
            }
    return figures
