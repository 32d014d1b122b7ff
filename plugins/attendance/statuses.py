"""The organisation's status set: defaults, lookup, maximum points."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import i18n
from core.models import Organisation
from plugins.attendance.models import AttendanceStatus

# (key, acronym msgid, name msgid, points, counts as present) — mod_attendance's defaults.
DEFAULTS = (
    ("present", "P", "Present", 2.0, True),
    ("late", "L", "Late", 1.0, True),
    ("excused", "E", "Excused", 1.0, False),
    ("absent", "A", "Absent", 0.0, False),
)


@contextmanager
def _language(language: str) -> Iterator[None]:
    before = i18n.current_language()
    i18n.set_language(language)
    try:
        yield
    finally:
        i18n.set_language(before)


def ensure_statuses(db: Session, organisation: Organisation) -> list[AttendanceStatus]:
    """The organisation's statuses, creating the default set (named in the organisation's
    language) the first time. Called when the plugin is switched on and, lazily, by views."""
    rows = list(
        db.scalars(
            select(AttendanceStatus)
            .where(AttendanceStatus.organisation_id == organisation.id)
            .order_by(AttendanceStatus.position, AttendanceStatus.id)
        )
    )
    if rows:
        return rows
    with _language(organisation.default_language or i18n.DEFAULT_LANGUAGE):
        for position, (key, acronym, name, points, present) in enumerate(DEFAULTS):
            row = AttendanceStatus(
                organisation_id=organisation.id,
                key=key,
                acronym=i18n.gettext(acronym),
                name=i18n.gettext(name),
                points=points,
                present=present,
                position=position,
                active=True,
            )
            db.add(row)
            rows.append(row)
    db.flush()
    return rows


def active_statuses(db: Session, organisation: Organisation) -> list[AttendanceStatus]:
    return [s for s in ensure_statuses(db, organisation) if s.active]


def max_points(statuses: list[AttendanceStatus]) -> float:
    """A session's maximum: the points of the best active status."""
    return max((s.points for s in statuses if s.active), default=0.0)


def by_key(statuses: list[AttendanceStatus], key: str) -> AttendanceStatus | None:
    """The active status with this default key; failing that, the best (present) or the
    second best (late) active status, so check-in works after admins re-shape the set."""
    active = [s for s in statuses if s.active]
    for status in active:
        if status.key == key:
            return status
    ranked = sorted(active, key=lambda s: -s.points)
    if not ranked:
        return None
    if key == "late" and len(ranked) > 1:
        return ranked[1]
    return ranked[0]
