"""The programme-wide stock, for platform admins: per organisation, how many assets are available,
on loan, given or in repair, and how many learners are equipped.

Served through core's ``declic_platform_routes`` hook at ``/admin/p/equipment/stock``, outside
any organisation; core lets only platform admins in.
"""

from __future__ import annotations

from sqlalchemy import distinct, func, select
from starlette.responses import Response

from core.context import RequestContext
from core.contracts import PLATFORM_ADMIN, PageRoute
from core.i18n import lazy_gettext as _l
from core.models import Organisation
from plugins.equipment.models import Asset, Loan, StatusLabel
from plugins.equipment.views.common import STOCK_ROLES, base_context


def programme_stock(ctx: RequestContext) -> Response:
    counts = ctx.db.execute(
        select(
            Asset.organisation_id,
            func.coalesce(StatusLabel.role, StatusLabel.kind),
            func.count(Asset.id),
        )
        .join(StatusLabel, StatusLabel.id == Asset.status_label_id)
        .group_by(Asset.organisation_id, func.coalesce(StatusLabel.role, StatusLabel.kind))
    ).all()
    equipped = dict(
        ctx.db.execute(
            select(Loan.organisation_id, func.count(distinct(Loan.borrower_id)))
            .where(Loan.state.in_(("active", "given")), Loan.borrower_id.is_not(None))
            .group_by(Loan.organisation_id)
        ).all()
    )
    by_org: dict[int, dict[str, int]] = {}
    for org_id, role, count in counts:
        by_org.setdefault(org_id, dict.fromkeys(STOCK_ROLES, 0))[role] = count
    ids = set(by_org) | set(equipped)
    orgs = (
        ctx.db.scalars(
            select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
        ).all()
        if ids
        else []
    )
    rows = [
        {
            "name": o.name,
            "slug": o.slug,
            "counts": by_org.get(o.id, dict.fromkeys(STOCK_ROLES, 0)),
            "equipped": equipped.get(o.id, 0),
        }
        for o in orgs
    ]
    totals = {role: sum(by_org.get(o.id, {}).get(role, 0) for o in orgs) for role in STOCK_ROLES}
    learners = (
        ctx.db.scalar(
            select(func.count(distinct(Loan.borrower_id))).where(
                Loan.state.in_(("active", "given")), Loan.borrower_id.is_not(None)
            )
        )
        or 0
    )
    return ctx.render(
        "equipment/platform.html",
        **base_context(ctx, rows=rows, totals=totals, learners=learners, roles=STOCK_ROLES),
    )


ROUTES = [
    PageRoute(
        "/stock",
        programme_stock,
        ("GET",),
        PLATFORM_ADMIN,
        "platform",
        label=_l("Equipment across the programme"),
    )
]
