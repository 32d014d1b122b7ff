"""Personal data the quiz keeps (attempts and answers), its export and its deletion."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from core.contracts import PrivacyField
from core.i18n import lazy_gettext as _l
from core.models import User
from plugins.quiz.models import (
    Attempt,
    AttemptAnswer,
    Question,
    QuestionVersion,
    Quiz,
    QuizImage,
)

METADATA = [
    PrivacyField(
        "quiz_attempt",
        ("user_id", "started_at", "finished_at", "score", "state"),
        str(_l("The learner's quiz attempts and scores, to show progress and results")),
    ),
    PrivacyField(
        "quiz_attempt_answer",
        ("response_json", "saved_at", "mark", "override_comment"),
        str(_l("Each answer given, so that nothing is lost and a trainer can review and mark it")),
    ),
    PrivacyField(
        "quiz_question_version",
        ("created_by_id",),
        str(_l("Who wrote a question version, for the bank's history")),
    ),
]


def export_user(db: Session, user: User) -> dict[str, Any] | None:
    rows = db.execute(
        select(Attempt, Quiz.title)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(Attempt.user_id == user.id)
    ).all()
    if not rows:
        return None
    answers: dict[int, list[dict[str, Any]]] = {}
    for answer in db.scalars(
        select(AttemptAnswer)
        .where(AttemptAnswer.attempt_id.in_([a.id for a, _t in rows]))
        .order_by(AttemptAnswer.slot)
    ):
        answers.setdefault(answer.attempt_id, []).append(
            {
                "item": answer.slot,
                "question_id": answer.question_id,
                "response": answer.response,
                "saved_at": answer.saved_at.isoformat() if answer.saved_at else None,
                "mark": answer.final_mark,
                "max_mark": answer.max_mark,
                "trainer_comment": answer.override_comment,
            }
        )
    return {
        "attempts": [
            {
                "organisation_id": attempt.organisation_id,
                "quiz_id": attempt.quiz_id,
                "quiz": title,
                "number": attempt.number,
                "state": attempt.state,
                "started_at": attempt.started_at.isoformat(),
                "finished_at": attempt.finished_at.isoformat() if attempt.finished_at else None,
                "score": attempt.score,
                "max_score": attempt.max_score,
                "answers": answers.get(attempt.id, []),
            }
            for attempt, title in rows
        ]
    }


def delete_user(db: Session, user: User) -> None:
    """Attempts (and their answers) go; authorship marks on shared content are cleared."""
    mine = select(Attempt.id).where(Attempt.user_id == user.id)
    db.execute(
        delete(AttemptAnswer)
        .where(AttemptAnswer.attempt_id.in_(mine))
        .execution_options(synchronize_session=False)
    )
    db.execute(
        delete(Attempt)
        .where(Attempt.user_id == user.id)
        .execution_options(synchronize_session=False)
    )
    for model, column in (
        (AttemptAnswer, AttemptAnswer.overridden_by_id),
        (Question, Question.created_by_id),
        (QuestionVersion, QuestionVersion.created_by_id),
        (QuizImage, QuizImage.uploaded_by_id),
    ):
        db.execute(
            update(model)
            .where(column == user.id)
            .values({column.key: None})
            .execution_options(synchronize_session=False)
        )
    db.flush()
