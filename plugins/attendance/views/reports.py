"""Reports: per course or group (both rates), per learner, the learner's own page, exports,
the sign-in sheet PDF, and dismissing an absence warning."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from starlette.responses import Response

from core.clock import now
from core.context import RequestContext
from core.errors import NotFound
from core.i18n import format_date, format_datetime, format_time
from core.i18n import gettext as _
from core.models import Course, Enrolment, Organisation
from plugins.attendance import exports, sheet_pdf
from plugins.attendance.marking import records_of
from plugins.attendance.models import AbsenceWarning
from plugins.attendance.reports import LearnerReport, learner_reports, per_session
from plugins.attendance.roster import roster
from plugins.attendance.views.common import (
    course_groups,
    group_name,
    load_session,
    local,
    local_text,
    names_of,
    route,
    statuses,
)


def _group_id(ctx: RequestContext, course: Course) -> int | None:
    text = ctx.request.query_params.get("group", "")
    if not text:
        return None
    ids = {g.id for g in course_groups(ctx, course.id)}
    if not text.isdigit() or int(text) not in ids:
        raise NotFound(_("This group does not exist in this course."))
    return int(text)


def _reports(ctx: RequestContext, course: Course, group_id: int | None) -> list[LearnerReport]:
    return learner_reports(ctx.db, ctx.org.id, course.id, statuses(ctx), group_id=group_id)


def course_report(ctx: RequestContext, course_id: str) -> Response:
    course = ctx.course(course_id, "attendance:report")
    group_id = _group_id(ctx, course)
    reports = _reports(ctx, course, group_id)
    suffix = f"?group={group_id}" if group_id else ""
    return ctx.render(
        "attendance/report_course.html",
        course=course,
        group_id=group_id,
        groups=course_groups(ctx, course.id),
        reports=[
            {
                "report": r,
                "url": ctx.url(route("learner_report"), course_id=course.id, user_id=r.user.id),
            }
            for r in reports
        ],
        status_names=[s.name for s in statuses(ctx)],
        sessions=[
            {"summary": summary, "url": ctx.url(route("rollcall"), session_id=summary.session.id)}
            for summary in per_session(reports)
        ],
        csv_url=ctx.url(route("export_csv"), course_id=course.id) + suffix,
        xlsx_url=ctx.url(route("export_xlsx"), course_id=course.id) + suffix,
    )


def learner_report(ctx: RequestContext, course_id: str, user_id: str) -> Response:
    course = ctx.course(course_id, "attendance:report")
    if not user_id.isdigit():
        raise NotFound(_("This page does not exist."))
    reports = learner_reports(ctx.db, ctx.org.id, course.id, statuses(ctx), user_ids=[int(user_id)])
    if not reports:
        raise NotFound(_("This learner is not in this course."))
    return ctx.render("attendance/report_learner.html", course=course, report=reports[0], own=False)


def my_attendance(ctx: RequestContext) -> Response:
    """The learner's own sessions and attendance, course by course, and the next session."""
    assert ctx.user is not None
    course_ids = list(
        ctx.db.scalars(
            select(Enrolment.course_id).where(
                Enrolment.user_id == ctx.user.id,
                Enrolment.organisation_id == ctx.org.id,
                Enrolment.role == "learner",
            )
        )
    )
    courses = {
        c.id: c
        for c in ctx.db.scalars(
            select(Course).where(Course.id.in_(course_ids), Course.organisation_id == ctx.org.id)
        )
    }
    all_statuses = statuses(ctx)
    per_course = []
    for course_id in sorted(courses, key=lambda i: courses[i].title):
        reports = learner_reports(
            ctx.db, ctx.org.id, course_id, all_statuses, user_ids=[ctx.user.id]
        )
        if reports:
            per_course.append({"course": courses[course_id], "report": reports[0]})
    return ctx.render(
        "attendance/my.html",
        per_course=per_course,
        next_session=next_session_for(ctx),
        checkin_url=ctx.url(route("checkin")),
    )


def next_session_for(ctx: RequestContext) -> dict[str, object] | None:
    """The learner's next session (not ended yet) in any of their courses, or None."""
    assert ctx.user is not None
    from plugins.attendance.models import AttendanceSession
    from plugins.attendance.roster import user_group_ids

    groups = user_group_ids(ctx.db, ctx.org.id, ctx.user.id)
    current = now()
    rows = ctx.db.scalars(
        select(AttendanceSession)
        .join(Enrolment, Enrolment.course_id == AttendanceSession.course_id)
        .where(
            AttendanceSession.organisation_id == ctx.org.id,
            Enrolment.user_id == ctx.user.id,
            Enrolment.role == "learner",
            AttendanceSession.starts_at >= current - timedelta(hours=12),
        )
        .order_by(AttendanceSession.starts_at)
        .limit(20)
    )
    for session in rows:
        if session.group_id is not None and session.group_id not in groups:
            continue
        if session.starts_at + timedelta(minutes=session.duration_minutes) < current:
            continue
        course = ctx.db.get(Course, session.course_id)
        return {"session": session, "course": course.title if course else ""}
    return None


