"""Quiz pages: the quiz's own page (learner and trainer), creating a quiz, its settings and its
questions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from starlette.responses import Response

from core import clock
from core.context import RequestContext
from core.contracts import PageRoute, needs
from core.errors import NotFound
from core.i18n import gettext as _
from core.models import Section
from plugins.quiz import grading
from plugins.quiz.attempts import slot_count, why_closed
from plugins.quiz.bank import parse_tags
from plugins.quiz.grading import parse_number
from plugins.quiz.models import (
    Attempt,
    Question,
    QuestionCategory,
    QuestionVersion,
    Quiz,
    QuizSlot,
)
from plugins.quiz.quiz_settings import BAND_ROWS, form_values, parse_settings
from plugins.quiz.views.loading import finish_when_overdue, quiz_for

BANK_PAGE = 50  # questions listed at once when adding to a quiz


def quiz_page(ctx: RequestContext, quiz_id: str) -> Response:
    quiz = quiz_for(ctx, quiz_id, "quiz:attempt")
    assert ctx.user is not None
    now = clock.now()
    has_questions = slot_count(ctx.db, quiz.id) > 0
    attempts = list(
        ctx.db.scalars(
            select(Attempt)
            .where(Attempt.quiz_id == quiz.id, Attempt.user_id == ctx.user.id)
            .order_by(Attempt.number)
        )
    )
    for attempt in attempts:
        if attempt.state == "in_progress":
            finish_when_overdue(ctx, quiz, attempt)  # its time ran out while away: results now
    finished = [a for a in attempts if a.state == "finished" and a.score is not None]
    grade = grading.combine_attempts(quiz.grading_method, [a.score or 0.0 for a in finished])
    open_attempt = next((a for a in attempts if a.state == "in_progress"), None)
    closed = why_closed(quiz, now, has_questions)
    used_up = (
        bool(quiz.attempts_allowed)
        and len(attempts) >= quiz.attempts_allowed
        and open_attempt is None
    )
    return ctx.render(
        "quiz/quiz.html",
        quiz=quiz,
        attempts=attempts,
        grade=grade,
        max_score=finished[-1].max_score if finished else None,
        open_attempt=open_attempt,
        closed=closed,
        used_up=used_up,
        has_questions=has_questions,
        can_build=ctx.may("quiz:build", quiz.course_id),
        can_report=ctx.may("quiz:report", quiz.course_id),
    )


def _defaults(ctx: RequestContext) -> dict[str, str]:
    settings = ctx.plugin_settings("quiz")
    return {
        "title": "",
        "intro": "",
        "open_at": "",
        "close_at": "",
        "time_limit_minutes": str(settings.get("default_time_limit_minutes", 0)),
        "grace_minutes": str(settings.get("default_grace_minutes", 2)),
        "overdue_action": "autosubmit",
        "attempts_allowed": str(settings.get("default_attempts", 0)),
        "grading_method": "highest",
        "questions_per_page": "1",
        "navigation": "free",
        "feedback_mode": "deferred",
        "review_when": "after_submit",
        "shuffle_questions": "",
        "shuffle_choices": "1",
        "review_marks": "1",
        "review_correct": "1",
        "review_feedback": "1",
        "visible": "",
        "band_min_0": "80",
        "band_text_0": _("Well done, you are ready!"),
        "band_min_1": "50",
        "band_text_1": _("Nearly there: go over the questions you missed."),
        "band_min_2": "0",
        "band_text_2": _("Take the workshop again, you will get there."),
    }


def _settings_form(
    ctx: RequestContext, values: dict[str, str], errors: dict[str, str], **extra: Any
) -> Response:
    return ctx.render(
        "quiz/settings.html",
        status=422 if errors else 200,
        values=values,
        errors=errors,
        bands=range(BAND_ROWS),
        **extra,
    )


def _submitted(ctx: RequestContext) -> dict[str, str]:
    """The form as sent, to refill it after an error."""
    form = ctx.form
    return {k: v for k, v in form.items() if isinstance(v, str)} if form is not None else {}


def new_quiz(ctx: RequestContext, course_id: str) -> Response:
    course = ctx.course(course_id, "quiz:build")
    section_raw = ctx.request.query_params.get("section") or ctx.field("section_id")
    section = None
    if section_raw:
        section = ctx.get(Section, section_raw)
        if section.course_id != course.id:
            raise NotFound(_("This page does not exist."))
    if ctx.request.method == "GET":
        return _settings_form(ctx, _defaults(ctx), {}, course=course, section=section, quiz=None)
    values, errors = parse_settings(ctx.field, has_questions=False)
    if errors:
        return _settings_form(
            ctx, _submitted(ctx), errors, course=course, section=section, quiz=None
        )
    quiz = Quiz(
        organisation_id=ctx.org.id,
        course_id=course.id,
        section_id=section.id if section else None,
        **values,
    )
    ctx.db.add(quiz)
    ctx.db.flush()
    ctx.audit("quiz.create", f"quiz:{quiz.id}", {"title": quiz.title})
    return ctx.redirect(ctx.url("quiz.questions", quiz_id=quiz.id))


def settings(ctx: RequestContext, quiz_id: str) -> Response:
    quiz = quiz_for(ctx, quiz_id, "quiz:build")
    if ctx.request.method == "GET":
        return _settings_form(ctx, form_values(quiz), {}, course=None, section=None, quiz=quiz)
    values, errors = parse_settings(ctx.field, has_questions=slot_count(ctx.db, quiz.id) > 0)
    if errors:
        return _settings_form(ctx, _submitted(ctx), errors, course=None, section=None, quiz=quiz)
    for key, value in values.items():
        setattr(quiz, key, value)
    ctx.audit("quiz.settings", f"quiz:{quiz.id}")
    return ctx.redirect(ctx.url("quiz.quiz", quiz_id=quiz.id))


def _slots_view(ctx: RequestContext, quiz: Quiz) -> list[dict[str, Any]]:
    rows = ctx.db.execute(
        select(QuizSlot, QuestionVersion.name, QuestionVersion.qtype, QuestionCategory.name)
        .outerjoin(Question, Question.id == QuizSlot.question_id)
        .outerjoin(
            QuestionVersion,
            (QuestionVersion.question_id == Question.id)
            & (QuestionVersion.version == Question.current_version),
        )
        .outerjoin(QuestionCategory, QuestionCategory.id == QuizSlot.random_category_id)
        .where(QuizSlot.quiz_id == quiz.id)
        .order_by(QuizSlot.position)
    ).all()
    return [
        {"slot": slot, "name": name, "qtype": qtype, "category": category}
        for slot, name, qtype, category in rows
    ]


def questions(ctx: RequestContext, quiz_id: str) -> Response:
    """The quiz's questions: add from the bank, add random draws, marks, order, remove."""
    quiz = quiz_for(ctx, quiz_id, "quiz:build")
    error = ""
    if ctx.request.method == "POST":
        error = _change_slots(ctx, quiz)
        if not error:
            return ctx.redirect(ctx.url("quiz.questions", quiz_id=quiz.id))
    categories = list(
        ctx.db.scalars(
            select(QuestionCategory)
            .where(QuestionCategory.organisation_id == ctx.org.id)
            .order_by(QuestionCategory.name)
        )
    )
    category_raw = ctx.request.query_params.get("category", "")
    category_id = (
        int(category_raw) if category_raw.isdigit() else (categories[0].id if categories else None)
    )
    bank: list[Any] = []
    if category_id is not None:
        bank = list(
            ctx.db.execute(
                select(Question.id, QuestionVersion.name, QuestionVersion.qtype)
                .join(
                    QuestionVersion,
                    (QuestionVersion.question_id == Question.id)
                    & (QuestionVersion.version == Question.current_version),
                )
                .where(Question.organisation_id == ctx.org.id, Question.category_id == category_id)
                .order_by(QuestionVersion.name)
                .limit(BANK_PAGE)
            )
        )
    return ctx.render(
        "quiz/questions.html",
        status=422 if error else 200,
        quiz=quiz,
        slots=_slots_view(ctx, quiz),
        categories=categories,
        category_id=category_id,
        bank=bank,
        error=error,
        attempts=ctx.db.scalar(select(func.count(Attempt.id)).where(Attempt.quiz_id == quiz.id))
        or 0,
    )


