"""Kill the server mid-attempt (SIGKILL), start it again: the attempt resumes on the same page
with every saved answer."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from core.auth import SESSION_COOKIE, csrf_token_for, session_binding, start_session
from core.db import make_engine, make_session_factory, session_scope
from core.migrate import upgrade
from core.models import Course, Enrolment, Membership, Organisation, User
from core.plugin_switches import switch_plugin
from core.testing import make_host
from plugins.quiz.bank import create_question, ensure_category
from plugins.quiz.models import Quiz, QuizSlot
from plugins.quiz.tests.builders import DEFAULT_QUESTIONS

SECRET = "restart-test-secret"
ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(database_url: str, data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "DECLIC_DATABASE_URL": database_url,
        "DECLIC_DATA_DIR": str(data_dir),
        "DECLIC_SECRET_KEY": SECRET,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "core.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode() if process.stderr else "server died")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not start in 30 s")


def seed(database_url: str) -> tuple[str, int]:
    """An organisation with the quiz on, an enrolled learner signed in, a 3-question quiz."""
    engine = make_engine(database_url)
    host = make_host()
    upgrade(engine, host)
    with session_scope(make_session_factory(engine)) as db:
        org = Organisation(slug="restart", name="Restart")
        db.add(org)
        db.flush()
        switch_plugin(db, host, org, "quiz", True, actor=None, cascade=True)
        learner = User(login="amina", display_name="Amina")
        db.add(learner)
        course = Course(organisation_id=org.id, title="Clic'Emploi")
        db.add(course)
        db.flush()
        db.add(Membership(user_id=learner.id, organisation_id=org.id, role="learner"))
        db.add(
            Enrolment(
                organisation_id=org.id, course_id=course.id, user_id=learner.id, role="learner"
            )
        )
        category = ensure_category(db, org.id, "Cat")
        quiz = Quiz(
            organisation_id=org.id,
            course_id=course.id,
            title="Restart quiz",
            visible=True,
            shuffle_choices=False,
        )
        db.add(quiz)
        db.flush()
        for n, (qtype, data, tags) in enumerate(DEFAULT_QUESTIONS, 1):
            question, _v = create_question(
                db, org.id, category.id, qtype, f"Q{n}", f"Question {n}", data, tags=tags
            )
            db.add(
                QuizSlot(
                    organisation_id=org.id, quiz_id=quiz.id, position=n, question_id=question.id
                )
            )
        db.flush()
        token = start_session(db, learner)
        quiz_id = quiz.id
    engine.dispose()
    return token, quiz_id


def test_attempt_survives_a_killed_server(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'restart.sqlite3'}"
    token, quiz_id = seed(database_url)
    headers = {"X-CSRF-Token": csrf_token_for(SECRET, session_binding(token))}
    cookies = {SESSION_COOKIE: token}
    process, base = serve(database_url, tmp_path)
    try:
        with httpx.Client(base_url=base, cookies=cookies, headers=headers, timeout=10) as http:
            r = http.post(f"/o/restart/quiz/{quiz_id}/start")
            assert r.status_code == 303
            attempt_url = r.headers["location"]
            r = http.post(attempt_url + "/page", data={"page": "0", "q1": "a", "goto": "next"})
            assert r.status_code == 303 and r.headers["location"].endswith("?page=1")
            r = http.post(attempt_url + "/save", data={"slot": "2", "seq": "5000", "q2": "21,3"})
            assert r.status_code == 200
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    process, base = serve(database_url, tmp_path)
    try:
        with httpx.Client(base_url=base, cookies=cookies, headers=headers, timeout=10) as http:
            r = http.post(f"/o/restart/quiz/{quiz_id}/start")
            assert r.headers["location"] == attempt_url  # the same attempt, resumed
            page = http.get(attempt_url)
            assert page.status_code == 200
            assert (
                "Question 2" in page.text and 'value="21,3"' in page.text
            )  # same page, answer there
            first = http.get(attempt_url + "?page=0")
            assert 'value="a" checked' in first.text
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
