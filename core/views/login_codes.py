"""Learners' login codes: pick learners, print a sheet with a code and a QR code each, revoke.

A code signs its holder in as the learner, so it is only ever made for accounts that hold no
teaching or admin role anywhere (nor the platform admin flag): a trainer must not be able to
print a way into someone else's powers. Codes are stored hashed; the sheet is the only place
they are ever shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import segno
from markupsafe import Markup
from sqlalchemy import func, select, update
from starlette.responses import Response

from core.auth import format_code, issue_login_code, normalise_code
from core.clock import now
from core.context import RequestContext
from core.contracts import needs
from core.errors import NotFound
from core.i18n import gettext as _
from core.models import ROLES, Course, Enrolment, LoginCode, Membership, User
from core.permissions import role_grants
from core.routing import RouteDef

ORG_WIDE = needs("core:user.manage")
PER_COURSE = needs("core:logincode.manage")


@dataclass(frozen=True)
class Learner:
    user: User
    code_since: datetime | None
    code_id: int | None


@dataclass(frozen=True)
class SheetEntry:
    name: str
    login: str
    code: str
    url: str
    qr_svg: Markup


def _course(ctx: RequestContext, course_id: str | None) -> Course | None:
    if course_id is None:
        ctx.require("core:logincode.manage")
        return None
    return ctx.course(course_id, "core:logincode.manage")


def _eligible(ctx: RequestContext, course: Course | None) -> list[User]:
    """Learner accounts this page may make codes for (see the module's docstring)."""
    registry = ctx.app.capabilities
    if course is None:
        stmt = (
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == ctx.org.id)
        )
    else:
        stmt = (
            select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.course_id == course.id, Enrolment.organisation_id == ctx.org.id)
        )
        stmt = stmt.where(
            Enrolment.role.in_(
                [r for r in ROLES if not role_grants(registry, r, "core:course.teach")]
            )
        )
    users = list(ctx.db.scalars(stmt.order_by(func.lower(User.display_name), User.id)))
    if not users:
        return []
    roles: dict[int, set[str]] = {}
    for user_id, role in ctx.db.execute(
        select(Membership.user_id, Membership.role).where(
            Membership.user_id.in_([u.id for u in users])
        )
    ):
        roles.setdefault(user_id, set()).add(role)
    return [
        u
        for u in users
        if not u.is_platform_admin
        and not any(role_grants(registry, r, "core:course.teach") for r in roles.get(u.id, ()))
    ]


def _page_url(ctx: RequestContext, course: Course | None) -> str:
    if course is None:
        return ctx.url("core.org_login_codes")
    return ctx.url("core.login_codes", course_id=course.id)


def codes_page(ctx: RequestContext, course_id: str | None = None) -> Response:
    course = _course(ctx, course_id)
    learners = _eligible(ctx, course)
    active = {
        code.user_id: code
        for code in ctx.db.scalars(
            select(LoginCode).where(
                LoginCode.organisation_id == ctx.org.id,
                LoginCode.revoked_at.is_(None),
                LoginCode.user_id.in_([u.id for u in learners]),
            )
        )
    }
    rows = [
        Learner(
            u,
            active[u.id].created_at if u.id in active else None,
            active[u.id].id if u.id in active else None,
        )
        for u in learners
    ]
    error = _("Tick at least one learner.") if ctx.request.query_params.get("none") else ""
    return ctx.render(
        "core/login_codes.html",
        course=course,
        learners=rows,
        error=error,
        page=_page_url(ctx, course),
    )


def qr_svg(url: str, name: str) -> Markup:
    svg = segno.make(url, error="m").svg_inline(
        scale=3, omitsize=True, title=_("QR code to sign in as %(name)s", name=name)
    )
    # segno escapes the title; the rest of the SVG is generated, never user text.
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704


def generate(ctx: RequestContext, course_id: str | None = None) -> Response:
    """Make new codes for the ticked learners and show the printable sheet (the only time the
    codes are visible: only their hashes are stored)."""
    course = _course(ctx, course_id)
    assert ctx.form is not None
    wanted = {int(v) for v in ctx.form.getlist("user_id") if isinstance(v, str) and v.isdigit()}
    learners = [u for u in _eligible(ctx, course) if u.id in wanted]
    if len(learners) != len(wanted):
        # Only a tampered form names people this page does not list.
        raise NotFound(_("Some of the people ticked cannot get a code here."))
    if not learners:
        return ctx.redirect(_page_url(ctx, course) + "?none=1")
    base = str(ctx.request.base_url).rstrip("/")
    entries: list[SheetEntry] = []
    for user in learners:
        code = issue_login_code(ctx.db, user, ctx.org.id, ctx.user, ctx.app.settings.secret_key)
        url = f"{base}/login/code?c={normalise_code(code)}"
        entries.append(
            SheetEntry(
                user.display_name,
                user.login,
                format_code(code),
                url,
                qr_svg(url, user.display_name),
            )
        )
    ctx.audit(
        "logincode.issued",
        target=f"course:{course.id}" if course else "organisation",
        detail={"users": [u.login for u in learners]},
    )
    return ctx.render(
        "core/login_code_sheet.html", course=course, entries=entries, page=_page_url(ctx, course)
    )


def revoke(ctx: RequestContext, code_id: str, course_id: str | None = None) -> Response:
    course = _course(ctx, course_id)
    code = ctx.get(LoginCode, code_id)
    learner = next((u for u in _eligible(ctx, course) if u.id == code.user_id), None)
    if learner is None:
        raise NotFound(_("This page does not exist."))
    ctx.db.execute(
        update(LoginCode)
        .where(LoginCode.id == code.id, LoginCode.revoked_at.is_(None))
        .values(revoked_at=now())
    )
    ctx.audit("logincode.revoked", target=learner.login)
    return ctx.redirect(_page_url(ctx, course))


COURSE = "/o/{org}/admin/courses/{course_id}/login-codes"
ORG = "/o/{org}/admin/login-codes"
ROUTES = [
    RouteDef(COURSE, codes_page, ("GET",), PER_COURSE, "core.login_codes"),
    RouteDef(COURSE + "/print", generate, ("POST",), PER_COURSE, "core.login_codes_print"),
    RouteDef(COURSE + "/{code_id}/revoke", revoke, ("POST",), PER_COURSE, "core.login_code_revoke"),
    RouteDef(ORG, codes_page, ("GET",), ORG_WIDE, "core.org_login_codes"),
    RouteDef(ORG + "/print", generate, ("POST",), ORG_WIDE, "core.org_login_codes_print"),
    RouteDef(ORG + "/{code_id}/revoke", revoke, ("POST",), ORG_WIDE, "core.org_login_code_revoke"),
]
