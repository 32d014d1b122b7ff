"""The attempt lifecycle: start (or resume), save an answer, submit, finish when overdue.

Two rules make sure nothing is ever lost or counted twice, on SQLite and PostgreSQL alike:

- a save is one conditional UPDATE that lands only when its client sequence number is newer than
  the stored one *and* the attempt is still in progress: repeats and late older saves change
  nothing, and a save racing a submission cannot slip in after it;
- a submission is one conditional UPDATE ``... WHERE state = 'in_progress'``: only the request
  that changes the row (rowcount 1) grades the attempt and announces it; a double click or a
  retry finds it finished and shows the same result.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from core.i18n import gettext as _
from plugins.quiz import grading
from plugins.quiz.events import QuizAttemptResult, QuizItemResult
from plugins.quiz.models import (
    Attempt,
    AttemptAnswer,
    Question,
    QuestionTag,
    QuestionVersion,
    Quiz,
    QuizSlot,
)
from plugins.quiz.questions import QTYPES, choice_order

# Saves sent just before the deadline may arrive a little after it over a slow link.
NETWORK_TOLERANCE = timedelta(seconds=15)


class AttemptRefusedError(Exception):
    """The attempt cannot start or change; ``message`` says why in plain words."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# --- availability ----------------------------------------------------------------------------


def slot_count(db: Session, quiz_id: int) -> int:
    return int(db.scalar(select(func.count(QuizSlot.id)).where(QuizSlot.quiz_id == quiz_id)) or 0)


def why_closed(quiz: Quiz, now: datetime, has_questions: bool) -> str | None:
    """Why a learner cannot start this quiz now (None: they can)."""
    if not has_questions:
        return _("This quiz has no questions yet.")
    if not quiz.visible:
        return _("This quiz is not open to learners yet.")
    if quiz.open_at is not None and now < quiz.open_at:
        return _("This quiz is not open yet.")
    if quiz.close_at is not None and now >= quiz.close_at:
        return _("This quiz is closed.")
    return None


# --- layout ----------------------------------------------------------------------------------


def build_layout(db: Session, quiz: Quiz, rng: random.Random) -> list[dict[str, Any]]:
    """Draw the questions of a new attempt: fixed slots, random draws, order, pages, choices."""
    slots = list(
        db.scalars(select(QuizSlot).where(QuizSlot.quiz_id == quiz.id).order_by(QuizSlot.position))
    )
    fixed_ids = [s.question_id for s in slots if s.question_id is not None]
    picked: list[tuple[QuizSlot, int]] = []
    used: set[int] = set(fixed_ids)
    for slot in slots:
        if slot.question_id is not None:
            picked.append((slot, slot.question_id))
            continue
        stmt = select(Question.id).where(
            Question.organisation_id == quiz.organisation_id,
            Question.category_id == slot.random_category_id,
        )
        if slot.random_tag:
            stmt = stmt.where(
                exists().where(
                    QuestionTag.question_id == Question.id, QuestionTag.tag == slot.random_tag
                )
            )
        pool = sorted(set(db.scalars(stmt)) - used)
        for question_id in rng.sample(pool, min(slot.random_count, len(pool))):
            used.add(question_id)
            picked.append((slot, question_id))
    if not picked:
        return []
    versions = {
        v.question_id: v
        for v in db.scalars(
            select(QuestionVersion)
            .join(Question, Question.id == QuestionVersion.question_id)
            .where(
                QuestionVersion.question_id.in_([q for _s, q in picked]),
                QuestionVersion.version == Question.current_version,
            )
        )
    }
    picked = [(s, q) for s, q in picked if q in versions]
    if quiz.shuffle_questions:
        rng.shuffle(picked)
    per_page = quiz.questions_per_page
    layout = []
    for index, (slot, question_id) in enumerate(picked):
        version = versions[question_id]
        layout.append(
            {
                "slot": index + 1,
                "quiz_slot_id": slot.id,
                "question_id": question_id,
                "version_id": version.id,
                "qtype": version.qtype,
                "mark": 0.0 if version.qtype == "description" else slot.mark,
                "page": index // per_page if per_page > 0 else 0,
                "order": choice_order(version.qtype, version.data, quiz.shuffle_choices, rng),
            }
        )
    return layout


def page_count(layout: Sequence[dict[str, Any]]) -> int:
    return max((item["page"] for item in layout), default=0) + 1


# --- start -----------------------------------------------------------------------------------


