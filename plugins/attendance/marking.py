"""Setting a learner's status in a session: the record, its history, the event, the warnings.

Both the roll call and the self check-in go through :func:`mark`, so every change is written to
the history the same way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now
from core.contracts import PluginFailure
from plugins.attendance import events
from plugins.attendance.models import (
    AttendanceRecord,
    AttendanceSession,
    AttendanceStatus,
    RecordChange,
)


def records_of(db: Session, session: AttendanceSession) -> dict[int, AttendanceRecord]:
    rows = db.scalars(
        select(AttendanceRecord).where(
            AttendanceRecord.session_id == session.id,
            AttendanceRecord.organisation_id == session.organisation_id,
        )
    )
    return {row.user_id: row for row in rows}


def mark(
    db: Session,
    session: AttendanceSession,
    user_id: int,
    status: AttendanceStatus,
    max_points: float,
    *,
    actor_id: int | None,
    remark: str | None = None,
    source: str = "rollcall",
) -> AttendanceRecord | None:
    """Give ``user_id`` ``status`` (and ``remark`` when not None). Returns the record, or None
    when nothing changed. The caller has checked that the user is on the session's roll."""
    record = db.scalar(
        select(AttendanceRecord).where(
            AttendanceRecord.session_id == session.id, AttendanceRecord.user_id == user_id
        )
    )
    at = now()
    new_remark = (remark if remark is not None else (record.remark if record else ""))[:255]
    if record is not None and record.status_id == status.id and record.remark == new_remark:
        return None
    old_status = record.status_name if record else ""
    old_remark = record.remark if record else ""
    if record is None:
        record = AttendanceRecord(
            organisation_id=session.organisation_id, session_id=session.id, user_id=user_id
        )
        db.add(record)
    record.status_id = status.id
    record.status_name = status.name
    record.points = status.points
    record.max_points = max_points
    record.present = status.present
    record.remark = new_remark
    record.source = source
    record.marked_by_id = actor_id
    record.marked_at = at
    db.flush()
    db.add(
        RecordChange(
            organisation_id=session.organisation_id,
            record_id=record.id,
            changed_by_id=actor_id,
            changed_at=at,
            old_status=old_status,
            new_status=status.name,
            old_remark=old_remark,
            new_remark=new_remark,
            source=source,
        )
    )
    if session.taken_at is None:
        session.taken_at = at
    session.taken_by_id = actor_id if source == "rollcall" else session.taken_by_id
    db.flush()
    return record


def taken_event(db: Session, session: AttendanceSession) -> events.AttendanceTaken:
    records = tuple(
        events.AttendanceRecord(
            user_id=r.user_id,
            status=r.status_name,
            points=r.points,
            max_points=r.max_points,
            present=r.present,
        )
        for r in sorted(records_of(db, session).values(), key=lambda r: r.user_id)
    )
    return events.AttendanceTaken(
        organisation_id=session.organisation_id,
        course_id=session.course_id,
        section_id=session.section_id,
        session_id=session.id,
        starts_at=session.starts_at,
        taken_at=session.taken_at or now(),
        taken_by_id=session.taken_by_id,
        records=records,
    )


def announce(
    db: Session, hooks: Any, session: AttendanceSession, failures: list[PluginFailure] | None
) -> None:
    """Tell the organisation's plugins; a failing listener is logged and skipped."""
    if hooks is None:
        return
    hooks.collect("declic_attendance_taken", failures, db=db, taken=taken_event(db, session))


def history(db: Session, record: AttendanceRecord) -> list[RecordChange]:
    return list(
        db.scalars(
            select(RecordChange)
            .where(
                RecordChange.record_id == record.id,
                RecordChange.organisation_id == record.organisation_id,
            )
            .order_by(RecordChange.changed_at, RecordChange.id)
        )
    )
