"""Learner pages of an attempt: start or resume, answer (per answer and per page), summary,
submit, review."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from core import clock
from core.context import RequestContext
from core.contracts import PageRoute, needs
from core.errors import BadRequest, Conflict, Forbidden
from core.i18n import gettext as _
from plugins.quiz import grading
from plugins.quiz.attempt_rows import AnswerRow, VersionRow, answer_rows, version_row
from plugins.quiz.attempts import (
    AttemptRefusedError,
    check_answer,
    hard_deadline,
    page_count,
    save_answer,
    set_page,
    start_attempt,
    submit_attempt,
)
from plugins.quiz.models import Attempt, Quiz
from plugins.quiz.questions import (
    QTYPES,
    InvalidResponseError,
    parse_response,
    present,
    right_answer,
)
from plugins.quiz.views.loading import (
    announcer,
    attempt_for,
    finish_when_overdue,
    quiz_for,
    sequence_now,
)
from plugins.quiz.views.review import review_allowed, review_items

ATTEMPT = needs("quiz:attempt")


def start(ctx: RequestContext, quiz_id: str) -> Response:
    quiz = quiz_for(ctx, quiz_id, "quiz:attempt")
    assert ctx.user is not None
    try:
        attempt, _new = start_attempt(
            ctx.db, quiz, ctx.user.id, clock.now(), on_finish=announcer(ctx, quiz)
        )
    except AttemptRefusedError as refused:
        ctx.db.commit()  # an overdue attempt finished on the way stays finished
        raise Conflict(refused.message) from None
    return ctx.redirect(ctx.url("quiz.attempt", attempt_id=attempt.id))


def _open_attempt(ctx: RequestContext, attempt_id: str) -> tuple[Attempt, Quiz]:
    """The learner's own attempt, still open (finished first if its time is up)."""
    attempt, quiz = attempt_for(ctx, attempt_id, owner_only=True)
    if attempt.state == "in_progress" and finish_when_overdue(ctx, quiz, attempt):
        # The refusal below rolls the request back: keep the finished attempt first.
        ctx.db.commit()
    if attempt.state != "in_progress":
        raise Conflict(_("This attempt is finished: answers can no longer change."))
    return attempt, quiz


def is_answered(version: VersionRow, answer: AnswerRow) -> bool:
    """Has the learner given an answer (an emptied field or no box ticked is no answer)?"""
    return grading.grade(version.qtype, version.data, answer.response).state != "unanswered"


def _item_view(
    ctx: RequestContext,
    quiz: Quiz,
    item: dict[str, Any],
    number: int | None,
    answer: AnswerRow,
    version: VersionRow,
    errors: dict[int, str],
    typed: dict[int, str],
) -> dict[str, Any]:
    data = version.data
    response = answer.response
    shown: dict[str, Any] = {}
    immediate = quiz.feedback_mode == "immediate" and QTYPES[version.qtype].auto_graded
    if immediate and answer.checked_at is not None:
        result = grading.grade(version.qtype, data, response)
        shown = {
            "state": result.state,
            "feedback": result.feedback,
            "right": right_answer(version.qtype, data) if quiz.review_correct else "",
        }
    return {
        "slot": item["slot"],
        "number": number,
        "qtype": version.qtype,
        "answerable": QTYPES[version.qtype].answerable,
        "name": version.name,
        "text": version.text,
        "image_url": ctx.url("quiz.image", image_id=version.image_id) if version.image_id else None,
        "mark": item["mark"],
        "widgets": present(version.qtype, data, item.get("order", []), response),
        "saved_at": answer.saved_at,
        "error": errors.get(item["slot"], ""),
        "typed": typed.get(item["slot"]),
        "immediate": shown,
        "checked": answer.checked_at is not None,
        "checkable": immediate and QTYPES[version.qtype].answerable and answer.checked_at is None,
    }


def _render_page(
    ctx: RequestContext,
    quiz: Quiz,
    attempt: Attempt,
    page: int,
    errors: dict[int, str] | None = None,
    typed: dict[int, str] | None = None,
    status: int = 200,
    notice: str = "",
) -> Response:
    layout = attempt.layout
    rows = {a.slot: (a, v) for a, v in answer_rows(ctx.db, attempt.id)}
    numbers: dict[int, int] = {}
    for item in layout:
        if QTYPES[item["qtype"]].answerable:
            numbers[item["slot"]] = len(numbers) + 1
    items = [
        _item_view(
            ctx,
            quiz,
            item,
            numbers.get(item["slot"]),
            *rows[item["slot"]],
            errors or {},
            typed or {},
        )
        for item in layout
        if item["page"] == page and item["slot"] in rows
    ]
    pages = page_count(layout)
    answered_pages = {
        item["page"]
        for item in layout
        if item["slot"] in rows and is_answered(rows[item["slot"]][1], rows[item["slot"]][0])
    }
    deadline = hard_deadline(quiz, attempt)
    last_saved = max((a.saved_at for a, _v in rows.values() if a.saved_at), default=None)
    return ctx.render(
        "quiz/attempt.html",
        status=status,
        quiz=quiz,
        attempt=attempt,
        items=items,
        page=page,
        pages=pages,
        answered_pages=answered_pages,
        sequential=quiz.navigation == "sequential",
        deadline=attempt.deadline,
        seconds_left=max(0, int((attempt.deadline - clock.now()).total_seconds()))
        if attempt.deadline
        else None,
        finish_in=max(0, int((deadline - clock.now()).total_seconds())) if deadline else None,
        grace=quiz.overdue_action == "graceperiod"
        and quiz.grace_seconds > 0
        and deadline is not None,
        sequence=sequence_now(),
        last_saved=last_saved,
        notice=notice,
    )


