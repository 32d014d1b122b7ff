"""Quiz modes and the rest of the lifecycle: essays marked by hand, immediate feedback,
sequential navigation, review settings, attempts allowed, demo data and privacy."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core import clock
from core.models import Course, Section, User
from plugins.quiz import privacy, seed
from plugins.quiz.models import Attempt, AttemptAnswer, Question, QuestionTag, Quiz
from plugins.quiz.tests.builders import (
    DEFAULT_QUESTIONS,
    SINGLE,
    add_questions,
    make_quiz,
    setup_learner,
    start,
)


def post_save(declic, client, org, attempt_id, slot, seq, **fields):
    return declic.post(
        client,
        f"/o/{org.slug}/quiz/attempt/{attempt_id}/save",
        {"slot": str(slot), "seq": str(seq), **fields},
    )


def test_essay_waits_for_the_trainer_mark(declic):
    world = setup_learner(declic, "assoc-essay")
    org = world["org"]
    essay_id, single_id = add_questions(
        declic, org, [("essay", {}, ("crcn:3.1",)), ("single", SINGLE, ())], "E"
    )
    quiz_id = make_quiz(declic, org, world["course"], [essay_id, single_id])
    client = declic.client(world["learner"])
    attempt_id = start(declic, client, org, quiz_id)
    post_save(declic, client, org, attempt_id, 1, 1, q1="Je présente mon CV.")
    post_save(declic, client, org, attempt_id, 2, 1, q2="a")
    declic.post(client, f"/o/{org.slug}/quiz/attempt/{attempt_id}/submit")
    attempt = declic.reload(Attempt, attempt_id)
    assert attempt.needs_grading and attempt.score == 1.0
    review = client.get(f"/o/{org.slug}/quiz/attempt/{attempt_id}/review")
    assert "À noter par un formateur" in review.text
    trainer = declic.client(world["trainer"])
    url = f"/o/{org.slug}/quiz/attempt/{attempt_id}/slot/1/override"
    assert (
        declic.post(trainer, url, {"mark": "7", "comment": ""}).status_code == 422
    )  # above the maximum
    assert declic.post(trainer, url, {"mark": "abc"}).status_code == 422
    assert declic.reload(Attempt, attempt_id).needs_grading
    assert (
        declic.post(trainer, url, {"mark": "0,75", "comment": "Bien structuré"}).status_code == 303
    )
    attempt = declic.reload(Attempt, attempt_id)
    assert not attempt.needs_grading and attempt.score == 1.75
    assert declic.post(client, url, {"mark": "1"}).status_code == 403  # learners never mark


def test_immediate_feedback_after_checking_and_the_answer_then_stays(declic):
    world = setup_learner(declic, "assoc-imm", feedback_mode="immediate")
    client = declic.client(world["learner"])
    org = world["org"]
    attempt_id = start(declic, client, org, world["quiz_id"])
    base = f"/o/{org.slug}/quiz/attempt/{attempt_id}"
    page = client.get(base)
    assert 'name="check" value="1"' in page.text
    # Checking an empty answer: a message, nothing locked.
    r = declic.post(client, base + "/page", {"page": "0", "check": "1"})
    assert r.status_code == 422 and "Donnez une réponse avant de la vérifier." in r.text
    saved = post_save(declic, client, org, attempt_id, 1, 1, q1="b")
    assert (
        saved.status_code == 200 and "No, not Lyon." not in saved.text
    )  # no feedback before checking
    r = declic.post(
        client, base + "/page", {"page": "0", "q1_present": "1", "q1": "b", "check": "1"}
    )
    assert r.status_code == 303 and r.headers["location"].endswith("?page=0#q1")
    page = client.get(base + "?page=0")
    assert "No, not Lyon." in page.text and "Pas juste" in page.text
    assert (
        'name="check" value="1"' not in page.text
        and 'id="q1-a" name="q1" value="a" disabled' in page.text
    )
    # Once checked, the answer no longer changes, by any way in.
    assert post_save(declic, client, org, attempt_id, 1, 99, q1="a").status_code == 409
    r = declic.post(
        client, base + "/page", {"page": "0", "q1_present": "1", "q1": "a", "goto": "next"}
    )
    assert r.status_code == 303
    assert (
        declic.count(AttemptAnswer, attempt_id=attempt_id, slot=1, response_json='{"choice": "b"}')
        == 1
    )


def test_sequential_navigation_never_goes_back(declic):
    world = setup_learner(declic, "assoc-seq", navigation="sequential")
    client = declic.client(world["learner"])
    org = world["org"]
    attempt_id = start(declic, client, org, world["quiz_id"])
    base = f"/o/{org.slug}/quiz/attempt/{attempt_id}"
    assert (
        declic.post(client, base + "/page", {"page": "0", "q1": "a", "goto": "next"}).status_code
        == 303
    )
    assert (
        "Question 2" in client.get(base + "?page=0").text
    )  # asking for page 0 shows the current one
    assert post_save(declic, client, org, attempt_id, 1, 50, q1="b").status_code == 409
    assert (
        declic.post(client, base + "/page", {"page": "0", "q1": "b", "goto": "next"}).status_code
        == 409
    )
    stored = declic.count(
        AttemptAnswer, attempt_id=attempt_id, slot=1, response_json='{"choice": "a"}'
    )
    assert stored == 1


def test_review_settings_hide_what_they_should(declic):
    world = setup_learner(declic, "assoc-rev", review_correct=False, review_feedback=False)
    client = declic.client(world["learner"])
    org = world["org"]
    attempt_id = start(declic, client, org, world["quiz_id"])
    post_save(declic, client, org, attempt_id, 1, 1, q1="b")
    declic.post(client, f"/o/{org.slug}/quiz/attempt/{attempt_id}/submit")
    review = client.get(f"/o/{org.slug}/quiz/attempt/{attempt_id}/review").text
    assert "Score" in review and "No, not Lyon." not in review and "La bonne réponse" not in review
    with declic.db() as db:
        db.get(Quiz, world["quiz_id"]).review_when = "after_close"
        db.get(Quiz, world["quiz_id"]).close_at = clock.now() + timedelta(days=1)
    hidden = client.get(f"/o/{org.slug}/quiz/attempt/{attempt_id}/review").text
    assert "seront affichés plus tard" in hidden and "Score :" not in hidden
    trainer_view = (
        declic.client(world["trainer"]).get(f"/o/{org.slug}/quiz/attempt/{attempt_id}/review").text
    )
    assert "No, not Lyon." in trainer_view  # trainers always see everything


def test_attempts_allowed_and_grading_method(declic):
    world = setup_learner(declic, "assoc-max", attempts_allowed=2, grading_method="average")
    client = declic.client(world["learner"])
    org = world["org"]
    for answer in ("a", "b"):
        attempt_id = start(declic, client, org, world["quiz_id"])
        post_save(declic, client, org, attempt_id, 1, 1, q1=answer)
        declic.post(client, f"/o/{org.slug}/quiz/attempt/{attempt_id}/submit")
    assert declic.post(client, f"/o/{org.slug}/quiz/{world['quiz_id']}/start").status_code == 409
    page = client.get(f"/o/{org.slug}/quiz/{world['quiz_id']}")
    assert "0,5" in page.text  # average of 1 and 0
    assert declic.count(Attempt) == 2


def test_grace_period_accepts_answers_then_finishes(declic):
    world = setup_learner(
        declic,
        "assoc-grace",
        time_limit_seconds=300,
        grace_seconds=120,
        overdue_action="graceperiod",
    )
    client = declic.client(world["learner"])
    org = world["org"]
    attempt_id = start(declic, client, org, world["quiz_id"])
    try:
        clock.set_offset(timedelta(minutes=6))  # past the limit, inside the grace period
        assert post_save(declic, client, org, attempt_id, 1, 1, q1="a").status_code == 200
        clock.set_offset(timedelta(minutes=8))
        assert (
            client.get(f"/o/{org.slug}/quiz/attempt/{attempt_id}").status_code == 303
        )  # to the review
        attempt = declic.reload(Attempt, attempt_id)
        assert attempt.state == "finished" and attempt.score == 1.0
    finally:
        clock.set_offset(timedelta(0))


def test_demo_bank_tags_every_question_and_places_a_quiz_per_workshop(declic):
    org = declic.org("demo")
    declic.enable(org, "quiz")
    declic.course(org, sections=4)
    with declic.db() as db:
        seed.demo_bank(db, db.merge(org), {})
    with declic.db() as db:
        quizzes = db.scalars(select(Quiz).where(Quiz.organisation_id == org.id)).all()
        sections = {s.id for s in db.scalars(select(Section))}
        tags = set(db.scalars(select(QuestionTag.tag)))
        questions = db.scalars(select(Question)).all()
        assert db.scalars(select(Course)).first() is not None
    assert len(quizzes) == 4 and all(q.section_id in sections and q.visible for q in quizzes)
    assert {"crcn:5.2", "b2i:D1", "pcie:CE"} <= tags and len(questions) >= 8


def test_privacy_export_then_delete_leaves_nothing(declic):
    world = setup_learner(declic, "assoc-priv")
    client = declic.client(world["learner"])
    org = world["org"]
    attempt_id = start(declic, client, org, world["quiz_id"])
    post_save(declic, client, org, attempt_id, 1, 1, q1="a")
    with declic.db() as db:
        user = db.get(User, world["learner"].id)
        exported = privacy.export_user(db, user)
    assert exported["attempts"][0]["answers"][0]["response"] == {"choice": "a"}
    with declic.db() as db:
        privacy.delete_user(db, db.get(User, world["learner"].id))
    with declic.db() as db:
        assert privacy.export_user(db, db.get(User, world["learner"].id)) is None
    assert declic.count(AttemptAnswer, attempt_id=attempt_id) == 0
    assert len(DEFAULT_QUESTIONS) == 3