def in_progress_attempt(db: Session, quiz: Quiz, user_id: int) -> Attempt | None:
    return db.scalar(
        select(Attempt).where(
            Attempt.quiz_id == quiz.id, Attempt.user_id == user_id, Attempt.state == "in_progress"
        )
    )


OnFinish = Callable[[Attempt], None] | None


def start_attempt(
    db: Session,
    quiz: Quiz,
    user_id: int,
    now: datetime,
    rng: random.Random | None = None,
    on_finish: OnFinish = None,
) -> tuple[Attempt, bool]:
    """Resume the learner's open attempt, or start a new one: ``(attempt, started_now)``.

    ``on_finish`` is called when an open attempt found overdue gets finished on the way."""
    current = in_progress_attempt(db, quiz, user_id)
    if current is not None and not finish_if_overdue(db, quiz, current, now, on_finish):
        return current, False
    problem = why_closed(quiz, now, slot_count(db, quiz.id) > 0)
    if problem:
        raise AttemptRefusedError(problem)
    numbers = list(
        db.scalars(
            select(Attempt.number).where(Attempt.quiz_id == quiz.id, Attempt.user_id == user_id)
        )
    )
    if quiz.attempts_allowed and len(numbers) >= quiz.attempts_allowed:
        raise AttemptRefusedError(_("You have used all the attempts allowed for this quiz."))
    layout = build_layout(db, quiz, rng or random.SystemRandom())
    if not any(QTYPES[item["qtype"]].answerable for item in layout):
        raise AttemptRefusedError(_("This quiz has no questions yet."))
    deadline = None
    if quiz.time_limit_seconds > 0:
        deadline = now + timedelta(seconds=quiz.time_limit_seconds)
    if quiz.close_at is not None:
        deadline = min(deadline, quiz.close_at) if deadline else quiz.close_at
    attempt = Attempt(
        organisation_id=quiz.organisation_id,
        quiz_id=quiz.id,
        user_id=user_id,
        number=max(numbers, default=0) + 1,
        state="in_progress",
        started_at=now,
        deadline=deadline,
        current_page=0,
        max_score=sum(item["mark"] for item in layout),
        layout_json=json.dumps(layout),
    )
    try:
        # A double click on "Start" races here: the unique (quiz, user, number) lets one win.
        with db.begin_nested():
            db.add(attempt)
            db.flush()
            db.add_all(
                AttemptAnswer(
                    organisation_id=quiz.organisation_id,
                    attempt_id=attempt.id,
                    slot=item["slot"],
                    question_id=item["question_id"],
                    question_version_id=item["version_id"],
                    max_mark=item["mark"],
                )
                for item in layout
            )
            db.flush()
    except IntegrityError:
        current = in_progress_attempt(db, quiz, user_id)
        if current is None:
            raise
        return current, False
    return attempt, True


# --- time ------------------------------------------------------------------------------------


def hard_deadline(quiz: Quiz, attempt: Attempt) -> datetime | None:
    """The moment after which nothing more is accepted and the attempt is finished."""
    if attempt.deadline is None:
        return None
    if quiz.overdue_action == "graceperiod":
        return attempt.deadline + timedelta(seconds=quiz.grace_seconds) + NETWORK_TOLERANCE
    return attempt.deadline + NETWORK_TOLERANCE


def is_overdue(quiz: Quiz, attempt: Attempt, now: datetime) -> bool:
    limit = hard_deadline(quiz, attempt)
    return attempt.state == "in_progress" and limit is not None and now > limit


def finish_if_overdue(
    db: Session, quiz: Quiz, attempt: Attempt, now: datetime, on_finish: OnFinish = None
) -> bool:
    """Finish an attempt whose time is up, with its saved answers. True when it is overdue."""
    if not is_overdue(quiz, attempt, now):
        return False
    assert attempt.deadline is not None
    finished_at = attempt.deadline
    if quiz.overdue_action == "graceperiod":
        finished_at += timedelta(seconds=quiz.grace_seconds)
    if submit_attempt(db, quiz, attempt, finished_at) and on_finish is not None:
        on_finish(attempt)
    return True


def finish_overdue_attempts(
    db: Session, organisation_id: int, now: datetime, on_finish: Callable[[Quiz, Attempt], None]
) -> int:
    """Finish every overdue attempt of an organisation (cron). Returns how many were finished."""
    rows = db.execute(
        select(Attempt, Quiz)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(
            Attempt.organisation_id == organisation_id,
            Attempt.state == "in_progress",
            Attempt.deadline.is_not(None),
            Attempt.deadline < now - NETWORK_TOLERANCE,
        )
    ).all()
    finished = 0
    for attempt, quiz in rows:
        if finish_if_overdue(db, quiz, attempt, now, partial(on_finish, quiz)):
            finished += 1
    return finished


