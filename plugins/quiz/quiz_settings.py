"""The quiz settings form: reading and checking every setting, without the database."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.i18n import gettext as _
from plugins.quiz.models import (
    FEEDBACK_MODES,
    GRADING_METHODS,
    NAVIGATION_MODES,
    OVERDUE_ACTIONS,
    REVIEW_TIMES,
    Quiz,
)
from plugins.quiz.sanitize import sanitise_html

LOCAL_TZ = ZoneInfo("Europe/Paris")  # dates are typed in the associations' local time
BAND_ROWS = 4


def _int(get: Callable[[str], str], name: str, low: int, high: int, errors: dict[str, str]) -> int:
    raw = get(name).strip() or "0"
    if not raw.isdigit() or not low <= int(raw) <= high:
        errors[name] = _("Give a whole number between %(low)s and %(high)s.", low=low, high=high)
        return 0
    return int(raw)


def _when(get: Callable[[str], str], name: str, errors: dict[str, str]) -> datetime | None:
    raw = get(name).strip()
    if not raw:
        return None
    try:
        local = datetime.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Give a date and time, for example 2026-03-14 09:30.")
        return None
    if local.tzinfo is None:
        local = local.replace(tzinfo=LOCAL_TZ)
    return local.astimezone(UTC)


def local_input(value: datetime | None) -> str:
    """A stored UTC moment as the value of a ``datetime-local`` field."""
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M") if value else ""


def _choice(
    get: Callable[[str], str], name: str, allowed: tuple[str, ...], errors: dict[str, str]
) -> str:
    value = get(name)
    if value not in allowed:
        errors[name] = _("Choose one of the options.")
        return allowed[0]
    return value


def parse_settings(
    get: Callable[[str], str], has_questions: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """Every setting from the form: ``(values for Quiz columns, field errors)``."""
    errors: dict[str, str] = {}
    title = " ".join(get("title").split())
    if not title:
        errors["title"] = _("Give the quiz a title.")
    elif len(title) > 200:
        errors["title"] = _("Keep the title under 200 characters.")
    values: dict[str, Any] = {
        "title": title[:200],
        "intro": sanitise_html(get("intro")),
        "open_at": _when(get, "open_at", errors),
        "close_at": _when(get, "close_at", errors),
        "time_limit_seconds": _int(get, "time_limit_minutes", 0, 600, errors) * 60,
        "grace_seconds": _int(get, "grace_minutes", 0, 60, errors) * 60,
        "overdue_action": _choice(get, "overdue_action", OVERDUE_ACTIONS, errors),
        "attempts_allowed": _int(get, "attempts_allowed", 0, 50, errors),
        "grading_method": _choice(get, "grading_method", GRADING_METHODS, errors),
        "shuffle_questions": get("shuffle_questions") == "1",
        "shuffle_choices": get("shuffle_choices") == "1",
        "questions_per_page": _int(get, "questions_per_page", 0, 50, errors),
        "navigation": _choice(get, "navigation", NAVIGATION_MODES, errors),
        "feedback_mode": _choice(get, "feedback_mode", FEEDBACK_MODES, errors),
        "review_when": _choice(get, "review_when", REVIEW_TIMES, errors),
        "review_marks": get("review_marks") == "1",
        "review_correct": get("review_correct") == "1",
        "review_feedback": get("review_feedback") == "1",
        "visible": get("visible") == "1",
    }
    if values["open_at"] and values["close_at"] and values["close_at"] <= values["open_at"]:
        errors["close_at"] = _("The closing date must come after the opening date.")
    bands = []
    for i in range(BAND_ROWS):
        text = sanitise_html(get(f"band_text_{i}"))
        raw = get(f"band_min_{i}").strip()
        if not text and not raw:
            continue
        if not raw.isdigit() or int(raw) > 100:
            errors[f"band_min_{i}"] = _("Give a percentage between 0 and 100.")
            continue
        if not text:
            errors[f"band_text_{i}"] = _("Write the feedback for this score band.")
            continue
        bands.append([int(raw), text])
    values["overall_feedback_json"] = json.dumps(
        sorted(bands, key=lambda b: -b[0]), ensure_ascii=False
    )
    if values["visible"] and not has_questions:
        errors["visible"] = _(
            "A quiz with no questions cannot be opened to learners. "
            "Add questions first, then open it."
        )
    return values, errors


def form_values(quiz: Quiz) -> dict[str, str]:
    """A stored quiz as the settings form shows it."""
    values = {
        "title": quiz.title,
        "intro": quiz.intro,
        "open_at": local_input(quiz.open_at),
        "close_at": local_input(quiz.close_at),
        "time_limit_minutes": str(quiz.time_limit_seconds // 60),
        "grace_minutes": str(quiz.grace_seconds // 60),
        "overdue_action": quiz.overdue_action,
        "attempts_allowed": str(quiz.attempts_allowed),
        "grading_method": quiz.grading_method,
        "questions_per_page": str(quiz.questions_per_page),
        "navigation": quiz.navigation,
        "feedback_mode": quiz.feedback_mode,
        "review_when": quiz.review_when,
    }
    for flag in (
        "shuffle_questions",
        "shuffle_choices",
        "review_marks",
        "review_correct",
        "review_feedback",
        "visible",
    ):
        values[flag] = "1" if getattr(quiz, flag) else ""
    for i, (minimum, text) in enumerate(quiz.overall_feedback[:BAND_ROWS]):
        values[f"band_min_{i}"], values[f"band_text_{i}"] = str(int(minimum)), text
    return values
