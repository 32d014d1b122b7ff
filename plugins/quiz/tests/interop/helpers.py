"""Small helpers shared by the interop tests."""

from __future__ import annotations

from plugins.quiz.interop import gift
from plugins.quiz.interop.model import Question


def one_gift(source: str) -> Question:
    """Parse GIFT holding exactly one question, failing loudly on any problem."""
    result = gift.parse(source)
    assert result.problems == (), result.problems
    assert len(result.questions) == 1, result.questions
    return result.questions[0]


def problems_of(source: str) -> list[tuple[int | None, str]]:
    result = gift.parse(source)
    return [(p.line, p.reason) for p in result.problems]
