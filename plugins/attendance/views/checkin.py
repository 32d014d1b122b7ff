"""Self check-in: the trainer's rotating QR code and short code; the learner's pages (type the
code, or open the QR link) which record "present" or "late" when every rule allows it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import segno
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.responses import Response

from core.auth import record_attempt, throttle_wait
from core.clock import now
from core.context import RequestContext, client_address
from core.errors import NotFound, TooManyRequests
from core.i18n import gettext as _
from plugins.attendance import warnings as absence_warnings
from plugins.attendance.checkin import (
    CheckinRefusedError,
    current_token,
    is_late,
    normalise_code,
    token_state,
    verify,
    window,
)
from plugins.attendance.marking import announce, mark
from plugins.attendance.models import AttendanceSession
from plugins.attendance.statuses import by_key, max_points
from plugins.attendance.views.common import load_session, route, settings, statuses

MAX_WRONG_CODES = 10  # per learner, in core's throttling window


def _qr_data(ctx: RequestContext, session: AttendanceSession) -> dict[str, Any]:
    conf = settings(ctx)
    step = int(conf["qr_step_seconds"])
    token = current_token(ctx.app.settings.secret_key, session.id, now(), step)
    link = (
        str(ctx.request.base_url).rstrip("/")
        + ctx.url(route("checkin_link"), session_id=session.id)
        + f"?t={token}"
    )
    svg = segno.make(link, error="m").svg_inline(scale=6, border=2, dark="#000", light="#fff")
    return {"session": session, "qr_svg": svg, "link": link, "step": step}


def qr_page(ctx: RequestContext, session_id: str) -> Response:
    session, course = load_session(ctx, session_id, "attendance:take")
    opens, closes = window(session, settings(ctx))
    return ctx.render(
        "attendance/qr.html",
        course=course,
        opens=opens,
        closes=closes,
        code_url=ctx.url(route("checkin")),
        **_qr_data(ctx, session),
    )


def qr_fragment(ctx: RequestContext, session_id: str) -> Response:
    """The QR code alone, fetched again by htmx every step."""
    session, _course = load_session(ctx, session_id, "attendance:take")
    return ctx.render("attendance/_qr.html", **_qr_data(ctx, session))


def _record(ctx: RequestContext, session: AttendanceSession) -> str:
    """Check the rules and record; returns the status name given."""
    assert ctx.user is not None
    conf = settings(ctx)
    at = now()
    verify(ctx.db, session, ctx.user.id, at, conf, client_address(ctx.request))
    all_statuses = statuses(ctx)
    status = by_key(all_statuses, "late" if is_late(session, at, conf) else "present")
    if status is None:
        raise CheckinRefusedError("no_status", _("Check-in is not set up here. Ask your trainer."))
    try:
        mark(
            ctx.db,
            session,
            ctx.user.id,
            status,
            max_points(all_statuses),
            actor_id=ctx.user.id,
            source="checkin",
        )
    except IntegrityError:
        # Two check-ins of the same learner at the same instant (two tabs): the unique
        # (session, learner) row let one through; this one is the duplicate.
        raise CheckinRefusedError(
            "twice", _("Your attendance for this session is already recorded.")
        ) from None
    ctx.audit("attendance.checkin", f"session:{session.id}", {"status": status.name})
    announce(ctx.db, ctx.hooks, session, ctx.failures)
    absence_warnings.evaluate(ctx.db, ctx.org, session.course_id, [ctx.user.id])
    return status.name


def _refused(ctx: RequestContext, reason: CheckinRefusedError, code: str = "") -> Response:
    ctx.db.rollback()  # nothing written
    return ctx.render(
        "attendance/checkin.html",
        status=403 if reason.reason not in ("forged", "expired", "unknown") else 400,
        error=reason.message,
        code=code,
        done=None,
    )


def checkin(ctx: RequestContext) -> Response:
    """A learner types the short code the trainer shows."""
    ctx.require("attendance:checkin")
    if ctx.request.method != "POST":
        return ctx.render("attendance/checkin.html", error="", code="", done=None)
    assert ctx.user is not None
    # Wrong codes are counted per learner (in core's sign-in attempts table, which holds across
    # workers): a code cannot be guessed by trying them all.
    throttle_key = f"attendance-code:{ctx.org.id}:{ctx.user.id}"
    wait = throttle_wait(ctx.db, [(throttle_key, MAX_WRONG_CODES)])
    if wait:
        raise TooManyRequests(
            _("Too many wrong codes. Try again in %(minutes)s minutes.", minutes=wait // 60 + 1)
        )
    code = normalise_code(ctx.field("code"))
    at = now()
    # The code names the session; only sessions around now are searched, so an old code does
    # not reach an old session (and a wrong one says "not valid").
    session = ctx.db.scalar(
        select(AttendanceSession).where(
            AttendanceSession.organisation_id == ctx.org.id,
            AttendanceSession.checkin_code == code,
            AttendanceSession.starts_at <= at + timedelta(days=1),
            AttendanceSession.starts_at >= at - timedelta(days=1),
        )
    )
    try:
        if not code or session is None:
            raise CheckinRefusedError(
                "unknown", _("This code is not valid. Check it on the board and type it again.")
            )
        status_name = _record(ctx, session)
    except CheckinRefusedError as reason:
        response = _refused(ctx, reason, ctx.field("code"))
        if reason.reason == "unknown":
            record_attempt(ctx.db, [throttle_key], succeeded=False)
        return response
    return ctx.render("attendance/checkin.html", error="", code="", done=status_name)


def checkin_link(ctx: RequestContext, session_id: str) -> Response:
    """The page the QR code opens: a button to confirm (a GET never writes)."""
    ctx.require("attendance:checkin")
    try:
        session = ctx.get(AttendanceSession, session_id)
    except NotFound:
        return _refused(ctx, CheckinRefusedError("forged", _("This QR code is not valid.")))
    token = (
        ctx.field("t") if ctx.request.method == "POST" else ctx.request.query_params.get("t", "")
    )
    step = int(settings(ctx)["qr_step_seconds"])
    state = token_state(ctx.app.settings.secret_key, session.id, token, now(), step)
    try:
        if state == "expired":
            raise CheckinRefusedError(
                "expired", _("This QR code has expired. Scan the one on the screen again.")
            )
        if state != "valid":
            raise CheckinRefusedError("forged", _("This QR code is not valid."))
        if ctx.request.method != "POST":
            return ctx.render(
                "attendance/checkin_confirm.html",
                session=session,
                token=token,
                action=ctx.url(route("checkin_link"), session_id=session.id),
            )
        status_name = _record(ctx, session)
    except CheckinRefusedError as reason:
        return _refused(ctx, reason)
    return ctx.render("attendance/checkin.html", error="", code="", done=status_name)
