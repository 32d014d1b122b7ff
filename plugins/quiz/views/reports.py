"""Results: the trainer's report (and its exports), item statistics, regrade, manual marks, and
the learner's progress across quizzes."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from starlette.responses import Response

from core import clock
from core.context import RequestContext
from core.contracts import PageRoute, needs
from core.errors import NotFound
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.models import Enrolment, User
from plugins.quiz import exports, grading
from plugins.quiz.announce import announce_graded
from plugins.quiz.attempts import override_mark, regrade_quiz
from plugins.quiz.grading import parse_number
from plugins.quiz.models import Attempt, AttemptAnswer, QuestionVersion, Quiz
from plugins.quiz.stats import item_statistics
from plugins.quiz.views.loading import attempt_for, quiz_for


def _report_rows(ctx: RequestContext, quiz: Quiz) -> list[dict[str, Any]]:
    rows = ctx.db.execute(
        select(Attempt, User.display_name, User.login)
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.quiz_id == quiz.id, Attempt.organisation_id == ctx.org.id)
        .order_by(User.display_name, Attempt.number)
    ).all()
    by_user: dict[int, list[Attempt]] = defaultdict(list)
    for attempt, _name, _login in rows:
        if attempt.state == "finished" and attempt.score is not None:
            by_user[attempt.user_id].append(attempt)
    grades = {
        user_id: grading.combine_attempts(quiz.grading_method, [a.score or 0.0 for a in attempts])
        for user_id, attempts in by_user.items()
    }
    result = []
    for attempt, name, login in rows:
        taken = (
            (attempt.finished_at - attempt.started_at).total_seconds()
            if attempt.finished_at
            else None
        )
        result.append(
            {
                "attempt": attempt,
                "name": name,
                "login": login,
                "minutes": None if taken is None else round(taken / 60, 1),
                "percent": (100 * (attempt.score or 0) / attempt.max_score)
                if attempt.max_score and attempt.score is not None
                else None,
                "grade": grades.get(attempt.user_id),
            }
        )
    return result


STATE_LABELS = {
    "in_progress": _l("In progress"),
    "finished": _l("Finished"),
    "abandoned": _l("Abandoned"),
}


def report(ctx: RequestContext, quiz_id: str) -> Response:
    quiz = quiz_for(ctx, quiz_id, "quiz:report")
    return ctx.render(
        "quiz/report.html",
        quiz=quiz,
        rows=_report_rows(ctx, quiz),
        states={k: str(v) for k, v in STATE_LABELS.items()},
        can_regrade=ctx.may("quiz:regrade", quiz.course_id),
        notice=ctx.request.query_params.get("done", ""),
    )


def _export_table(ctx: RequestContext, quiz: Quiz) -> tuple[list[str], list[list[Any]]]:
    header = [
        _("Learner"),
        _("Login"),
        _("Attempt"),
        _("State"),
        _("Started"),
        _("Finished"),
        _("Time taken (min)"),
        _("Score"),
        _("Out of"),
        _("Percent"),
        _("Grade for the quiz"),
    ]
    rows = []
    for row in _report_rows(ctx, quiz):
        a = row["attempt"]
        rows.append(
            [
                row["name"],
                row["login"],
                a.number,
                str(STATE_LABELS.get(a.state, a.state)),
                a.started_at.strftime("%Y-%m-%d %H:%M"),
                a.finished_at.strftime("%Y-%m-%d %H:%M") if a.finished_at else "",
                row["minutes"],
                a.score,
                a.max_score,
                None if row["percent"] is None else round(row["percent"], 1),
                row["grade"],
            ]
        )
    return header, rows


def _filename(quiz: Quiz, ext: str) -> str:
    safe = (
        "".join(ch if ch.isalnum() else "-" for ch in quiz.title.lower()).strip("-")[:40] or "quiz"
    )
    return f"{safe}-{quiz.id}.{ext}"


def report_csv(ctx: RequestContext, quiz_id: str) -> Response:
    quiz = quiz_for(ctx, quiz_id, "quiz:report")
    header, rows = _export_table(ctx, quiz)
    return Response(
        exports.to_csv(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_filename(quiz, "csv")}"'},
    )


def report_xlsx(ctx: RequestContext, quiz_id: str) -> Response:
    quiz = quiz_for(ctx, quiz_id, "quiz:report")
    header, rows = _export_table(ctx, quiz)
    return Response(
        exports.to_xlsx(quiz.title, header, rows),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{_filename(quiz, "xlsx")}"'},
    )


def statistics(ctx: RequestContext, quiz_id: str) -> Response:
    """Facility and discrimination per question over finished attempts (first attempts only
    with ``?which=first``, as Moodle offers)."""
    quiz = quiz_for(ctx, quiz_id, "quiz:report")
    which = "first" if ctx.request.query_params.get("which") == "first" else "all"
    rows = ctx.db.execute(
        select(
            Attempt.id,
            Attempt.user_id,
            Attempt.number,
            AttemptAnswer.question_id,
            AttemptAnswer.mark,
            AttemptAnswer.override_mark,
            AttemptAnswer.max_mark,
            QuestionVersion.name,
        )
        .join(AttemptAnswer, AttemptAnswer.attempt_id == Attempt.id)
        .join(QuestionVersion, QuestionVersion.id == AttemptAnswer.question_version_id)
        .where(
            Attempt.quiz_id == quiz.id,
            Attempt.organisation_id == ctx.org.id,
            Attempt.state == "finished",
        )
        .order_by(Attempt.user_id, Attempt.number)
    ).all()
    first_number: dict[int, int] = {}
    for _aid, user_id, number, *_rest in rows:
        first_number[user_id] = min(number, first_number.get(user_id, number))
    attempts: dict[int, dict[int, tuple[float | None, float]]] = defaultdict(dict)
    names: dict[int, str] = {}
    for attempt_id, user_id, number, question_id, mark, override, max_mark, name in rows:
        if which == "first" and number != first_number[user_id]:
            continue
        attempts[attempt_id][question_id] = (override if override is not None else mark, max_mark)
        names[question_id] = name
    stats = item_statistics(list(attempts.values()))
    return ctx.render(
        "quiz/statistics.html",
        quiz=quiz,
        which=which,
        attempts=len(attempts),
        stats=[{"name": names.get(s.key, ""), "s": s} for s in stats],
    )


def regrade(ctx: RequestContext, quiz_id: str) -> Response:
    quiz = quiz_for(ctx, quiz_id, "quiz:regrade")
    count = regrade_quiz(ctx.db, quiz, to_latest=ctx.field("to_latest") == "1")
    for attempt in ctx.db.scalars(
        select(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.state == "finished")
    ):
        announce_graded(ctx.hooks, ctx.failures, ctx.db, quiz, attempt)
    ctx.audit("quiz.regrade", f"quiz:{quiz.id}", {"attempts": count})
    return ctx.redirect(ctx.url("quiz.report", quiz_id=quiz.id) + f"?done={count}")


def override(ctx: RequestContext, attempt_id: str, slot: str) -> Response:
    """A trainer's mark for one answer, with a comment the learner sees in the review."""
    attempt, quiz = attempt_for(ctx, attempt_id, owner_only=False)
    ctx.require("quiz:regrade", quiz.course_id)
    assert ctx.user is not None
    answer = ctx.db.scalar(
        select(AttemptAnswer).where(
            AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.slot == int(slot)
        )
    )
    if answer is None or attempt.state != "finished" or answer.max_mark <= 0:
        raise NotFound(_("This page does not exist."))
    version = ctx.db.get(QuestionVersion, answer.question_version_id)
    assert version is not None
    error = ""
    if ctx.request.method == "POST":
        raw = ctx.field("mark")
        mark = parse_number(raw) if raw else None
        if raw and (mark is None or not 0 <= mark <= answer.max_mark):
            error = _(
                "Give a mark between 0 and %(max)s, or leave it empty to use the automatic mark.",
                max=answer.max_mark,
            )
        else:
            override_mark(
                ctx.db, attempt, answer, mark, ctx.field("comment")[:2000], ctx.user.id, clock.now()
            )
            announce_graded(ctx.hooks, ctx.failures, ctx.db, quiz, attempt)
            ctx.audit("quiz.override", f"attempt:{attempt.id}", {"slot": answer.slot, "mark": mark})
            return ctx.redirect(ctx.url("quiz.review", attempt_id=attempt.id) + f"#q{answer.slot}")
    from plugins.quiz.questions import response_text

    return ctx.render(
        "quiz/override.html",
        status=422 if error else 200,
        quiz=quiz,
        attempt=attempt,
        answer=answer,
        version=version,
        response=response_text(version.qtype, version.data, answer.response),
        error=error,
        value=ctx.field("mark")
        if error
        else ("" if answer.override_mark is None else str(answer.override_mark)),
        comment=ctx.field("comment") if error else answer.override_comment,
    )


