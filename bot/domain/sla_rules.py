"""Which deadline applies to a conversation. The default policy (no [sla] section): first and
next response within one hour of calendar time, warned at 80%."""

from __future__ import annotations

import re

from bot.config import ConfigError, VeilleConfig
from bot.domain.clocks import FIRST, NEXT, Deadline
from storage.models import Conversation

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_duration(text: str, key: str) -> int:
    m = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if not m or not any(m.groups()):
        raise ConfigError(f"{key}: {text!r} is not a duration like 15m, 1h30m, 2d")
    d, h, mi, s = (int(g or 0) for g in m.groups())
    return d * 86400 + h * 3600 + mi * 60 + s


class CalendarRules:
    def __init__(self, first_response: int = 3600, next_response: int = 3600, warn_fraction: float = 0.8):
        self.targets = {FIRST: first_response, NEXT: next_response}
        self.warn_fraction = warn_fraction

    @classmethod
    def from_config(cls, cfg: VeilleConfig) -> CalendarRules:
        sla = cfg.sla or {}
        return cls(
            first_response=parse_duration(sla.get("first_response", "1h"), "sla.first_response"),
            next_response=parse_duration(sla.get("next_response", "1h"), "sla.next_response"),
        )

    def deadline(self, metric: str, conv: Conversation, start: int, paused: int = 0) -> Deadline | None:
        target = self.targets.get(metric)
        if target is None:
            return None
        due = start + target + paused
        warn = int(start + target * self.warn_fraction + paused)
        return Deadline(due=due, warn_at=[(1, warn)] if warn < due else [], policy="default")


def build_rules(cfg: VeilleConfig):
    return CalendarRules.from_config(cfg)
