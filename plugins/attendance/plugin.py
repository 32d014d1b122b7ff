"""Hook implementations of the attendance plugin (registered through the entry point)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pluggy import PluginManager
from sqlalchemy import select
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
from core.i18n import N_
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.models import Organisation, User
from core.plugin_folders import standard_folders
from plugins.attendance import demo, hookspecs, privacy, settings
from plugins.attendance.models import (
    AttendanceSession,
)
from plugins.attendance.statuses import ensure_statuses

NAME = "attendance"


@hookimpl
def declic_plugin_info() -> PluginInfo:
    return PluginInfo(
        name=NAME,
        version="0.1.0",
        description=N_("Sessions, roll call, QR check-in, sign-in sheets, absence warnings"),
        requires_core=">=0.1",
        depends=(),
        label=N_("Attendance"),
    )


@hookimpl
def declic_add_hookspecs(pluginmanager: PluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


declic_template_dir, declic_static_dir, declic_locale_dir, declic_migrations_dir = standard_folders(
    __file__
)


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
    return privacy.metadata()


@hookimpl
def declic_privacy_export(db: Session, user: User) -> dict[str, Any] | None:
    return privacy.export(db, user)


@hookimpl
def declic_privacy_delete(db: Session, user: User) -> None:
    privacy.delete(db, user)


@hookimpl
def declic_contract_sample_data(db: Session, organisation: Organisation, user: User) -> int | None:
    return demo.contract_sample(db, organisation, user)


@hookimpl
def declic_demo_data(db: Session, organisation: Organisation, users: dict[str, User]) -> None:
    demo.seed(db, organisation, users)
