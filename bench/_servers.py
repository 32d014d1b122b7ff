"""Start the application (or the bare floor) under uvicorn on 127.0.0.1 and a free port, and
sample the resident memory of every worker process while it runs."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from core.testing import free_port, wait_for_health

ROOT = Path(__file__).resolve().parent.parent


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _is_tracker(pid: int) -> bool:
    try:
        return b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Server:
    """``APP`` served by uvicorn with N workers (``core.serve``) in the given environment;
    ``peak_rss`` holds the highest resident memory seen for each worker (the uvicorn supervisor
    itself when N is 1)."""

    def __init__(self, app: str, workers: int, env: dict[str, str], log: Path) -> None:
        self.app, self.workers, self.log = app, workers, log
        self.env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.peak_rss: dict[int, float] = {}
        self._stop = threading.Event()
        self._sampler: threading.Thread | None = None

    def start(self, timeout: float = 60.0) -> Server:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        # core.serve, as `declic run` (uvicorn with a TCP_NODELAY listener for N workers).
        command = [sys.executable, "-m", "bench._serve", self.app, str(port), str(self.workers)]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
            )
        health = "/healthz" if "core.app" in self.app else None
        if health and not wait_for_health(self.url, self.process, timeout):
            self.stop()
            raise RuntimeError(f"{self.app} did not start: see {self.log}")
        if not health:
            self._wait_up(timeout)
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        return self

    def _wait_up(self, timeout: float) -> None:
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.app} did not start: see {self.log}")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        # The multiprocessing resource tracker is a child too, but serves nothing.
        kids = [k for k in _children(self.process.pid) if not _is_tracker(k)]
        # With --workers > 1 the supervisor forks workers (and a resource tracker): count the
        # Python children that serve; with one worker the supervisor serves itself.
        return kids if self.workers > 1 and kids else [self.process.pid]

    def _sample(self) -> None:
        while not self._stop.is_set():
            for pid in self.worker_pids():
                self.peak_rss[pid] = max(self.peak_rss.get(pid, 0.0), rss_mb(pid))
            self._stop.wait(0.25)

    def stop(self) -> None:
        self._stop.set()
        if self._sampler is not None:
            self._sampler.join(timeout=2)
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def app_env(database_url: str, secret_key: str, data_dir: Path) -> dict[str, str]:
    return {
        "DECLIC_DATABASE_URL": database_url,
        "DECLIC_SECRET_KEY": secret_key,
        "DECLIC_DATA_DIR": str(data_dir),
    }
