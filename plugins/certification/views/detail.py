"""One learner seen by a trainer: levels, confidence, evidence, verdicts with reasons and next
steps; the observation form; the certificate form (see ``certs.py`` for issuing)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.responses import Response

from core.context import RequestContext
from core.i18n import gettext as _
from core.models import Course, User
from plugins.certification.assessment import LearnerReport, reports_for
from plugins.certification.catalogue import Catalogue
from plugins.certification.evidence import add_observation, org_catalogue
from plugins.certification.models import Certificate
from plugins.certification.readiness import READY
from plugins.certification.views.common import (
    cell,
    competence_rows,
    load_course,
    load_learner,
    source_notices,
)


def competence_options(catalogue: Catalogue) -> list[tuple[str, str]]:
    return [
        (c.key, f"{fw.title} {c.code} — {c.title}")
        for fw in catalogue.frameworks.values()
        for c in fw.competences
    ]


def issue_options(course: Course, report: LearnerReport) -> list[tuple[str, str]]:
    """What a certificate may be for: the course, or a target the learner is ready for."""
    options = [("course", _("Course completed: %(title)s", title=course.title))]
    options += [(f"target:{v.target}", v.title) for v in report.verdicts if v.status == READY]
    return options


def _names(ctx: RequestContext, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = ctx.db.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {uid: name for uid, name in rows}


def render_detail(
    ctx: RequestContext,
    course: Course,
    learner: User,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    catalogue = org_catalogue(ctx.db, ctx.org.id)
    report = reports_for(ctx, [learner], [course.id], catalogue)[0]
    names = _names(ctx, {e.given_by_id for e in report.evidence if e.given_by_id})
    source_names = {
        "quiz": _("Quiz"),
        "attendance": _("Attendance"),
        "observation": _("Observation"),
    }
    evidence_rows = [
        {
            "date": e.occurred_at,
            "source": source_names.get(e.source, e.source),
            "what": e.label,
            "comment": e.comment,
            "competence": f"{e.competence} {catalogue.title_of(e.competence)}",
            "outcome": round(e.outcome * 100),
            "difficulty": e.difficulty,
            "who": names.get(e.given_by_id or 0, ""),
        }
        for e in report.evidence
    ]
    certificates = list(
        ctx.db.scalars(
            select(Certificate)
            .where(Certificate.organisation_id == ctx.org.id, Certificate.user_id == learner.id)
            .order_by(Certificate.issued_at.desc())
        )
    )
    tables = [
        (fw.title, competence_rows(report, catalogue, fw.id))
        for fw in catalogue.frameworks.values()
    ]
    return ctx.render(
        "certification/learner.html",
        status=status,
        course=course,
        learner=learner,
        verdicts=[(v, cell(v.status)) for v in report.verdicts],
        tables=tables,
        evidence=evidence_rows,
        certificates=certificates,
        competences=competence_options(catalogue),
        issue_options=issue_options(course, report),
        may_issue=ctx.may("certification:issue", course.id),
        notices=source_notices(ctx),
        errors=errors or {},
        values=values or {},
    )


def detail(ctx: RequestContext, course_id: str, user_id: str) -> Response:
    course = load_course(ctx, course_id)
    return render_detail(ctx, course, load_learner(ctx, course, user_id))


def observe(ctx: RequestContext, course_id: str, user_id: str) -> Response:
    """A trainer's observation: validated or not yet, on one competence, with a comment."""
    assert ctx.user is not None
    course = load_course(ctx, course_id)
    learner = load_learner(ctx, course, user_id)
    catalogue = org_catalogue(ctx.db, ctx.org.id)
    values = {k: ctx.field(k) for k in ("competence", "level", "outcome", "comment")}
    errors: dict[str, Any] = {}
    comp = catalogue.competence(values["competence"])
    fw = catalogue.framework_of(values["competence"]) if comp else None
    if comp is None or fw is None:
        errors["competence"] = _("Choose a competence from the list.")
    level = 1
    if fw is not None and fw.max_level > 1:
        if not values["level"].isdigit() or not 1 <= int(values["level"]) <= fw.max_level:
            errors["level"] = _("Choose a level between 1 and %(top)s.", top=fw.max_level)
        else:
            level = int(values["level"])
    if values["outcome"] not in ("validated", "not_yet"):
        errors["outcome"] = _("Say whether the learner showed the skill.")
    if len(values["comment"]) > 2000:
        errors["comment"] = _("Keep the comment under 2000 characters.")
    if errors:
        return render_detail(ctx, course, learner, errors, values, status=400)
    assert comp is not None
    add_observation(
        ctx.db,
        ctx.org.id,
        learner.id,
        comp.key,
        level,
        values["outcome"] == "validated",
        values["comment"],
        ctx.user.id,
        course.id,
    )
    ctx.audit(
        "certification.observe",
        f"user:{learner.id}",
        {"competence": comp.key, "outcome": values["outcome"]},
    )
    return ctx.redirect(
        ctx.url("certification.learner", course_id=course.id, user_id=learner.id) + "#evidence"
    )
