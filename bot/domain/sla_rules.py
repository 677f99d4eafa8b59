"""Which deadline applies to a conversation: the policy engine of `bot/domain/sla` fed from
veille.toml, plus what escalation needs (on-call rotation, PagerDuty, the level-2 mention).

The `[sla]` table takes either the short form (one default policy, calendar time, warned at 80%):

    [sla]
    first_response = "1h"
    next_response = "2h"
    resolution = "1d"           # optional

or full policies and schedules (see bot/domain/sla/config.py), or both: the short keys then make
a last, catch-all policy named "default". `[sla.escalation] usergroup = "S0123"` makes level 2
of the ladder mention that group instead of @here."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.config import ConfigError, VeilleConfig
from bot.domain.clocks import Deadline
from bot.domain.oncall import OnCallConfigError, Rotation, parse_oncall_config
from bot.domain.reasons import as_text
from bot.domain.sla import (
    Metric,
    Policy,
    SlaConfig,
    SlaConfigError,
    Subject,
    deadline_for,
    match_policy,
    parse_sla_config,
)
from bot.domain.sla import pause_seconds as _pause_seconds
from bot.domain.sla.config import parse_duration as _parse_duration
from bot.domain.sla.config import reject_unknown
from bot.pagerduty import PagerDutyConfig, parse_pagerduty_config
from storage.models import Conversation

log = logging.getLogger("veille.sla")

SHORT_KEYS = ("first_response", "next_response", "resolution")
DEFAULT_TARGETS = {"first_response": "1h", "next_response": "1h"}
DEFAULT_WARN = ["80%"]


def parse_duration(text: str, key: str) -> int:
    """Kept for callers of the old module: "1h30m" -> 5400, ConfigError naming `key` if wrong."""
    try:
        return _parse_duration(text, key)
    except SlaConfigError as e:
        raise ConfigError(str(e)) from None


@dataclass(frozen=True)
class Escalation:
    usergroup: str | None = None  # level 2: mention this Slack user group (else @here)


@dataclass
class PolicyRules:
    config: SlaConfig
    escalation: Escalation = field(default_factory=Escalation)
    oncall: Rotation | None = None
    pagerduty: PagerDutyConfig | None = None
    notices: list[str] = field(default_factory=list)  # told to admins: log and /veille sla

    def __post_init__(self) -> None:
        self._by_name = {p.name: p for p in self.config.policies}
        self._warned: set[str] = set()

    # -- matching ----------------------------------------------------------------------------

    def subject(self, conv: Conversation, text: str) -> Subject:
        return Subject(account=conv.account, network=conv.network, kind=conv.kind, priority=conv.priority,
                       author_id=conv.author_id or "", author_handle=conv.author_handle or "", text=text or "",
                       vip=self.config.is_vip(conv.author_id or "", conv.author_handle or ""))

    def match(self, conv: Conversation, text: str) -> Policy | None:
        policies = self.config.policies
        if conv.kind == "article":  # monitoring (RSS): a clock only where a policy names articles
            policies = [p for p in policies if "article" in p.match.kinds]
        return match_policy(policies, self.subject(conv, text))

    def policy(self, name: str) -> Policy | None:
        return self._by_name.get(name)

    # -- deadlines ---------------------------------------------------------------------------

    def apply(self, metric: str, conv: Conversation, text: str, start: int, paused: int = 0) -> Deadline | None:
        """The deadline of the first policy matching this conversation (None: no target)."""
        policy = self.match(conv, text)
        return None if policy is None else self.for_policy(policy, metric, start, paused)

    def deadline(self, metric: str, conv: Conversation, start: int, paused: int = 0) -> Deadline | None:
        return self.apply(metric, conv, "", start, paused)

    def recompute(self, policy_name: str, metric: str, start: int, paused: int = 0) -> Deadline | None:
        policy = self.policy(policy_name)
        return None if policy is None else self.for_policy(policy, metric, start, paused)

    def for_policy(self, policy: Policy, metric: str, start: int, paused: int = 0) -> Deadline | None:
        target = policy.target(Metric(metric))
        d = deadline_for(policy, Metric(metric), self.config.schedules, start, paused)
        if d is None or target is None:
            return None
        if d.fallback_warning and d.fallback_warning not in self._warned:
            self._warned.add(d.fallback_warning)
            log.warning("SLA policy %s: %s", policy.name, d.fallback_warning)
        return Deadline(due=d.due, warn_at=list(d.warn_at), policy=policy.name, version=1,
                        escalate_after=target.escalate_after, fingerprint=policy.version)

    def pause_seconds(self, policy_name: str, metric: str, since: int, until: int) -> int:
        """How much a pause extends this clock, in its target's own time."""
        policy = self.policy(policy_name)
        target = policy.target(Metric(metric)) if policy else None
        if policy is None or target is None:
            return max(0, until - since)
        return _pause_seconds(target, self.config.schedule_for(policy), since, until)

    def pauses_on_hold(self, policy_name: str) -> bool:
        policy = self.policy(policy_name)
        return bool(policy and policy.pause_on_hold)

    def fingerprints(self) -> dict[str, str]:
        return {p.name: p.version for p in self.config.policies}


