"""Both rate definitions, and absences in a row."""

from __future__ import annotations

import pytest

from plugins.attendance.rates import SessionOutcome, summarise, trailing_absences


def test_rate_so_far_and_rate_over_planned_sessions():
    outcomes = [
        SessionOutcome(taken=True, max_points=2, points=2),  # present
        SessionOutcome(taken=True, max_points=2, points=1),  # late
        SessionOutcome(taken=True, max_points=2, points=0, absent=True),
        SessionOutcome(taken=False, max_points=2),  # still to come
        SessionOutcome(taken=False, max_points=2),
    ]
    summary = summarise(outcomes)
    assert summary.planned == 5 and summary.taken == 3
    assert summary.points == 3
    assert summary.rate_so_far == pytest.approx(3 / 6)
    assert summary.rate_planned == pytest.approx(3 / 10)


def test_an_unmarked_learner_in_a_taken_session_earns_nothing_there():
    summary = summarise(
        [
            SessionOutcome(taken=True, max_points=2, points=2),
            SessionOutcome(taken=True, max_points=2),
        ]
    )
    assert summary.rate_so_far == pytest.approx(0.5)


def test_rates_are_none_before_anything_is_taken_or_planned():
    assert summarise([]).rate_so_far is None
    assert summarise([]).rate_planned is None
    only_planned = summarise([SessionOutcome(taken=False, max_points=2)])
    assert only_planned.rate_so_far is None
    assert only_planned.rate_planned == 0


def test_both_rates_meet_once_every_session_is_taken():
    summary = summarise([SessionOutcome(taken=True, max_points=2, points=p) for p in (2, 2, 1, 0)])
    assert summary.rate_so_far == summary.rate_planned == pytest.approx(5 / 8)


def test_max_points_snapshot_is_used_per_session():
    # A session marked when the best status was worth 3 points counts out of 3.
    summary = summarise(
        [
            SessionOutcome(taken=True, max_points=3, points=3),
            SessionOutcome(taken=True, max_points=2, points=1),
        ]
    )
    assert summary.rate_so_far == pytest.approx(4 / 5)


def test_trailing_absences_count_only_the_last_run_of_taken_sessions():
    a = SessionOutcome(taken=True, max_points=2, points=0, absent=True)
    p = SessionOutcome(taken=True, max_points=2, points=2)
    unmarked = SessionOutcome(taken=True, max_points=2)
    future = SessionOutcome(taken=False, max_points=2)
    assert trailing_absences([a, a, p, a, unmarked, future]) == 2
    assert trailing_absences([a, a, p]) == 0
    assert trailing_absences([]) == 0
