"""The attempt lifecycle over HTTP: saves, idempotence, refusals, submission, resume, overdue."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import clock
from plugins.quiz.models import Attempt, AttemptAnswer
from plugins.quiz.tests.builders import setup_learner, start


@pytest.fixture
def world(declic):
    return setup_learner(declic)


def save(declic, client, org, attempt_id, slot, seq, **fields):
    data = {"slot": str(slot), "seq": str(seq), **fields}
    return declic.post(client, f"/o/{org.slug}/quiz/attempt/{attempt_id}/save", data)


def answer_of(declic, attempt_id, slot):
    with declic.db() as db:
        return db.query(AttemptAnswer).filter_by(attempt_id=attempt_id, slot=slot).one()


def test_start_shows_first_question_and_saves_an_answer(declic, world):
    client = declic.client(world["learner"])
    org = world["org"]
    attempt_id = start(declic, client, org, world["quiz_id"])
    page = client.get(f"/o/{org.slug}/quiz/attempt/{attempt_id}")
    assert page.status_code == 200
    assert "Question 1" in page.text and 'name="q1"' in page.text
    response = save(declic, client, org, attempt_id, 1, 1000, q1="a")
    assert response.status_code == 200
    assert answer_of(declic, attempt_id, 1).response == {"choice": "a"}


def test_same_save_twice_and_older_save_after_newer_change_nothing(declic, world):
    client = declic.client(world["learner"])
    org = world["org"]
    attempt_id = start(declic, client, org, world["quiz_id"])
    assert save(declic, client, org, attempt_id, 1, 2000, q1="b").status_code == 200
    first = answer_of(declic, attempt_id, 1)
    assert save(declic, client, org, attempt_id, 1, 2000, q1="b").status_code == 200
    assert answer_of(declic, attempt_id, 1).saved_at == first.saved_at
    # An older save arriving late (offline queue, retry) must not overwrite the newer answer.
    assert save(declic, client, org, attempt_id, 1, 1500, q1="a").status_code == 200
    stored = answer_of(declic, attempt_id, 1)
    assert stored.response == {"choice": "b"} and stored.sequence == 2000
    assert save(declic, client, org, attempt_id, 1, 2500, q1="a").status_code == 200
    assert answer_of(declic, attempt_id, 1).response == {"choice": "a"}


def test_answer_to_a_question_not_in_the_attempt_is_refused(declic, world):
    client = declic.client(world["learner"])
    org = world["org"]
    attempt_id = start(declic, client, org, world["quiz_id"])
    response = save(declic, client, org, attempt_id, 99, 1000, q99="a")
    assert response.status_code == 403
    assert declic.count(AttemptAnswer, attempt_id=attempt_id, sequence=0) == 3


def test_unknown_choice_is_refused_and_nothing_written(declic, world):
    client = declic.client(world["learner"])
    org = world["org"]
    attempt_id = start(declic, client, org, world["quiz_id"])
    assert save(declic, client, org, attempt_id, 1, 1000, q1="zzz").status_code == 400
    assert answer_of(declic, attempt_id, 1).response is None


def test_another_learners_attempt_is_refused(declic, world):
    org = world["org"]
    owner = declic.client(world["learner"])
    attempt_id = start(declic, owner, org, world["quiz_id"])
    other = declic.user(org, "learner")
    declic.enrol(world["course"], other)
    intruder = declic.client(other)
    assert save(declic, intruder, org, attempt_id, 1, 1000, q1="a").status_code == 403
    assert intruder.get(f"/o/{org.slug}/quiz/attempt/{attempt_id}").status_code == 403
    assert (
        declic.post(intruder, f"/o/{org.slug}/quiz/attempt/{attempt_id}/submit").status_code == 403
    )
    assert answer_of(declic, attempt_id, 1).response is None
    assert declic.reload(Attempt, attempt_id).state == "in_progress"


def test_not_a_number_gets_a_message_and_the_attempt_is_intact(declic, world):
    client = declic.client(world["learner"])
    org = world["org"]
    attempt_id = start(declic, client, org, world["quiz_id"])
    assert save(declic, client, org, attempt_id, 2, 1000, q2="21").status_code == 200
    response = save(declic, client, org, attempt_id, 2, 2000, q2="vingt")
    assert response.status_code == 422
    assert "Type a number" in response.text or "Tapez un nombre" in response.text
    assert answer_of(declic, attempt_id, 2).response == {"value": "21"}
    # Through the plain form (no JavaScript): the page comes back with the message and the value.
    page = declic.post(
        client,
        f"/o/{org.slug}/quiz/attempt/{attempt_id}/page",
        {"page": "1", "q2": "douze", "goto": "next"},
    )
    assert page.status_code == 422
    assert 'value="douze"' in page.text and 'aria-invalid="true"' in page.text
    assert answer_of(declic, attempt_id, 2).response == {"value": "21"}
    assert declic.reload(Attempt, attempt_id).state == "in_progress"


def test_plain_form_saves_moves_and_resumes_on_the_same_page(declic, world):
    client = declic.client(world["learner"])
    org = world["org"]
    attempt_id = start(declic, client, org, world["quiz_id"])
    base = f"/o/{org.slug}/quiz/attempt/{attempt_id}"
    r = declic.post(
        client, base + "/page", {"page": "0", "q1_present": "1", "q1": "a", "goto": "next"}
    )
    assert r.status_code == 303 and r.headers["location"].endswith("?page=1")
    r = declic.post(
        client, base + "/page", {"page": "1", "q2_present": "1", "q2": "21,2", "goto": "next"}
    )
    assert r.status_code == 303
    # A new browser (or after a crash) reopens the quiz: same attempt, same page, answers there.
    again = declic.client(world["learner"])
    assert start(declic, again, org, world["quiz_id"]) == attempt_id
    page = again.get(base)
    assert "Question 3" in page.text
    back = again.get(base + "?page=1")
    assert 'value="21,2"' in back.text


def test_submit_twice_gives_one_submission_and_events_once(declic, world, monkeypatch):
    from plugins.quiz import announce

    calls = []
    monkeypatch.setattr(
        announce, "emit", lambda hooks, failures, db, name, **kw: calls.append((name, kw["result"]))
    )
    client = declic.client(world["learner"])
    org = world["org"]
    attempt_id = start(declic, client, org, world["quiz_id"])
    save(declic, client, org, attempt_id, 1, 1000, q1="a")
    save(declic, client, org, attempt_id, 2, 1000, q2="21.3")
    save(declic, client, org, attempt_id, 3, 1000, q3="false")
    first = declic.post(client, f"/o/{org.slug}/quiz/attempt/{attempt_id}/submit")
    second = declic.post(client, f"/o/{org.slug}/quiz/attempt/{attempt_id}/submit")
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    attempt = declic.reload(Attempt, attempt_id)
    assert attempt.state == "finished" and attempt.score == 2.0 and attempt.max_score == 3.0
    assert [name for name, _r in calls] == [
        "declic_quiz_attempt_submitted",
        "declic_quiz_attempt_graded",
    ]
    result = calls[0][1]
    assert result.score == 2.0 and result.user_id == world["learner"].id
    assert [i.fraction for i in result.items] == [1.0, 1.0, 0.0]
    assert result.items[0].tags == ("b2i:D1", "crcn:1.1")
    assert result.submitted_at.tzinfo is not None
    # After submission, answers cannot change.
    assert save(declic, client, org, attempt_id, 1, 5000, q1="b").status_code == 409
    assert answer_of(declic, attempt_id, 1).response == {"choice": "a"}
    review = client.get(first.headers["location"])
    assert review.status_code == 200 and "Yes, Paris." in review.text


def test_quiz_without_questions_cannot_be_opened(declic):
    org = declic.org("assoc-e")
    declic.enable(org, "quiz")
    course = declic.course(org)
    learner = declic.user(org, "learner")
    declic.enrol(course, learner)
    from plugins.quiz.tests.builders import make_quiz

    quiz_id = make_quiz(declic, org, course, question_ids=[])
    client = declic.client(learner)
    response = declic.post(client, f"/o/{org.slug}/quiz/{quiz_id}/start")
    assert response.status_code == 409
    assert declic.count(Attempt) == 0


def test_overdue_attempt_is_finished_on_next_access_with_saved_answers(declic):
    world = setup_learner(declic, "assoc-t", time_limit_seconds=600, overdue_action="autosubmit")
    client = declic.client(world["learner"])
    org = world["org"]
    attempt_id = start(declic, client, org, world["quiz_id"])
    save(declic, client, org, attempt_id, 1, 1000, q1="a")
    clock.set_offset(timedelta(minutes=11))
    try:
        late = save(declic, client, org, attempt_id, 2, 2000, q2="21")
        assert late.status_code == 409
        attempt = declic.reload(Attempt, attempt_id)
        assert attempt.state == "finished" and attempt.score == 1.0
        assert attempt.finished_at == attempt.deadline
    finally:
        clock.set_offset(timedelta(0))


def test_overdue_attempt_is_finished_by_cron(declic):
    world = setup_learner(
        declic, "assoc-c", time_limit_seconds=600, overdue_action="graceperiod", grace_seconds=120
    )
    client = declic.client(world["learner"])
    org = world["org"]
    attempt_id = start(declic, client, org, world["quiz_id"])
    save(declic, client, org, attempt_id, 3, 1000, q3="true")
    from plugins.quiz.plugin import declic_cron

    with declic.db() as db:
        assert (
            declic_cron(db=db, now=clock.now() + timedelta(minutes=11), host=declic.state.host)
            == []
        )  # still in grace
    with declic.db() as db:
        lines = declic_cron(db=db, now=clock.now() + timedelta(minutes=13), host=declic.state.host)
    assert lines and "1 overdue" in lines[0]
    attempt = declic.reload(Attempt, attempt_id)
    assert attempt.state == "finished" and attempt.score == 1.0


def test_an_empty_answer_is_saved_but_not_counted_as_answered(declic, world):
    client = declic.client(world["learner"])
    org = world["org"]
    attempt_id = start(declic, client, org, world["quiz_id"])
    base = f"/o/{org.slug}/quiz/attempt/{attempt_id}"
    r = declic.post(client, base + "/page", {"page": "0", "q1_present": "1", "goto": "summary"})
    assert r.status_code == 303
    assert answer_of(declic, attempt_id, 1).response == {"choice": ""}
    summary = client.get(base + "/summary")
    assert "3 questions n’ont pas encore de réponse." in summary.text


def test_concurrent_submissions_count_once(declic, world, monkeypatch):
    import threading

    from core.models import AuditEvent
    from plugins.quiz import announce

    heard = []
    lock = threading.Lock()

    def record(hooks, failures, db, name, **kw):
        with lock:
            heard.append(name)

    monkeypatch.setattr(announce, "emit", record)
    org = world["org"]
    attempt_id = start(declic, declic.client(world["learner"]), org, world["quiz_id"])
    clients = [declic.client(world["learner"]) for _ in range(5)]
    tokens = [declic.csrf(c) for c in clients]
    barrier = threading.Barrier(len(clients))
    codes = []

    def submit(client, token):
        barrier.wait()
        r = client.post(
            f"/o/{org.slug}/quiz/attempt/{attempt_id}/submit", data={"csrf_token": token}
        )
        with lock:
            codes.append(r.status_code)

    threads = [
        threading.Thread(target=submit, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert codes == [303] * 5
    assert heard == ["declic_quiz_attempt_submitted", "declic_quiz_attempt_graded"]
    assert declic.count(AuditEvent, action="quiz.attempt.submit") == 1


def test_concurrent_saves_keep_the_newest(declic, world):
    import threading

    org = world["org"]
    attempt_id = start(declic, declic.client(world["learner"]), org, world["quiz_id"])
    clients = [declic.client(world["learner"]) for _ in range(6)]
    tokens = [declic.csrf(c) for c in clients]
    barrier = threading.Barrier(len(clients))
    # Sequence numbers arrive out of order; the highest one's answer must win.
    plan = [(7000, "b"), (9000, "a"), (8000, "b"), (1000, "b"), (8999, "b"), (5000, "b")]

    def send(client, token, seq, choice):
        barrier.wait()
        data = {"slot": "1", "seq": str(seq), "q1": choice, "csrf_token": token}
        client.post(f"/o/{org.slug}/quiz/attempt/{attempt_id}/save", data=data)

    threads = [
        threading.Thread(target=send, args=(c, t, seq, choice))
        for c, t, (seq, choice) in zip(clients, tokens, plan, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    stored = answer_of(declic, attempt_id, 1)
    assert stored.sequence == 9000 and stored.response == {"choice": "a"}


def test_a_page_with_one_bad_answer_keeps_the_good_ones_it_saved(declic):
    world = setup_learner(declic, "assoc-page", questions_per_page=0)
    client = declic.client(world["learner"])
    org = world["org"]
    attempt_id = start(declic, client, org, world["quiz_id"])
    base = f"/o/{org.slug}/quiz/attempt/{attempt_id}"
    form = {
        "page": "0",
        "q1_present": "1",
        "q1": "a",
        "q2_present": "1",
        "q2": "vingt",
        "goto": "summary",
    }
    page = declic.post(client, base + "/page", form)
    assert page.status_code == 422
    assert 'value="a" checked' in page.text and 'value="vingt"' in page.text
    assert answer_of(declic, attempt_id, 1).response == {"choice": "a"}
    assert answer_of(declic, attempt_id, 2).response is None
