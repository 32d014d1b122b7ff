"""Small builders for the quiz tests: a course with a learner, a quiz with questions."""

from __future__ import annotations

from typing import Any

from plugins.quiz.bank import create_question, ensure_category
from plugins.quiz.models import Quiz, QuizSlot

SINGLE = {
    "choices": [
        {"id": "a", "text": "Paris", "fraction": 1.0, "feedback": "Yes, Paris.", "image_id": None},
        {"id": "b", "text": "Lyon", "fraction": 0.0, "feedback": "No, not Lyon.", "image_id": None},
    ]
}
NUMERICAL = {
    "answers": [{"value": 21.0, "tolerance": 0.5, "fraction": 1.0, "feedback": "21 days."}]
}
TRUEFALSE = {"correct": True, "feedback_true": "Right.", "feedback_false": "It is true."}

DEFAULT_QUESTIONS: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("single", SINGLE, ("crcn:1.1", "b2i:D1")),
    ("numerical", NUMERICAL, ("crcn:2.4",)),
    ("truefalse", TRUEFALSE, ("pcie:CE",)),
]


def add_questions(
    declic: Any,
    org: Any,
    questions: list[tuple[str, dict[str, Any], tuple[str, ...]]],
    category: str = "Cat",
) -> list[int]:
    with declic.db() as db:
        cat = ensure_category(db, org.id, category)
        return [
            create_question(
                db, org.id, cat.id, qtype, f"{qtype} {n}", f"<p>Question {n}</p>", data, tags=tags
            )[0].id
            for n, (qtype, data, tags) in enumerate(questions, 1)
        ]


def make_quiz(
    declic: Any, org: Any, course: Any, question_ids: list[int] | None = None, **settings: Any
) -> int:
    """A visible quiz in ``course`` with the given questions (defaults if none), one per page."""
    if question_ids is None:
        question_ids = add_questions(declic, org, DEFAULT_QUESTIONS)
    settings.setdefault("visible", True)
    settings.setdefault("shuffle_choices", False)
    with declic.db() as db:
        quiz = Quiz(organisation_id=org.id, course_id=course.id, title="Quiz one", **settings)
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
        return quiz.id


def setup_learner(declic: Any, slug: str = "assoc-a", **quiz_settings: Any) -> dict[str, Any]:
    """An organisation with quiz on, a course, an enrolled learner and trainer, and a quiz."""
    org = declic.org(slug)
    declic.enable(org, "quiz")
    course = declic.course(org, sections=2)
    learner = declic.user(org, "learner")
    trainer = declic.user(org, "trainer")
    declic.enrol(course, learner)
    declic.enrol(course, trainer, role="trainer")
    quiz_id = make_quiz(declic, org, course, **quiz_settings)
    return {
        "org": org,
        "course": course,
        "learner": learner,
        "trainer": trainer,
        "quiz_id": quiz_id,
    }


def start(declic: Any, client: Any, org: Any, quiz_id: int) -> int:
    """Start (or resume) an attempt through the page; returns its id."""
    response = declic.post(client, f"/o/{org.slug}/quiz/{quiz_id}/start")
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rstrip("/").split("/")[-1].split("?")[0])
