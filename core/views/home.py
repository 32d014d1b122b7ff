"""Home pages: where "/" leads, and an organisation's dashboard for each audience."""

from __future__ import annotations

from sqlalchemy import select
from starlette.responses import Response

from core.context import RequestContext
from core.contracts import SIGNED_IN, Widget, needs
from core.models import Course, Enrolment, Membership, Organisation
from core.routing import RouteDef


def root(ctx: RequestContext) -> Response:
    """Signed in: the organisation's home (or a choice when there are several)."""
    assert ctx.user is not None
    rows = ctx.db.execute(
        select(Organisation)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == ctx.user.id)
        .order_by(Organisation.name)
    ).scalars().all()
    if len(rows) == 1 and not ctx.user.is_platform_admin:
        return ctx.redirect(ctx.url("core.org_home", org=rows[0].slug))
    return ctx.render("core/choose_organisation.html", organisations=rows)


def audience_of(ctx: RequestContext) -> str:
    """Which home to show: decided by capabilities, never by role names."""
    if ctx.may("core:organisation.manage"):
        return "admin"
    if ctx.may("core:course.teach"):
        return "trainer"
    return "learner"


def widgets_for(ctx: RequestContext, audience: str) -> list[Widget]:
    if ctx.hooks is None:
        return []
    widgets: list[Widget] = []
    for _plugin, declared in ctx.hooks.collect(
        "declic_dashboard_widgets", ctx.failures, ctx=ctx, audience=audience
    ):
        widgets.extend(declared)
    return sorted(widgets, key=lambda w: w.order)


def my_courses(ctx: RequestContext) -> list[Course]:
    assert ctx.user is not None
    if ctx.may("core:course.manage"):
        stmt = select(Course).where(Course.organisation_id == ctx.org.id)
    else:
        stmt = (
            select(Course)
            .join(Enrolment, Enrolment.course_id == Course.id)
            .where(Course.organisation_id == ctx.org.id, Enrolment.user_id == ctx.user.id)
        )
    return list(ctx.db.scalars(stmt.order_by(Course.title)))


def org_home(ctx: RequestContext) -> Response:
    audience = ctx.request.query_params.get("as") or audience_of(ctx)
    if audience not in ("learner", "trainer", "admin") or (
        audience != "learner" and audience != audience_of(ctx) and audience_of(ctx) != "admin"
    ):
        audience = audience_of(ctx)
    return ctx.render(
        f"core/home_{audience}.html",
        audience=audience,
        courses=my_courses(ctx),
        widgets=widgets_for(ctx, audience),
    )


ROUTES = [
    RouteDef("/", root, ("GET",), SIGNED_IN, "core.root"),
    RouteDef("/o/{org}/", org_home, ("GET",), needs("core:course.view"), "core.org_home"),
]
