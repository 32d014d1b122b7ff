"""The quiz scenario shared by the benchmarks and the smoke stampede test: a fresh database, one
organisation with the quiz plugin on, a course, a timed quiz of 20 single-choice questions (one
per page) and N enrolled learners who sign in with a printed login code.

Seeding uses bulk inserts (one ``insert()`` per table with a list of rows), so 100,000 users take
seconds. ``check_answers`` reads the database afterwards and compares every saved answer with what
the load tool says it sent last for each question.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from core.auth import CODE_ALPHABET, CODE_LENGTH, _code_hash, format_code
from core.clock import now
from core.db import make_engine, make_session_factory, session_scope
from core.models import Course, Enrolment, LoginCode, Membership, Organisation, User
from core.plugin_switches import switch_plugin

QUESTIONS = 20
CHOICES = ("a", "b", "c", "d")
SLUG = "bench"
# The machine's PostgreSQL (trust auth on loopback); a schema of the bench's own is made in it.
POSTGRES_ADMIN_URL = os.environ.get(
    "DECLIC_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@dataclass
class Scenario:
    database_url: str
    secret_key: str
    slug: str
    quiz_id: int
    codes: list[str]  # one login code per learner, in user order

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))

    @classmethod
    def load(cls, path: Path) -> Scenario:
        return cls(**json.loads(path.read_text()))


@contextmanager
def fresh_database(backend: str, folder: Path, label: str) -> Iterator[str]:
    """A new migrated database: a SQLite file in ``folder`` or a PostgreSQL schema named
    ``declic_bench_<label>_<pid>`` (never a test schema), dropped afterwards."""
    from core.migrate import upgrade
    from core.testing import make_host

    if backend == "sqlite":
        url = f"sqlite:///{folder / f'{label}.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine, make_host())
        engine.dispose()
        yield url
        return
    schema = f"declic_bench_{label}_{os.getpid()}"
    admin = create_engine(POSTGRES_ADMIN_URL, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_ADMIN_URL else "?"
    url = f"{POSTGRES_ADMIN_URL}{sep}options=-csearch_path%3D{schema}"
    try:
        engine = make_engine(url)
        upgrade(engine, make_host())
        engine.dispose()
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _bulk(db: Session, model: type, rows: list[dict[str, Any]], chunk: int = 5000) -> None:
    for start in range(0, len(rows), chunk):
        db.execute(insert(model), rows[start : start + chunk])


def seed_quiz(
    database_url: str,
    learners: int,
    *,
    secret_key: str | None = None,
    time_limit_seconds: int = 1800,
    extra_orgs: int = 0,
    extra_users: int = 0,
    extra_questions: int = 0,
    past_attempts: int = 0,
) -> Scenario:
    """Seed the scenario (and optional growth data) in one transaction; return how to reach it."""
    from core.testing import make_host
    from plugins.quiz.bank import create_question, ensure_category
    from plugins.quiz.models import Quiz, QuizSlot

    secret_key = secret_key or secrets.token_urlsafe(32)
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    host = make_host()
    stamp = now()
    with session_scope(factory) as db:
        org = Organisation(slug=SLUG, name="Bench association")
        db.add(org)
        db.flush()
        switch_plugin(db, host, org, "quiz", True, None)
        course = Course(organisation_id=org.id, title="Bench course")
        db.add(course)
        db.flush()
        category = ensure_category(db, org.id, "Bench")
        data = {
            "choices": [
                {
                    "id": c,
                    "text": f"Choice {c}",
                    "fraction": 1.0 if c == "a" else 0.0,
                    "feedback": "",
                    "image_id": None,
                }
                for c in CHOICES
            ]
        }
        question_ids = [
            create_question(
                db, org.id, category.id, "single", f"Q{n}", f"<p>Question {n}</p>", data, tags=()
            )[0].id
            for n in range(1, QUESTIONS + 1)
        ]
        quiz = Quiz(
            organisation_id=org.id,
            course_id=course.id,
            title="Bench quiz",
            visible=True,
            shuffle_choices=False,
            time_limit_seconds=time_limit_seconds,
            questions_per_page=1,
        )
        db.add(quiz)
        db.flush()
        for position, qid in enumerate(question_ids, 1):
            db.add(
                QuizSlot(
                    organisation_id=org.id,
                    quiz_id=quiz.id,
                    position=position,
                    question_id=qid,
                    mark=1.0,
                )
            )
        db.flush()

        total_users = learners + extra_users
        _bulk(
            db,
            User,
            [
                {"login": f"bench{n:06d}", "display_name": f"Learner {n}", "created_at": stamp}
                for n in range(total_users)
            ],
        )
        ids = list(
            db.scalars(select(User.id).where(User.login.like("bench%")).order_by(User.login))
        )
        _bulk(
            db,
            Membership,
            [
                {"user_id": uid, "organisation_id": org.id, "role": "learner", "created_at": stamp}
                for uid in ids
            ],
        )
        _bulk(
            db,
            Enrolment,
            [
                {
                    "organisation_id": org.id,
                    "course_id": course.id,
                    "user_id": uid,
                    "role": "learner",
                    "created_at": stamp,
                }
                for uid in ids
            ],
        )
        codes = [
            "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            for _ in range(learners)
        ]
        _bulk(
            db,
            LoginCode,
            [
                {
                    "organisation_id": org.id,
                    "user_id": uid,
                    "code_hash": _code_hash(code, secret_key),
                    "created_at": stamp,
                }
                for uid, code in zip(ids[:learners], codes, strict=True)
            ],
        )
        if extra_orgs:
            _bulk(
                db,
                Organisation,
                [
                    {"slug": f"other{n:05d}", "name": f"Other {n}", "created_at": stamp}
                    for n in range(extra_orgs)
                ],
            )
        if extra_questions:
            _seed_questions(db, org.id, category.id, extra_questions, data, stamp)
        if past_attempts:
            _seed_attempts(db, org.id, quiz.id, ids[learners:] or ids, past_attempts, stamp)
        quiz_id = quiz.id
    engine.dispose()
    return Scenario(database_url, secret_key, SLUG, quiz_id, [format_code(c) for c in codes])


def _seed_questions(
    db: Session, org_id: int, category_id: int, count: int, data: dict[str, Any], stamp: Any
) -> None:
    from plugins.quiz.models import Question, QuestionVersion

    _bulk(
        db,
        Question,
        [
            {
                "organisation_id": org_id,
                "category_id": category_id,
                "current_version": 1,
                "created_at": stamp,
            }
            for _ in range(count)
        ],
    )
    new = list(
        db.scalars(
            select(Question.id)
            .where(Question.organisation_id == org_id)
            .order_by(Question.id.desc())
            .limit(count)
        )
    )
    _bulk(
        db,
        QuestionVersion,
        [
            {
                "organisation_id": org_id,
                "question_id": qid,
                "version": 1,
                "qtype": "single",
                "name": f"Bank {qid}",
                "text": "<p>Bank question</p>",
                "data_json": json.dumps(data),
                "created_at": stamp,
            }
            for qid in new
        ],
    )


def _seed_attempts(
    db: Session, org_id: int, quiz_id: int, user_ids: list[int], count: int, stamp: Any
) -> None:
    from plugins.quiz.models import Attempt

    _bulk(
        db,
        Attempt,
        [
            {
                "organisation_id": org_id,
                "quiz_id": quiz_id,
                "user_id": user_ids[n % len(user_ids)],
                "number": n // len(user_ids) + 1,
                "state": "finished",
                "layout_json": "[]",
                "started_at": stamp,
                "finished_at": stamp,
                "score": 0.0,
                "max_score": 20.0,
            }
            for n in range(count)
        ],
    )


def check_answers(
    database_url: str,
    quiz_id: int,
    sent: dict[str, dict[str, str]],
    pending: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """Compare the database with what was sent: ``sent`` maps attempt id → {slot: choice} (the
    last choice sent for each slot). Returns counts and the first differences."""
    from plugins.quiz.models import Attempt, AttemptAnswer

    engine = make_engine(database_url)
    try:
        with Session(engine) as db:
            attempts = {
                a.id: a for a in db.scalars(select(Attempt).where(Attempt.quiz_id == quiz_id))
            }
            stored: dict[int, dict[int, Any]] = {}
            for answer in db.scalars(
                select(AttemptAnswer).where(AttemptAnswer.attempt_id.in_(list(attempts)))
            ):
                stored.setdefault(answer.attempt_id, {})[answer.slot] = answer.response
    finally:
        engine.dispose()
    expected = lost = 0
    differences: list[str] = []
    unfinished = 0
    for attempt_id, slots in sent.items():
        attempt = attempts.get(int(attempt_id))
        if attempt is None:
            lost += len(slots)
            differences.append(f"attempt {attempt_id} missing")
            continue
        if attempt.state != "finished":
            unfinished += 1
        for slot, choice in slots.items():
            expected += 1
            got = (stored.get(attempt.id, {}).get(int(slot)) or {}).get("choice")
            in_flight = (pending or {}).get(attempt_id, {}).get(slot)
            if got != choice and got != in_flight:
                lost += 1
                if len(differences) < 10:
                    differences.append(
                        f"attempt {attempt_id} slot {slot}: sent {choice}, stored {got}"
                    )
    return {
        "answers_sent": expected,
        "answers_lost": lost,
        "attempts": len(sent),
        "attempts_not_finished": unfinished,
        "differences": differences,
    }
