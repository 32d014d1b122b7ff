"""What ``declic_attendance_taken`` hands its listeners: frozen plain data (briefs/events.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AttendanceRecord:
    user_id: int
    status: str
    points: float
    max_points: float
    present: bool


@dataclass(frozen=True)
class AttendanceTaken:
    organisation_id: int
    course_id: int
    section_id: int | None
    session_id: int
    starts_at: datetime
    taken_at: datetime
    taken_by_id: int | None
    records: tuple[AttendanceRecord, ...]
