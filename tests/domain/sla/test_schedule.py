"""Business hours as a team lead states them: "we answer Mon-Fri 9-17, Paris time"."""

from datetime import date, time, timedelta

import pytest

from bot.domain.sla.schedule import (
    Holiday,
    Schedule,
    ScheduleWarning,
    add_business_seconds,
    advance_business_time,
    business_seconds_between,
    is_open,
    next_open,
    open_intervals,
)
from tests.domain.sla.helpers import NEW_YORK, PARIS, local, utc, wall

HOUR = 3600


def office(tz: str, *spans: tuple[int, int], holidays=(), **extra) -> Schedule:
    """Mon-Fri with the given (open hour, close hour) spans."""
    hours = [(time(o), time(c % 24)) for o, c in spans] or [(time(9), time(17))]
    return Schedule(tz, {wd: hours for wd in range(5)}, list(holidays), **extra)


@pytest.mark.parametrize("tz", [PARIS, NEW_YORK])
def test_friday_afternoon_hour_is_due_monday_morning(tz):
    friday_1630 = local(tz, 2026, 11, 6, 16, 30)
    due = add_business_seconds(office(tz), friday_1630, HOUR)
    assert due == local(tz, 2026, 11, 9, 9, 30)


def test_friday_to_monday_across_the_fall_back_weekend_uses_each_days_own_offset():
    # Paris leaves summer time on Sunday 25 October 2026; New York on Sunday 1 November.
    assert add_business_seconds(office(PARIS), utc(2026, 10, 23, 14, 30), HOUR) == utc(2026, 10, 26, 8, 30)
    assert add_business_seconds(office(NEW_YORK), utc(2026, 10, 30, 20, 30), HOUR) == utc(2026, 11, 2, 14, 30)


def test_a_holiday_on_the_due_day_pushes_to_the_next_open_day():
    christmas = Holiday(date(2026, 12, 25), name="Noël")
    thursday_1630 = local(PARIS, 2026, 12, 24, 16, 30)
    due = add_business_seconds(office(PARIS, holidays=[christmas]), thursday_1630, HOUR)
    assert wall(PARIS, due) == "Mon 2026-12-28 09:30 CET"


def test_a_partial_holiday_closes_only_its_hours():
    christmas_eve_afternoon = Holiday(date(2026, 12, 24), start=time(14))
    schedule = office(PARIS, holidays=[christmas_eve_afternoon])
    due = add_business_seconds(schedule, local(PARIS, 2026, 12, 24, 13), 2 * HOUR)
    assert wall(PARIS, due) == "Fri 2026-12-25 10:00 CET"
    assert is_open(schedule, local(PARIS, 2026, 12, 24, 13, 59))
    assert not is_open(schedule, local(PARIS, 2026, 12, 24, 14))


def test_a_holiday_closed_between_two_times_reopens_after():
    staff_meeting = Holiday(date(2026, 12, 1), start=time(10), end=time(11), name="all hands")
    due = add_business_seconds(
        office(PARIS, holidays=[staff_meeting]), local(PARIS, 2026, 12, 1, 9, 30), HOUR
    )
    assert wall(PARIS, due) == "Tue 2026-12-01 11:30 CET"


def test_public_holidays_of_a_country_are_closed():
    # 11 November (Armistice) is a French public holiday, a Wednesday in 2026.
    schedule = office(PARIS, holidays_country="FR")
    due = add_business_seconds(schedule, local(PARIS, 2026, 11, 10, 16, 30), HOUR)
    assert wall(PARIS, due) == "Thu 2026-11-12 09:30 CET"
    assert add_business_seconds(office(PARIS), local(PARIS, 2026, 11, 10, 16, 30), HOUR) == local(
        PARIS, 2026, 11, 11, 9, 30
    )


