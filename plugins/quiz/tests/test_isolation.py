"""Organisations never see each other's quizzes, questions or attempts; the plugin contract."""

from __future__ import annotations

from core.testing import assert_plugin_contract
from plugins.quiz.models import AttemptAnswer, Question
from plugins.quiz.tests.builders import setup_learner, start


def test_plugin_contract(declic):
    assert_plugin_contract(declic, "quiz")


def test_org_b_cannot_reach_org_a_quiz_bank_or_attempt(declic):
    a = setup_learner(declic, "assoc-a")
    b = setup_learner(declic, "assoc-b")
    learner_a = declic.client(a["learner"])
    attempt_id = start(declic, learner_a, a["org"], a["quiz_id"])
    with declic.db() as db:
        question_id = db.query(Question).filter_by(organisation_id=a["org"].id).first().id
    admin_b = declic.client(declic.user(b["org"], "admin"))
    learner_b = declic.client(b["learner"])
    quiz_a = a["quiz_id"]
    # Through B's own address, A's ids are "not found".
    for client in (admin_b, learner_b):
        for path in (
            f"/{quiz_a}",
            f"/{quiz_a}/report",
            f"/{quiz_a}/settings",
            f"/attempt/{attempt_id}",
            f"/attempt/{attempt_id}/review",
            f"/bank/{question_id}",
        ):
            assert client.get(f"/o/assoc-b/quiz{path}").status_code in (403, 404), path
    r = declic.post(
        learner_b,
        f"/o/assoc-b/quiz/attempt/{attempt_id}/save",
        {"slot": "1", "seq": "9", "q1": "a"},
    )
    assert r.status_code == 404
    assert declic.post(learner_b, f"/o/assoc-b/quiz/{quiz_a}/start").status_code == 404
    # Through A's address, B's people are not members.
    assert admin_b.get(f"/o/assoc-a/quiz/{quiz_a}/report").status_code == 403
    assert (
        declic.post(
            learner_b,
            f"/o/assoc-a/quiz/attempt/{attempt_id}/save",
            {"slot": "1", "seq": "9", "q1": "a"},
        ).status_code
        == 403
    )
    assert declic.count(AttemptAnswer, attempt_id=attempt_id, sequence=0) == 3


def test_switched_off_quiz_answers_404_and_keeps_data(declic):
    a = setup_learner(declic, "assoc-off")
    client = declic.client(a["learner"])
    attempt_id = start(declic, client, a["org"], a["quiz_id"])
    declic.disable(a["org"], "quiz")
    assert client.get(f"/o/assoc-off/quiz/attempt/{attempt_id}").status_code == 404
    declic.enable(a["org"], "quiz")
    assert client.get(f"/o/assoc-off/quiz/attempt/{attempt_id}").status_code == 200


def test_ids_that_are_not_row_ids_are_not_found(declic):
    """Words, negative numbers and ids beyond what the database stores are "not found", on the
    attempt pages (one statement loads the attempt with its quiz) as on every ctx.get page."""
    a = setup_learner(declic, "assoc-ids")
    client = declic.client(a["learner"])
    start(declic, client, a["org"], a["quiz_id"])
    for bad in ("abc", "-1", "0", str(2**63), "9" * 30):
        assert client.get(f"/o/assoc-ids/quiz/attempt/{bad}").status_code == 404, bad
        assert client.get(f"/o/assoc-ids/quiz/attempt/{bad}/summary").status_code == 404, bad
        assert client.get(f"/o/assoc-ids/quiz/{bad}").status_code == 404, bad
        r = declic.post(
            client, f"/o/assoc-ids/quiz/attempt/{bad}/save", {"slot": "1", "seq": "9", "q1": "a"}
        )
        assert r.status_code == 404, bad
