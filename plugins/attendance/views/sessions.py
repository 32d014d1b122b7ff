"""Planning sessions: a course's list, the new-session form (single or repeated), one session per
workshop section in one step, deletion; and the plugin's index page."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from sqlalchemy import select
from starlette.responses import Response

from core.clock import now
from core.context import RequestContext
from core.errors import Conflict
from core.i18n import gettext as _
from core.i18n import ngettext
from core.models import Course, Enrolment, Section
from plugins.attendance.checkin import new_code
from plugins.attendance.models import AttendanceSession
from plugins.attendance.recurrence import MAX_OCCURRENCES
from plugins.attendance.reports import course_sessions
from plugins.attendance.views.common import (
    ZONE,
    course_groups,
    course_trainers,
    load_session,
    local,
    names_of,
    route,
)
from plugins.attendance.views.session_form import SessionFormValues, check, course_sections

WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)


def weekday_names() -> list[tuple[int, str]]:
    names = (
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    )
    return list(zip(WEEKDAYS, names, strict=True))


def session_rows(ctx: RequestContext, sessions: list[AttendanceSession]) -> list[dict[str, object]]:
    """Plain data for a list of sessions (templates never query)."""
    trainers = names_of(ctx, {s.trainer_id for s in sessions})
    groups = {g.id: g.name for s in sessions for g in course_groups(ctx, s.course_id)}
    courses = {
        c.id: c.title
        for c in ctx.db.scalars(
            select(Course).where(
                Course.id.in_({s.course_id for s in sessions}),
                Course.organisation_id == ctx.org.id,
            )
        )
    }
    return [
        {
            "session": s,
            "course": courses.get(s.course_id, ""),
            "group": groups.get(s.group_id, "") if s.group_id else "",
            "trainer": trainers.get(s.trainer_id, "") if s.trainer_id else "",
            "ends_at": s.starts_at + timedelta(minutes=s.duration_minutes),
            "url": ctx.url(route("rollcall"), session_id=s.id),
        }
        for s in sessions
    ]


def index(ctx: RequestContext) -> Response:
    """Trainers: today's sessions and their courses; learners go to their own page."""
    assert ctx.user is not None
    if not ctx.may("attendance:take"):
        if ctx.may("attendance:view_own"):
            return ctx.redirect(ctx.url(route("my")))
        ctx.require("attendance:take")
    if ctx.may("core:course.manage"):
        courses = list(
            ctx.db.scalars(
                select(Course).where(Course.organisation_id == ctx.org.id).order_by(Course.title)
            )
        )
    else:
        courses = list(
            ctx.db.scalars(
                select(Course)
                .join(Enrolment, Enrolment.course_id == Course.id)
                .where(
                    Course.organisation_id == ctx.org.id,
                    Enrolment.user_id == ctx.user.id,
                    Enrolment.role == "trainer",
                )
                .order_by(Course.title)
            )
        )
    today = todays_sessions(ctx, [c.id for c in courses])
    return ctx.render(
        "attendance/index.html",
        courses=[
            {"course": c, "url": ctx.url(route("course_sessions"), course_id=c.id)} for c in courses
        ],
        today=session_rows(ctx, today),
        may_manage_statuses=ctx.may("attendance:statuses.manage"),
    )


def todays_sessions(ctx: RequestContext, course_ids: list[int]) -> list[AttendanceSession]:
    if not course_ids:
        return []
    start = datetime.combine(local(now()).date(), time(0), tzinfo=ZONE)
    return list(
        ctx.db.scalars(
            select(AttendanceSession)
            .where(
                AttendanceSession.organisation_id == ctx.org.id,
                AttendanceSession.course_id.in_(course_ids),
                AttendanceSession.starts_at >= start,
                AttendanceSession.starts_at < start + timedelta(days=1),
            )
            .order_by(AttendanceSession.starts_at)
        )
    )


