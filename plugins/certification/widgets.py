"""Dashboard boxes: the learner's progress, and for trainers who is ready for what."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.contracts import Widget
from core.i18n import gettext as _
from core.models import Course, Enrolment
from plugins.certification.assessment import course_learners, learner_course_ids, reports_for
from plugins.certification.evidence import org_catalogue
from plugins.certification.readiness import READY, status_label
from plugins.certification.views.common import STATUS_ICONS

MAX_READY_SHOWN = 10


def for_audience(ctx: Any, audience: str) -> list[Widget]:
    if audience == "learner" and ctx.may("certification:view_own"):
        return [learner_widget(ctx)]
    if audience in ("trainer", "admin") and ctx.may("certification:assess"):
        return [trainer_widget(ctx)]
    return []


def learner_widget(ctx: Any) -> Widget:
    catalogue = org_catalogue(ctx.db, ctx.org.id)
    report = reports_for(
        ctx, [ctx.user], learner_course_ids(ctx.db, ctx.org.id, ctx.user.id), catalogue
    )[0]
    # The three certificates the learners sit; each PCIE module would make the box too long.
    shown = [v for v in report.verdicts if ":" not in v.target]
    shown += [v for v in report.verdicts if ":" in v.target and v.status != "not_yet"][:3]
    items = [
        {"title": v.title, "label": status_label(v.status), "icon": STATUS_ICONS[v.status]}
        for v in shown
    ]
    return Widget(
        title=_("My progress towards a certificate"),
        template="certification/widget_learner.html",
        context={"items": items, "url": ctx.url("certification.mine")},
        order=40,
    )


def trainer_widget(ctx: Any) -> Widget:
    stmt = select(Course.id).where(Course.organisation_id == ctx.org.id)
    if not ctx.may("core:course.manage"):
        stmt = stmt.join(Enrolment, Enrolment.course_id == Course.id).where(
            Enrolment.user_id == ctx.user.id, Enrolment.role == "trainer"
        )
    course_ids = list(ctx.db.scalars(stmt))
    learners = {}
    for course_id in course_ids:
        for user in course_learners(ctx.db, ctx.org.id, course_id):
            learners[user.id] = user
    catalogue = org_catalogue(ctx.db, ctx.org.id)
    ready = []
    for report in reports_for(ctx, list(learners.values()), course_ids, catalogue):
        targets = [v.title for v in report.verdicts if v.status == READY]
        if targets:
            ready.append({"name": report.user.display_name, "targets": ", ".join(targets)})
    return Widget(
        title=_("Who is ready for a certificate"),
        template="certification/widget_trainer.html",
        context={"ready": ready[:MAX_READY_SHOWN], "url": ctx.url("certification.index")},
        order=40,
    )
