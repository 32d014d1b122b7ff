"""Hook implementations of the attendance plugin (registered through the entry point)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from pluggy import PluginManager
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from core import hookimpl
from core.contracts import (
    Activity,
    ActivityType,
    Capability,
    MenuItem,
    PageRoute,
    PluginInfo,
    PrivacyField,
    SettingSpec,
    Widget,
)
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.models import Course, Enrolment, Organisation, Section, User
from plugins.attendance import hookspecs, settings
from plugins.attendance.models import (
    AbsenceWarning,
    AttendanceRecord,
    AttendanceSession,
    RecordChange,
)
from plugins.attendance.statuses import ensure_statuses

HERE = Path(__file__).resolve().parent
NAME = "attendance"


@hookimpl
def declic_plugin_info() -> PluginInfo:
    return PluginInfo(
        name=NAME,
        version="0.1.0",
        description="Sessions, roll call, QR check-in, sign-in sheets, absence warnings",
        requires_core=">=0.1",
        depends=(),
        label="Attendance",
    )


@hookimpl
def declic_add_hookspecs(pluginmanager: PluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def declic_template_dir() -> Path:
    return HERE / "templates"


@hookimpl
def declic_static_dir() -> Path:
    return HERE / "static"


@hookimpl
def declic_locale_dir() -> Path:
    return HERE / "locale"


@hookimpl
def declic_migrations_dir() -> Path:
    return HERE / "migrations"


@hookimpl
def declic_routes() -> list[PageRoute]:
    from plugins.attendance.views import ROUTES

    return ROUTES


@hookimpl
def declic_capabilities() -> list[Capability]:
    # attendance:manage is held by trainers too, but every view checks it in the session's
    # course: a trainer plans sessions only in the courses they teach; admins in all of them.
    return [
        Capability("attendance:take", _l("Take the roll call of sessions"), ("trainer", "admin")),
        Capability(
            "attendance:manage",
            _l("Plan and delete the sessions of the courses one teaches"),
            ("trainer", "admin"),
        ),
        Capability(
            "attendance:statuses.manage",
            _l("Change the organisation's attendance statuses and points"),
            ("admin",),
        ),
        Capability(
            "attendance:view_own", _l("See one's own sessions and attendance"), ("learner",)
        ),
        Capability(
            "attendance:report", _l("See attendance reports and warnings"), ("trainer", "admin")
        ),
        Capability("attendance:checkin", _l("Check oneself in to a session"), ("learner",)),
    ]


@hookimpl
def declic_settings() -> list[SettingSpec]:
    return settings.specs()


@hookimpl
def declic_plugin_switched(
    db: Session, organisation: Organisation, plugin: str, enabled: bool
) -> None:
    if plugin == NAME and enabled:
        ensure_statuses(db, organisation)


@hookimpl
def declic_menu_items(ctx: Any) -> list[MenuItem]:
    items = []
    if ctx.may("attendance:take"):
        items.append(
            MenuItem(_("Attendance"), ctx.url("attendance.index"), audience="trainer", order=40)
        )
    if ctx.may("attendance:view_own"):
        items.append(
            MenuItem(_("My attendance"), ctx.url("attendance.my"), audience="learner", order=40)
        )
    return items


@hookimpl
def declic_dashboard_widgets(ctx: Any, audience: str) -> list[Widget]:
    from plugins.attendance.views.widgets import learner_widget, trainer_widgets

    if audience == "learner" and ctx.may("attendance:view_own"):
        return [learner_widget(ctx)]
    if audience in ("trainer", "admin") and ctx.may("attendance:take"):
        return trainer_widgets(ctx)
    return []


@hookimpl
def declic_activity_types(ctx: Any) -> list[ActivityType]:
    if not ctx.may("attendance:manage"):
        return []
    return [
        ActivityType(
            name="attendance",
            label=_("Attendance session"),
            description=_("A dated session with a roll call and a sign-in sheet."),
            create_url=lambda org, course_id, section_id: (
                f"/o/{org}/{NAME}/course/{course_id}/new?section_id={section_id}"
            ),
            capability="attendance:manage",
        )
    ]


@hookimpl
def declic_section_activities(ctx: Any, course_id: int, section_ids: list[int]) -> list[Activity]:
    if not section_ids:
        return []
    takes = ctx.may("attendance:take", course_id)
    if not takes and not ctx.may("attendance:view_own", course_id):
        return []
    from core.i18n import format_datetime

    sessions = ctx.db.scalars(
        select(AttendanceSession)
        .where(
            AttendanceSession.organisation_id == ctx.org.id,
            AttendanceSession.course_id == course_id,
            AttendanceSession.section_id.in_(section_ids),
        )
        .order_by(AttendanceSession.starts_at)
    )
    return [
        Activity(
            section_id=s.section_id,
            title=_("Attendance: %(when)s", when=format_datetime(s.starts_at, "short")),
            url=ctx.url("attendance.rollcall", session_id=s.id)
            if takes
            else ctx.url("attendance.my"),
            kind=NAME,
            icon="✔",
        )
        for s in sessions
    ]


@hookimpl
def declic_cron(db: Session, now: Any) -> list[str] | None:
    """Re-evaluate absence warnings of courses with a session taken in the last two days (a
    roll call already evaluates its learners; this catches sessions nobody marked)."""
    from core.plugins import enabled_organisation_ids
    from plugins.attendance import warnings as absence_warnings

    lines = []
    for org_id in enabled_organisation_ids(db, NAME):
        organisation = db.get(Organisation, org_id)
        if organisation is None:
            continue
        course_ids = set(
            db.scalars(
                select(AttendanceSession.course_id).where(
                    AttendanceSession.organisation_id == org_id,
                    AttendanceSession.starts_at <= now,
                    AttendanceSession.starts_at >= now - timedelta(days=2),
                )
            )
        )
        raised = 0
        for course_id in course_ids:
            raised += len(absence_warnings.evaluate(db, organisation, course_id))
        if raised:
            lines.append(f"attendance: {organisation.slug}: {raised} absence warning(s) raised")
    return lines or None


@hookimpl
def declic_privacy_metadata() -> list[PrivacyField]:
    return [
        PrivacyField(
            "attendance_record",
            ("user_id", "status_name", "points", "remark", "marked_at", "marked_by_id"),
            "Attendance at training sessions, required by funders (feuille d'émargement).",
        ),
        PrivacyField(
            "attendance_record_change",
            ("changed_by_id", "old_status", "new_status", "old_remark", "new_remark"),
            "History of corrections to attendance records (who changed what, when).",
        ),
        PrivacyField(
            "attendance_warning",
            ("user_id", "kind", "detail", "raised_at"),
            "Warnings to trainers about repeated absences, so they can contact the learner.",
        ),
        PrivacyField(
            "attendance_session",
            ("trainer_id", "taken_by_id"),
            "Who runs and who took the roll call of each session.",
        ),
    ]


@hookimpl
def declic_privacy_export(db: Session, user: User) -> dict[str, Any] | None:
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


@hookimpl
def declic_privacy_delete(db: Session, user: User) -> None:
    record_ids = select(AttendanceRecord.id).where(AttendanceRecord.user_id == user.id)
    db.execute(delete(RecordChange).where(RecordChange.record_id.in_(record_ids)))
    db.execute(delete(AttendanceRecord).where(AttendanceRecord.user_id == user.id))
    db.execute(delete(AbsenceWarning).where(AbsenceWarning.user_id == user.id))
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


@hookimpl
def declic_contract_sample_data(db: Session, organisation: Organisation, user: User) -> int | None:
    """A session of the learner's course, taken, with the learner present."""
    from plugins.attendance.checkin import new_code
    from plugins.attendance.marking import mark
    from plugins.attendance.statuses import by_key, max_points

    course_id = db.scalar(
        select(Enrolment.course_id).where(
            Enrolment.user_id == user.id, Enrolment.organisation_id == organisation.id
        )
    )
    if course_id is None:
        return None
    from core.clock import now

    session = AttendanceSession(
        organisation_id=organisation.id,
        course_id=course_id,
        starts_at=now() - timedelta(days=1),
        duration_minutes=120,
        place="Salle 1",
        checkin_code=new_code(),
    )
    db.add(session)
    db.flush()
    statuses = ensure_statuses(db, organisation)
    present = by_key(statuses, "present")
    assert present is not None
    mark(db, session, user.id, present, max_points(statuses), actor_id=None)
    return session.id