def test_split_shift_skips_lunch():
    split = office(PARIS, (9, 12), (14, 18))
    assert add_business_seconds(split, local(PARIS, 2026, 11, 5, 11), 2 * HOUR) == local(
        PARIS, 2026, 11, 5, 15
    )
    assert not is_open(split, local(PARIS, 2026, 11, 5, 12, 30))
    assert next_open(split, local(PARIS, 2026, 11, 5, 12, 30)) == local(PARIS, 2026, 11, 5, 14)


def test_counting_starts_at_the_next_opening_when_closed():
    saturday_night = local(PARIS, 2026, 11, 7, 23)
    assert add_business_seconds(office(PARIS), saturday_night, 90 * 60) == local(PARIS, 2026, 11, 9, 10, 30)


def test_a_target_that_uses_the_whole_day_lands_on_the_closing_time():
    assert add_business_seconds(office(PARIS), local(PARIS, 2026, 11, 5, 9), 8 * HOUR) == local(
        PARIS, 2026, 11, 5, 17
    )


def test_night_shift_crossing_midnight():
    nights = Schedule(PARIS, {wd: [(time(22), time(2))] for wd in range(7)})
    start = local(PARIS, 2026, 11, 5, 23, 30)
    assert add_business_seconds(nights, start, 3 * HOUR) == local(PARIS, 2026, 11, 6, 22, 30)
    assert is_open(nights, local(PARIS, 2026, 11, 6, 1, 59))
    assert not is_open(nights, local(PARIS, 2026, 11, 6, 2))


def test_business_seconds_between_counts_only_open_time():
    schedule = office(PARIS, (9, 12), (14, 18))
    monday_8 = local(PARIS, 2026, 11, 9, 8)
    assert business_seconds_between(schedule, monday_8, local(PARIS, 2026, 11, 9, 15)) == 4 * HOUR
    assert business_seconds_between(schedule, local(PARIS, 2026, 11, 7, 8), monday_8) == 0
    assert business_seconds_between(schedule, local(PARIS, 2026, 11, 9, 15), monday_8) == -4 * HOUR


def test_open_intervals_are_merged_and_clipped():
    schedule = office(PARIS, (9, 12), (12, 18))
    got = list(open_intervals(schedule, local(PARIS, 2026, 11, 6, 10), local(PARIS, 2026, 11, 9, 11)))
    assert got == [
        (local(PARIS, 2026, 11, 6, 10), local(PARIS, 2026, 11, 6, 18)),
        (local(PARIS, 2026, 11, 9, 9), local(PARIS, 2026, 11, 9, 11)),
    ]


def test_always_is_calendar_time():
    start = utc(2026, 3, 28, 12)
    assert add_business_seconds(Schedule.always(), start, 36 * HOUR) == start + 36 * HOUR
    assert is_open(Schedule.always(), start)


def test_a_24x7_schedule_with_a_holiday_skips_the_holiday():
    schedule = Schedule(PARIS, {wd: [(time(0), time(0))] for wd in range(7)}, [Holiday(date(2026, 12, 25))])
    due = add_business_seconds(schedule, local(PARIS, 2026, 12, 24, 23), 2 * HOUR)
    assert wall(PARIS, due) == "Sat 2026-12-26 01:00 CET"


def test_a_schedule_without_open_time_falls_back_to_calendar_time_and_says_so():
    never = Schedule(PARIS, {}, name="ghost-town")
    start = utc(2026, 11, 6, 12)
    result = advance_business_time(never, start, HOUR)
    assert result.at == start + HOUR
    assert "ghost-town" in result.fallback_warning and "calendar time" in result.fallback_warning
    with pytest.warns(ScheduleWarning):
        assert add_business_seconds(never, start, HOUR) == start + HOUR
    assert next_open(never, start) is None


def test_open_days_all_on_holiday_for_a_year_fall_back_too():
    every_day_2027 = [Holiday(date(2027, 1, 1) + timedelta(days=i)) for i in range(400)]
    schedule = office(PARIS, holidays=every_day_2027)
    result = advance_business_time(schedule, local(PARIS, 2027, 1, 1, 8), HOUR)
    assert result.fallback_warning is not None
    assert result.at == local(PARIS, 2027, 1, 1, 9)
