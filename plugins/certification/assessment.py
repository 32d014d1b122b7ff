"""From the database to readiness: one learner's (or a whole course's) levels, verdicts and links.

Views call these and hand plain data to the templates; every query is scoped to the organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now
from core.models import Course, Enrolment, GroupMember, Section, User
from plugins.certification.catalogue import Catalogue, UnknownTagError
from plugins.certification.estimation import DEFAULT_HALF_LIFE_DAYS, Estimate
from plugins.certification.evidence import (
    estimates_from,
    evidence_of,
    org_catalogue,
    practice_from,
    section_codes,
)
from plugins.certification.models import Evidence, QuizCoverage, TagProblem
from plugins.certification.readiness import Link, Profile, Verdict, verdicts

NAME = "certification"


@dataclass(frozen=True)
class Tuning:
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS
    margin: float = 0.5

    @classmethod
    def from_settings(cls, values: dict[str, Any]) -> Tuning:
        try:
            half_life = float(values.get("half_life_days", DEFAULT_HALF_LIFE_DAYS))
            margin = float(values.get("nearly_margin", 0.5))
        except (TypeError, ValueError):
            return cls()
        return cls(max(1.0, half_life), max(0.0, margin))


@dataclass
class LearnerReport:
    user: User
    estimates: dict[str, Estimate]
    verdicts: list[Verdict]
    evidence: list[Evidence] = field(default_factory=list)

    def verdict(self, target: str) -> Verdict | None:
        return next((v for v in self.verdicts if v.target == target), None)


def tuning_for(ctx: Any) -> Tuning:
    return Tuning.from_settings(ctx.plugin_settings(NAME))


def try_url(ctx: Any, names: tuple[str, ...], **params: Any) -> str | None:
    """The first of ``names`` that is a route taking ``params`` (a plugin may be off or renamed)."""
    for name in names:
        try:
            return str(ctx.url(name, **params))
        except Exception:  # noqa: S112 - starlette raises NoMatchFound; try the next name
            continue
    return None


def links_for(ctx: Any, catalogue: Catalogue, course_ids: list[int]) -> dict[str, tuple[Link, ...]]:
    """Per competence: the quizzes (quiz on) and workshops of these courses that cover it."""
    db: Session = ctx.db
    links: dict[str, list[Link]] = {}
    if "quiz" in ctx.enabled_plugins and course_ids:
        rows = db.scalars(
            select(QuizCoverage).where(
                QuizCoverage.organisation_id == ctx.org.id, QuizCoverage.course_id.in_(course_ids)
            )
        )
        for row in rows:
            url = try_url(ctx, ("quiz.quiz", "quiz.view", "quiz.start"), quiz_id=row.quiz_id) or ""
            links.setdefault(row.competence, []).append(Link(row.quiz_title, url))
    if course_ids:
        sections = db.scalars(
            select(Section)
            .where(Section.organisation_id == ctx.org.id, Section.course_id.in_(course_ids))
            .order_by(Section.course_id, Section.position)
        )
        for section in sections:
            url = try_url(ctx, ("core.course",), course_id=section.course_id) or ""
            for code in section_codes(db, catalogue, section):
                _add_workshop_link(catalogue, links, code, Link(section.title, url))
    return {key: tuple(value) for key, value in links.items()}


def _add_workshop_link(
    catalogue: Catalogue, links: dict[str, list[Link]], code: str, link: Link
) -> None:
    # A workshop mapped to a domain ("b2i:D1") covers each competence of that domain.
    domain = catalogue.domain(code)
    keys = [c.key for c in domain.competences] if domain else [code]
    for key in keys:
        if link not in links.setdefault(key, []):
            links[key].append(link)


def course_learners(
    db: Session, organisation_id: int, course_id: int, group_id: int | None = None
) -> list[User]:
    stmt = (
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(
            Enrolment.organisation_id == organisation_id,
            Enrolment.course_id == course_id,
            Enrolment.role == "learner",
        )
    )
    if group_id is not None:
        stmt = stmt.join(GroupMember, GroupMember.user_id == User.id).where(
            GroupMember.group_id == group_id, GroupMember.organisation_id == organisation_id
        )
    return list(db.scalars(stmt.order_by(User.display_name, User.id)))


def learner_course_ids(db: Session, organisation_id: int, user_id: int) -> list[int]:
    return list(
        db.scalars(
            select(Enrolment.course_id)
            .join(Course, Course.id == Enrolment.course_id)
            .where(Enrolment.organisation_id == organisation_id, Enrolment.user_id == user_id)
        )
    )


def reports_for(
    ctx: Any,
    users: list[User],
    course_ids: list[int],
    catalogue: Catalogue | None = None,
    tuning: Tuning | None = None,
) -> list[LearnerReport]:
    """Levels and verdicts of several learners with one evidence query."""
    catalogue = catalogue or org_catalogue(ctx.db, ctx.org.id)
    tuning = tuning or tuning_for(ctx)
    links = links_for(ctx, catalogue, course_ids)
    rows_by_user = evidence_of(ctx.db, ctx.org.id, [u.id for u in users])
    moment = now()
    out = []
    for user in users:
        rows = rows_by_user.get(user.id, [])
        estimates = estimates_from(rows, catalogue, moment, tuning.half_life_days)
        profile = Profile(
            estimates=estimates,
            practice=practice_from(rows, catalogue, moment, tuning.half_life_days),
            links=links,
            margin=tuning.margin,
        )
        out.append(LearnerReport(user, estimates, verdicts(catalogue, profile), rows))
    return out


def tag_problems(db: Session, organisation_id: int) -> list[TagProblem]:
    """Reported tags that still name nothing (a framework uploaded since may know them now)."""
    catalogue = org_catalogue(db, organisation_id)
    rows = db.scalars(
        select(TagProblem)
        .where(TagProblem.organisation_id == organisation_id)
        .order_by(TagProblem.quiz_title, TagProblem.question_name)
    )
    return [row for row in rows if _still_unknown(catalogue, row.tag)]


def _still_unknown(catalogue: Catalogue, tag: str) -> bool:
    try:
        catalogue.resolve_tag(tag)
    except UnknownTagError:
        return True
    return False
