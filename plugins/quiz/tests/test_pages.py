"""Trainer and learner pages: settings (validated), questions of a quiz, reports and exports,
statistics, progress, dashboard boxes, course activities."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from plugins.quiz.models import Attempt, Quiz, QuizSlot
from plugins.quiz.stats import correlation, item_statistics
from plugins.quiz.tests.builders import setup_learner, start

SETTINGS = {
    "title": "Atelier 1",
    "time_limit_minutes": "20",
    "grace_minutes": "2",
    "overdue_action": "graceperiod",
    "attempts_allowed": "2",
    "grading_method": "highest",
    "questions_per_page": "1",
    "navigation": "free",
    "feedback_mode": "deferred",
    "review_when": "after_submit",
    "review_marks": "1",
    "review_correct": "1",
    "review_feedback": "1",
    "band_min_0": "80",
    "band_text_0": "Bravo, vous êtes prêt·e !",
}


def take(declic, client, org, quiz_id, answers):
    attempt_id = start(declic, client, org, quiz_id)
    for slot, fields in answers.items():
        declic.post(
            client,
            f"/o/{org.slug}/quiz/attempt/{attempt_id}/save",
            {"slot": str(slot), "seq": "10", **fields},
        )
    declic.post(client, f"/o/{org.slug}/quiz/attempt/{attempt_id}/submit")
    return attempt_id


def test_new_quiz_settings_are_validated_and_an_empty_quiz_cannot_open(declic):
    world = setup_learner(declic, "assoc-s")
    org, course = world["org"], world["course"]
    trainer = declic.client(world["trainer"])
    url = f"/o/{org.slug}/quiz/course/{course.id}/new"
    assert trainer.get(url).status_code == 200
    bad = declic.post(
        trainer, url, {**SETTINGS, "title": "", "time_limit_minutes": "-3", "visible": "1"}
    )
    assert bad.status_code == 422
    assert "Give the quiz a title" in bad.text or "Donnez un titre" in bad.text
    assert "cannot be opened to learners" in bad.text or "ne peut pas être ouvert" in bad.text
    assert declic.count(Quiz, title="") == 0
    ok = declic.post(trainer, url, SETTINGS)
    assert ok.status_code == 303
    with declic.db() as db:
        quiz = db.query(Quiz).filter_by(title="Atelier 1").one()
    assert quiz.time_limit_seconds == 1200 and quiz.grace_seconds == 120 and not quiz.visible
    assert quiz.overall_feedback == [(80.0, "Bravo, vous êtes prêt·e !")]
    page = trainer.get(f"/o/{org.slug}/quiz/{quiz.id}")
    assert "pas encore de questions" in page.text
    # Add a question, then it can be opened.
    with declic.db() as db:
        question_id = db.query(QuizSlot).filter_by(quiz_id=world["quiz_id"]).first().question_id
    r = declic.post(
        trainer,
        f"/o/{org.slug}/quiz/{quiz.id}/questions",
        {"action": "add", "question_id": str(question_id), "mark": "2"},
    )
    assert r.status_code == 303
    r = declic.post(trainer, f"/o/{org.slug}/quiz/{quiz.id}/settings", {**SETTINGS, "visible": "1"})
    assert r.status_code == 303 and declic.reload(Quiz, quiz.id).visible
    learners = declic.client(world["learner"])
    assert (
        declic.post(learners, f"/o/{org.slug}/quiz/course/{course.id}/new", SETTINGS).status_code
        == 403
    )


def test_random_slot_draws_from_category_and_tag(declic):
    world = setup_learner(declic, "assoc-r")
    org = world["org"]
    trainer = declic.client(world["trainer"])
    with declic.db() as db:
        category_id = db.query(QuizSlot).filter_by(quiz_id=world["quiz_id"]).first()
        from plugins.quiz.models import Question

        category_id = db.query(Question).first().category_id
        quiz = Quiz(
            organisation_id=org.id, course_id=world["course"].id, title="Random", visible=True
        )
        db.add(quiz)
        db.flush()
        quiz_id = quiz.id
    r = declic.post(
        trainer,
        f"/o/{org.slug}/quiz/{quiz_id}/questions",
        {
            "action": "random",
            "category_id": str(category_id),
            "tag": "crcn:2.4",
            "count": "3",
            "mark": "1",
        },
    )
    assert r.status_code == 303
    attempt_id = start(declic, declic.client(world["learner"]), org, quiz_id)
    layout = declic.reload(Attempt, attempt_id).layout
    assert [item["qtype"] for item in layout] == ["numerical"]  # only one question carries the tag


def test_report_exports_statistics_and_progress(declic):
    world = setup_learner(declic, "assoc-rep")
    org, quiz_id = world["org"], world["quiz_id"]
    with declic.db() as db:
        db.get(
            Quiz, quiz_id
        ).overall_feedback_json = '[[80, "Bravo, vous êtes prêt·e !"], [0, "Courage"]]'
    learner = declic.client(world["learner"])
    first = take(
        declic, learner, org, quiz_id, {1: {"q1": "a"}, 2: {"q2": "21"}, 3: {"q3": "true"}}
    )
    review = learner.get(f"/o/{org.slug}/quiz/attempt/{first}/review")
    assert "Bravo, vous êtes prêt·e !" in review.text and "Yes, Paris." in review.text
    others = []
    for n, answers in enumerate([{1: {"q1": "b"}}, {1: {"q1": "a"}, 3: {"q3": "false"}}]):
        person = declic.user(org, "learner", login=f"other{n}", display_name=f"=Other {n}")
        declic.enrol(world["course"], person)
        others.append(take(declic, declic.client(person), org, quiz_id, answers))
    trainer = declic.client(world["trainer"])
    report = trainer.get(f"/o/{org.slug}/quiz/{quiz_id}/report")
    assert report.status_code == 200 and "Other 0" in report.text
    csv = trainer.get(f"/o/{org.slug}/quiz/{quiz_id}/report.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "'=Other 0" in text  # a name starting with = never runs as a formula
    assert len(text.strip().splitlines()) == 4
    xlsx = trainer.get(f"/o/{org.slug}/quiz/{quiz_id}/report.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "=Other 0" in names  # stored as text, not as a formula
    assert sheet.max_row == 4 and sorted(
        row[7] for row in sheet.iter_rows(min_row=2, values_only=True)
    ) == [0.0, 1.0, 3.0]
    stats = trainer.get(f"/o/{org.slug}/quiz/{quiz_id}/statistics")
    assert stats.status_code == 200 and "single 1" in stats.text
    assert learner.get(f"/o/{org.slug}/quiz/{quiz_id}/report").status_code == 403
    assert learner.get(f"/o/{org.slug}/quiz/{quiz_id}/report.csv").status_code == 403
    progress = learner.get(f"/o/{org.slug}/quiz/my")
    assert progress.status_code == 200 and "Quiz one" in progress.text
    home = learner.get(f"/o/{org.slug}/")
    assert home.status_code == 200


def test_item_statistics_as_moodle_computes_them():
    # Four attempts, two items: item 1 follows the rest of the test, item 2 goes against it.
    attempts = [
        {1: (1.0, 1.0), 2: (0.0, 1.0), 3: (1.0, 1.0), 4: (1.0, 1.0)},
        {1: (1.0, 1.0), 2: (0.0, 1.0), 3: (1.0, 1.0), 4: (0.0, 1.0)},
        {1: (0.0, 1.0), 2: (1.0, 1.0), 3: (0.0, 1.0), 4: (0.0, 1.0)},
        {1: (0.0, 1.0), 2: (1.0, 1.0), 3: (0.0, 1.0), 4: (0.0, 1.0)},
    ]
    stats = {s.key: s for s in item_statistics(attempts)}
    assert stats[1].facility == 50.0 and stats[4].facility == 25.0
    # Item 1 against the rest of the test (2, 1, 1, 1): r = 0.5 / sqrt(0.75).
    assert stats[1].discrimination == pytest.approx(57.735, abs=0.01)
    assert stats[2].discrimination < 0
    assert correlation([1, 1, 1], [0, 1, 2]) is None  # no variation: undefined, as in Moodle
    assert item_statistics([{1: (None, 1.0)}])[0].facility is None
