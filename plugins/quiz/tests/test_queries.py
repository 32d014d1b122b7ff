"""A question page and an answer save run a bounded number of SQL statements, whatever the size
of the bank and the number of past attempts."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from core import clock
from plugins.quiz.attempts import save_answer, start_attempt, submit_attempt
from plugins.quiz.models import Quiz
from plugins.quiz.tests.builders import DEFAULT_QUESTIONS, add_questions, setup_learner, start

QUERY_BOUND = 15


@contextmanager
def counting(app):
    statements: list[str] = []
    state = app.state.declic
    engines = {id(e): e for e in (state.engine, state.write_engine)}.values()

    def record(conn, cursor, statement, *args):
        if (
            not statement.lstrip()
            .upper()
            .startswith(("PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))
        ):
            statements.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def measure(declic, slug, bank_size, past_attempts):
    world = setup_learner(declic, slug)
    org, learner = world["org"], world["learner"]
    add_questions(declic, org, DEFAULT_QUESTIONS * (bank_size // 3), category="Big")
    with declic.db() as db:
        quiz = db.get(Quiz, world["quiz_id"])
        for n in range(past_attempts):
            attempt, _new = start_attempt(db, quiz, learner.id, clock.now())
            save_answer(db, attempt, 1, {"choice": "a"}, n + 1, clock.now())
            submit_attempt(db, quiz, attempt, clock.now())
    client = declic.client(learner)
    attempt_id = start(declic, client, org, world["quiz_id"])
    page_url = f"/o/{org.slug}/quiz/attempt/{attempt_id}"
    client.get(page_url)  # warm caches (plugin states, templates)
    with counting(declic.app) as page_queries:
        assert client.get(page_url).status_code == 200
    token = declic.csrf(client)
    with counting(declic.app) as save_queries:
        r = client.post(
            page_url + "/save", data={"slot": "1", "seq": "99999", "q1": "a", "csrf_token": token}
        )
        assert r.status_code == 200
    return len(page_queries), len(save_queries)


def test_query_counts_do_not_grow_with_bank_or_attempts(declic):
    small = measure(declic, "small", bank_size=10, past_attempts=1)
    large = measure(declic, "large", bank_size=200, past_attempts=50)
    print(
        f"\nqueries (page, save): small bank/1 attempt {small}, 200 questions/50 attempts {large}"
    )
    assert small == large
    assert max(large) <= QUERY_BOUND
