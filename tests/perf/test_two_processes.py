"""Two `declic run` processes on one database: whatever one process learns, the other knows on
its next request, because everything shared lives in the database (sessions, throttling
counters, plugin switches, attempts). A learner signs in through A, starts the quiz through A,
answers through B (and some through A), submits through A; an admin switches the quiz off
through B and A answers 404 at once, then on again through A and B serves it.

Runs on SQLite (one file shared by both processes) and, with DECLIC_TEST_BACKEND=postgres, on a
PostgreSQL schema of its own. Loopback, free ports, every wait bounded.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bench._journey import csrf
from bench._scenario import check_answers, seed_quiz
from core.auth import hash_password
from core.db import make_engine, make_session_factory, session_scope
from core.models import Membership, Organisation, User
from core.testing import free_port, migrated_database, source_path, wait_for_health

PASSWORD = "two-processes-admin-password"  # a throwaway test account


def declic_run(
    url: str, secret: str, data_dir: Path, log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(
        DECLIC_DATABASE_URL=url,
        DECLIC_DATA_DIR=str(data_dir),
        DECLIC_SECRET_KEY=secret,
        PYTHONPATH=source_path(),
    )
    command = [sys.executable, "-m", "core.cli", "run", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}"


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[tuple[str, str, str, object]]:
    with migrated_database(tmp_path, "twoproc") as url:
        scenario = seed_quiz(url, 1, secret_key=secrets.token_urlsafe(32))
        engine = make_engine(url)
        with session_scope(make_session_factory(engine)) as db:
            org = db.scalar(select(Organisation).where(Organisation.slug == scenario.slug))
            assert org is not None
            admin = User(
                login="admin-2p", display_name="Admin", password_hash=hash_password(PASSWORD)
            )
            db.add(admin)
            db.flush()
            db.add(Membership(user_id=admin.id, organisation_id=org.id, role="admin"))
        engine.dispose()
        started = []
        try:
            for label in ("a", "b"):
                started.append(
                    declic_run(
                        url, scenario.secret_key, tmp_path / "data", tmp_path / f"{label}.log"
                    )
                )
            for (process, base), label in zip(started, "ab", strict=True):
                assert wait_for_health(base, process, timeout=90), (
                    tmp_path / f"{label}.log"
                ).read_text()[-3000:]
            yield started[0][1], started[1][1], url, scenario
        finally:
            for process, _base in started:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


def test_sign_in_switch_and_attempt_across_two_processes(two_processes) -> None:  # type: ignore[no-untyped-def]
    a, b, url, scenario = two_processes
    quiz = f"/o/{scenario.slug}/quiz/{scenario.quiz_id}"
    sent: dict[str, str] = {}
    with httpx.Client(timeout=30, follow_redirects=False) as learner:
        # Signed in through A ...
        page = learner.get(f"{a}/login/code")
        signed = learner.post(
            f"{a}/login/code", data={"code": scenario.codes[0], "csrf_token": csrf(page.text)}
        )
        assert signed.status_code == 303
        # ... known to B at once.
        page = learner.get(f"{b}{quiz}")
        assert page.status_code == 200
        token = csrf(page.text)
        started = learner.post(f"{a}{quiz}/start", data={"csrf_token": token})
        assert started.status_code == 303
        attempt = started.headers["location"].split("?")[0]
        assert learner.get(f"{b}{attempt}").status_code == 200
        for slot in range(1, 21):
            base = b if slot % 3 else a  # mostly through B, some through A
            choice = "abcd"[slot % 4]
            saved = learner.post(
                f"{base}{attempt}/save",
                data={
                    "csrf_token": token,
                    "slot": str(slot),
                    "seq": str(1000 + slot),
                    f"q{slot}": choice,
                },
            )
            assert saved.status_code == 200, saved.text[:300]
            sent[str(slot)] = choice
        # An older save arriving late through the other process changes nothing.
        late = learner.post(
            f"{a}{attempt}/save", data={"csrf_token": token, "slot": "1", "seq": "5", "q1": "d"}
        )
        assert late.status_code == 200
        assert learner.get(f"{b}{attempt}/summary").status_code == 200
        submitted = learner.post(f"{a}{attempt}/submit", data={"csrf_token": token})
        assert submitted.status_code == 303
        assert learner.get(f"{b}{attempt}/review").status_code == 200
        # A second submit through B is the same attempt, counted once.
        again = learner.post(f"{b}{attempt}/submit", data={"csrf_token": token})
        assert again.status_code == 303

        attempt_id = attempt.rstrip("/").split("/")[-1]
        report = check_answers(url, scenario.quiz_id, {attempt_id: sent})
        assert report["answers_lost"] == 0, report["differences"]
        assert report["answers_sent"] == 20
        assert report["attempts_not_finished"] == 0

        with httpx.Client(timeout=30, follow_redirects=False) as admin:
            page = admin.get(f"{b}/login")
            signed = admin.post(
                f"{b}/login",
                data={
                    "identifier": "admin-2p",
                    "password": PASSWORD,
                    "csrf_token": csrf(page.text),
                },
            )
            assert signed.status_code == 303
            admin_token = csrf(admin.get(f"{a}/o/{scenario.slug}/admin/plugins").text)
            off = admin.post(
                f"{b}/o/{scenario.slug}/admin/plugins/quiz/switch",
                data={"enabled": "0", "csrf_token": admin_token},
            )
            assert off.status_code == 303, off.text[:300]
            # Off through B: A refuses the learner's next request.
            assert learner.get(f"{a}{quiz}").status_code == 404
            on = admin.post(
                f"{a}/o/{scenario.slug}/admin/plugins/quiz/switch",
                data={"enabled": "1", "csrf_token": admin_token},
            )
            assert on.status_code == 303
            assert learner.get(f"{b}{quiz}").status_code == 200
            assert learner.get(f"{a}{quiz}").status_code == 200
