"""wrk (Debian's package) for raw throughput: run it bounded in time and connections, parse its
summary. A clear message when it is missing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent / "wrk"
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


class WrkMissingError(RuntimeError):
    pass


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise WrkMissingError(
            "wrk is not installed: `sudo apt-get install -y wrk` (Debian/Ubuntu), then run again"
        )
    return path


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", value)
    return float(match.group(1)) * UNITS[match.group(2)] if match else float("nan")


def run_wrk(
    url: str, script: str, seconds: int, connections: int, env: dict[str, str] | None = None
) -> dict[str, float]:
    """Requests per second, latency median / p99 (ms), and non-2xx/3xx answers of one run."""
    command = [
        require_wrk(),
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(SCRIPTS / script),
        url,
    ]
    done = subprocess.run(
        command,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    )
    out = done.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"\s50%\s+(\S+)", out)
    p99 = re.search(r"\s99%\s+(\S+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*?(\d+).*?(\d+).*?(\d+).*?(\d+)", out)
    return {
        "rps": rps,
        "median_ms": _ms(p50.group(1)) if p50 else float("nan"),
        "p99_ms": _ms(p99.group(1)) if p99 else float("nan"),
        "bad_status": int(bad.group(1)) if bad else 0,
        "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0,
    }
