"""The course page: its workshops (sections) with their activities, from every enabled plugin."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from starlette.responses import Response

from core.context import RequestContext
from core.contracts import Activity, ActivityType, needs
from core.models import Section
from core.routing import RouteDef


@dataclass
class SectionView:
    section: Section
    activities: list[Activity] = field(default_factory=list)
    # (label, url) of the "add an activity" links, for those who run the course
    add_links: list[tuple[str, str]] = field(default_factory=list)


def activity_types(ctx: RequestContext, course_id: int) -> list[ActivityType]:
    """What the user may add to this course's sections, from the enabled plugins."""
    if ctx.hooks is None:
        return []
    found: list[ActivityType] = []
    for _plugin, declared in ctx.hooks.collect("declic_activity_types", ctx.failures, ctx=ctx):
        found.extend(
            t for t in declared if t.capability is None or ctx.may(t.capability, course_id)
        )
    return sorted(found, key=lambda t: str(t.label))


def course_page(ctx: RequestContext, course_id: str) -> Response:
    course = ctx.course(course_id)
    sections = list(
        ctx.db.scalars(
            select(Section)
            .where(Section.course_id == course.id, Section.organisation_id == ctx.org.id)
            .order_by(Section.position, Section.id)
        )
    )
    views = {s.id: SectionView(s) for s in sections}
    if ctx.hooks is not None and sections:
        # One call for every section: each plugin answers with one query, not one per section.
        for _plugin, activities in ctx.hooks.collect(
            "declic_section_activities",
            ctx.failures,
            ctx=ctx,
            course_id=course.id,
            section_ids=list(views),
        ):
            for activity in activities:
                if activity.section_id in views:
                    views[activity.section_id].activities.append(activity)
    teach = ctx.may("core:course.teach", course.id)
    if teach:
        types = activity_types(ctx, course.id)
        for view in views.values():
            view.add_links = [
                (str(t.label), t.create_url(ctx.org.slug, course.id, view.section.id))
                for t in types
                if t.create_url is not None
            ]
    return ctx.render(
        "core/course.html",
        course=course,
        sections=list(views.values()),
        teach=teach,
        manage=ctx.may("core:course.manage", course.id),
        login_codes=ctx.may("core:logincode.manage", course.id),
    )


ROUTES = [
    RouteDef(
        "/o/{org}/courses/{course_id}",
        course_page,
        ("GET",),
        needs("core:course.view"),
        "core.course",
    ),
]
