"""Hooks the quiz plugin publishes for other plugins (added by its ``declic_add_hookspecs``).

Both are called through the organisation's hook caller, so only plugins enabled for that
organisation hear them, and each listener runs on its own (a failing listener is logged and
skipped; its database changes are rolled back to a savepoint, the quiz's are kept).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core import hookspec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from plugins.quiz.events import QuizAttemptResult


@hookspec
def declic_quiz_attempt_submitted(db: Session, result: QuizAttemptResult) -> None:
    """An attempt was submitted (by the learner, or finished when overdue).

    Called once per attempt, right after it is graded, in the same transaction. ``result`` holds
    every question's fraction (None for an essay not marked yet) and its tags. Returns nothing.
    """


@hookspec
def declic_quiz_attempt_graded(db: Session, result: QuizAttemptResult) -> None:
    """An attempt's grades are known or changed.

    Called after the submission (just after ``declic_quiz_attempt_submitted``), and again after a
    regrade or a trainer's manual mark, with the attempt's full current results. Returns nothing.
    """
