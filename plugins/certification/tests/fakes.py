"""Stand-ins for the quiz and attendance event objects (the attributes of briefs/events.md), so
the certification plugin is tested without importing either plugin's classes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Item:
    question_id: int
    question_name: str
    tags: tuple[str, ...]
    fraction: float | None
    question_version: int = 1
    max_mark: float = 1.0


@dataclass(frozen=True)
class Attempt:
    organisation_id: int
    course_id: int
    user_id: int
    submitted_at: datetime
    items: tuple[Item, ...]
    quiz_id: int = 1
    quiz_title: str = "Quiz"
    attempt_id: int = 1
    score: float = 0.0
    max_score: float = 0.0


@dataclass(frozen=True)
class Record:
    user_id: int
    present: bool = True
    status: str = "P"
    points: float = 2.0
    max_points: float = 2.0


@dataclass(frozen=True)
class Taken:
    organisation_id: int
    course_id: int
    section_id: int | None
    session_id: int
    starts_at: datetime
    taken_at: datetime
    records: tuple[Record, ...] = field(default_factory=tuple)
    taken_by_id: int | None = None


def answers(*specs: tuple[str, float], start_id: int = 1) -> tuple[Item, ...]:
    """``answers(("crcn:1.1", 1.0), ("crcn:1.1@2 b2i:D1", 0.0))``: one question per spec,
    tags separated by spaces, fraction right."""
    return tuple(
        Item(start_id + i, f"Question {start_id + i}", tuple(tags.split()), fraction)
        for i, (tags, fraction) in enumerate(specs)
    )
