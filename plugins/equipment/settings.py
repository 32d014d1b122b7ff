"""The plugin's per-organisation settings (``declic_settings``) and how code outside a request
reads them (the cron job, the demo data)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.contracts import SettingSpec
from core.i18n import lazy_gettext as _l
from core.models import PluginState
from plugins.equipment.loans import (
    DEFAULT_GRACE_DAYS,
    DEFAULT_LOAN_DAYS,
    DEFAULT_MAX_RENEWALS,
    DEFAULT_REMINDER_DAYS,
    LoanRules,
    parse_reminder_days,
)

NAME = "equipment"


def _check_reminder_days(value: object) -> str | None:
    if parse_reminder_days(str(value)) is None:
        return str(
            _l(
                "Write whole numbers of days from 1 to 365, separated by commas, for example 1, 7, 14."
            )
        )
    return None


SETTINGS = (
    SettingSpec(
        "loan_days",
        _l("Loan length (days)"),
        DEFAULT_LOAN_DAYS,
        kind="int",
        minimum=1,
        maximum=730,
        help=_l("How long a learner keeps the equipment before it is due back."),
    ),
    SettingSpec(
        "max_renewals",
        _l("Renewals allowed"),
        DEFAULT_MAX_RENEWALS,
        kind="int",
        minimum=0,
        maximum=10,
        help=_l("Each renewal adds one loan length."),
    ),
    SettingSpec(
        "grace_days",
        _l("Grace days"),
        DEFAULT_GRACE_DAYS,
        kind="int",
        minimum=0,
        maximum=60,
        help=_l("Days after the due date before the first reminder."),
    ),
    SettingSpec(
        "reminder_days",
        _l("Reminders (days late)"),
        DEFAULT_REMINDER_DAYS,
        help=_l("A reminder at each of these delays after the due date, each sent once."),
        validate=_check_reminder_days,
    ),
    SettingSpec(
        "return_instructions",
        _l("How to return the equipment"),
        "",
        kind="textarea",
        help=_l("Shown to learners next to their loans. Left empty, a standard text is shown."),
    ),
    SettingSpec(
        "learner_renewals",
        _l("Learners may renew their own loans"),
        True,
        kind="bool",
        help=_l("Within the renewals allowed, before the reminders start."),
    ),
    SettingSpec(
        "audit_days",
        _l("Audit every (days)"),
        365,
        kind="int",
        minimum=0,
        maximum=1095,
        help=_l("How often each asset in the stock should be checked in person; 0 for never."),
    ),
)


# Shown when the organisation wrote no instructions of its own (translated when displayed).
DEFAULT_RETURN_INSTRUCTIONS = _l(
    "Bring the equipment, its charger and its bag to the association's office, during opening hours."
)


def org_settings(db: Session, organisation_id: int) -> dict[str, Any]:
    """Declared defaults, then the organisation's stored values."""
    values: dict[str, Any] = {spec.name: spec.default for spec in SETTINGS}
    stored = db.scalar(
        select(PluginState.settings_json).where(
            PluginState.organisation_id == organisation_id, PluginState.plugin == NAME
        )
    )
    if stored:
        values.update({k: v for k, v in json.loads(stored).items() if k in values})
    return values


def org_rules(db: Session, organisation_id: int) -> LoanRules:
    return LoanRules.from_settings(org_settings(db, organisation_id))
