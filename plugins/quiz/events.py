"""What the quiz tells other plugins when an attempt is submitted or graded (plain data only).

Listeners (the certification plugin) implement the hooks of ``plugins/quiz/hookspecs.py``; they
may import these classes for type hints only and must accept any object with these attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class QuizItemResult:
    question_id: int
    question_version: int
    question_name: str
    tags: tuple[str, ...]  # competence codes, e.g. ("crcn:1.1", "b2i:D1", "pcie:CE")
    fraction: float | None  # 0..1 of the question's marks; None = not graded yet (essay)
    max_mark: float


@dataclass(frozen=True)
class QuizAttemptResult:
    organisation_id: int
    course_id: int
    quiz_id: int
    quiz_title: str
    attempt_id: int
    user_id: int
    submitted_at: datetime  # aware UTC
    score: float
    max_score: float
    items: tuple[QuizItemResult, ...]
