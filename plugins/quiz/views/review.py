"""What the review of a finished attempt shows, according to the quiz's review settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.context import RequestContext
from plugins.quiz import grading
from plugins.quiz.attempts import answers_with_versions
from plugins.quiz.models import Attempt, Quiz
from plugins.quiz.questions import QTYPES, present, right_answer


def review_allowed(quiz: Quiz, now: datetime, trainer: bool) -> dict[str, bool]:
    """Which parts of the review are shown now (trainers always see everything)."""
    if trainer:
        return {"visible": True, "marks": True, "correct": True, "feedback": True}
    if quiz.review_when == "never":
        visible = False
    elif quiz.review_when == "after_close":
        visible = quiz.close_at is None or now >= quiz.close_at
    else:
        visible = True
    return {
        "visible": visible,
        "marks": visible and quiz.review_marks,
        "correct": visible and quiz.review_correct,
        "feedback": visible and quiz.review_feedback,
    }


def review_items(
    ctx: RequestContext, attempt: Attempt, show: dict[str, bool]
) -> list[dict[str, Any]]:
    if not show["visible"]:
        return []
    orders = {item["slot"]: item.get("order", []) for item in attempt.layout}
    items: list[dict[str, Any]] = []
    number = 0
    for answer, version in answers_with_versions(ctx.db, attempt.id):
        data = version.data
        answerable = QTYPES[version.qtype].answerable
        if answerable:
            number += 1
        result = grading.grade(version.qtype, data, answer.response)
        state = result.state
        if answer.override_mark is not None and answer.max_mark > 0:
            fraction = answer.override_mark / answer.max_mark
            state = "correct" if fraction >= 1 else "wrong" if fraction <= 0 else "partial"
        items.append(
            {
                "slot": answer.slot,
                "number": number if answerable else None,
                "qtype": version.qtype,
                "answerable": answerable,
                "name": version.name,
                "text": version.text,
                "image_url": ctx.url("quiz.image", image_id=version.image_id)
                if version.image_id
                else None,
                "widgets": present(
                    version.qtype, data, orders.get(answer.slot, []), answer.response
                ),
                "state": state,
                "mark": answer.final_mark,
                "max_mark": answer.max_mark,
                "feedback": result.feedback if show["feedback"] else (),
                "general_feedback": version.general_feedback if show["feedback"] else "",
                "right": right_answer(version.qtype, data) if show["correct"] else "",
                "comment": answer.override_comment,
                "overridden": answer.override_mark is not None,
                "error": "",
                "typed": None,
                "saved_at": None,
                "immediate": {},
            }
        )
    return items
