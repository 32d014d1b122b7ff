"""Self check-in rules: the rotating QR token, the short code, the window, the network.

The QR token is an HMAC of the session id and the current time step (``qr_step_seconds``), so
nothing is stored and a screenshot stops working after a step; the current and the previous step
are accepted so a learner who scans just before the change is not refused.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from datetime import datetime, timedelta
from typing import Any

from plugins.attendance.models import AttendanceSession
from plugins.attendance.settings import parse_networks

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud or off a board
CODE_LENGTH = 6


class CheckinRefusedError(Exception):
    """Why a check-in is refused (``reason`` is a stable key, ``message`` a translated text)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def time_step(at: datetime, step_seconds: int) -> int:
    return int(at.timestamp()) // max(step_seconds, 1)


def qr_token(secret: str, session_id: int, step: int) -> str:
    message = f"attendance-checkin:{session_id}:{step}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:20]


def current_token(secret: str, session_id: int, at: datetime, step_seconds: int) -> str:
    return qr_token(secret, session_id, time_step(at, step_seconds))


def token_state(secret: str, session_id: int, token: str, at: datetime, step_seconds: int) -> str:
    """ "valid" (current or previous step), "expired" (one of the last hour's), or "forged"."""
    step = time_step(at, step_seconds)
    for back in (0, 1):
        if hmac.compare_digest(qr_token(secret, session_id, step - back), token):
            return "valid"
    hour = max(3600 // max(step_seconds, 1), 2)
    for back in range(2, hour + 1):
        if hmac.compare_digest(qr_token(secret, session_id, step - back), token):
            return "expired"
    return "forged"


def window(session: AttendanceSession, settings: dict[str, Any]) -> tuple[datetime, datetime]:
    """When check-in is open: from ``open_before_minutes`` before the start to the end."""
    opens = session.starts_at - timedelta(minutes=int(settings["open_before_minutes"]))
    closes = session.starts_at + timedelta(minutes=session.duration_minutes)
    return opens, closes


def is_late(session: AttendanceSession, at: datetime, settings: dict[str, Any]) -> bool:
    return at > session.starts_at + timedelta(minutes=int(settings["late_after_minutes"]))


def address_allowed(address: str, settings: dict[str, Any]) -> bool:
    networks = parse_networks(str(settings.get("allowed_networks") or ""))
    if not networks:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def verify(
    db: Any,
    session: AttendanceSession,
    user_id: int,
    at: datetime,
    settings: dict[str, Any],
    address: str,
) -> None:
    """Every rule but the code itself; raises ``CheckinRefusedError`` with a plain reason."""
    from core.i18n import gettext as _
    from plugins.attendance.marking import records_of
    from plugins.attendance.roster import is_on_roster

    if not settings.get("checkin_enabled", True):
        raise CheckinRefusedError(
            "disabled", _("Self check-in is switched off here. Ask your trainer.")
        )
    if not address_allowed(address, settings):
        raise CheckinRefusedError(
            "network",
            _("Check-in works only on the training room's network. Ask your trainer."),
        )
    if not is_on_roster(db, session, user_id):
        raise CheckinRefusedError(
            "not_yours",
            _("This session is for another course or group: you are not on its list."),
        )
    opens, closes = window(session, settings)
    if at < opens:
        raise CheckinRefusedError(
            "not_open", _("This session has not started yet: check-in is not open.")
        )
    if at > closes:
        raise CheckinRefusedError("closed", _("This session is over: check-in is closed."))
    if user_id in records_of(db, session):
        raise CheckinRefusedError(
            "twice", _("Your attendance for this session is already recorded.")
        )
