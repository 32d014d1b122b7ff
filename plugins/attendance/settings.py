"""The plugin's per-organisation settings (declared for core's settings form) and a reader that
works outside a request (cron, roll-call side effects)."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.contracts import SettingSpec
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.models import PluginState

NAME = "attendance"


def parse_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Networks written one per line or separated by commas/spaces (CIDR, or a single address)."""
    parts = [p for p in text.replace(",", " ").split() if p]
    return [ipaddress.ip_network(p, strict=False) for p in parts]


def validate_networks(value: Any) -> str | None:
    try:
        parse_networks(str(value or ""))
    except ValueError as exc:
        return _(
            "Not a network address: %(error)s. Write one per line, like 192.168.1.0/24.",
            error=str(exc),
        )
    return None


def specs() -> list[SettingSpec]:
    return [
        SettingSpec("checkin_enabled", _l("Learners may check themselves in"), True, kind="bool"),
        SettingSpec(
            "qr_step_seconds",
            _l("The check-in QR code changes every (seconds)"),
            60,
            kind="int",
            minimum=10,
            maximum=600,
        ),
        SettingSpec(
            "open_before_minutes",
            _l("Check-in opens this many minutes before the start"),
            15,
            kind="int",
            minimum=0,
            maximum=240,
        ),
        SettingSpec(
            "late_after_minutes",
            _l("A check-in this many minutes after the start is marked late"),
            10,
            kind="int",
            minimum=0,
            maximum=240,
        ),
        SettingSpec(
            "allowed_networks",
            _l("Check-in only from these networks (one per line, e.g. 192.168.1.0/24; empty: any)"),
            "",
            kind="textarea",
            validate=validate_networks,
        ),
        SettingSpec(
            "warn_consecutive",
            _l("Warn trainers after this many absences in a row (0: never)"),
            3,
            kind="int",
            minimum=0,
            maximum=50,
        ),
        SettingSpec(
            "warn_rate_percent",
            _l("Warn trainers when the attendance rate falls below (%, 0: never)"),
            70,
            kind="int",
            minimum=0,
            maximum=100,
        ),
        SettingSpec(
            "warn_rate_after",
            _l("…once at least this many sessions were taken"),
            4,
            kind="int",
            minimum=1,
            maximum=200,
        ),
    ]


def org_settings(db: Session, organisation_id: int) -> dict[str, Any]:
    """Declared defaults overlaid with the organisation's stored values."""
    values = {spec.name: spec.default for spec in specs()}
    stored = db.scalar(
        select(PluginState.settings_json).where(
            PluginState.organisation_id == organisation_id, PluginState.plugin == NAME
        )
    )
    if stored:
        values.update({k: v for k, v in json.loads(stored).items() if k in values})
    return values
