"""Quiz grades of a course: one row per learner, one column per quiz, and the course total.

A learner's grade for a quiz is the quiz's grading method (highest, average, first, last) over
their finished attempts, as the quiz report computes it. The CSV is written for the spreadsheet
program of the reader's language: UTF-8 with a BOM (so accents survive), and in a language whose
decimal mark is a comma (French) ``;`` between cells and ``12,5`` for numbers — what a French
spreadsheet opens as numbers; otherwise ``,`` and ``12.5``.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from babel.numbers import get_decimal_symbol
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import format_number
from core.i18n import gettext as _
from core.models import Enrolment, User
from plugins.quiz import grading
from plugins.quiz.exports import to_xlsx
from plugins.quiz.models import Attempt, Quiz, QuizSlot


@dataclass(frozen=True)
class GradeTable:
    header: list[str]
    rows: list[list[Any]]  # learner, login, one grade per quiz (None: not graded), total


def _out_of(db: Session, quiz: Quiz, attempts: list[Attempt]) -> float:
    finished = [a.max_score for a in attempts if a.state == "finished"]
    if finished:
        return max(finished)
    slots = db.scalars(select(QuizSlot).where(QuizSlot.quiz_id == quiz.id)).all()
    return sum(s.mark * (1 if s.question_id else s.random_count) for s in slots)


def grade_table(db: Session, organisation_id: int, course_id: int) -> GradeTable:
    quizzes = list(
        db.scalars(
            select(Quiz)
            .where(Quiz.organisation_id == organisation_id, Quiz.course_id == course_id)
            .order_by(Quiz.id)
        )
    )
    attempts: dict[int, list[Attempt]] = defaultdict(list)
    if quizzes:
        for attempt in db.scalars(
            select(Attempt)
            .where(
                Attempt.organisation_id == organisation_id,
                Attempt.quiz_id.in_([q.id for q in quizzes]),
            )
            .order_by(Attempt.number)
        ):
            attempts[attempt.quiz_id].append(attempt)
    learner_ids = set(
        db.scalars(
            select(Enrolment.user_id).where(
                Enrolment.organisation_id == organisation_id,
                Enrolment.course_id == course_id,
                Enrolment.role == "learner",
            )
        )
    )
    # Someone who took a quiz and left the course still has grades to report.
    learner_ids |= {a.user_id for rows in attempts.values() for a in rows}
    users = (
        db.execute(
            select(User.id, User.display_name, User.login)
            .where(User.id.in_(learner_ids))
            .order_by(User.display_name, User.login)
        ).all()
        if learner_ids
        else []
    )
    out_of = {q.id: _out_of(db, q, attempts[q.id]) for q in quizzes}
    header = [_("Learner"), _("Login")]
    header += [
        _("%(quiz)s (out of %(max)s)", quiz=q.title, max=format_number(out_of[q.id]))
        for q in quizzes
    ]
    header.append(_("Course total (out of %(max)s)", max=format_number(sum(out_of.values()))))
    rows = []
    for user_id, name, login in users:
        grades = []
        for quiz in quizzes:
            scores = [
                a.score or 0.0
                for a in attempts[quiz.id]
                if a.user_id == user_id and a.state == "finished" and a.score is not None
            ]
            grade = grading.combine_attempts(quiz.grading_method, scores)
            grades.append(None if grade is None else round(grade, 2))
        total = round(sum(g for g in grades if g is not None), 2)
        rows.append([name, login, *grades, total])
    return GradeTable(header, rows)


def _cell(value: Any, decimal_mark: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float | int):
        text = str(int(value)) if float(value).is_integer() else repr(round(float(value), 2))
        return text.replace(".", decimal_mark)
    text = str(value)
    # A text starting with = + - @ would run as a formula in a spreadsheet: keep it text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Any]], language: str) -> bytes:
    """The table as CSV for the spreadsheet program of ``language``."""
    comma_decimal = get_decimal_symbol(language.replace("-", "_")) == ","
    delimiter, mark = (";", ",") if comma_decimal else (",", ".")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([_cell(h, mark) for h in header])
    for row in rows:
        writer.writerow([_cell(v, mark) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_spreadsheet(title: str, table: GradeTable) -> bytes:
    return to_xlsx(title, table.header, table.rows)
