"""Home pages: where "/" leads, and an organisation's dashboard for each audience."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from starlette.responses import Response

from core.context import RequestContext
from core.contracts import SIGNED_IN, Widget, needs
from core.i18n import gettext as _
from core.models import Course, Enrolment, Membership, Organisation
from core.routing import RouteDef

AUDIENCES = ("learner", "trainer", "admin")


def root(ctx: RequestContext) -> Response:
    """Signed in: the organisation's home (or a choice when there are several)."""
    assert ctx.user is not None
    rows = (
        ctx.db.execute(
            select(Organisation)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.user_id == ctx.user.id)
            .order_by(Organisation.name)
        )
        .scalars()
        .all()
    )
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
    """Courses the user is enrolled in (every course for organisation-wide managers)."""
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


@dataclass(frozen=True)
class CourseLinks:
    """A course on a trainer's home, with the pages that run it."""

    course: Course
    login_codes: bool


@dataclass(frozen=True)
class AdminLink:
    label: str
    url: str
    description: str


def admin_links(ctx: RequestContext) -> list[AdminLink]:
    """The organisation's administration pages this user may open."""
    candidates = [
        (
            "core:user.manage",
            _("Members"),
            "core.members",
            _("Add learners, trainers and admins; switch accounts off."),
        ),
        (
            "core:course.manage",
            _("Courses"),
            "core.courses",
            _("Create courses, their workshops, groups and enrolments."),
        ),
        (
            "core:user.manage",
            _("Login codes"),
            "core.org_login_codes",
            _("Print sign-in codes for learners without a password."),
        ),
        (
            "core:organisation.manage",
            _("Branding"),
            "core.branding",
            _("Name, colour, logo, theme and language."),
        ),
        (
            "core:plugins.manage",
            _("Plugins"),
            "core.plugins",
            _("Switch features on and off, and set them up."),
        ),
        ("core:audit.view", _("Audit log"), "core.audit", _("Who changed what, and when.")),
    ]
    return [
        AdminLink(label, ctx.url(route), description)
        for capability, label, route, description in candidates
        if ctx.may(capability)
    ]


def org_home(ctx: RequestContext) -> Response:
    own = audience_of(ctx)
    asked = ctx.request.query_params.get("as") or own
    # Anyone may look at the learner's home; the others only with the capabilities behind them.
    allowed = AUDIENCES[: AUDIENCES.index(own) + 1]
    audience = asked if asked in allowed else own
    courses = my_courses(ctx)
    teaching: list[CourseLinks] = []
    if audience == "learner":
        courses = [c for c in courses if ctx.may("core:course.view", c.id)]
    else:
        teaching = [
            CourseLinks(c, ctx.may("core:logincode.manage", c.id))
            for c in courses
            if ctx.may("core:course.teach", c.id)
        ]
    return ctx.render(
        f"core/home_{audience}.html",
        audience=audience,
        audiences=allowed,
        courses=courses,
        teaching=teaching,
        admin_links=admin_links(ctx) if audience == "admin" else [],
        widgets=widgets_for(ctx, audience),
    )


ROUTES = [
    RouteDef("/", root, ("GET",), SIGNED_IN, "core.root"),
    RouteDef("/o/{org}/", org_home, ("GET",), needs("core:course.view"), "core.org_home"),
]
