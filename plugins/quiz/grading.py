"""Grading: pure functions, one per question type, and the quiz grading methods. No database.

Each question grader takes the version's ``data`` (see ``questions.py`` for the shapes) and a
learner's ``response`` (``None`` when not answered) and returns a :class:`Grade` whose fraction
is always within 0..1 (or ``None`` when a person must mark it: essays). Marks are
``fraction × slot mark``, so an attempt's score is always within 0..max.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

EPSILON = 1e-9


@dataclass(frozen=True)
class Grade:
    """``fraction`` in 0..1, or None when not gradable automatically (essay, description)."""

    fraction: float | None
    state: str  # correct, partial, wrong, unanswered, needs_grading, info
    feedback: tuple[str, ...] = ()


def clamp(value: float) -> float:
    """Bring a fraction into 0..1 (negative marks never push a question below zero)."""
    if math.isnan(value):
        return 0.0
    return min(1.0, max(0.0, value))


def _graded(fraction: float, feedback: Sequence[str] = ()) -> Grade:
    fraction = clamp(fraction)
    if fraction >= 1.0 - EPSILON:
        state, fraction = "correct", 1.0
    elif fraction <= EPSILON:
        state, fraction = "wrong", 0.0
    else:
        state = "partial"
    return Grade(fraction, state, tuple(f for f in feedback if f))


UNANSWERED = Grade(0.0, "unanswered")


def _choice_map(data: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(c["id"]): c for c in data.get("choices", [])}


def grade_single(data: Mapping[str, Any], response: Mapping[str, Any] | None) -> Grade:
    choice = _choice_map(data).get(str((response or {}).get("choice", "")))
    if choice is None:
        return UNANSWERED
    return _graded(float(choice.get("fraction", 0.0)), [choice.get("feedback", "")])


def grade_multiple(data: Mapping[str, Any], response: Mapping[str, Any] | None) -> Grade:
    """Sum of the weights of the ticked choices (negative weights allowed), capped to 0..1."""
    choices = _choice_map(data)
    picked = [
        choices[str(c)]
        for c in dict.fromkeys((response or {}).get("choices", []))
        if str(c) in choices
    ]
    if not picked:
        return UNANSWERED
    total = sum(float(c.get("fraction", 0.0)) for c in picked)
    return _graded(total, [c.get("feedback", "") for c in picked])


def grade_truefalse(data: Mapping[str, Any], response: Mapping[str, Any] | None) -> Grade:
    value = (response or {}).get("value")
    if value not in ("true", "false"):
        return UNANSWERED
    said_true = value == "true"
    right = said_true == bool(data.get("correct", True))
    feedback = data.get("feedback_true" if said_true else "feedback_false", "")
    return _graded(1.0 if right else 0.0, [feedback])


def normalise_text(text: str) -> str:
    """Trim and collapse runs of spaces, as learners type them."""
    return " ".join(text.split())


def wildcard_match(pattern: str, text: str, case_sensitive: bool = False) -> bool:
    """Does ``text`` match ``pattern`` where ``*`` stands for any characters (``\\*``: a star)?"""
    pattern, text = normalise_text(pattern), normalise_text(text)
    parts = re.split(r"(?<!\\)\*", pattern)
    regex = ".*".join(re.escape(part.replace("\\*", "*")) for part in parts)
    flags = re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE
    return re.fullmatch(regex, text, flags) is not None


def grade_shortanswer(data: Mapping[str, Any], response: Mapping[str, Any] | None) -> Grade:
    """The first accepted answer (in the order given) that matches decides, as in Moodle."""
    text = normalise_text(str((response or {}).get("text", "")))
    if not text:
        return UNANSWERED
    case_sensitive = bool(data.get("case_sensitive", False))
    for answer in data.get("answers", []):
        if wildcard_match(str(answer.get("text", "")), text, case_sensitive):
            return _graded(float(answer.get("fraction", 0.0)), [answer.get("feedback", "")])
    return _graded(0.0)


NUMBER_RE = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def parse_number(text: str) -> float | None:
    """A number as a French or English speaker types it (``3,5`` or ``3.5``, ``1 000``), or None."""
    cleaned = str(text).strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if not cleaned or not NUMBER_RE.fullmatch(cleaned):
        return None
    value = float(cleaned.replace(",", "."))
    return value if math.isfinite(value) else None


def numerical_answer_matches(answer: Mapping[str, Any], value: float) -> bool:
    if answer.get("min") is not None and answer.get("max") is not None:
        return float(answer["min"]) - EPSILON <= value <= float(answer["max"]) + EPSILON
    target = float(answer.get("value", 0.0))
    tolerance = abs(float(answer.get("tolerance", 0.0)))
    return abs(value - target) <= tolerance + EPSILON * max(1.0, abs(target))


def grade_numerical(data: Mapping[str, Any], response: Mapping[str, Any] | None) -> Grade:
    raw = str((response or {}).get("value", "")).strip()
    if not raw:
        return UNANSWERED
    value = parse_number(raw)
    if value is None:
        return _graded(0.0)
    for answer in data.get("answers", []):
        if numerical_answer_matches(answer, value):
            return _graded(float(answer.get("fraction", 0.0)), [answer.get("feedback", "")])
    return _graded(0.0)


def matching_options(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The distinct answers a learner picks from: ``(key, text)``; a pair's key is its id."""
    seen: dict[str, str] = {}
    for pair in data.get("pairs", []):
        seen.setdefault(normalise_text(str(pair["answer"])), str(pair["id"]))
    for index, text in enumerate(data.get("distractors", [])):
        seen.setdefault(normalise_text(str(text)), f"d{index + 1}")
    return [(key, text) for text, key in seen.items()]


