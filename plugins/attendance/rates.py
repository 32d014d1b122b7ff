"""Attendance rates: pure computations over a learner's sessions, no database.

Two rates, always shown side by side and labelled:

- **rate so far** = points earned / maximum points of the sessions already taken (the roll call
  was made). A learner not marked in a taken session earns 0 points there.
- **rate over the planned sessions** = points earned / maximum points of every planned session
  (taken or not). Sessions still to come count as not attended yet, so it rises as the course
  goes on and equals the rate so far once every session is taken.

Points follow mod_attendance: each status is worth points (Présent 2, En retard 1, Excusé 1,
Absent 0); a session's maximum is the highest active status's points when it was marked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SessionOutcome:
    """One planned session for one learner. ``points`` is None when the learner was not marked."""

    taken: bool
    max_points: float
    points: float | None = None
    absent: bool = False


@dataclass(frozen=True)
class RateSummary:
    planned: int
    taken: int
    points: float
    max_points_taken: float
    max_points_planned: float

    @property
    def rate_so_far(self) -> float | None:
        """Share of the points reachable in the sessions taken so far (None before any)."""
        if self.max_points_taken <= 0:
            return None
        return self.points / self.max_points_taken

    @property
    def rate_planned(self) -> float | None:
        """Share of the points of every planned session (None when nothing is planned)."""
        if self.max_points_planned <= 0:
            return None
        return self.points / self.max_points_planned


def summarise(outcomes: Iterable[SessionOutcome]) -> RateSummary:
    planned = taken = 0
    points = max_taken = max_planned = 0.0
    for outcome in outcomes:
        planned += 1
        max_planned += outcome.max_points
        if outcome.taken:
            taken += 1
            max_taken += outcome.max_points
            points += outcome.points or 0.0
    return RateSummary(planned, taken, points, max_taken, max_planned)


def trailing_absences(outcomes: Iterable[SessionOutcome]) -> int:
    """How many of the last taken sessions in a row were absences (outcomes in date order).

    An absence is a status worth 0 points, or no mark at all in a taken session.
    """
    count = 0
    for outcome in outcomes:
        if not outcome.taken:
            continue
        if outcome.absent or outcome.points is None or outcome.points <= 0:
            count += 1
        else:
            count = 0
    return count