# --- saving ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaveResult:
    stored: bool  # False: the server already held this answer or a newer one
    saved_at: datetime


# The save is the most frequent write of a quiz (one per answer given): its statement is built
# once. It lands only on a newer sequence, an unchecked answer and an open attempt.
_SAVE = (
    update(AttemptAnswer)
    .where(
        AttemptAnswer.attempt_id == bindparam("the_attempt"),
        AttemptAnswer.slot == bindparam("the_slot"),
        AttemptAnswer.sequence < bindparam("new_sequence"),
        AttemptAnswer.checked_at.is_(None),
        exists().where(Attempt.id == bindparam("the_attempt"), Attempt.state == "in_progress"),
    )
    # (bound names differ from the columns': SQLAlchemy keeps those for its own SET values)
    .values(
        response_json=bindparam("new_response"),
        sequence=bindparam("new_sequence"),
        saved_at=bindparam("new_saved_at", type_=AttemptAnswer.saved_at.type),
    )
    .execution_options(synchronize_session=False)
)


def save_answer(
    db: Session, attempt: Attempt, slot: int, response: dict[str, Any], sequence: int, now: datetime
) -> SaveResult:
    """Store a response if it is newer than the stored one and the attempt is still open."""
    result = db.execute(
        _SAVE,
        {
            "the_attempt": attempt.id,
            "the_slot": slot,
            "new_sequence": sequence,
            "new_response": json.dumps(response, ensure_ascii=False),
            "new_saved_at": now,
        },
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        return SaveResult(True, now)
    state = db.scalar(select(Attempt.state).where(Attempt.id == attempt.id))
    if state != "in_progress":
        raise AttemptRefusedError(_("This attempt is finished: answers can no longer change."))
    checked = db.scalar(
        select(AttemptAnswer.checked_at).where(
            AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.slot == slot
        )
    )
    if checked is not None:
        raise AttemptRefusedError(_("You checked this answer: it can no longer change."))
    return SaveResult(False, now)


def check_answer(db: Session, attempt: Attempt, slot: int, now: datetime) -> bool:
    """Immediate feedback: the learner checks a saved answer, which then stays as it is.
    True when this call checked it (an empty answer cannot be checked)."""
    result = db.execute(
        update(AttemptAnswer)
        .where(
            AttemptAnswer.attempt_id == attempt.id,
            AttemptAnswer.slot == slot,
            AttemptAnswer.checked_at.is_(None),
            AttemptAnswer.response_json.is_not(None),
            exists().where(Attempt.id == attempt.id, Attempt.state == "in_progress"),
        )
        .values(checked_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


# Built once, like _SAVE: a learner moving through a quiz sets the page with most saves.
_SET_PAGE = (
    update(Attempt)
    .where(Attempt.id == bindparam("the_attempt"), Attempt.state == "in_progress")
    .values(current_page=bindparam("the_page"))
    .execution_options(synchronize_session=False)
)


def set_page(db: Session, attempt: Attempt, page: int) -> None:
    """Remember where the learner is, so a resume opens the same page."""
    if attempt.current_page != page:
        db.execute(_SET_PAGE, {"the_attempt": attempt.id, "the_page": page})
        set_committed_value(attempt, "current_page", page)


# --- submitting and grading ------------------------------------------------------------------


def submit_attempt(db: Session, quiz: Quiz, attempt: Attempt, finished_at: datetime) -> bool:
    """Finish and grade the attempt. True only for the call that finished it."""
    result = db.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.state == "in_progress")
        .values(state="finished", finished_at=finished_at)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.refresh(attempt)
        return False
    set_committed_value(attempt, "state", "finished")
    set_committed_value(attempt, "finished_at", finished_at)
    grade_attempt(db, attempt)
    return True


def answers_with_versions(
    db: Session, attempt_id: int
) -> list[tuple[AttemptAnswer, QuestionVersion]]:
    rows = db.execute(
        select(AttemptAnswer, QuestionVersion)
        .join(QuestionVersion, QuestionVersion.id == AttemptAnswer.question_version_id)
        .where(AttemptAnswer.attempt_id == attempt_id)
        .order_by(AttemptAnswer.slot)
        # Saves are single UPDATE statements: rows loaded earlier in the request are stale.
        .execution_options(populate_existing=True)
    ).all()
    return [(a, v) for a, v in rows]


def grade_answers(rows: Sequence[tuple[AttemptAnswer, QuestionVersion]]) -> tuple[float, bool]:
    """Grade each answer against the version it saw; returns (score, needs manual grading)."""
    score, needs = 0.0, False
    for answer, version in rows:
        result = grading.grade(version.qtype, version.data, answer.response)
        if version.qtype == "description":
            answer.fraction, answer.mark = None, None
            continue
        answer.fraction = result.fraction
        answer.mark = grading.mark_for(result.fraction, answer.max_mark)
        final = answer.final_mark
        if final is None:
            needs = True
        else:
            score += final
    return round(score, 7), needs


def grade_attempt(db: Session, attempt: Attempt) -> None:
    score, needs = grade_answers(answers_with_versions(db, attempt.id))
    attempt.score = score
    attempt.needs_grading = needs
    db.flush()


def regrade_quiz(db: Session, quiz: Quiz, to_latest: bool) -> int:
    """Regrade every finished attempt (optionally moving answers to the questions' latest
    versions of the same type, so a fixed question counts). Returns the attempts regraded."""
    attempts = list(
        db.scalars(select(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.state == "finished"))
    )
    latest: dict[int, QuestionVersion] = {}
    if to_latest and attempts:
        latest = {
            v.question_id: v
            for v in db.scalars(
                select(QuestionVersion)
                .join(Question, Question.id == QuestionVersion.question_id)
                .join(AttemptAnswer, AttemptAnswer.question_id == Question.id)
                .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
                .where(
                    Attempt.quiz_id == quiz.id, QuestionVersion.version == Question.current_version
                )
                .distinct()
            )
        }
    for attempt in attempts:
        rows = answers_with_versions(db, attempt.id)
        moved = []
        for answer, version in rows:
            newer = latest.get(answer.question_id)
            if newer is not None and newer.id != version.id and newer.qtype == version.qtype:
                answer.question_version_id = newer.id
                moved.append((answer, newer))
            else:
                moved.append((answer, version))
        attempt.score, attempt.needs_grading = grade_answers(moved)
    db.flush()
    return len(attempts)


def override_mark(
    db: Session,
    attempt: Attempt,
    answer: AttemptAnswer,
    mark: float | None,
    comment: str,
    by_id: int,
    now: datetime,
) -> None:
    """A trainer's mark for one answer (None: back to the computed mark), then a new total."""
    answer.override_mark = mark
    answer.override_comment = comment
    answer.overridden_by_id = by_id
    answer.overridden_at = now
    db.flush()
    rows = answers_with_versions(db, attempt.id)
    score, needs = 0.0, False
    for row, version in rows:
        if version.qtype == "description":
            continue
        if row.final_mark is None:
            needs = True
        else:
            score += row.final_mark
    attempt.score, attempt.needs_grading = round(score, 7), needs
    db.flush()


# --- results for other plugins ---------------------------------------------------------------


def attempt_result(db: Session, quiz: Quiz, attempt: Attempt) -> QuizAttemptResult:
    rows = answers_with_versions(db, attempt.id)
    question_ids = [a.question_id for a, _v in rows]
    tags: dict[int, list[str]] = {}
    for question_id, tag in db.execute(
        select(QuestionTag.question_id, QuestionTag.tag)
        .where(QuestionTag.question_id.in_(question_ids))
        .order_by(QuestionTag.tag)
    ):
        tags.setdefault(question_id, []).append(tag)
    items = []
    for answer, version in rows:
        if version.qtype == "description":
            continue
        final = answer.final_mark
        fraction = None
        if final is not None:
            fraction = grading.clamp(final / answer.max_mark) if answer.max_mark > 0 else 0.0
        items.append(
            QuizItemResult(
                question_id=answer.question_id,
                question_version=version.version,
                question_name=version.name,
                tags=tuple(tags.get(answer.question_id, ())),
                fraction=fraction,
                max_mark=answer.max_mark,
            )
        )
    assert attempt.finished_at is not None
    return QuizAttemptResult(
        organisation_id=quiz.organisation_id,
        course_id=quiz.course_id,
        quiz_id=quiz.id,
        quiz_title=quiz.title,
        attempt_id=attempt.id,
        user_id=attempt.user_id,
        submitted_at=attempt.finished_at,
        score=attempt.score or 0.0,
        max_score=attempt.max_score,
        items=tuple(items),
    )
