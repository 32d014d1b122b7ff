"""Organisation admin: courses (create, edit, delete after confirmation)."""

from __future__ import annotations

from sqlalchemy import func, select
from starlette.responses import Response

from core.context import RequestContext
from core.contracts import needs
from core.models import Course, Enrolment, Section
from core.routing import RouteDef
from core.views.forms import require_text, values_of

MANAGE = needs("core:course.manage")


def courses_page(ctx: RequestContext) -> Response:
    rows = ctx.db.execute(
        select(
            Course,
            select(func.count(Section.id)).where(Section.course_id == Course.id).scalar_subquery(),
            select(func.count(Enrolment.id))
            .where(Enrolment.course_id == Course.id)
            .scalar_subquery(),
        )
        .where(Course.organisation_id == ctx.org.id)
        .order_by(Course.title, Course.id)
    ).all()
    return ctx.render("core/courses.html", rows=rows)


def _check(values: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    require_text(values, errors, "title", 200)
    return errors


def course_add(ctx: RequestContext) -> Response:
    if ctx.request.method == "GET":
        return ctx.render(
            "core/course_form.html", values={"title": "", "summary": ""}, errors={}, course=None
        )
    values = values_of(ctx, "title", "summary")
    errors = _check(values)
    if errors:
        return ctx.render("core/course_form.html", values=values, errors=errors, course=None)
    course = Course(organisation_id=ctx.org.id, title=values["title"], summary=values["summary"])
    ctx.db.add(course)
    ctx.db.flush()
    ctx.audit("course.created", target=f"course:{course.id}", detail={"title": course.title})
    return ctx.redirect(ctx.url("core.sections", course_id=course.id))


def course_edit(ctx: RequestContext, course_id: str) -> Response:
    course = ctx.course(course_id, "core:course.manage")
    if ctx.request.method == "GET":
        values = {"title": course.title, "summary": course.summary}
        return ctx.render("core/course_form.html", values=values, errors={}, course=course)
    values = values_of(ctx, "title", "summary")
    errors = _check(values)
    if errors:
        return ctx.render("core/course_form.html", values=values, errors=errors, course=course)
    changes = {
        key: [old, values[key]]
        for key, old in (("title", course.title), ("summary", course.summary))
        if old != values[key]
    }
    course.title, course.summary = values["title"], values["summary"]
    if changes:
        ctx.audit("course.edited", target=f"course:{course.id}", detail=changes)
    return ctx.redirect(ctx.url("core.courses"))


def course_delete(ctx: RequestContext, course_id: str) -> Response:
    course = ctx.course(course_id, "core:course.manage")
    if ctx.request.method == "GET":
        enrolled = ctx.db.scalar(
            select(func.count(Enrolment.id)).where(Enrolment.course_id == course.id)
        )
        return ctx.render("core/course_delete.html", course=course, enrolled=enrolled or 0)
    ctx.audit("course.deleted", target=f"course:{course.id}", detail={"title": course.title})
    ctx.db.delete(course)
    return ctx.redirect(ctx.url("core.courses"))


ROUTES = [
    RouteDef("/o/{org}/admin/courses", courses_page, ("GET",), MANAGE, "core.courses"),
    RouteDef("/o/{org}/admin/courses/new", course_add, ("GET", "POST"), MANAGE, "core.course_add"),
    RouteDef(
        "/o/{org}/admin/courses/{course_id}/edit",
        course_edit,
        ("GET", "POST"),
        MANAGE,
        "core.course_edit",
    ),
    RouteDef(
        "/o/{org}/admin/courses/{course_id}/delete",
        course_delete,
        ("GET", "POST"),
        MANAGE,
        "core.course_delete",
    ),
]