def course_sessions_page(ctx: RequestContext, course_id: str) -> Response:
    course = ctx.course(course_id, "attendance:take")
    sessions = course_sessions(ctx.db, ctx.org.id, course.id)
    sections = list(
        ctx.db.scalars(
            select(Section)
            .where(Section.course_id == course.id, Section.organisation_id == ctx.org.id)
            .order_by(Section.position)
        )
    )
    covered = {s.section_id for s in sessions}
    return ctx.render(
        "attendance/course_sessions.html",
        course=course,
        rows=session_rows(ctx, sessions),
        may_manage=ctx.may("attendance:manage", course.id),
        may_report=ctx.may("attendance:report", course.id),
        sections_without=[s for s in sections if s.id not in covered],
        message=planned_message(ctx),
    )


def planned_message(ctx: RequestContext) -> str:
    """The confirmation after planning, rebuilt from counts (no free text in the URL)."""
    made = ctx.request.query_params.get("made", "")
    skipped = ctx.request.query_params.get("skipped", "")
    if not made.isdigit():
        return ""
    message = ngettext("%(num)s session planned.", "%(num)s sessions planned.", int(made))
    if skipped.isdigit() and int(skipped) > 0:
        message += " " + ngettext(
            "%(num)s workshop has no date yet: give it one first.",
            "%(num)s workshops have no date yet: give them one first.",
            int(skipped),
        )
    return message


def new_session(ctx: RequestContext, course_id: str) -> Response:
    course = ctx.course(course_id, "attendance:manage")
    errors: dict[str, str] = {}
    if ctx.request.method == "POST":
        values = SessionFormValues.from_form(ctx)
        plan, errors = check(ctx, course, values)
        if plan is not None:
            created = create_sessions(
                ctx,
                course,
                plan.starts,
                duration=plan.duration,
                place=plan.place,
                description=plan.description,
                group_id=plan.group_id,
                trainer_id=plan.trainer_id,
                section_id=plan.section_id,
            )
            ctx.audit(
                "attendance.sessions_created",
                f"course:{course.id}",
                {"count": len(created), "first": created[0].starts_at.isoformat()},
            )
            return ctx.redirect(
                ctx.url(route("course_sessions"), course_id=course.id)
                + "?"
                + urlencode({"made": len(created)})
            )
    else:
        section_id = ctx.request.query_params.get("section_id", "")
        values = SessionFormValues(
            section_id=section_id if section_id.isdigit() else "",
            date=local(now()).date().isoformat(),
            trainer_id=str(ctx.user.id) if ctx.user else "",
        )
    return _render_form(
        ctx,
        course,
        values,
        errors,
        action=ctx.url(route("new_session"), course_id=course.id),
        cancel_url=ctx.url(route("course_sessions"), course_id=course.id),
    )


def _render_form(
    ctx: RequestContext,
    course: Course,
    values: SessionFormValues,
    errors: dict[str, str],
    *,
    action: str,
    cancel_url: str,
    editing: bool = False,
) -> Response:
    return ctx.render(
        "attendance/session_form.html",
        status=400 if errors else 200,
        course=course,
        values=values,
        errors=errors,
        action=action,
        cancel_url=cancel_url,
        editing=editing,
        groups=[(str(g.id), g.name) for g in course_groups(ctx, course.id)],
        trainers=[(str(u.id), u.display_name) for u in course_trainers(ctx, course.id)],
        sections=[(str(s.id), s.title) for s in course_sections(ctx, course)],
        weekdays=weekday_names(),
        max_occurrences=MAX_OCCURRENCES,
    )


