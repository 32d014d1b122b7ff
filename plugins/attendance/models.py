"""The attendance plugin's tables. Every row carries ``organisation_id`` (queries are scoped to it).

History choices (documented in README.md):
- statuses are never deleted, only retired (``active = False``), so every record still names the
  status it was given;
- a record keeps a snapshot of the status's name, points and the session's maximum points at the
  time it was marked, so renaming or re-pointing a status never rewrites past attendance;
- every change of a record (roll call, correction, self check-in) adds a ``RecordChange`` row:
  who, when, from which status to which.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import now
from core.db import Base, UTCDateTime


class AttendanceStatus(Base):
    """One status of an organisation's set (Présent 2, En retard 1, Excusé 1, Absent 0...)."""

    __tablename__ = "attendance_status"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    # Stable key of a default status ("present", "late", "excused", "absent"; "" for added ones):
    # check-in and "mark all present" find their status by it, whatever its current name.
    key: Mapped[str] = mapped_column(String(32), default="")
    acronym: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(64))
    points: Mapped[float] = mapped_column(Float, default=0)
    present: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AttendanceSession(Base):
    """One planned session of a course (or of one group of it)."""

    __tablename__ = "attendance_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_group.id", ondelete="CASCADE"), default=None
    )
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_section.id", ondelete="SET NULL"), default=None
    )
    trainer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=120)
    place: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(String(200), default="")
    # Sessions created together by one repeat rule share a series id (the first one's id).
    series_id: Mapped[int | None] = mapped_column(Integer, default=None)
    # Short code a learner types to check in; the rotating QR token is derived, not stored.
    checkin_code: Mapped[str] = mapped_column(String(12), default="")
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    taken_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class AttendanceRecord(Base):
    """A learner's status in one session (one row per learner and session)."""

    __tablename__ = "attendance_record"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("attendance_session.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    status_id: Mapped[int] = mapped_column(ForeignKey("attendance_status.id"))
    status_name: Mapped[str] = mapped_column(String(64))
    points: Mapped[float] = mapped_column(Float)
    max_points: Mapped[float] = mapped_column(Float)
    present: Mapped[bool] = mapped_column(Boolean, default=False)
    remark: Mapped[str] = mapped_column(String(255), default="")
    # "rollcall" or "checkin": how the current status was set.
    source: Mapped[str] = mapped_column(String(16), default="rollcall")
    marked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class RecordChange(Base):
    """The history of a record: every change, who made it, when, from what."""

    __tablename__ = "attendance_record_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    record_id: Mapped[int] = mapped_column(
        ForeignKey("attendance_record.id", ondelete="CASCADE"), index=True
    )
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    old_status: Mapped[str] = mapped_column(String(64), default="")
    new_status: Mapped[str] = mapped_column(String(64), default="")
    old_remark: Mapped[str] = mapped_column(String(255), default="")
    new_remark: Mapped[str] = mapped_column(String(255), default="")
    source: Mapped[str] = mapped_column(String(16), default="rollcall")


class AbsenceWarning(Base):
    """A learner crossed an absence threshold in a course. Open while ``cleared_at`` is empty;
    a new warning of the same kind is raised only after the previous one cleared (once per
    crossing)."""

    __tablename__ = "attendance_warning"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # "consecutive" or "rate"
    detail: Mapped[str] = mapped_column(Text, default="")
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