def _mark(ctx: RequestContext) -> float | None:
    value = parse_number(ctx.field("mark") or "1")
    return value if value is not None and 0 <= value <= 100 else None


def _change_slots(ctx: RequestContext, quiz: Quiz) -> str:
    """Apply one change to the quiz's slots; returns an error message or ''."""
    action = ctx.field("action")
    slots = list(
        ctx.db.scalars(
            select(QuizSlot).where(QuizSlot.quiz_id == quiz.id).order_by(QuizSlot.position)
        )
    )
    next_position = (slots[-1].position + 1) if slots else 1
    if action in ("add", "random"):
        mark = _mark(ctx)
        if mark is None:
            return _("Give a mark between 0 and 100.")
        if action == "add":
            question = ctx.get(Question, ctx.field("question_id"))
            if any(s.question_id == question.id for s in slots):
                return _("This question is already in the quiz.")
            ctx.db.add(
                QuizSlot(
                    organisation_id=ctx.org.id,
                    quiz_id=quiz.id,
                    position=next_position,
                    question_id=question.id,
                    mark=mark,
                )
            )
            return ""
        category = ctx.get(QuestionCategory, ctx.field("category_id"))
        tags, bad = parse_tags(ctx.field("tag"))
        count = ctx.field("count") or "1"
        if bad or len(tags) > 1:
            return _("Give one tag, such as crcn:1.1, or none.")
        if not count.isdigit() or not 1 <= int(count) <= 50:
            return _("Give how many questions to draw, between 1 and 50.")
        ctx.db.add(
            QuizSlot(
                organisation_id=ctx.org.id,
                quiz_id=quiz.id,
                position=next_position,
                random_category_id=category.id,
                random_tag=tags[0] if tags else None,
                random_count=int(count),
                mark=mark,
            )
        )
        return ""
    slot = next((s for s in slots if str(s.id) == ctx.field("slot_id")), None)
    if slot is None:
        raise NotFound(_("This page does not exist."))
    if action == "remove":
        ctx.db.delete(slot)
        if len(slots) == 1 and quiz.visible:
            quiz.visible = False  # an empty quiz cannot stay open to learners
    elif action == "mark":
        mark = _mark(ctx)
        if mark is None:
            return _("Give a mark between 0 and 100.")
        slot.mark = mark
    elif action in ("up", "down"):
        index = slots.index(slot)
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(slots):
            slot.position, slots[other].position = slots[other].position, slot.position
    return ""


ROUTES = [
    PageRoute("/{quiz_id:int}", quiz_page, ("GET",), needs("quiz:attempt"), "quiz"),
    PageRoute(
        "/course/{course_id:int}/new", new_quiz, ("GET", "POST"), needs("quiz:build"), "new_quiz"
    ),
    PageRoute(
        "/{quiz_id:int}/settings", settings, ("GET", "POST"), needs("quiz:build"), "settings"
    ),
    PageRoute(
        "/{quiz_id:int}/questions", questions, ("GET", "POST"), needs("quiz:build"), "questions"
    ),
]