@hookimpl
def declic_demo_data(db: Session, organisation: Organisation, users: dict[str, User]) -> None:
    """Sessions for each workshop of the demo courses; the past ones taken."""
    from core.clock import now
    from plugins.attendance.checkin import new_code
    from plugins.attendance.marking import mark
    from plugins.attendance.roster import roster
    from plugins.attendance.statuses import by_key, max_points
    from plugins.attendance.views.common import ZONE, local

    statuses = ensure_statuses(db, organisation)
    best = max_points(statuses)
    present, late, absent = (by_key(statuses, k) for k in ("present", "late", "absent"))
    current = now()
    today = local(current).date()
    courses = db.scalars(select(Course).where(Course.organisation_id == organisation.id)).all()
    for course in courses:
        trainer_id = db.scalar(
            select(Enrolment.user_id).where(
                Enrolment.course_id == course.id, Enrolment.role == "trainer"
            )
        )
        sections = db.scalars(
            select(Section).where(Section.course_id == course.id).order_by(Section.position)
        ).all()
        for index, section in enumerate(sections[:4]):
            # Two workshops already held, one running now (to try the roll call and the
            # check-in), one next week.
            day = today + timedelta(days=7 * (index - 2))
            at = time(local(current).hour) if index == 2 else time(9, 30)
            starts = section.starts_at or datetime.combine(day, at, tzinfo=ZONE)
            session = AttendanceSession(
                organisation_id=organisation.id,
                course_id=course.id,
                section_id=section.id,
                trainer_id=trainer_id,
                starts_at=starts,
                duration_minutes=section.duration_minutes or 180,
                place="Salle informatique",
                description=section.title,
                checkin_code=new_code(),
            )
            db.add(session)
            db.flush()
            if session.starts_at + timedelta(minutes=session.duration_minutes) > current:
                continue
            for number, learner in enumerate(roster(db, session)):
                status = (present, present, late, absent)[(number + index) % 4]
                if status is not None:
                    mark(db, session, learner.id, status, best, actor_id=trainer_id)
    db.flush()
