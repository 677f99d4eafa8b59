"""SLA domain: schedules (business hours), policies, deadlines. Pure: no storage, no Slack."""

from bot.domain.sla.config import (
    SlaConfig,
    SlaConfigError,
    format_duration,
    parse_duration,
    parse_sla_config,
)
from bot.domain.sla.deadlines import Deadline, compute_deadline, deadline_for, pause_seconds
from bot.domain.sla.describe import describe_policies
from bot.domain.sla.policy import Match, Metric, Policy, Subject, Target, TargetWarning, match_policy
from bot.domain.sla.schedule import (
    Advanced,
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

__all__ = [
    "Advanced",
    "Deadline",
    "Holiday",
    "Match",
    "Metric",
    "Policy",
    "Schedule",
    "ScheduleWarning",
    "SlaConfig",
    "SlaConfigError",
    "Subject",
    "Target",
    "TargetWarning",
    "add_business_seconds",
    "advance_business_time",
    "business_seconds_between",
    "compute_deadline",
    "deadline_for",
    "describe_policies",
    "format_duration",
    "is_open",
    "match_policy",
    "next_open",
    "open_intervals",
    "parse_duration",
    "parse_sla_config",
    "pause_seconds",
]
