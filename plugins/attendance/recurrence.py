"""Repeat rules for sessions: pure functions, no database.

Dates and times are chosen in the organisation's local time (Europe/Paris): a session at 9:30
stays at 9:30 local time across a daylight-saving change, so each occurrence is built from its
local date and time and only then converted to UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_OCCURRENCES = 200


class RecurrenceError(ValueError):
    """A repeat rule that cannot be used; ``field`` names the form field to blame."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class RepeatRule:
    """Repeat on ``weekdays`` (0 = Monday ... 6 = Sunday) every ``every_weeks`` weeks, from the
    first date up to ``until`` (inclusive)."""

    weekdays: frozenset[int]
    every_weeks: int
    until: date


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time as an aware UTC datetime (DST-correct for that day)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def occurrence_dates(first: date, rule: RepeatRule | None) -> list[date]:
    """The local dates of the sessions; the first date always comes first.

    Weeks are counted from the Monday of the first date's week, so "every 2 weeks on Monday and
    Thursday" keeps both days in the same active week. Raises ``RecurrenceError`` when the end
    comes before the start, the rule is empty, or it makes more than ``MAX_OCCURRENCES`` sessions.
    """
    if rule is None:
        return [first]
    if rule.every_weeks < 1:
        raise RecurrenceError("every_weeks", "every_weeks")
    if not rule.weekdays or any(d not in range(7) for d in rule.weekdays):
        raise RecurrenceError("weekdays", "weekdays")
    if rule.until < first:
        raise RecurrenceError("until", "until_before_start")
    week_zero = first - timedelta(days=first.weekday())
    days: list[date] = []
    current = first
    while current <= rule.until:
        week_index = (current - week_zero).days // 7
        if current.weekday() in rule.weekdays and week_index % rule.every_weeks == 0:
            days.append(current)
            if len(days) > MAX_OCCURRENCES:
                raise RecurrenceError("until", "too_many")
        current += timedelta(days=1)
    if not days:
        raise RecurrenceError("weekdays", "no_occurrence")
    return days


def occurrences(
    first: date, at: time, zone: ZoneInfo, rule: RepeatRule | None = None
) -> list[datetime]:
    """The UTC start times of every session the rule makes."""
    return [local_to_utc(day, at, zone) for day in occurrence_dates(first, rule)]
