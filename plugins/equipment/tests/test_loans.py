"""The pure loan rules (plugins/equipment/loans.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from plugins.equipment.loans import (
    LoanRules,
    days_late,
    due_date,
    overdue_state,
    parse_reminder_days,
    reminder_levels_due,
    renewal,
)

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
RULES = LoanRules(loan_days=30, max_renewals=2, grace_days=3, reminder_days=(1, 7, 14))


def test_due_date_is_one_loan_length_later() -> None:
    assert due_date(T0, RULES) == T0 + timedelta(days=30)


def test_renewal_adds_a_loan_length_up_to_the_limit() -> None:
    due = T0 + timedelta(days=30)
    first = renewal(due, 0, True, T0 + timedelta(days=10), RULES)
    assert first.allowed and first.new_due_at == due + timedelta(days=30)
    assert renewal(due, 1, True, T0, RULES).allowed
    refused = renewal(due, 2, True, T0, RULES)
    assert not refused.allowed and refused.reason == "limit"
    assert renewal(due, 0, False, T0, RULES).reason == "not_active"


def test_renewing_a_late_loan_counts_from_today_until_grace_ends() -> None:
    due = T0
    in_grace = T0 + timedelta(days=2)
    assert renewal(due, 0, True, in_grace, RULES).new_due_at == in_grace + timedelta(days=30)
    refused = renewal(due, 0, True, T0 + timedelta(days=5), RULES)
    assert not refused.allowed and refused.reason == "overdue"


def test_overdue_state_respects_the_grace_days() -> None:
    due = T0
    assert overdue_state(due, T0 - timedelta(hours=1), RULES) == "ok"
    assert overdue_state(due, T0 + timedelta(days=2), RULES) == "grace"
    assert overdue_state(due, T0 + timedelta(days=3, hours=23), RULES) == "grace"
    assert overdue_state(due, T0 + timedelta(days=4), RULES) == "overdue"
    assert overdue_state(None, T0, RULES) == "ok"
    assert days_late(due, T0 - timedelta(days=1)) == 0


def test_reminder_levels_come_after_grace_and_only_once() -> None:
    due = T0
    assert reminder_levels_due(due, T0 + timedelta(days=2), RULES, []) == []  # in grace
    assert reminder_levels_due(due, T0 + timedelta(days=4), RULES, []) == [1]
    assert reminder_levels_due(due, T0 + timedelta(days=4), RULES, [1]) == []
    assert reminder_levels_due(due, T0 + timedelta(days=8), RULES, [1]) == [7]
    assert reminder_levels_due(due, T0 + timedelta(days=40), RULES, []) == [1, 7, 14]
    no_grace = LoanRules(30, 1, 0, (1,))
    assert reminder_levels_due(due, T0 + timedelta(days=1, minutes=1), no_grace, []) == [1]


def test_reminder_days_setting_is_parsed_strictly() -> None:
    assert parse_reminder_days("14, 1;7") == (1, 7, 14)
    assert parse_reminder_days("") is None
    assert parse_reminder_days("0, 7") is None
    assert parse_reminder_days("soon") is None
    assert LoanRules.from_settings({"reminder_days": "2,5", "loan_days": 10}).reminder_days == (
        2,
        5,
    )
