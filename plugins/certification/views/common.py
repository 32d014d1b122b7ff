"""What every certification page shares: loading a course and a learner of the organisation,
the notices about switched-off evidence sources, and turning reports into plain rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from core.context import RequestContext
from core.errors import NotFound
from core.i18n import gettext as _
from core.models import Course, Enrolment, Group, User
from plugins.certification.assessment import LearnerReport
from plugins.certification.catalogue import Catalogue
from plugins.certification.readiness import Verdict, status_label

STATUS_ICONS = {"ready": "✔", "nearly": "◐", "not_yet": "✖"}


def source_notices(ctx: RequestContext, audience: str = "trainer") -> list[str]:
    """Why some evidence may be missing: a source plugin switched off for this organisation.
    Learners are told only about quizzes (what they would expect to count); trainers about
    every source."""
    notes = []
    enabled = ctx.enabled_plugins
    if "quiz" not in enabled:
        notes.append(
            _(
                "Quizzes are switched off for this organisation, so no quiz answer counts as "
                "evidence: levels rest on observations and attendance only. An administrator can "
                "switch quizzes on again; answers given before are kept."
            )
        )
    if "attendance" not in enabled and audience == "trainer":
        notes.append(
            _(
                "Attendance is switched off for this organisation, so taking part in a workshop "
                "does not count as evidence."
            )
        )
    return notes


def load_course(
    ctx: RequestContext, course_id: Any, capability: str = "certification:assess"
) -> Course:
    return ctx.course(course_id, capability)


def load_learner(ctx: RequestContext, course: Course, user_id: Any) -> User:
    """A learner enrolled in this course of this organisation, or 404 (never another org's)."""
    try:
        uid = int(user_id)
    except (TypeError, ValueError):
        raise NotFound(_("This page does not exist.")) from None
    user = ctx.db.scalar(
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(
            User.id == uid,
            Enrolment.course_id == course.id,
            Enrolment.organisation_id == ctx.org.id,
        )
    )
    if user is None:
        raise NotFound(_("This learner is not in this course."))
    return user


def course_groups(ctx: RequestContext, course_id: int) -> list[Group]:
    return list(
        ctx.db.scalars(
            select(Group)
            .where(Group.course_id == course_id, Group.organisation_id == ctx.org.id)
            .order_by(Group.name)
        )
    )


@dataclass(frozen=True)
class Cell:
    status: str
    label: str
    icon: str


def cell(status: str) -> Cell:
    return Cell(status, status_label(status), STATUS_ICONS.get(status, ""))


def target_columns(verdicts: list[Verdict], catalogue: Catalogue) -> list[tuple[str, str]]:
    """(target key, short heading) of every target."""
    out = []
    for v in verdicts:
        fw = catalogue.framework_of(v.target)
        short = v.target.split(":", 1)[1] if ":" in v.target else (fw.title if fw else v.target)
        if ":" in v.target and fw is not None:
            short = f"{fw.title.split(' ')[0]} {short}"
        out.append((v.target, short))
    return out


def competence_rows(
    report: LearnerReport, catalogue: Catalogue, framework_id: str
) -> list[dict[str, Any]]:
    """One row per competence of a framework: level, confidence, evidence count."""
    fw = catalogue.frameworks.get(framework_id)
    if fw is None:
        return []
    confidence = {
        "none": _("no evidence"),
        "low": _("low"),
        "medium": _("medium"),
        "high": _("high"),
    }
    rows = []
    for comp in fw.competences:
        est = report.estimates.get(comp.key)
        rows.append(
            {
                "key": comp.key,
                "code": comp.code,
                "title": comp.title,
                "level": est.level if est else 0,
                "max_level": fw.max_level,
                "theta": round(est.theta, 2) if est else 0.0,
                "confidence": confidence[est.confidence if est else "none"],
                "items": est.items if est else 0,
            }
        )
    return rows
