"""Running a course: its groups (cohorts) and who is in each, among the enrolled."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from starlette.responses import Response

from core.context import RequestContext
from core.contracts import needs
from core.errors import NotFound
from core.i18n import gettext as _
from core.models import Course, Enrolment, Group, GroupMember, User
from core.routing import RouteDef
from core.views.forms import require_text, values_of

TEACH = needs("core:course.teach")


def _course(ctx: RequestContext, course_id: str) -> Course:
    return ctx.course(course_id, "core:course.teach")


def _group(ctx: RequestContext, course: Course, group_id: str) -> Group:
    group = ctx.get(Group, group_id)
    if group.course_id != course.id:
        raise NotFound(_("This page does not exist."))
    return group


def _check_name(
    ctx: RequestContext, course: Course, values: dict[str, str], own: int | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    require_text(values, errors, "name", 200)
    if not errors:
        stmt = select(Group.id).where(
            Group.course_id == course.id, func.lower(Group.name) == values["name"].lower()
        )
        if own is not None:
            stmt = stmt.where(Group.id != own)
        if ctx.db.scalar(stmt) is not None:
            errors["name"] = _("This course already has a group with this name.")
    return errors


def groups_page(ctx: RequestContext, course_id: str) -> Response:
    course = _course(ctx, course_id)
    values = {"name": ""}
    errors: dict[str, str] = {}
    if ctx.request.method == "POST":
        values = values_of(ctx, "name")
        errors = _check_name(ctx, course, values, None)
        if not errors:
            group = Group(organisation_id=ctx.org.id, course_id=course.id, name=values["name"])
            ctx.db.add(group)
            ctx.db.flush()
            ctx.audit("group.created", target=f"group:{group.id}", detail={"name": group.name})
            return ctx.redirect(ctx.url("core.group", course_id=course.id, group_id=group.id))
    rows = ctx.db.execute(
        select(
            Group,
            select(func.count(GroupMember.id))
            .where(GroupMember.group_id == Group.id)
            .scalar_subquery(),
        )
        .where(Group.course_id == course.id, Group.organisation_id == ctx.org.id)
        .order_by(Group.name)
    ).all()
    return ctx.render("core/groups.html", course=course, rows=rows, values=values, errors=errors)


def _enrolled(ctx: RequestContext, course: Course) -> list[tuple[User, str]]:
    return [
        (user, role)
        for user, role in ctx.db.execute(
            select(User, Enrolment.role)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.course_id == course.id, Enrolment.organisation_id == ctx.org.id)
            .order_by(func.lower(User.display_name), User.id)
        ).all()
    ]


def group_page(ctx: RequestContext, course_id: str, group_id: str) -> Response:
    course = _course(ctx, course_id)
    group = _group(ctx, course, group_id)
    values = {"name": group.name}
    errors: dict[str, str] = {}
    if ctx.request.method == "POST":
        values = values_of(ctx, "name")
        errors = _check_name(ctx, course, values, group.id)
        if not errors:
            if values["name"] != group.name:
                ctx.audit(
                    "group.renamed",
                    target=f"group:{group.id}",
                    detail={"name": [group.name, values["name"]]},
                )
                group.name = values["name"]
            return ctx.redirect(ctx.url("core.group", course_id=course.id, group_id=group.id))
    members = set(
        ctx.db.scalars(select(GroupMember.user_id).where(GroupMember.group_id == group.id))
    )
    enrolled = _enrolled(ctx, course)
    return ctx.render(
        "core/group.html",
        course=course,
        group=group,
        members=[(u, r) for u, r in enrolled if u.id in members],
        others=[(u, r) for u, r in enrolled if u.id not in members],
        values=values,
        errors=errors,
    )


def group_add(ctx: RequestContext, course_id: str, group_id: str) -> Response:
    """Add the ticked enrolled people to the group (others are ignored: not in the course)."""
    course = _course(ctx, course_id)
    group = _group(ctx, course, group_id)
    raw = ctx.form.getlist("user_id") if ctx.form else []
    wanted = {int(v) for v in raw if isinstance(v, str) and v.isdigit()}
    enrolled = {u.id for u, _r in _enrolled(ctx, course)}
    present = set(
        ctx.db.scalars(select(GroupMember.user_id).where(GroupMember.group_id == group.id))
    )
    added = sorted((wanted & enrolled) - present)
    for user_id in added:
        ctx.db.add(GroupMember(organisation_id=ctx.org.id, group_id=group.id, user_id=user_id))
    if added:
        ctx.audit("group.members_added", target=f"group:{group.id}", detail={"users": added})
    return ctx.redirect(ctx.url("core.group", course_id=course.id, group_id=group.id))


def group_remove(ctx: RequestContext, course_id: str, group_id: str) -> Response:
    course = _course(ctx, course_id)
    group = _group(ctx, course, group_id)
    user_id = ctx.field("user_id")
    if user_id.isdigit():
        result = ctx.db.execute(
            delete(GroupMember).where(
                GroupMember.group_id == group.id, GroupMember.user_id == int(user_id)
            )
        )
        if getattr(result, "rowcount", 0):
            ctx.audit(
                "group.member_removed", target=f"group:{group.id}", detail={"user": int(user_id)}
            )
    return ctx.redirect(ctx.url("core.group", course_id=course.id, group_id=group.id))


def group_delete(ctx: RequestContext, course_id: str, group_id: str) -> Response:
    course = _course(ctx, course_id)
    group = _group(ctx, course, group_id)
    ctx.audit("group.deleted", target=f"group:{group.id}", detail={"name": group.name})
    ctx.db.execute(delete(GroupMember).where(GroupMember.group_id == group.id))
    ctx.db.delete(group)
    return ctx.redirect(ctx.url("core.groups", course_id=course.id))


BASE = "/o/{org}/admin/courses/{course_id}/groups"
ROUTES = [
    RouteDef(BASE, groups_page, ("GET", "POST"), TEACH, "core.groups"),
    RouteDef(BASE + "/{group_id}", group_page, ("GET", "POST"), TEACH, "core.group"),
    RouteDef(BASE + "/{group_id}/add", group_add, ("POST",), TEACH, "core.group_add"),
    RouteDef(BASE + "/{group_id}/remove", group_remove, ("POST",), TEACH, "core.group_remove"),
    RouteDef(BASE + "/{group_id}/delete", group_delete, ("POST",), TEACH, "core.group_delete"),
]
