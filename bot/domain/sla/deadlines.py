"""When a clock is due, and when it warns: pure functions of a target, a schedule and a start.

Calendar targets are UTC arithmetic (`start + target + paused`); a 24 h target across the
spring-forward night is 24 real hours. Business targets walk the schedule, and so do their
warnings: 80 % of 4 business hours started at 14:00 lands at 09:12 the next morning, and 50 % may
land at 17:00 the evening before. A policy, priority or schedule change is a recompute from the
ORIGINAL start with `deadline_for`; whether an already-breached clock stays breached is the
caller's decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.sla.policy import Metric, Policy, Target
from bot.domain.sla.schedule import Schedule, advance_business_time, business_seconds_between


@dataclass(frozen=True)
class Deadline:
    due: int
    warn_at: tuple[tuple[int, int], ...] = ()  # (level, epoch), levels 1..n in time order
    fallback_warning: str | None = None  # business target on a schedule with no open time
    escalate_at: int | None = None  # due + escalate_after (calendar), when the target escalates


def compute_deadline(target: Target, schedule: Schedule, start: int, paused_seconds: int = 0) -> Deadline:
    """Due and warning instants for a clock started at `start`.

    `paused_seconds` is in the target's own time (business seconds for a business target):
    measure a pause with `pause_seconds`. Warnings at or after due are dropped, and two
    warnings falling on the same instant become one."""
    if paused_seconds < 0:
        raise ValueError("paused_seconds cannot be negative")
    fallback: str | None = None

    def at(elapsed: int) -> int:
        nonlocal fallback
        if not target.business:
            return start + paused_seconds + elapsed
        walked = advance_business_time(schedule, start, paused_seconds + elapsed)
        fallback = fallback or walked.fallback_warning
        return walked.at

    due = at(target.seconds)
    instants = sorted({at(w.elapsed(target.seconds)) for w in target.warnings})
    warn_at = tuple((level, instant) for level, instant in enumerate((i for i in instants if i < due), 1))
    escalate_at = due + target.escalate_after if target.escalate_after is not None else None
    return Deadline(due, warn_at, fallback, escalate_at)


def deadline_for(
    policy: Policy,
    metric: Metric,
    schedules: Mapping[str, Schedule],
    start: int,
    paused_seconds: int = 0,
) -> Deadline | None:
    """The deadline `policy` gives `metric` for a clock started at `start`; None when the policy
    sets no target for that metric. Use it to apply and to recompute (same original start)."""
    target = policy.target(metric)
    if target is None:
        return None
    if policy.schedule_name in schedules:
        schedule = schedules[policy.schedule_name]
    elif policy.schedule_name == "always":
        schedule = Schedule.always()
    else:
        raise KeyError(f"policy {policy.name!r} uses unknown schedule {policy.schedule_name!r}")
    return compute_deadline(target, schedule, start, paused_seconds)


def pause_seconds(target: Target, schedule: Schedule, paused_since: int, resumed_at: int) -> int:
    """How much a pause from `paused_since` to `resumed_at` extends the target, in its own time:
    only open time counts for a business target (a weekend pause adds nothing)."""
    if resumed_at <= paused_since:
        return 0
    if target.business and schedule.has_weekly_hours:
        return business_seconds_between(schedule, paused_since, resumed_at)
    return resumed_at - paused_since