def _headers() -> dict[str, str]:
    return {
        "learner": _("Learner"),
        "planned": _("Planned sessions"),
        "taken": _("Sessions taken"),
        "points": _("Points"),
        "max_points": _("Maximum points"),
        "rate_so_far": _("Rate over sessions taken so far (%)"),
        "rate_planned": _("Rate over all planned sessions (%)"),
        "date": _("Date"),
        "place": _("Place"),
        "status": _("Status"),
        "remark": _("Remark"),
    }


def _filename(course: Course, ext: str) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in course.title.lower()).strip("-")
    return f"attendance-{safe or course.id}.{ext}"


def export_csv(ctx: RequestContext, course_id: str) -> Response:
    course = ctx.course(course_id, "attendance:report")
    reports = _reports(ctx, course, _group_id(ctx, course))
    which = ctx.request.query_params.get("table", "details")
    rows = (
        exports.summary_rows(reports, _headers())
        if which == "summary"
        else exports.detail_rows(reports, _headers(), local_text)
    )
    return Response(
        exports.to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_filename(course, "csv")}"'},
    )


def export_xlsx(ctx: RequestContext, course_id: str) -> Response:
    course = ctx.course(course_id, "attendance:report")
    reports = _reports(ctx, course, _group_id(ctx, course))
    body = exports.to_xlsx(
        [
            (_("Summary"), exports.summary_rows(reports, _headers())),
            (_("Details"), exports.detail_rows(reports, _headers(), local_text)),
        ]
    )
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{_filename(course, "xlsx")}"'},
    )


def sheet(ctx: RequestContext, session_id: str) -> Response:
    """The sign-in sheet of one session (statuses filled in once the roll call was taken)."""
    session, course = load_session(ctx, session_id, "attendance:take")
    organisation = ctx.db.get(Organisation, ctx.org.id)
    records = records_of(ctx.db, session)
    ends = session.starts_at + timedelta(minutes=session.duration_minutes)
    trainer = names_of(ctx, {session.trainer_id}).get(session.trainer_id or 0, "")
    # Everyone on the roll, and anyone marked who has left the course since: a sheet printed
    # again later must still show who attended.
    expected = {learner.id: learner.display_name for learner in roster(ctx.db, session)}
    expected.update(names_of(ctx, set(records) - set(expected)))
    lines = tuple(
        sheet_pdf.SheetLine(
            name=name,
            status=records[user_id].status_name if user_id in records else "",
        )
        for user_id, name in sorted(expected.items(), key=lambda item: (item[1], item[0]))
    )
    document = sheet_pdf.Sheet(
        title=_("Attendance sheet"),
        organisation=organisation.name if organisation else "",
        course=course.title,
        group=group_name(ctx, session.group_id),
        date=format_date(session.starts_at, "full"),
        hours=(
            f"{format_time(session.starts_at)} – {format_time(ends)}"
            f" ({half_day(session.starts_at)})"
        ),
        place=session.place,
        trainer=trainer,
        lines=lines,
        labels={
            "organisation": _("Organisation"),
            "course": _("Course"),
            "date": _("Date"),
            "hours": _("Hours"),
            "place": _("Place"),
            "trainer": _("Trainer"),
            "learner": _("Learner"),
            "status": _("Status"),
            "signature": _("Signature"),
            "nobody": _("No learner is expected at this session."),
            "trainer_signature": _("Trainer's signature"),
        },
        generated=_("Printed on %(when)s", when=format_datetime(now(), "short")),
    )
    day = session.starts_at.strftime("%Y-%m-%d")
    return Response(
        sheet_pdf.render(document),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="attendance-sheet-{day}-{session.id}.pdf"'
        },
    )


def half_day(starts_at: datetime) -> str:
    """Funders count attendance per half-day: name it on the sheet."""
    if local(starts_at).hour < 13:
        return _("morning")
    return _("afternoon")


def dismiss_warning(ctx: RequestContext, warning_id: str) -> Response:
    warning = ctx.get(AbsenceWarning, warning_id)
    ctx.require("attendance:report", warning.course_id)
    warning.dismissed_at = now()
    ctx.audit("attendance.warning_dismissed", f"warning:{warning.id}")
    return ctx.redirect(ctx.url("core.org_home"))
