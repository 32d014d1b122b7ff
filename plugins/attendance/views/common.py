"""What the attendance views share: loading a session of the organisation, local times."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.context import RequestContext
from core.models import Course, Enrolment, Group, User
from plugins.attendance.models import AttendanceSession, AttendanceStatus
from plugins.attendance.settings import NAME, org_settings
from plugins.attendance.statuses import ensure_statuses

# French associations: sessions are planned and shown in Paris time (core formats in it too).
ZONE = ZoneInfo("Europe/Paris")


def local(value: datetime) -> datetime:
    return value.astimezone(ZONE)


def local_text(value: datetime) -> str:
    return local(value).strftime("%d/%m/%Y %H:%M")


def load_session(
    ctx: RequestContext, session_id: int | str, capability: str
) -> tuple[AttendanceSession, Course]:
    """A session of this organisation, for a user holding ``capability`` in its course."""
    session = ctx.get(AttendanceSession, session_id)
    course = ctx.course(session.course_id, capability)
    return session, course


def statuses(ctx: RequestContext) -> list[AttendanceStatus]:
    return ensure_statuses(ctx.db, ctx.org)


def settings(ctx: RequestContext) -> dict[str, Any]:
    return org_settings(ctx.db, ctx.org.id)


def course_groups(ctx: RequestContext, course_id: int) -> list[Group]:
    return list(
        ctx.db.scalars(
            select(Group)
            .where(Group.course_id == course_id, Group.organisation_id == ctx.org.id)
            .order_by(Group.name)
        )
    )


def course_trainers(ctx: RequestContext, course_id: int) -> list[User]:
    return list(
        ctx.db.scalars(
            select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(
                Enrolment.course_id == course_id,
                Enrolment.organisation_id == ctx.org.id,
                Enrolment.role == "trainer",
            )
            .order_by(User.display_name)
        )
    )


def names_of(ctx: RequestContext, user_ids: set[int | None]) -> dict[int, str]:
    ids = [i for i in user_ids if i is not None]
    if not ids:
        return {}
    return dict(ctx.db.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def group_name(ctx: RequestContext, group_id: int | None) -> str:
    if group_id is None:
        return ""
    group = ctx.db.get(Group, group_id)
    return group.name if group is not None and group.organisation_id == ctx.org.id else ""


def route(name: str) -> str:
    return f"{NAME}.{name}"
