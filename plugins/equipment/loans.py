"""Loan rules, as Koha's circulation rules: loan length, renewals, grace, overdue notice levels.

Pure functions on plain values (no database), so every rule is tested on its own. The views and
the cron job read an organisation's :class:`LoanRules` from its settings and ask these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

DEFAULT_LOAN_DAYS = 90
DEFAULT_MAX_RENEWALS = 1
DEFAULT_GRACE_DAYS = 3
DEFAULT_REMINDER_DAYS = "1,7,14"


@dataclass(frozen=True)
class LoanRules:
    """One organisation's rules: ``loan_days`` per loan and per renewal, at most
    ``max_renewals`` renewals, ``grace_days`` of tolerance after the due date (no notice is sent
    then), and notices at ``reminder_days`` days late (each sent once)."""

    loan_days: int = DEFAULT_LOAN_DAYS
    max_renewals: int = DEFAULT_MAX_RENEWALS
    grace_days: int = DEFAULT_GRACE_DAYS
    reminder_days: tuple[int, ...] = (1, 7, 14)

    @classmethod
    def from_settings(cls, values: Mapping[str, Any]) -> LoanRules:
        levels = parse_reminder_days(str(values.get("reminder_days", DEFAULT_REMINDER_DAYS)))
        return cls(
            loan_days=int(values.get("loan_days", DEFAULT_LOAN_DAYS)),
            max_renewals=int(values.get("max_renewals", DEFAULT_MAX_RENEWALS)),
            grace_days=int(values.get("grace_days", DEFAULT_GRACE_DAYS)),
            reminder_days=levels if levels is not None else (1, 7, 14),
        )


def parse_reminder_days(text: str) -> tuple[int, ...] | None:
    """``"1, 7,14"`` → ``(1, 7, 14)``; None when it is not a list of whole days from 1 to 365."""
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    try:
        days = sorted({int(p) for p in parts})
    except ValueError:
        return None
    if not days or days[0] < 1 or days[-1] > 365:
        return None
    return tuple(days)


def due_date(checked_out_at: datetime, rules: LoanRules) -> datetime:
    """When a new loan is due back."""
    return checked_out_at + timedelta(days=rules.loan_days)


@dataclass(frozen=True)
class RenewalDecision:
    allowed: bool
    reason: str = ""  # "limit" or "not_active" when refused
    new_due_at: datetime | None = None


def renewal(
    due_at: datetime, renewals_done: int, active: bool, now: datetime, rules: LoanRules
) -> RenewalDecision:
    """May the loan be renewed, and until when? A renewal adds one loan length to the later of
    the due date and today (renewing a late loan does not leave it due in the past).

    Once the grace days are over (notices have started) the equipment must come back first, as
    Koha's "overdues block renewing": so a notice level, recorded once per loan, always belongs
    to the loan's one and only overdue period.
    """
    if not active:
        return RenewalDecision(False, "not_active")
    if renewals_done >= rules.max_renewals:
        return RenewalDecision(False, "limit")
    if overdue_state(due_at, now, rules) == "overdue":
        return RenewalDecision(False, "overdue")
    start = max(due_at, now)
    return RenewalDecision(True, new_due_at=start + timedelta(days=rules.loan_days))


def days_late(due_at: datetime, now: datetime) -> int:
    """Whole days past the due date (0 when not yet due)."""
    if now <= due_at:
        return 0
    return (now - due_at).days


def is_overdue(due_at: datetime | None, now: datetime) -> bool:
    """Past its due date (the grace period changes notices, not this)."""
    return due_at is not None and now > due_at


def overdue_state(due_at: datetime | None, now: datetime, rules: LoanRules) -> str:
    """``"ok"``, ``"grace"`` (late, within the grace days) or ``"overdue"``."""
    if not is_overdue(due_at, now):
        return "ok"
    assert due_at is not None
    return "grace" if days_late(due_at, now) <= rules.grace_days else "overdue"


def reminder_levels_due(
    due_at: datetime | None, now: datetime, rules: LoanRules, already: Iterable[int]
) -> list[int]:
    """The notice levels that have come and not been recorded yet, lowest first.

    A level is due once the loan is ``level`` days late and out of its grace period. When several
    are due at once (the cron did not run for a while), the caller sends the highest only and
    records the others as passed, so a learner never gets a pile of notices at once.
    """
    if due_at is None or overdue_state(due_at, now, rules) != "overdue":
        return []
    late = days_late(due_at, now)
    done = set(already)
    return [level for level in rules.reminder_days if level <= late and level not in done]
