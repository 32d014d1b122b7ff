"""What the plugin holds about a person (Moodle's privacy provider): metadata, export, delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.contracts import PrivacyField
from core.i18n import lazy_gettext as _l
from core.models import User
from plugins.attendance.models import (
    AbsenceWarning,
    AttendanceRecord,
    AttendanceSession,
    RecordChange,
)


def metadata() -> list[PrivacyField]:
    return [
        PrivacyField(
            "attendance_record",
            ("user_id", "status_name", "points", "remark", "marked_at", "marked_by_id"),
            _l("Attendance at training sessions, required by funders (feuille d'émargement)."),
        ),
        PrivacyField(
            "attendance_record_change",
            ("changed_by_id", "old_status", "new_status", "old_remark", "new_remark"),
            _l("History of corrections to attendance records (who changed what, when)."),
        ),
        PrivacyField(
            "attendance_warning",
            ("user_id", "kind", "detail", "raised_at"),
            _l("Warnings to trainers about repeated absences, so they can contact the learner."),
        ),
        PrivacyField(
            "attendance_session",
            ("trainer_id", "taken_by_id"),
            _l("Who runs and who took the roll call of each session."),
        ),
    ]


def export(db: Session, user: User) -> dict[str, Any] | None:
    records = db.execute(
        select(AttendanceRecord, AttendanceSession)
        .join(AttendanceSession, AttendanceSession.id == AttendanceRecord.session_id)
        .where(AttendanceRecord.user_id == user.id)
        .order_by(AttendanceSession.starts_at)
    ).all()
    warnings = db.scalars(select(AbsenceWarning).where(AbsenceWarning.user_id == user.id)).all()
    trained = db.scalars(
        select(AttendanceSession).where(AttendanceSession.trainer_id == user.id)
    ).all()
    if not records and not warnings and not trained:
        return None
    return {
        "records": [
            {
                "organisation_id": r.organisation_id,
                "course_id": s.course_id,
                "session_starts_at": s.starts_at.isoformat(),
                "place": s.place,
                "status": r.status_name,
                "points": r.points,
                "max_points": r.max_points,
                "remark": r.remark,
                "source": r.source,
                "marked_at": r.marked_at.isoformat(),
            }
            for r, s in records
        ],
        "warnings": [
            {
                "course_id": w.course_id,
                "kind": w.kind,
                "detail": w.detail,
                "raised_at": w.raised_at.isoformat(),
                "cleared_at": w.cleared_at.isoformat() if w.cleared_at else None,
            }
            for w in warnings
        ],
        "sessions_as_trainer": [
            {"course_id": s.course_id, "starts_at": s.starts_at.isoformat()} for s in trained
        ],
    }


def delete(db: Session, user: User) -> None:
    record_ids = select(AttendanceRecord.id).where(AttendanceRecord.user_id == user.id)
    db.execute(sql_delete(RecordChange).where(RecordChange.record_id.in_(record_ids)))
    db.execute(sql_delete(AttendanceRecord).where(AttendanceRecord.user_id == user.id))
    db.execute(sql_delete(AbsenceWarning).where(AbsenceWarning.user_id == user.id))
    # What this person did to others' records stays (the sheet must still be complete) but no
    # longer names them.
    db.execute(
        update(RecordChange).where(RecordChange.changed_by_id == user.id).values(changed_by_id=None)
    )
    db.execute(
        update(AttendanceRecord)
        .where(AttendanceRecord.marked_by_id == user.id)
        .values(marked_by_id=None)
    )
    db.execute(
        update(AttendanceSession)
        .where(AttendanceSession.trainer_id == user.id)
        .values(trainer_id=None)
    )
    db.execute(
        update(AttendanceSession)
        .where(AttendanceSession.taken_by_id == user.id)
        .values(taken_by_id=None)
    )
    db.flush()
