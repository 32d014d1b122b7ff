"""Overdue notices, run by ``declic cron`` (the ``declic_cron`` hook).

For each open loan past its due date and out of its grace days, the levels of the organisation's
``reminder_days`` that have come are recorded in ``equipment_reminder`` (unique per loan and
level, so a level is sent once even when two cron runs overlap). When several levels come at once
only the highest is sent. Notices show on the admin's and the learner's dashboards; core has no
mail service yet, so none is emailed (``emailed`` stays False).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plugins.equipment.history import record
from plugins.equipment.loans import days_late, reminder_levels_due
from plugins.equipment.models import Loan, Reminder
from plugins.equipment.settings import org_rules


def run(db: Session, now: datetime, organisation_ids: Iterable[int]) -> list[str]:
    """Record the notices that have come; returns one line per notice sent."""
    done: list[str] = []
    for organisation_id in organisation_ids:
        rules = org_rules(db, organisation_id)
        loans = db.scalars(
            select(Loan).where(
                Loan.organisation_id == organisation_id,
                Loan.state == "active",
                Loan.due_at.is_not(None),
                Loan.due_at < now,
            )
        ).all()
        for loan in loans:
            already = db.scalars(select(Reminder.level).where(Reminder.loan_id == loan.id)).all()
            levels = reminder_levels_due(loan.due_at, now, rules, already)
            if not levels:
                continue
            highest = max(levels)
            try:
                with db.begin_nested():
                    for level in levels:
                        db.add(
                            Reminder(
                                organisation_id=organisation_id,
                                loan_id=loan.id,
                                level=level,
                                sent=level == highest,
                                created_at=now,
                            )
                        )
                    db.flush()
            except IntegrityError:
                continue  # another run recorded them first
            assert loan.due_at is not None
            late = days_late(loan.due_at, now)
            for item in loan.items:
                record(
                    db,
                    organisation_id,
                    "reminder",
                    None,
                    asset_id=item.asset_id,
                    loan_id=loan.id,
                    learner_id=loan.borrower_id,
                    detail=str(highest),
                )
            done.append(f"reminder ({highest} days level) for loan {loan.id}, {late} days late")
    db.flush()
    return done
