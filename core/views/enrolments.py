"""Organisation admin: who is enrolled in a course, as a learner or as a trainer."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from starlette.responses import Response

from core.account_rules import COURSE_ROLE_LABELS
from core.context import RequestContext
from core.contracts import needs
from core.errors import NotFound
from core.i18n import gettext as _
from core.models import COURSE_ROLES, Enrolment, Group, GroupMember, Membership, User
from core.routing import RouteDef

MANAGE = needs("core:course.manage")


def _page(ctx: RequestContext, course_id: str, status: int = 200, **data: object) -> Response:
    course = ctx.course(course_id, "core:course.manage")
    enrolled = ctx.db.execute(
        select(Enrolment, User)
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.course_id == course.id, Enrolment.organisation_id == ctx.org.id)
        .order_by(Enrolment.role.desc(), func.lower(User.display_name), User.id)
    ).all()
    taken = {e.user_id for e, _u in enrolled}
    candidates = [
        u
        for u in ctx.db.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == ctx.org.id, User.active.is_(True))
            .order_by(func.lower(User.display_name), User.id)
        )
        if u.id not in taken
    ]
    data.setdefault("errors", {})
    data.setdefault("values", {"role": "learner"})
    return ctx.render(
        "core/enrolments.html",
        status=status,
        course=course,
        enrolled=[(e, u, str(COURSE_ROLE_LABELS.get(e.role, e.role))) for e, u in enrolled],
        candidates=candidates,
        role_options=[(r, str(COURSE_ROLE_LABELS[r])) for r in COURSE_ROLES],
        can_import=ctx.may("core:user.manage"),
        **data,
    )


def enrolments_page(ctx: RequestContext, course_id: str) -> Response:
    return _page(ctx, course_id)


def enrol(ctx: RequestContext, course_id: str) -> Response:
    """Enrol the ticked members of the organisation with one role."""
    course = ctx.course(course_id, "core:course.manage")
    role = ctx.field("role")
    raw = ctx.form.getlist("user_id") if ctx.form else []
    wanted = sorted({int(v) for v in raw if isinstance(v, str) and v.isdigit()})
    errors: dict[str, str] = {}
    if role not in COURSE_ROLES:
        errors["role"] = _("Choose a role from the list.")
    members = set(
        ctx.db.scalars(
            select(Membership.user_id).where(
                Membership.organisation_id == ctx.org.id, Membership.user_id.in_(wanted)
            )
        )
    )
    if not wanted:
        errors["user_id"] = _("Tick at least one person.")
    elif members != set(wanted):
        errors["user_id"] = _("Some of the people ticked are not members of this organisation.")
    if errors:
        return _page(ctx, course_id, values={"role": role, "user_ids": wanted}, errors=errors)
    present = set(ctx.db.scalars(select(Enrolment.user_id).where(Enrolment.course_id == course.id)))
    for user_id in wanted:
        if user_id in present:
            continue
        enrolment = Enrolment(
            organisation_id=ctx.org.id, course_id=course.id, user_id=user_id, role=role
        )
        ctx.db.add(enrolment)
        ctx.db.flush()
        ctx.audit(
            "enrolment.added",
            target=f"course:{course.id}",
            detail={"user": user_id, "role": role},
        )
        if ctx.hooks is not None:
            ctx.hooks.collect("declic_user_enrolled", ctx.failures, db=ctx.db, enrolment=enrolment)
    return ctx.redirect(ctx.url("core.enrolments", course_id=course.id))


def unenrol(ctx: RequestContext, course_id: str, enrolment_id: str) -> Response:
    course = ctx.course(course_id, "core:course.manage")
    enrolment = ctx.get(Enrolment, enrolment_id)
    if enrolment.course_id != course.id:
        raise NotFound(_("This page does not exist."))
    # Plugins hear it before the row goes, so they can still read it.
    if ctx.hooks is not None:
        ctx.hooks.collect("declic_user_unenrolled", ctx.failures, db=ctx.db, enrolment=enrolment)
    group_ids = select(Group.id).where(Group.course_id == course.id)
    ctx.db.execute(
        delete(GroupMember).where(
            GroupMember.user_id == enrolment.user_id, GroupMember.group_id.in_(group_ids)
        )
    )
    ctx.audit(
        "enrolment.removed",
        target=f"course:{course.id}",
        detail={"user": enrolment.user_id, "role": enrolment.role},
    )
    ctx.db.delete(enrolment)
    return ctx.redirect(ctx.url("core.enrolments", course_id=course.id))


BASE = "/o/{org}/admin/courses/{course_id}/enrolments"
ROUTES = [
    RouteDef(BASE, enrolments_page, ("GET",), MANAGE, "core.enrolments"),
    RouteDef(BASE + "/add", enrol, ("POST",), MANAGE, "core.enrol"),
    RouteDef(BASE + "/{enrolment_id}/remove", unenrol, ("POST",), MANAGE, "core.unenrol"),
]
