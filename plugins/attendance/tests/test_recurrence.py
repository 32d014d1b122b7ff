"""Repeat rules: weekdays, every N weeks, until a date, the 200 limit, DST in Europe/Paris."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from plugins.attendance.recurrence import (
    MAX_OCCURRENCES,
    RecurrenceError,
    RepeatRule,
    occurrence_dates,
    occurrences,
)

PARIS = ZoneInfo("Europe/Paris")
MON, TUE, WED, THU, FRI = 0, 1, 2, 3, 4


def test_a_single_session_is_just_the_first_date():
    assert occurrence_dates(date(2026, 3, 2), None) == [date(2026, 3, 2)]


def test_chosen_weekdays_until_a_date_inclusive():
    # Monday 2 March 2026 → Thursday 12 March 2026, on Mondays and Thursdays.
    days = occurrence_dates(
        date(2026, 3, 2), RepeatRule(frozenset({MON, THU}), 1, date(2026, 3, 12))
    )
    assert days == [date(2026, 3, 2), date(2026, 3, 5), date(2026, 3, 9), date(2026, 3, 12)]


def test_first_date_not_on_a_chosen_day_starts_at_the_next_chosen_day():
    days = occurrence_dates(date(2026, 3, 3), RepeatRule(frozenset({FRI}), 1, date(2026, 3, 13)))
    assert days == [date(2026, 3, 6), date(2026, 3, 13)]


def test_every_two_weeks_skips_the_odd_weeks():
    days = occurrence_dates(
        date(2026, 3, 2), RepeatRule(frozenset({MON, WED}), 2, date(2026, 3, 31))
    )
    assert days == [
        date(2026, 3, 2),
        date(2026, 3, 4),
        date(2026, 3, 16),
        date(2026, 3, 18),
        date(2026, 3, 30),
    ]


def test_every_two_weeks_counts_from_the_week_of_the_first_date():
    # Starting on a Thursday: the Tuesday of that same week is before the start, so the next
    # Tuesday in an active week is two weeks later.
    days = occurrence_dates(
        date(2026, 3, 5), RepeatRule(frozenset({TUE, THU}), 2, date(2026, 3, 20))
    )
    assert days == [date(2026, 3, 5), date(2026, 3, 17), date(2026, 3, 19)]


def test_end_before_start_is_an_error_on_the_until_field():
    with pytest.raises(RecurrenceError) as caught:
        occurrence_dates(date(2026, 3, 10), RepeatRule(frozenset({MON}), 1, date(2026, 3, 9)))
    assert caught.value.field == "until"
    assert caught.value.message == "until_before_start"


def test_more_than_200_occurrences_is_refused_but_200_is_fine():
    start = date(2026, 1, 5)  # a Monday
    every_day = frozenset(range(7))
    ok = occurrence_dates(start, RepeatRule(every_day, 1, date(2026, 7, 23)))  # 200 days
    assert len(ok) == MAX_OCCURRENCES
    with pytest.raises(RecurrenceError) as caught:
        occurrence_dates(start, RepeatRule(every_day, 1, date(2026, 7, 24)))
    assert caught.value.message == "too_many"


def test_no_day_ticked_is_an_error_on_weekdays():
    with pytest.raises(RecurrenceError) as caught:
        occurrence_dates(date(2026, 3, 2), RepeatRule(frozenset(), 1, date(2026, 3, 30)))
    assert caught.value.field == "weekdays"


def test_local_time_is_kept_across_the_spring_and_autumn_clock_changes():
    # Clocks go forward on 29 March 2026 and back on 25 October 2026 in Paris.
    spring = occurrences(
        date(2026, 3, 23), time(9, 30), PARIS, RepeatRule(frozenset({MON}), 1, date(2026, 3, 30))
    )
    assert spring == [
        datetime(2026, 3, 23, 8, 30, tzinfo=UTC),  # UTC+1
        datetime(2026, 3, 30, 7, 30, tzinfo=UTC),  # UTC+2
    ]
    autumn = occurrences(
        date(2026, 10, 19), time(14, 0), PARIS, RepeatRule(frozenset({MON}), 1, date(2026, 10, 26))
    )
    assert [o.astimezone(PARIS).time() for o in autumn] == [time(14, 0), time(14, 0)]
    assert autumn[0].hour == 12 and autumn[1].hour == 13
