"""Absence warnings: thresholds per organisation, raised once per crossing.

A warning is open while the condition holds. It is raised when a learner crosses the threshold
(no open warning of that kind), cleared when the learner is back above it; only a new crossing
after a clear raises a new one. So evaluating at every roll call and in cron never repeats it.
Trainers see open warnings on their dashboard. Email is not sent: the platform has no outgoing
mail server setting yet (see README.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now
from core.models import Organisation
from plugins.attendance.models import AbsenceWarning
from plugins.attendance.rates import RateSummary, trailing_absences
from plugins.attendance.reports import learner_reports
from plugins.attendance.settings import org_settings
from plugins.attendance.statuses import ensure_statuses


def crossed(summary: RateSummary, in_a_row: int, settings: dict[str, Any]) -> dict[str, str]:
    """Which thresholds are crossed now: {kind: detail}. Pure."""
    found: dict[str, str] = {}
    limit = int(settings.get("warn_consecutive") or 0)
    if limit > 0 and in_a_row >= limit:
        found["consecutive"] = str(in_a_row)
    percent = int(settings.get("warn_rate_percent") or 0)
    after = int(settings.get("warn_rate_after") or 1)
    rate = summary.rate_so_far
    if percent > 0 and rate is not None and summary.taken >= after and rate * 100 < percent:
        found["rate"] = f"{rate * 100:.0f}"
    return found


def evaluate(
    db: Session,
    organisation: Organisation,
    course_id: int,
    user_ids: Iterable[int] | None = None,
) -> list[AbsenceWarning]:
    """Raise and clear the course's warnings (for some learners or all); returns those raised."""
    settings = org_settings(db, organisation.id)
    statuses = ensure_statuses(db, organisation)
    wanted = list(user_ids) if user_ids is not None else None
    reports = learner_reports(
        db, organisation.id, course_id, statuses, user_ids=wanted, include_former=False
    )
    open_rows = {
        (w.user_id, w.kind): w
        for w in db.scalars(
            select(AbsenceWarning).where(
                AbsenceWarning.organisation_id == organisation.id,
                AbsenceWarning.course_id == course_id,
                AbsenceWarning.cleared_at.is_(None),
            )
        )
    }
    raised: list[AbsenceWarning] = []
    at = now()
    for report in reports:
        in_a_row = trailing_absences(line.outcome for line in report.lines)
        current = crossed(report.summary, in_a_row, settings)
        for kind in ("consecutive", "rate"):
            existing = open_rows.get((report.user.id, kind))
            if kind in current and existing is None:
                warning = AbsenceWarning(
                    organisation_id=organisation.id,
                    course_id=course_id,
                    user_id=report.user.id,
                    kind=kind,
                    detail=current[kind],
                    raised_at=at,
                )
                db.add(warning)
                raised.append(warning)
            elif kind not in current and existing is not None:
                existing.cleared_at = at
    db.flush()
    return raised