def build_rules(cfg: VeilleConfig, env: Mapping[str, str] | None = None) -> PolicyRules:
    """Everything the clocks and the escalation ladder need from veille.toml. A mistake raises
    ConfigError naming the key; things that work but deserve a look are logged as notices."""
    env = os.environ if env is None else env
    config = _parse_sla(cfg.sla or {})
    try:
        oncall = parse_oncall_config({"oncall": cfg.oncall}) if cfg.oncall else None
    except OnCallConfigError as e:
        raise ConfigError(str(e)) from None
    escalation = _parse_escalation((cfg.sla or {}).get("escalation", {}))
    pagerduty = parse_pagerduty_config(cfg.pagerduty, env)
    notices = list(config.notices)
    for notice in notices:
        log.warning("SLA configuration: %s", as_text(notice))
    return PolicyRules(config, escalation, oncall, pagerduty, notices)


SLA_KEYS = (*SHORT_KEYS, "escalation", "schedules", "policies", "vip_authors")  # what [sla] accepts


def _parse_sla(sla: Mapping[str, Any]) -> SlaConfig:
    rest = {k: v for k, v in sla.items() if k not in (*SHORT_KEYS, "escalation")}
    short = {k: sla[k] for k in SHORT_KEYS if k in sla}
    policies = list(rest.get("policies", []))
    # Checked here, in the user's own words: the short keys become a policy below, whose errors
    # would otherwise name sla.policies[N].first_response.target. Every such mistake is listed.
    problems = [str(e) for e in _short_form_errors(sla, short)]
    if problems:
        raise ConfigError("\n".join(problems))
    try:
        if short or not policies:
            # The short form is one calendar-time policy, last so it catches what the others leave.
            targets = short or DEFAULT_TARGETS
            policies.append({"name": "default", **{m: {"target": t, "warn": DEFAULT_WARN} for m, t in targets.items()}})
        return parse_sla_config({"sla": {**rest, "policies": policies}})
    except SlaConfigError as e:
        raise ConfigError(str(e)) from None


def _short_form_errors(sla: Mapping[str, Any], short: Mapping[str, Any]) -> list[SlaConfigError]:
    errors = []
    for key in sla:
        try:
            reject_unknown({key: None}, "sla", SLA_KEYS)
        except SlaConfigError as e:
            errors.append(e)
    for metric, target in short.items():
        try:
            if not isinstance(target, str):
                raise SlaConfigError(f"sla.{metric}", f"must be a duration in quotes like \"1h\", not {target!r}")
            _parse_duration(target, f"sla.{metric}")
        except SlaConfigError as e:
            errors.append(e)
    return errors


def _parse_escalation(raw: Any) -> Escalation:
    if not isinstance(raw, Mapping):
        raise ConfigError("sla.escalation: must be a table")
    for key in raw:
        if key != "usergroup":
            raise ConfigError(f"sla.escalation.{key}: unknown key (expected usergroup)")
    group = raw.get("usergroup")
    if group is not None and (not isinstance(group, str) or not group.startswith("S")):
        raise ConfigError(f"sla.escalation.usergroup: {group!r} is not a Slack user group id like S0123ABCD")
    return Escalation(usergroup=group)
