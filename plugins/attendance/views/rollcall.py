"""The roll call: one screen, one tap per status (htmx or a plain form), "mark all present",
a remark per learner, the history of each learner's record."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from starlette.responses import Response

from core.context import RequestContext
from core.errors import BadRequest, Conflict, Forbidden, NotFound
from core.i18n import gettext as _
from core.models import User
from plugins.attendance import warnings as absence_warnings
from plugins.attendance.marking import announce, history, mark, records_of
from plugins.attendance.models import AttendanceRecord, AttendanceSession, AttendanceStatus
from plugins.attendance.roster import roster
from plugins.attendance.statuses import by_key, max_points
from plugins.attendance.views.common import group_name, load_session, names_of, route, statuses


def _row(
    ctx: RequestContext,
    session: AttendanceSession,
    learner: User,
    record: AttendanceRecord | None,
) -> dict[str, object]:
    return {
        "user": learner,
        "record": record,
        "mark_url": ctx.url(route("mark"), session_id=session.id),
        "history_url": ctx.url(route("history"), session_id=session.id, user_id=learner.id),
    }


def _page_data(ctx: RequestContext, session: AttendanceSession) -> dict[str, Any]:
    learners = roster(ctx.db, session)
    records = records_of(ctx.db, session)
    active = [s for s in statuses(ctx) if s.active]
    counts = {s.name: 0 for s in active}
    for record in records.values():
        counts[record.status_name] = counts.get(record.status_name, 0) + 1
    trainer = names_of(ctx, {session.trainer_id}).get(session.trainer_id or 0, "")
    return {
        "session": session,
        "ends_at": session.starts_at + timedelta(minutes=session.duration_minutes),
        "group": group_name(ctx, session.group_id),
        "trainer": trainer,
        "statuses": active,
        "rows": [_row(ctx, session, u, records.get(u.id)) for u in learners],
        "counts": counts,
        "unmarked": len([u for u in learners if u.id not in records]),
    }


def rollcall(ctx: RequestContext, session_id: str) -> Response:
    session, course = load_session(ctx, session_id, "attendance:take")
    return ctx.render(
        "attendance/rollcall.html",
        course=course,
        may_manage=ctx.may("attendance:manage", course.id),
        may_report=ctx.may("attendance:report", course.id),
        **_page_data(ctx, session),
    )


def _after_change(ctx: RequestContext, session: AttendanceSession, user_ids: list[int]) -> None:
    """The event for other plugins and the absence thresholds, after every change."""
    announce(ctx.db, ctx.hooks, session, ctx.failures)
    absence_warnings.evaluate(ctx.db, ctx.org, session.course_id, user_ids)


def mark_one(ctx: RequestContext, session_id: str) -> Response:
    session, _course = load_session(ctx, session_id, "attendance:take")
    user_text = ctx.field("user_id")
    status_text = ctx.field("status_id")
    if not user_text.isdigit() or not status_text.isdigit():
        raise BadRequest(_("Choose a learner and a status."))
    learners = {u.id: u for u in roster(ctx.db, session)}
    learner = learners.get(int(user_text))
    if learner is None:
        # Refused, not ignored: the form was forged or the learner left the course or group.
        raise Forbidden(_("This person is not on this session's list."))
    all_statuses = statuses(ctx)
    status = next((s for s in all_statuses if s.id == int(status_text) and s.active), None)
    if status is None:
        raise BadRequest(_("This status does not exist (any more). Reload the page."))
    remark = ctx.field("remark")[:255] if ctx.form is not None and "remark" in ctx.form else None
    conflict = _changed_meanwhile(ctx, session, learner, status)
    if conflict is not None:
        if ctx.request.headers.get("hx-request"):
            # Show the row as it is now, with the reason, instead of overwriting the other mark.
            data = _page_data(ctx, session)
            row = next(r for r in data["rows"] if r["user"].id == learner.id)
            return ctx.render(
                "attendance/_rollcall_row.html",
                row=row,
                statuses=data["statuses"],
                session=session,
                conflict=conflict,
            )
        raise Conflict(conflict)
    record = mark(
        ctx.db,
        session,
        learner.id,
        status,
        max_points(all_statuses),
        actor_id=ctx.user.id if ctx.user else None,
        remark=remark,
    )
    if record is not None:
        ctx.audit(
            "attendance.marked",
            f"session:{session.id}",
            {"user": learner.id, "status": status.name, "remark": record.remark},
        )
        _after_change(ctx, session, [learner.id])
    if ctx.request.headers.get("hx-request"):
        data = _page_data(ctx, session)
        row = next(r for r in data["rows"] if r["user"].id == learner.id)
        return ctx.render(
            "attendance/_rollcall_row.html", row=row, statuses=data["statuses"], session=session
        )
    return ctx.redirect(ctx.url(route("rollcall"), session_id=session.id) + f"#u{learner.id}")


def _changed_meanwhile(
    ctx: RequestContext, session: AttendanceSession, learner: User, status: AttendanceStatus
) -> str | None:
    """Two trainers marking the same learner at once: the first mark wins, the second is told.

    The row's form says which status it showed (``seen``); when the learner's mark changed since
    (another trainer, or the learner's own check-in), nothing is written and the reason comes
    back. The record is read FOR UPDATE so that, on PostgreSQL, the second of two simultaneous
    requests waits for the first and then sees its mark (SQLite's write lock does the same)."""
    if ctx.form is None or "seen" not in ctx.form:
        return None
    seen = ctx.field("seen")
    record = ctx.db.scalar(
        select(AttendanceRecord)
        .where(
            AttendanceRecord.session_id == session.id,
            AttendanceRecord.user_id == learner.id,
            AttendanceRecord.organisation_id == session.organisation_id,
        )
        .with_for_update()
    )
    current = str(record.status_id) if record is not None else ""
    if current == seen or (record is not None and record.status_id == status.id):
        return None
    return _(
        "%(name)s was marked “%(status)s” by someone else a moment ago. Nothing was changed: "
        "choose again if needed.",
        name=learner.display_name,
        status=record.status_name if record is not None else _("not marked"),
    )


def mark_all_present(ctx: RequestContext, session_id: str) -> Response:
    """Every learner not marked yet becomes present; marks already made are kept, so it is safe
    after a few exceptions were set."""
    session, _course = load_session(ctx, session_id, "attendance:take")
    all_statuses = statuses(ctx)
    present: AttendanceStatus | None = by_key(all_statuses, "present")
    if present is None:
        raise BadRequest(_("There is no active status to mark with."))
    records = records_of(ctx.db, session)
    changed = []
    best = max_points(all_statuses)
    for learner in roster(ctx.db, session):
        if learner.id in records:
            continue
        mark(ctx.db, session, learner.id, present, best, actor_id=ctx.user.id if ctx.user else None)
        changed.append(learner.id)
    if changed:
        ctx.audit("attendance.all_present", f"session:{session.id}", {"count": len(changed)})
        _after_change(ctx, session, changed)
    return ctx.redirect(ctx.url(route("rollcall"), session_id=session.id))


def record_history(ctx: RequestContext, session_id: str, user_id: str) -> Response:
    session, course = load_session(ctx, session_id, "attendance:take")
    learner_id = int(user_id) if user_id.isdigit() else -1
    record = records_of(ctx.db, session).get(learner_id)
    learner = ctx.db.get(User, learner_id)
    if learner is None or (
        record is None and learner_id not in {u.id for u in roster(ctx.db, session)}
    ):
        raise NotFound(_("This page does not exist."))
    changes = history(ctx.db, record) if record is not None else []
    who = names_of(ctx, {c.changed_by_id for c in changes})
    return ctx.render(
        "attendance/history.html",
        course=course,
        session=session,
        learner=learner,
        changes=[{"change": c, "by": who.get(c.changed_by_id or 0, "")} for c in changes],
    )
