"""A plain summary of the SLA config for `/veille sla`: dicts and sentences, no Block Kit."""

from __future__ import annotations

from datetime import time
from typing import Any

from bot.domain.sla.config import DAYS, SlaConfig, format_duration
from bot.domain.sla.policy import Match, Metric, TargetWarning
from bot.domain.sla.schedule import Schedule

_METRIC_LABELS = {
    Metric.FIRST_RESPONSE: "First response",
    Metric.NEXT_RESPONSE: "Next response",
    Metric.RESOLUTION: "Resolution",
}
_KIND_LABELS = {"mention": "mentions", "dm": "DMs", "comment": "comments", "article": "articles"}


def describe_policies(config: SlaConfig) -> list[dict[str, Any]]:
    """One plain dict per policy, in matching order, ready for a renderer."""
    return [
        {
            "name": policy.name,
            "version": policy.version,
            "applies_to": describe_match(policy.match),
            "schedule": policy.schedule_name,
            "hours": describe_schedule(config.schedule_for(policy)),
            "pause_on_hold": policy.pause_on_hold,
            "targets": [
                {
                    "metric": metric.value,
                    "label": _METRIC_LABELS[metric],
                    "target": format_duration(target.seconds),
                    "time": "business" if target.business else "calendar",
                    "warn": [_describe_warning(w) for w in target.warnings],
                    "escalate_after": (
                        format_duration(target.escalate_after) if target.escalate_after is not None else None
                    ),
                }
                for metric, target in sorted(policy.targets.items(), key=lambda kv: list(Metric).index(kv[0]))
            ],
        }
        for policy in config.policies
    ]


def describe_match(match: Match) -> str:
    kinds = " and ".join(_KIND_LABELS.get(k, k) for k in sorted(match.kinds)) or "everything"
    parts = [kinds[0].upper() + kinds[1:]]
    if match.accounts:
        parts.append("on account " + ", ".join(sorted(match.accounts)))
    if match.networks:
        parts.append("on " + ", ".join(sorted(match.networks)))
    if match.priorities:
        parts.append("with priority " + " or ".join(sorted(match.priorities)))
    if match.vip_only:
        parts.append("from VIP authors")
    if match.keywords:
        parts.append("containing " + " or ".join(f'"{k}"' for k in match.keywords))
    return " ".join(parts)


def describe_schedule(schedule: Schedule) -> str:
    if schedule.is_continuous:
        return "24x7"
    days = []
    for wd, spans in schedule.intervals.items():
        if spans:
            text = ", ".join(f"{o:%H:%M}-{'24:00' if c == time(0) else f'{c:%H:%M}'}" for o, c in spans)
            days.append(f"{DAYS[wd].capitalize()} {text}")
    summary = f"{schedule.tz}: " + ("; ".join(days) or "never open")
    extras = []
    if schedule.holidays:
        extras.append(f"{len(schedule.holidays)} holiday{'s' if len(schedule.holidays) > 1 else ''}")
    if schedule.holidays_country:
        extras.append(f"{schedule.holidays_country} public holidays")
    return summary + (" (closed on " + " and ".join(extras) + ")" if extras else "")


def _describe_warning(warning: TargetWarning) -> str:
    if warning.fraction is not None:
        return f"{warning.fraction * 100:g}%"
    return f"{format_duration(warning.before or 0)} before"
