"""The history of every action: one line per asset (and per learner concerned)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.clock import now
from plugins.equipment.models import Event


def record(
    db: Session,
    organisation_id: int,
    action: str,
    actor_id: int | None,
    *,
    asset_id: int | None = None,
    loan_id: int | None = None,
    learner_id: int | None = None,
    detail: str = "",
) -> None:
    """One line of history (per asset and, when a learner is concerned, per learner)."""
    db.add(
        Event(
            organisation_id=organisation_id,
            asset_id=asset_id,
            loan_id=loan_id,
            learner_id=learner_id,
            actor_id=actor_id,
            action=action,
            detail=detail[:2000],
            created_at=now(),
        )
    )