def grade_matching(data: Mapping[str, Any], response: Mapping[str, Any] | None) -> Grade:
    """One share of the marks per prompt matched to the right answer."""
    pairs = list(data.get("pairs", []))
    chosen = dict((response or {}).get("matches", {}))
    if not pairs or not any(chosen.get(str(p["id"])) for p in pairs):
        return UNANSWERED
    text_of = {key: text for key, text in matching_options(data)}
    right = sum(
        1
        for pair in pairs
        if text_of.get(str(chosen.get(str(pair["id"]), ""))) == normalise_text(str(pair["answer"]))
    )
    return _graded(right / len(pairs))


def grade_ordering(data: Mapping[str, Any], response: Mapping[str, Any] | None) -> Grade:
    """One share per item placed at its right position (Moodle's "absolute position")."""
    items = [str(item["id"]) for item in data.get("items", [])]
    positions = dict((response or {}).get("positions", {}))
    if not items or not any(positions.get(i) for i in items):
        return UNANSWERED
    right = 0
    for index, item in enumerate(items, start=1):
        try:
            if int(positions.get(item, 0)) == index:
                right += 1
        except (TypeError, ValueError):
            continue
    return _graded(right / len(items))


def grade_essay(data: Mapping[str, Any], response: Mapping[str, Any] | None) -> Grade:
    if not normalise_text(str((response or {}).get("text", ""))):
        return UNANSWERED
    return Grade(None, "needs_grading")


def grade_description(data: Mapping[str, Any], response: Mapping[str, Any] | None) -> Grade:
    return Grade(None, "info")


GRADERS = {
    "single": grade_single,
    "multiple": grade_multiple,
    "truefalse": grade_truefalse,
    "shortanswer": grade_shortanswer,
    "numerical": grade_numerical,
    "matching": grade_matching,
    "ordering": grade_ordering,
    "essay": grade_essay,
    "description": grade_description,
}


def grade(qtype: str, data: Mapping[str, Any], response: Mapping[str, Any] | None) -> Grade:
    """Grade one response to a question of type ``qtype``."""
    return GRADERS[qtype](data, response)


def mark_for(fraction: float | None, max_mark: float) -> float | None:
    """The mark earned for a fraction of a slot worth ``max_mark``."""
    if fraction is None:
        return None
    return round(clamp(fraction) * max_mark, 7)


def combine_attempts(method: str, scores: Sequence[float]) -> float | None:
    """A learner's quiz grade from the scores of their finished attempts, in attempt order."""
    if not scores:
        return None
    if method == "highest":
        return max(scores)
    if method == "average":
        return sum(scores) / len(scores)
    if method == "first":
        return scores[0]
    if method == "last":
        return scores[-1]
    raise ValueError(f"unknown grading method {method!r}")


def overall_feedback(bands: Sequence[tuple[float, str]], percent: float) -> str:
    """The feedback of the highest band whose minimum (in %) the score reaches."""
    for minimum, text in sorted(bands, key=lambda band: band[0], reverse=True):
        if percent >= minimum - EPSILON:
            return text
    return ""