def my_quizzes(ctx: RequestContext) -> Response:
    """The learner's progress: every quiz of their courses, their attempts and grade."""
    assert ctx.user is not None
    quizzes = list(
        ctx.db.scalars(
            select(Quiz)
            .join(
                Enrolment,
                (Enrolment.course_id == Quiz.course_id) & (Enrolment.user_id == ctx.user.id),
            )
            .where(Quiz.organisation_id == ctx.org.id, Quiz.visible.is_(True))
            .order_by(Quiz.course_id, Quiz.id)
        )
    )
    attempts: dict[int, list[Attempt]] = defaultdict(list)
    if quizzes:
        for attempt in ctx.db.scalars(
            select(Attempt)
            .where(Attempt.user_id == ctx.user.id, Attempt.quiz_id.in_([q.id for q in quizzes]))
            .order_by(Attempt.number)
        ):
            attempts[attempt.quiz_id].append(attempt)
    rows = []
    for quiz in quizzes:
        done = [a for a in attempts[quiz.id] if a.state == "finished" and a.score is not None]
        grade = grading.combine_attempts(quiz.grading_method, [a.score or 0.0 for a in done])
        rows.append(
            {
                "quiz": quiz,
                "attempts": len(attempts[quiz.id]),
                "open": any(a.state == "in_progress" for a in attempts[quiz.id]),
                "grade": grade,
                "max": done[-1].max_score if done else None,
                "percent": (100 * grade / done[-1].max_score)
                if done and grade is not None and done[-1].max_score
                else None,
                "history": [(a.number, a.score, a.max_score) for a in done],
            }
        )
    return ctx.render("quiz/my_quizzes.html", rows=rows)


ROUTES = [
    PageRoute("/{quiz_id:int}/report", report, ("GET",), needs("quiz:report"), "report"),
    PageRoute(
        "/{quiz_id:int}/report.csv", report_csv, ("GET",), needs("quiz:report"), "report_csv"
    ),
    PageRoute(
        "/{quiz_id:int}/report.xlsx", report_xlsx, ("GET",), needs("quiz:report"), "report_xlsx"
    ),
    PageRoute(
        "/{quiz_id:int}/statistics", statistics, ("GET",), needs("quiz:report"), "statistics"
    ),
    PageRoute("/{quiz_id:int}/regrade", regrade, ("POST",), needs("quiz:regrade"), "regrade"),
    PageRoute(
        "/attempt/{attempt_id:int}/slot/{slot:int}/override",
        override,
        ("GET", "POST"),
        needs("quiz:regrade"),
        "override",
    ),
    PageRoute("/my", my_quizzes, ("GET",), needs("quiz:attempt"), "my_quizzes"),
]
