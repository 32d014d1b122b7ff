"""The learner's own page: "my skills" (chart and table), readiness verdicts, certificates."""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy import select
from starlette.responses import Response

from core.context import RequestContext
from core.i18n import gettext as _
from plugins.certification.assessment import learner_course_ids, reports_for
from plugins.certification.chart import Bar, svg_bars
from plugins.certification.evidence import org_catalogue
from plugins.certification.models import Certificate
from plugins.certification.views.common import cell, competence_rows, source_notices


def mine(ctx: RequestContext) -> Response:
    assert ctx.user is not None
    catalogue = org_catalogue(ctx.db, ctx.org.id)
    report = reports_for(
        ctx, [ctx.user], learner_course_ids(ctx.db, ctx.org.id, ctx.user.id), catalogue
    )[0]
    rows = competence_rows(report, catalogue, "crcn")
    chart = svg_bars(
        [Bar(r["code"], r["title"], r["level"], r["max_level"]) for r in rows], _("level")
    )
    certificates = list(
        ctx.db.scalars(
            select(Certificate)
            .where(Certificate.organisation_id == ctx.org.id, Certificate.user_id == ctx.user.id)
            .order_by(Certificate.issued_at.desc())
        )
    )
    return ctx.render(
        "certification/mine.html",
        rows=rows,
        chart=Markup(chart),  # noqa: S704 - built by chart.svg_bars, every text escaped there
        verdicts=[(v, cell(v.status)) for v in report.verdicts],
        certificates=certificates,
        notices=source_notices(ctx, "learner"),
    )
