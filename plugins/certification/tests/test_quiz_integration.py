"""Through the real quiz plugin: a learner submits an attempt on tagged questions; the quiz
announces it with its own hook, and the certification plugin turns it into evidence."""

from __future__ import annotations

import pluggy
from sqlalchemy import select

import core
from core import hookspecs
from plugins.certification import plugin as certification_plugin
from plugins.certification.models import Evidence, QuizCoverage, TagProblem
from plugins.quiz.tests.builders import (
    NUMERICAL,
    SINGLE,
    TRUEFALSE,
    add_questions,
    make_quiz,
    start,
)


def test_a_submitted_attempt_becomes_evidence(declic) -> None:
    org = declic.org("assoc-quiz")
    declic.enable(org, "quiz")
    declic.enable(org, "certification")
    course = declic.course(org, sections=1)
    learner = declic.user(org, "learner", display_name="Karim")
    trainer = declic.user(org, "trainer")
    declic.enrol(course, learner)
    declic.enrol(course, trainer, "trainer")
    questions = add_questions(
        declic,
        org,
        [
            ("single", SINGLE, ("crcn:1.1", "b2i:D4.1")),
            ("numerical", NUMERICAL, ("crcn:2.4@2",)),
            ("truefalse", TRUEFALSE, ("pcie:OE", "crcn:7.7", "theme:email")),
        ],
    )
    quiz_id = make_quiz(declic, org, course, questions)
    client = declic.client(learner)
    attempt_id = start(declic, client, org, quiz_id)
    for slot, field, value in ((1, "q1", "a"), (2, "q2", "21.2"), (3, "q3", "false")):
        saved = declic.post(
            client,
            f"/o/{org.slug}/quiz/attempt/{attempt_id}/save",
            {"slot": str(slot), "seq": "1000", field: value},
        )
        assert saved.status_code == 200
    submitted = declic.post(client, f"/o/{org.slug}/quiz/attempt/{attempt_id}/submit")
    assert submitted.status_code == 303
    with declic.db() as db:
        rows = db.scalars(select(Evidence).order_by(Evidence.competence)).all()
        got = {(r.competence, r.difficulty, r.outcome) for r in rows}
        assert got == {
            ("b2i:D4.1", 1, 1.0),
            ("crcn:1.1", 1, 1.0),
            ("crcn:2.4", 2, 1.0),
            ("pcie:OE", 1, 0.0),
        }
        assert all(r.attempt_id == attempt_id and r.quiz_id == quiz_id for r in rows)
        assert all(r.user_id == learner.id and r.organisation_id == org.id for r in rows)
        problem = db.scalar(select(TagProblem))
        assert problem is not None and problem.tag == "crcn:7.7"
        assert problem.question_name == "truefalse 3"
        covered = set(db.scalars(select(QuizCoverage.competence)))
        assert {"crcn:1.1", "crcn:2.4", "pcie:OE"} <= covered
    # The trainer's grid now names the question with the bad tag.
    page = declic.client(trainer).get(f"/o/{org.slug}/certification/courses/{course.id}")
    assert "crcn:7.7" in page.text and "truefalse 3" in page.text
    # The learner's page links the next steps to the quiz that covers them.
    mine = client.get(f"/o/{org.slug}/certification/me")
    assert mine.status_code == 200
    # pcie:OE was answered wrong: "practise the module's questions", with a link to this quiz.
    assert f'href="/o/{org.slug}/quiz/{quiz_id}"' in mine.text


def test_the_plugin_registers_without_the_quiz_and_attendance_hookspecs() -> None:
    """optionalhook=True: a platform without quiz (or attendance) installed still loads it."""
    pm = pluggy.PluginManager(core.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(certification_plugin, name="certification")
    pm.check_pending()  # would raise on an unknown, non-optional hook
    assert pm.get_plugin("certification") is certification_plugin
