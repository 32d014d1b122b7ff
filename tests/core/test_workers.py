"""Two worker processes on one database: a plugin switched off through one is off in the other on
its very next request (each caches the enabled set on ``Organisation.plugins_version``).

Runs on SQLite (a file shared by both processes) and, with ``DECLIC_TEST_BACKEND=postgres``, on a
PostgreSQL schema of its own. Servers listen on 127.0.0.1 and free ports; every wait is bounded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from core.auth import SESSION_COOKIE, csrf_token_for, session_binding, start_session
from core.db import make_engine, make_session_factory, session_scope
from core.models import Membership, Organisation, PluginState, User
from core.plugin_switches import switch_plugin
from core.testing import free_port, make_host, migrated_database, source_path, wait_for_health

SECRET = "two-workers-secret-key-for-tests-only"


def start_worker(url: str, data_dir: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(
        DECLIC_DATABASE_URL=url,
        DECLIC_DATA_DIR=str(data_dir),
        DECLIC_SECRET_KEY=SECRET,
        DECLIC_PLUGINS="joblinks",
        PYTHONPATH=source_path(),
    )
    command = [sys.executable, "-m", "core.cli", "run", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}"


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def shared_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DECLIC_PLUGINS", "joblinks")  # what make_host() migrates
    with migrated_database(tmp_path, "workers") as url:
        yield url


def test_a_switch_through_one_worker_is_seen_by_the_other_on_its_next_request(
    shared_database: str, tmp_path: Path
) -> None:
    engine = make_engine(shared_database)
    factory = make_session_factory(engine)
    host = make_host()
    with session_scope(factory) as db:
        org = Organisation(slug="assoc-w", name="Workers")
        admin = User(login="admin-w", display_name="Admin")
        db.add_all([org, admin])
        db.flush()
        db.add(Membership(user_id=admin.id, organisation_id=org.id, role="admin"))
        switch_plugin(db, host, org, "joblinks", True, None)
        token = start_session(db, admin)
    csrf = csrf_token_for(SECRET, session_binding(token))

    workers = []
    try:
        for label in ("a", "b"):
            workers.append(
                start_worker(shared_database, tmp_path / "data", tmp_path / f"{label}.log")
            )
        for (process, url), label in zip(workers, "ab", strict=True):
            assert wait_for_health(url, process, timeout=60), (
                tmp_path / f"{label}.log"
            ).read_text()[-3000:]
        (_pa, url_a), (_pb, url_b) = workers
        cookies = {SESSION_COOKIE: token}
        with httpx.Client(cookies=cookies, timeout=20, follow_redirects=False) as client:
            # Both workers have served the page once: each holds the "on" set in its cache.
            assert client.get(f"{url_a}/o/assoc-w/joblinks/").status_code == 200
            assert client.get(f"{url_b}/o/assoc-w/joblinks/").status_code == 200
            switched = client.post(
                f"{url_a}/o/assoc-w/admin/plugins/joblinks/switch",
                data={"enabled": "0", "csrf_token": csrf},
            )
            assert switched.status_code == 303, switched.text[:500]
            assert client.get(f"{url_b}/o/assoc-w/joblinks/").status_code == 404
            assert client.get(f"{url_a}/o/assoc-w/joblinks/").status_code == 404
            # And back on, through the other worker this time.
            switched = client.post(
                f"{url_b}/o/assoc-w/admin/plugins/joblinks/switch",
                data={"enabled": "1", "csrf_token": csrf},
            )
            assert switched.status_code == 303
            assert client.get(f"{url_a}/o/assoc-w/joblinks/").status_code == 200
    finally:
        for process, _url in workers:
            stop(process)
    with session_scope(factory) as db:
        state = db.scalar(select(PluginState).where(PluginState.plugin == "joblinks"))
        assert state is not None and state.enabled is True
    engine.dispose()
