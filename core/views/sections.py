"""Running a course: its workshops (sections) with date, time and duration, in order."""

from __future__ import annotations

from sqlalchemy import func, select
from starlette.responses import Response

from core.context import RequestContext
from core.contracts import needs
from core.errors import NotFound
from core.i18n import gettext as _
from core.models import Course, Section
from core.routing import RouteDef
from core.views.forms import local_parts, parse_when, require_text, valid_hour, values_of

TEACH = needs("core:course.teach")
MAX_DURATION = 24 * 60


def _course(ctx: RequestContext, course_id: str) -> Course:
    return ctx.course(course_id, "core:course.teach")


def _section(ctx: RequestContext, course: Course, section_id: str) -> Section:
    section = ctx.get(Section, section_id)
    if section.course_id != course.id:
        raise NotFound(_("This page does not exist."))
    return section


def _ordered(ctx: RequestContext, course: Course) -> list[Section]:
    return list(
        ctx.db.scalars(
            select(Section)
            .where(Section.course_id == course.id, Section.organisation_id == ctx.org.id)
            .order_by(Section.position, Section.id)
        )
    )


def _read(ctx: RequestContext) -> tuple[dict[str, str], dict[str, str], dict[str, object]]:
    """The posted section, its errors, and the typed values to store."""
    values = values_of(ctx, "title", "summary", "day", "hour", "duration")
    errors: dict[str, str] = {}
    require_text(values, errors, "title", 200)
    clean: dict[str, object] = {}
    if values["hour"] and not valid_hour(values["hour"]):
        errors["hour"] = _("Give the time as hours and minutes, like 09:30.")
    try:
        clean["starts_at"] = parse_when(
            values["day"], values["hour"] if "hour" not in errors else ""
        )
    except ValueError:
        errors["day"] = _("Give a date (day/month/year) and, if you wish, a time.")
    try:
        duration = int(values["duration"] or "120")
        if not 1 <= duration <= MAX_DURATION:
            raise ValueError
        clean["duration_minutes"] = duration
    except ValueError:
        errors["duration"] = _(
            "Give the length in minutes, between 1 and %(max)s.", max=MAX_DURATION
        )
    return values, errors, clean


def _page(ctx: RequestContext, course: Course, status: int = 200, **data: object) -> Response:
    data.setdefault(
        "values", {"title": "", "summary": "", "day": "", "hour": "", "duration": "120"}
    )
    data.setdefault("errors", {})
    return ctx.render(
        "core/sections.html",
        status=status,
        course=course,
        sections=_ordered(ctx, course),
        **data,
    )


def sections_page(ctx: RequestContext, course_id: str) -> Response:
    course = _course(ctx, course_id)
    if ctx.request.method == "GET":
        return _page(ctx, course)
    values, errors, clean = _read(ctx)
    if errors:
        return _page(ctx, course, values=values, errors=errors)
    last = ctx.db.scalar(select(func.max(Section.position)).where(Section.course_id == course.id))
    section = Section(
        organisation_id=ctx.org.id,
        course_id=course.id,
        title=values["title"],
        summary=values["summary"],
        position=(last if last is not None else -1) + 1,
        **clean,
    )
    ctx.db.add(section)
    ctx.db.flush()
    ctx.audit("section.created", target=f"section:{section.id}", detail={"title": section.title})
    return ctx.redirect(ctx.url("core.sections", course_id=course.id))


def section_edit(ctx: RequestContext, course_id: str, section_id: str) -> Response:
    course = _course(ctx, course_id)
    section = _section(ctx, course, section_id)
    if ctx.request.method == "GET":
        day, hour = local_parts(section.starts_at)
        values = {
            "title": section.title,
            "summary": section.summary,
            "day": day,
            "hour": hour,
            "duration": str(section.duration_minutes),
        }
        return ctx.render(
            "core/section_form.html", course=course, section=section, values=values, errors={}
        )
    values, errors, clean = _read(ctx)
    if errors:
        return ctx.render(
            "core/section_form.html", course=course, section=section, values=values, errors=errors
        )
    section.title, section.summary = values["title"], values["summary"]
    section.starts_at = clean["starts_at"]  # type: ignore[assignment]
    section.duration_minutes = clean["duration_minutes"]  # type: ignore[assignment]
    ctx.audit("section.edited", target=f"section:{section.id}", detail={"title": section.title})
    return ctx.redirect(ctx.url("core.sections", course_id=course.id))


def section_move(ctx: RequestContext, course_id: str, section_id: str) -> Response:
    """Move a workshop one place up or down (buttons, so it works without JavaScript)."""
    course = _course(ctx, course_id)
    section = _section(ctx, course, section_id)
    ordered = _ordered(ctx, course)
    index = ordered.index(section)
    target = index - 1 if ctx.field("direction") == "up" else index + 1
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
        for position, item in enumerate(ordered):
            item.position = position
        ctx.audit(
            "section.moved",
            target=f"section:{section.id}",
            detail={"order": [s.id for s in ordered]},
        )
    return ctx.redirect(ctx.url("core.sections", course_id=course.id))


def section_delete(ctx: RequestContext, course_id: str, section_id: str) -> Response:
    course = _course(ctx, course_id)
    section = _section(ctx, course, section_id)
    if ctx.request.method == "GET":
        return ctx.render("core/section_delete.html", course=course, section=section)
    ctx.audit("section.deleted", target=f"section:{section.id}", detail={"title": section.title})
    ctx.db.delete(section)
    return ctx.redirect(ctx.url("core.sections", course_id=course.id))


BASE = "/o/{org}/admin/courses/{course_id}/sections"
ROUTES = [
    RouteDef(BASE, sections_page, ("GET", "POST"), TEACH, "core.sections"),
    RouteDef(BASE + "/{section_id}", section_edit, ("GET", "POST"), TEACH, "core.section_edit"),
    RouteDef(BASE + "/{section_id}/move", section_move, ("POST",), TEACH, "core.section_move"),
    RouteDef(
        BASE + "/{section_id}/delete", section_delete, ("GET", "POST"), TEACH, "core.section_delete"
    ),
]