def attempt_page(ctx: RequestContext, attempt_id: str) -> Response:
    attempt, quiz = attempt_for(ctx, attempt_id, owner_only=True)
    if attempt.state == "in_progress":
        finish_when_overdue(ctx, quiz, attempt)
    if attempt.state != "in_progress":
        return ctx.redirect(ctx.url("quiz.review", attempt_id=attempt.id))
    pages = page_count(attempt.layout)
    requested = ctx.request.query_params.get("page", "")
    page = int(requested) if requested.isdigit() else attempt.current_page
    if quiz.navigation == "sequential":
        page = attempt.current_page  # no going back, no skipping ahead
    page = min(max(page, 0), pages - 1)
    return _render_page(ctx, quiz, attempt, page)


def _form_get(ctx: RequestContext) -> tuple[Any, Any]:
    form = ctx.form

    def get(name: str) -> str:
        value = form.get(name, "") if form is not None else ""
        return value if isinstance(value, str) else ""

    def getlist(name: str) -> list[str]:
        return [v for v in form.getlist(name) if isinstance(v, str)] if form is not None else []

    return get, getlist


def _sequence(ctx: RequestContext) -> int:
    raw = ctx.field("seq")
    if raw.isdigit() and 0 < int(raw) < 2**62:
        return int(raw)
    return sequence_now()


def _save_item(
    ctx: RequestContext,
    attempt: Attempt,
    item: dict[str, Any],
    version: VersionRow,
    sequence: int,
) -> tuple[bool, str | None]:
    """Save one item from the submitted form: (something was sent, field error)."""
    get, getlist = _form_get(ctx)
    try:
        response, error = parse_response(version.qtype, version.data, item["slot"], get, getlist)
    except InvalidResponseError:
        raise BadRequest(_("This answer is not one of the choices offered.")) from None
    if error:
        return True, error
    if response is None:
        return False, None
    try:
        save_answer(ctx.db, attempt, item["slot"], response, sequence, clock.now())
    except AttemptRefusedError as refused:
        raise Conflict(refused.message) from None
    return True, None


def save(ctx: RequestContext, attempt_id: str) -> Response:
    """One answer, sent by the page's script as soon as it is given (or from its offline queue)."""
    attempt, quiz = _open_attempt(ctx, attempt_id)
    slot = ctx.field("slot")
    item = next((i for i in attempt.layout if str(i["slot"]) == slot), None)
    if item is None or not QTYPES[item["qtype"]].answerable:
        raise Forbidden(_("This question is not part of your attempt."))
    if quiz.navigation == "sequential" and item["page"] != attempt.current_page:
        raise Conflict(_("With this quiz you answer the questions in order, without going back."))
    version = version_row(ctx.db, item["version_id"])
    assert version is not None
    _sent, error = _save_item(ctx, attempt, item, version, _sequence(ctx))
    if error:
        return ctx.render(
            "quiz/_save_status.html",
            status=422,
            error=error,
            slot=item["slot"],
            saved_at=None,
        )
    set_page(ctx.db, attempt, item["page"])
    return ctx.render("quiz/_save_status.html", error="", slot=item["slot"], saved_at=clock.now())


