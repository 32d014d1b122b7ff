"""The audit log: an organisation's events for its admins, every event for platform admins."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import aliased
from starlette.responses import Response

from core.context import RequestContext
from core.contracts import PLATFORM_ADMIN, needs
from core.models import AuditEvent, Organisation, User
from core.routing import RouteDef
from core.views.forms import page_of

PAGE_SIZE = 50


def _events(ctx: RequestContext, organisation_id: int | None, platform: bool) -> Response:
    actor = aliased(User)
    stmt = (
        select(AuditEvent, actor.display_name, actor.login, Organisation.slug)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .outerjoin(Organisation, Organisation.id == AuditEvent.organisation_id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    if not platform:
        stmt = stmt.where(AuditEvent.organisation_id == organisation_id)
    page, rows = page_of(ctx, stmt, PAGE_SIZE)
    return ctx.render("core/audit.html", page=page, rows=rows, platform=platform)


def org_audit(ctx: RequestContext) -> Response:
    return _events(ctx, ctx.org.id, platform=False)


def platform_audit(ctx: RequestContext) -> Response:
    return _events(ctx, None, platform=True)


ROUTES = [
    RouteDef("/o/{org}/admin/audit", org_audit, ("GET",), needs("core:audit.view"), "core.audit"),
    RouteDef("/admin/audit", platform_audit, ("GET",), PLATFORM_ADMIN, "core.platform_audit"),
]
