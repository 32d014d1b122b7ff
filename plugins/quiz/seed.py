"""Content made on purpose: the demo bank of the four workshops, and the contract check's sample.

Question texts are in French: they are content written by the association, not interface strings.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now
from core.models import Course, Organisation, Section, User
from plugins.quiz.attempts import save_answer, start_attempt, submit_attempt
from plugins.quiz.bank import create_question, ensure_category
from plugins.quiz.models import Quiz, QuizSlot
from plugins.quiz.sanitize import sanitise_html

DEMO_BANK = Path(__file__).resolve().parent / "demo_bank.json"


def demo_bank(db: Session, organisation: Organisation, users: dict[str, User]) -> None:
    """A small bank for the four workshops and one visible quiz per workshop section."""
    course = db.scalar(
        select(Course).where(Course.organisation_id == organisation.id).order_by(Course.id)
    )
    sections = []
    if course is not None:
        sections = list(
            db.scalars(
                select(Section).where(Section.course_id == course.id).order_by(Section.position)
            )
        )
    bank = json.loads(DEMO_BANK.read_text(encoding="utf-8"))
    for index, workshop in enumerate(bank["workshops"]):
        title = workshop["workshop"]
        category = ensure_category(db, organisation.id, title)
        made = [
            create_question(
                db,
                organisation.id,
                category.id,
                q["type"],
                q["name"],
                sanitise_html(q["text"]),
                q["data"],
                tags=q["tags"],
            )[0]
            for q in workshop["questions"]
        ]
        if course is None:
            continue
        quiz = Quiz(
            organisation_id=organisation.id,
            course_id=course.id,
            section_id=sections[index].id if index < len(sections) else None,
            title=f"Quiz : {title}",
            visible=True,
            overall_feedback_json=json.dumps(bank["overall_feedback"], ensure_ascii=False),
        )
        db.add(quiz)
        db.flush()
        db.add_all(
            QuizSlot(
                organisation_id=organisation.id,
                quiz_id=quiz.id,
                position=n,
                question_id=q.id,
                mark=1.0,
            )
            for n, q in enumerate(made, 1)
        )
    db.flush()


def contract_sample(db: Session, organisation: Organisation, user: User) -> int:
    """A finished attempt of ``user`` on a one-question quiz; returns the attempt id."""
    course = db.scalar(
        select(Course).where(Course.organisation_id == organisation.id).order_by(Course.id)
    )
    assert course is not None, "the contract check makes a course first"
    category = ensure_category(db, organisation.id, "Contract check")
    question, _version = create_question(
        db,
        organisation.id,
        category.id,
        "truefalse",
        "Sample",
        "Le ciel est bleu.",
        {"correct": True, "feedback_true": "", "feedback_false": ""},
        tags=("crcn:1.1",),
    )
    quiz = Quiz(
        organisation_id=organisation.id, course_id=course.id, title="Contract check", visible=True
    )
    db.add(quiz)
    db.flush()
    db.add(
        QuizSlot(
            organisation_id=organisation.id, quiz_id=quiz.id, position=1, question_id=question.id
        )
    )
    db.flush()
    attempt, _new = start_attempt(db, quiz, user.id, now())
    save_answer(db, attempt, 1, {"value": "true"}, 1, now())
    submit_attempt(db, quiz, attempt, now())
    db.flush()
    return attempt.id
