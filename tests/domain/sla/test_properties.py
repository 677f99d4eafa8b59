"""Laws every business-time deadline obeys, on schedules chosen to be awkward: split shifts,
night shifts across DST nights, holidays, a public-holiday calendar."""

from datetime import date, time

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.sla.schedule import Holiday, Schedule, add_business_seconds, business_seconds_between, is_open
from tests.domain.sla.helpers import NEW_YORK, PARIS, utc

SCHEDULES = [
    Schedule(
        PARIS, {wd: [(time(9), time(12)), (time(14), time(18))] for wd in range(5)}, holidays_country="FR"
    ),
    Schedule(NEW_YORK, {wd: [(time(23), time(3))] for wd in range(7)}),
    Schedule(PARIS, {5: [(time(22), time(2, 30))], 6: [(time(1, 30), time(4))], 2: [(time(9), time(17))]}),
    Schedule(
        NEW_YORK,
        {wd: [(time(0), time(0))] for wd in range(7)},
        [Holiday(date(2026, 11, 26)), Holiday(date(2026, 3, 8), start=time(1), end=time(4))],
    ),
]

schedules = st.sampled_from(SCHEDULES)
# 2026, which holds both DST changes of both zones.
starts = st.integers(min_value=utc(2026, 1, 1), max_value=utc(2026, 12, 31))
amounts = st.integers(min_value=1, max_value=60 * 3600)
FAST = settings(max_examples=200, deadline=None, database=None)


@FAST
@given(schedules, starts, amounts)
def test_a_business_deadline_lands_in_open_time_or_on_its_close(schedule, start, seconds):
    due = add_business_seconds(schedule, start, seconds)
    # Inside or at the closing boundary of an open interval: the second just before is open.
    assert is_open(schedule, due - 1)
    assert due > start


@FAST
@given(schedules, starts, amounts, amounts)
def test_a_longer_target_is_never_due_earlier(schedule, start, a, b):
    shorter, longer = sorted((a, b))
    assert add_business_seconds(schedule, start, shorter) <= add_business_seconds(schedule, start, longer)


@FAST
@given(schedules, starts, amounts)
def test_business_time_between_start_and_deadline_is_the_target(schedule, start, seconds):
    assert (
        business_seconds_between(schedule, start, add_business_seconds(schedule, start, seconds)) == seconds
    )
