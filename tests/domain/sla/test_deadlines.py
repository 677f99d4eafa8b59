"""When a clock is due and when it warns, as the team sees it in Slack."""

from datetime import time

import pytest

from bot.domain.sla.deadlines import compute_deadline, deadline_for, pause_seconds
from bot.domain.sla.policy import Metric, Policy, Target, TargetWarning
from bot.domain.sla.schedule import Schedule
from tests.domain.sla.helpers import PARIS, local, utc, wall

HOUR = 3600
OFFICE = Schedule(PARIS, {wd: [(time(9), time(17))] for wd in range(5)}, name="office")


def warns(deadline, tz=PARIS):
    return [(level, wall(tz, at)) for level, at in deadline.warn_at]


def test_calendar_target_across_spring_forward_is_24_real_hours():
    saturday_noon = local(PARIS, 2026, 3, 28, 12)
    deadline = compute_deadline(Target(24 * HOUR), OFFICE, saturday_noon)
    assert deadline.due == saturday_noon + 24 * HOUR
    assert wall(PARIS, deadline.due) == "Sun 2026-03-29 13:00 CEST"  # not 12:00: a real day passed


def test_calendar_target_ignores_the_schedule_and_adds_paused_time():
    start = utc(2026, 11, 7, 10)
    assert compute_deadline(Target(HOUR), OFFICE, start, paused_seconds=600).due == start + HOUR + 600


def test_business_target_walks_the_schedule():
    deadline = compute_deadline(Target(HOUR, business=True), OFFICE, local(PARIS, 2026, 11, 6, 16, 30))
    assert wall(PARIS, deadline.due) == "Mon 2026-11-09 09:30 CET"
    assert deadline.fallback_warning is None


def test_business_warnings_are_measured_in_business_time_and_may_land_the_evening_before():
    target = Target(
        4 * HOUR,
        business=True,
        warnings=(
            TargetWarning.at_fraction(0.5),
            TargetWarning.at_fraction(0.8),
            TargetWarning.before_due(300),
        ),
    )
    deadline = compute_deadline(target, OFFICE, local(PARIS, 2026, 11, 5, 13, 30))
    assert wall(PARIS, deadline.due) == "Fri 2026-11-06 09:30 CET"
    assert warns(deadline) == [
        (1, "Thu 2026-11-05 15:30 CET"),
        (2, "Thu 2026-11-05 16:42 CET"),
        (3, "Fri 2026-11-06 09:25 CET"),
    ]


def test_five_minutes_before_a_monday_morning_due_is_friday_evening():
    target = Target(HOUR, business=True, warnings=(TargetWarning.before_due(300),))
    deadline = compute_deadline(target, OFFICE, local(PARIS, 2026, 11, 6, 16, 2))
    assert wall(PARIS, deadline.due) == "Mon 2026-11-09 09:02 CET"
    assert warns(deadline) == [(1, "Fri 2026-11-06 16:57 CET")]


def test_warnings_are_numbered_in_time_order_whatever_the_config_order():
    target = Target(HOUR, warnings=(TargetWarning.before_due(300), TargetWarning.at_fraction(0.5)))
    start = utc(2026, 11, 6, 10)
    assert compute_deadline(target, OFFICE, start).warn_at == ((1, start + 1800), (2, start + 3300))


def test_warnings_at_or_after_due_are_dropped_and_duplicates_merged():
    target = Target(
        HOUR,
        warnings=(
            TargetWarning.at_fraction(1.0),
            TargetWarning.before_due(0),
            TargetWarning.at_fraction(0.5),
            TargetWarning.before_due(1800),
        ),
    )
    start = utc(2026, 11, 6, 10)
    assert compute_deadline(target, OFFICE, start).warn_at == ((1, start + 1800),)


def test_escalation_is_calendar_time_after_the_breach():
    target = Target(HOUR, business=True, escalate_after=600)
    deadline = compute_deadline(target, OFFICE, local(PARIS, 2026, 11, 6, 16, 30))
    assert deadline.escalate_at == local(PARIS, 2026, 11, 9, 9, 40)
    assert compute_deadline(Target(HOUR), OFFICE, 0).escalate_at is None


def test_business_target_on_a_schedule_with_no_open_time_falls_back_with_a_warning():
    closed = Schedule(PARIS, {}, name="closed")
    target = Target(HOUR, business=True, warnings=(TargetWarning.at_fraction(0.5),))
    start = utc(2026, 11, 6, 10)
    deadline = compute_deadline(target, closed, start)
    assert deadline.due == start + HOUR
    assert deadline.warn_at == ((1, start + 1800),)
    assert "closed" in deadline.fallback_warning


def test_a_pause_over_the_weekend_adds_no_business_time():
    target = Target(8 * HOUR, business=True)
    paused = pause_seconds(target, OFFICE, local(PARIS, 2026, 11, 6, 16), local(PARIS, 2026, 11, 9, 10))
    assert paused == 2 * HOUR  # Friday 16-17 and Monday 9-10
    deadline = compute_deadline(target, OFFICE, local(PARIS, 2026, 11, 6, 9), paused_seconds=paused)
    assert wall(PARIS, deadline.due) == "Mon 2026-11-09 11:00 CET"
    assert pause_seconds(Target(HOUR), OFFICE, 100, 400) == 300


def test_recompute_after_a_policy_change_starts_from_the_original_start():
    start = local(PARIS, 2026, 11, 6, 16, 30)
    slow = Policy(
        "standard", targets={Metric.FIRST_RESPONSE: Target(4 * HOUR, business=True)}, schedule_name="office"
    )
    urgent = Policy(
        "urgent", targets={Metric.FIRST_RESPONSE: Target(HOUR, business=True)}, schedule_name="office"
    )
    schedules = {"office": OFFICE}
    before = deadline_for(slow, Metric.FIRST_RESPONSE, schedules, start)
    after = deadline_for(urgent, Metric.FIRST_RESPONSE, schedules, start)
    assert wall(PARIS, before.due) == "Mon 2026-11-09 12:30 CET"
    assert wall(PARIS, after.due) == "Mon 2026-11-09 09:30 CET"
    assert deadline_for(urgent, Metric.RESOLUTION, schedules, start) is None
    with pytest.raises(KeyError, match="office"):
        deadline_for(urgent, Metric.FIRST_RESPONSE, {}, start)