def edit_session(ctx: RequestContext, session_id: str) -> Response:
    """Change one session's date, time, length, place, trainer, group or workshop."""
    session, course = load_session(ctx, session_id, "attendance:manage")
    errors: dict[str, str] = {}
    if ctx.request.method == "POST":
        values = SessionFormValues.from_form(ctx)
        values.repeat = False  # one session is changed, never a series re-made
        plan, errors = check(ctx, course, values)
        if plan is not None:
            before = {"starts_at": session.starts_at.isoformat(), "place": session.place}
            session.starts_at = plan.starts[0]
            session.duration_minutes = plan.duration
            session.place = plan.place
            session.description = plan.description
            session.group_id = plan.group_id
            session.trainer_id = plan.trainer_id
            session.section_id = plan.section_id
            ctx.audit(
                "attendance.session_changed",
                f"session:{session.id}",
                {"before": before, "after": {"starts_at": plan.starts[0].isoformat()}},
            )
            return ctx.redirect(ctx.url(route("rollcall"), session_id=session.id))
    else:
        start = local(session.starts_at)
        values = SessionFormValues(
            group_id=str(session.group_id or ""),
            section_id=str(session.section_id or ""),
            date=start.date().isoformat(),
            start=start.strftime("%H:%M"),
            duration=str(session.duration_minutes),
            place=session.place,
            trainer_id=str(session.trainer_id or ""),
            description=session.description,
        )
    return _render_form(
        ctx,
        course,
        values,
        errors,
        action=ctx.url(route("edit_session"), session_id=session.id),
        cancel_url=ctx.url(route("rollcall"), session_id=session.id),
        editing=True,
    )


def create_sessions(
    ctx: RequestContext,
    course: Course,
    starts: list[datetime],
    *,
    duration: int,
    place: str,
    description: str = "",
    group_id: int | None = None,
    trainer_id: int | None = None,
    section_id: int | None = None,
) -> list[AttendanceSession]:
    created: list[AttendanceSession] = []
    for start in starts:
        session = AttendanceSession(
            organisation_id=ctx.org.id,
            course_id=course.id,
            group_id=group_id,
            section_id=section_id,
            trainer_id=trainer_id,
            starts_at=start,
            duration_minutes=duration,
            place=place[:200],
            description=description[:200],
            checkin_code=new_code(),
        )
        ctx.db.add(session)
        created.append(session)
    ctx.db.flush()
    if len(created) > 1:
        for session in created:
            session.series_id = created[0].id
    return created


def from_sections(ctx: RequestContext, course_id: str) -> Response:
    """One session per workshop section that has a date and no session yet, in one step."""
    course = ctx.course(course_id, "attendance:manage")
    covered = {s.section_id for s in course_sessions(ctx.db, ctx.org.id, course.id)}
    place = ctx.field("place")[:200]
    made = 0
    skipped = 0
    for section in ctx.db.scalars(
        select(Section)
        .where(Section.course_id == course.id, Section.organisation_id == ctx.org.id)
        .order_by(Section.position)
    ):
        if section.id in covered:
            continue
        if section.starts_at is None:
            skipped += 1
            continue
        create_sessions(
            ctx,
            course,
            [section.starts_at],
            duration=section.duration_minutes or 120,
            place=place,
            description=section.title,
            trainer_id=ctx.user.id if ctx.user else None,
            section_id=section.id,
        )
        made += 1
    ctx.audit("attendance.sessions_from_sections", f"course:{course.id}", {"count": made})
    return ctx.redirect(
        ctx.url(route("course_sessions"), course_id=course.id)
        + "?"
        + urlencode({"made": made, "skipped": skipped})
    )


def delete_session(ctx: RequestContext, session_id: str) -> Response:
    session, course = load_session(ctx, session_id, "attendance:manage")
    if session.taken_at is not None:
        # Taken attendance is the funder's evidence (feuille d'émargement): it is never dropped.
        raise Conflict(_("This session's attendance was taken: it cannot be deleted."))
    ctx.audit(
        "attendance.session_deleted",
        f"session:{session.id}",
        {"course": course.id, "starts_at": session.starts_at.isoformat()},
    )
    ctx.db.delete(session)
    return ctx.redirect(ctx.url(route("course_sessions"), course_id=course.id))