def page_submit(ctx: RequestContext, attempt_id: str) -> Response:
    """A whole page sent with its buttons (works without JavaScript): save, then move."""
    attempt, quiz = _open_attempt(ctx, attempt_id)
    layout = attempt.layout
    pages = page_count(layout)
    page_raw = ctx.field("page")
    page = int(page_raw) if page_raw.isdigit() else attempt.current_page
    if page >= pages or (quiz.navigation == "sequential" and page != attempt.current_page):
        raise Conflict(_("This page of the quiz is no longer open. Reload the quiz to carry on."))
    rows = {a.slot: (a.checked_at, v) for a, v in answer_rows(ctx.db, attempt.id)}
    sequence = _sequence(ctx)
    errors: dict[int, str] = {}
    typed: dict[int, str] = {}
    for item in layout:
        if item["page"] != page or not QTYPES[item["qtype"]].answerable:
            continue
        checked_at, version = rows[item["slot"]]
        if checked_at is not None:
            continue  # checked answers stay as they are
        _sent, error = _save_item(ctx, attempt, item, version, sequence)
        if error:
            errors[item["slot"]] = error
            typed[item["slot"]] = ctx.field(f"q{item['slot']}")
    check = ctx.field("check")
    if not errors and check.isdigit() and quiz.feedback_mode == "immediate":
        item = next((i for i in layout if i["slot"] == int(check) and i["page"] == page), None)
        if item is None:
            raise Forbidden(_("This question is not part of your attempt."))
        if (
            not check_answer(ctx.db, attempt, item["slot"], clock.now())
            and rows[item["slot"]][0] is None
        ):
            errors[item["slot"]] = _("Give an answer before checking it.")
        else:
            set_page(ctx.db, attempt, page)
            return ctx.redirect(
                ctx.url("quiz.attempt", attempt_id=attempt.id) + f"?page={page}#q{item['slot']}"
            )
    if errors:
        return _render_page(ctx, quiz, attempt, page, errors, typed, status=422)
    goto = ctx.field("goto")
    if goto == "summary" or (goto == "next" and page + 1 >= pages):
        set_page(ctx.db, attempt, page)
        return ctx.redirect(ctx.url("quiz.summary", attempt_id=attempt.id))
    if goto == "prev" and quiz.navigation == "free":
        target = max(page - 1, 0)
    elif goto == "next":
        target = page + 1
    elif goto.isdigit() and quiz.navigation == "free":
        target = min(int(goto), pages - 1)
    else:
        target = page
    set_page(ctx.db, attempt, target)
    return ctx.redirect(ctx.url("quiz.attempt", attempt_id=attempt.id) + f"?page={target}")


def summary(ctx: RequestContext, attempt_id: str) -> Response:
    attempt, quiz = attempt_for(ctx, attempt_id, owner_only=True)
    if attempt.state == "in_progress":
        finish_when_overdue(ctx, quiz, attempt)
    if attempt.state != "in_progress":
        return ctx.redirect(ctx.url("quiz.review", attempt_id=attempt.id))
    rows = answer_rows(ctx.db, attempt.id)
    pages = {item["slot"]: item["page"] for item in attempt.layout}
    items: list[dict[str, Any]] = []
    for answer, version in rows:
        if QTYPES[version.qtype].answerable:
            items.append(
                {
                    "number": len(items) + 1,
                    "page": pages.get(answer.slot, 0),
                    "answered": is_answered(version, answer),
                }
            )
    return ctx.render(
        "quiz/summary.html",
        quiz=quiz,
        attempt=attempt,
        items=items,
        unanswered=sum(1 for i in items if not i["answered"]),
        sequence=sequence_now(),
        free=quiz.navigation == "free",
    )


def submit(ctx: RequestContext, attempt_id: str) -> Response:
    """Submit once: a double click or a retry lands on the same review, counted once."""
    attempt, quiz = attempt_for(ctx, attempt_id, owner_only=True)
    if (
        attempt.state == "in_progress"
        and not finish_when_overdue(ctx, quiz, attempt)
        and submit_attempt(ctx.db, quiz, attempt, clock.now())
    ):
        announcer(ctx, quiz)(attempt)
        ctx.audit("quiz.attempt.submit", f"attempt:{attempt.id}")
    return ctx.redirect(ctx.url("quiz.review", attempt_id=attempt.id))


def review(ctx: RequestContext, attempt_id: str) -> Response:
    attempt, quiz = attempt_for(ctx, attempt_id, owner_only=False)
    assert ctx.user is not None
    if attempt.state == "in_progress":
        finish_when_overdue(ctx, quiz, attempt)
    if attempt.state == "in_progress":
        if attempt.user_id == ctx.user.id:
            return ctx.redirect(ctx.url("quiz.attempt", attempt_id=attempt.id))
        raise Conflict(_("This attempt is still in progress."))
    trainer = attempt.user_id != ctx.user.id
    show = review_allowed(quiz, clock.now(), trainer)
    percent = (attempt.score or 0) / attempt.max_score * 100 if attempt.max_score else 0.0
    return ctx.render(
        "quiz/review.html",
        quiz=quiz,
        attempt=attempt,
        show=show,
        items=review_items(ctx, attempt, show),
        percent=percent,
        overall=grading.overall_feedback(quiz.overall_feedback, percent) if show["marks"] else "",
        trainer=trainer,
        can_override=trainer and ctx.may("quiz:regrade", quiz.course_id),
    )


ROUTES = [
    PageRoute("/{quiz_id:int}/start", start, ("POST",), ATTEMPT, "start"),
    PageRoute("/attempt/{attempt_id:int}", attempt_page, ("GET",), ATTEMPT, "attempt"),
    PageRoute("/attempt/{attempt_id:int}/save", save, ("POST",), ATTEMPT, "save"),
    PageRoute("/attempt/{attempt_id:int}/page", page_submit, ("POST",), ATTEMPT, "page"),
    PageRoute("/attempt/{attempt_id:int}/summary", summary, ("GET",), ATTEMPT, "summary"),
    PageRoute("/attempt/{attempt_id:int}/submit", submit, ("POST",), ATTEMPT, "submit"),
    PageRoute("/attempt/{attempt_id:int}/review", review, ("GET",), ATTEMPT, "review"),
]
