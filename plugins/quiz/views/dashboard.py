"""Dashboard boxes: a learner's open quizzes, a trainer's recent submissions."""

from __future__ import annotations

from sqlalchemy import select

from core.context import RequestContext
from core.contracts import Widget
from core.i18n import gettext as _
from core.models import Enrolment, User
from plugins.quiz.models import Attempt, Quiz

WIDGET_ROWS = 8


def open_quizzes_widget(ctx: RequestContext) -> Widget:
    assert ctx.user is not None
    quizzes = ctx.db.execute(
        select(Quiz.id, Quiz.title, Quiz.attempts_allowed)
        .join(
            Enrolment, (Enrolment.course_id == Quiz.course_id) & (Enrolment.user_id == ctx.user.id)
        )
        .where(Quiz.organisation_id == ctx.org.id, Quiz.visible.is_(True))
        .order_by(Quiz.id.desc())
        .limit(50)
    ).all()
    mine: dict[int, list[str]] = {}
    if quizzes:
        for quiz_id, state in ctx.db.execute(
            select(Attempt.quiz_id, Attempt.state).where(
                Attempt.user_id == ctx.user.id, Attempt.quiz_id.in_([q.id for q in quizzes])
            )
        ):
            mine.setdefault(quiz_id, []).append(state)
    rows = []
    for quiz_id, title, allowed in quizzes:
        states = mine.get(quiz_id, [])
        if "in_progress" in states:
            rows.append(
                {
                    "title": title,
                    "url": ctx.url("quiz.quiz", quiz_id=quiz_id),
                    "status": _("in progress"),
                }
            )
        elif not states:
            rows.append(
                {"title": title, "url": ctx.url("quiz.quiz", quiz_id=quiz_id), "status": _("to do")}
            )
        elif not allowed or len(states) < allowed:
            continue  # done, may try again: listed on "My quizzes", not as a to-do
    return Widget(
        title=_("My quizzes to do"),
        template="quiz/_widget_quizzes.html",
        context={"rows": rows[:WIDGET_ROWS], "all_url": ctx.url("quiz.my_quizzes")},
        order=30,
    )


def recent_submissions_widget(ctx: RequestContext) -> Widget:
    assert ctx.user is not None
    stmt = (
        select(
            Attempt.id,
            Attempt.score,
            Attempt.max_score,
            Attempt.finished_at,
            Quiz.title,
            User.display_name,
        )
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.organisation_id == ctx.org.id, Attempt.state == "finished")
    )
    if not ctx.may("core:course.manage"):
        taught = select(Enrolment.course_id).where(
            Enrolment.user_id == ctx.user.id, Enrolment.role == "trainer"
        )
        stmt = stmt.where(Quiz.course_id.in_(taught))
    rows = [
        {
            "who": name,
            "quiz": title,
            "score": score,
            "max": max_score,
            "when": finished_at,
            "url": ctx.url("quiz.review", attempt_id=attempt_id),
        }
        for attempt_id, score, max_score, finished_at, title, name in ctx.db.execute(
            stmt.order_by(Attempt.finished_at.desc()).limit(WIDGET_ROWS)
        )
    ]
    return Widget(
        title=_("Recent quiz submissions"),
        template="quiz/_widget_recent.html",
        context={"rows": rows},
        order=30,
    )
