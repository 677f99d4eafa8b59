"""Schedules on the nights clocks change, asserted as exact UTC instants.

Paris: spring forward Sun 29 Mar 2026 at 01:00 UTC (02:00 CET -> 03:00 CEST); fall back Sun 25 Oct
2026 at 01:00 UTC (03:00 CEST -> 02:00 CET, so 02:00-03:00 happens twice).
New York: spring forward Sun 8 Mar 2026 at 07:00 UTC (02:00 EST -> 03:00 EDT); fall back Sun 1 Nov
2026 at 06:00 UTC (02:00 EDT -> 01:00 EST, so 01:00-02:00 happens twice).
A boundary in the gap moves to the first valid instant after it; a repeated wall time opens at
its first occurrence and closes at its second.
"""

from datetime import time

from bot.domain.sla.schedule import (
    Schedule,
    add_business_seconds,
    business_seconds_between,
    is_open,
    open_intervals,
)
from tests.domain.sla.helpers import NEW_YORK, PARIS, utc

SAT, SUN = 5, 6
HOUR = 3600


def hours(tz: str, **days: list[tuple[time, time]]) -> Schedule:
    return Schedule(
        tz, {("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(d): v for d, v in days.items()}
    )


def night(tz, first_day_utc, last_day_utc, schedule):
    return list(open_intervals(schedule, first_day_utc, last_day_utc))


# -- Paris, spring forward -------------------------------------------------------------------------


def test_paris_opening_inside_the_spring_gap_opens_at_the_jump():
    schedule = hours(PARIS, sun=[(time(2, 30), time(4))])
    assert night(PARIS, utc(2026, 3, 28), utc(2026, 3, 30), schedule) == [
        (utc(2026, 3, 29, 1), utc(2026, 3, 29, 2))
    ]


def test_paris_night_shift_closing_inside_the_spring_gap_closes_at_the_jump():
    schedule = hours(PARIS, sat=[(time(22), time(2, 30))])
    assert night(PARIS, utc(2026, 3, 28), utc(2026, 3, 30), schedule) == [
        (utc(2026, 3, 28, 21), utc(2026, 3, 29, 1))
    ]


def test_paris_shift_spanning_the_spring_gap_lasts_one_real_hour():
    schedule = hours(PARIS, sun=[(time(1), time(3))])
    assert night(PARIS, utc(2026, 3, 28), utc(2026, 3, 30), schedule) == [
        (utc(2026, 3, 29, 0), utc(2026, 3, 29, 1))
    ]
    # 01:30 CET + 30 business minutes = the jump (03:00 CEST), the closing boundary; 15 more
    # minutes wait for next Sunday 01:00 CEST (23:00 UTC on Saturday).
    assert add_business_seconds(schedule, utc(2026, 3, 29, 0, 30), 30 * 60) == utc(2026, 3, 29, 1)
    assert add_business_seconds(schedule, utc(2026, 3, 29, 0, 30), 45 * 60) == utc(2026, 4, 4, 23, 15)


# -- Paris, fall back ------------------------------------------------------------------------------


def test_paris_opening_in_the_repeated_hour_uses_its_first_occurrence():
    schedule = hours(PARIS, sun=[(time(2, 30), time(6))])
    assert night(PARIS, utc(2026, 10, 24), utc(2026, 10, 26), schedule) == [
        (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 5))
    ]


def test_paris_night_shift_closing_in_the_repeated_hour_uses_its_second_occurrence():
    schedule = hours(PARIS, sat=[(time(22), time(2, 30))])
    assert night(PARIS, utc(2026, 10, 24), utc(2026, 10, 26), schedule) == [
        (utc(2026, 10, 24, 20), utc(2026, 10, 25, 1, 30))
    ]
    assert business_seconds_between(schedule, utc(2026, 10, 24), utc(2026, 10, 26)) == 5 * HOUR + 30 * 60


def test_paris_shift_covering_the_repeated_hour_counts_it_twice():
    schedule = hours(PARIS, sun=[(time(2), time(3))])
    assert business_seconds_between(schedule, utc(2026, 10, 24), utc(2026, 10, 26)) == 2 * HOUR
    assert is_open(schedule, utc(2026, 10, 25, 1, 30))  # 02:30 CET, the second time round


# -- New York, spring forward ----------------------------------------------------------------------


def test_new_york_night_shift_across_the_spring_gap():
    schedule = hours(NEW_YORK, sat=[(time(23), time(3))])
    assert night(NEW_YORK, utc(2026, 3, 7), utc(2026, 3, 9), schedule) == [
        (utc(2026, 3, 8, 4), utc(2026, 3, 8, 7))
    ]
    # Three real hours of open time, not four wall-clock hours.
    assert add_business_seconds(schedule, utc(2026, 3, 8, 4), 3 * HOUR) == utc(2026, 3, 8, 7)


def test_new_york_opening_inside_the_spring_gap_opens_at_the_jump():
    schedule = hours(NEW_YORK, sun=[(time(2, 15), time(5))])
    assert night(NEW_YORK, utc(2026, 3, 7), utc(2026, 3, 9), schedule) == [
        (utc(2026, 3, 8, 7), utc(2026, 3, 8, 9))
    ]


# -- New York, fall back ---------------------------------------------------------------------------


def test_new_york_night_shift_across_fall_back_lasts_five_real_hours():
    schedule = hours(NEW_YORK, sat=[(time(23), time(3))])
    assert night(NEW_YORK, utc(2026, 10, 31), utc(2026, 11, 2), schedule) == [
        (utc(2026, 11, 1, 3), utc(2026, 11, 1, 8))
    ]
    # Four business hours from 23:00 EDT end at 02:00 EST (07:00 UTC), not at 03:00.
    assert add_business_seconds(schedule, utc(2026, 11, 1, 3), 4 * HOUR) == utc(2026, 11, 1, 7)


def test_new_york_close_and_open_at_the_repeated_time_overlap_and_merge():
    # Closes at the second 01:30 (06:30 UTC); reopens at the first 01:30 (05:30 UTC).
    schedule = hours(NEW_YORK, sat=[(time(22), time(1, 30))], sun=[(time(1, 30), time(4))])
    assert night(NEW_YORK, utc(2026, 10, 31), utc(2026, 11, 2), schedule) == [
        (utc(2026, 11, 1, 2), utc(2026, 11, 1, 9))
    ]
    assert business_seconds_between(schedule, utc(2026, 10, 31), utc(2026, 11, 2)) == 7 * HOUR
