"""A small stampede through the bench harness, in the normal suite so the harness never rots:
20 learners at once sign in with their codes, start the same timed quiz, save an answer to each
of its 20 questions and submit, against the application served by uvicorn on a free port.

Asserts zero errors and zero lost answers (the database holds, for every attempt and question,
the last choice the learner sent), never timings: the machine is shared.
"""

from __future__ import annotations

import random
import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench._journey import run_learner
from bench._scenario import check_answers, seed_quiz
from bench._servers import Server, app_env
from core.testing import migrated_database

LEARNERS = 20


def test_twenty_learners_start_answer_and_submit_with_nothing_lost(tmp_path: Path) -> None:
    with migrated_database(tmp_path, "stampede") as url:
        scenario = seed_quiz(url, LEARNERS, secret_key=secrets.token_urlsafe(32))
        env = app_env(url, scenario.secret_key, tmp_path / "data")
        with (
            Server("core.app:create_app", 1, env, tmp_path / "server.log") as server,
            ThreadPoolExecutor(max_workers=LEARNERS) as pool,
        ):
            outcomes = list(
                pool.map(
                    lambda code: run_learner(
                        server.url,
                        scenario.slug,
                        scenario.quiz_id,
                        code,
                        think=lambda: random.uniform(0.0, 0.05),
                    ),
                    scenario.codes,
                )
            )
        errors = [e for o in outcomes for e in o.errors]
        assert errors == [], errors[:5]
        sent = {str(o.attempt_id): o.sent for o in outcomes}
        assert len(sent) == LEARNERS  # one attempt each, none shared
        report = check_answers(url, scenario.quiz_id, sent)
        assert report["answers_sent"] == LEARNERS * 20
        assert report["answers_lost"] == 0, report["differences"]
        assert report["attempts_not_finished"] == 0
