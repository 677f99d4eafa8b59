"""PagerDuty Events API v2: page the on-call when a breach escalates, acknowledge when someone
claims it in Slack, resolve when it is answered.

    [pagerduty]
    routing_key_env = "PAGERDUTY_ROUTING_KEY"   # the env var holding the integration key (32 chars)
    # url = "https://events.pagerduty.com/v2/enqueue"
    # severity = "critical"                     # critical | error | warning | info

Events leave through the outbox (target "pagerduty", one lane per dedup_key so a trigger always
goes before its acknowledge and resolve). The routing key is read from the environment at start-up
and never stored in the database. PagerDuty's documented answers: 202 accepted; 400 invalid event
(not retried: it would fail the same way); 429 too many events and 5xx (retried with a growing
delay, Retry-After honoured when given); a network error is retried too: a resent event is
harmless because PagerDuty de-duplicates on dedup_key.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import ConfigError
from bot.domain.outbox import enqueue
from storage.models import Outbox

log = logging.getLogger("veille.pagerduty")

EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
SEVERITIES = ("critical", "error", "warning", "info")
ACTIONS = ("trigger", "acknowledge", "resolve")
MAX_ATTEMPTS = 12
MAX_SUMMARY = 1024  # PagerDuty truncates longer summaries; we cut them ourselves
MAX_DEDUP_KEY = 255


@dataclass(frozen=True)
class PagerDutyConfig:
    routing_key: str
    url: str = EVENTS_URL
    severity: str = "critical"
    source: str = "veille"
    timeout: float = 10.0


def parse_pagerduty_config(raw: Mapping[str, Any], env: Mapping[str, str]) -> PagerDutyConfig | None:
    """None when there is no `[pagerduty]` table. The routing key must be in the environment."""
    if not raw:
        return None
    known = ("routing_key_env", "url", "severity", "source", "timeout")
    for key in raw:
        if key not in known:
            raise ConfigError(f"pagerduty.{key}: unknown key (expected one of {', '.join(known)})")
    name = raw.get("routing_key_env")
    if not isinstance(name, str) or not name:
        raise ConfigError('pagerduty.routing_key_env: required, the name of an env var, e.g. "PAGERDUTY_ROUTING_KEY"')
    key = env.get(name, "")
    if not key:
        raise ConfigError(f"pagerduty.routing_key_env: the environment variable {name} is not set")
    url = raw.get("url", EVENTS_URL)
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise ConfigError(f"pagerduty.url: {url!r} is not an http(s) URL")
    severity = raw.get("severity", "critical")
    if severity not in SEVERITIES:
        raise ConfigError(f"pagerduty.severity: {severity!r} is not one of {', '.join(SEVERITIES)}")
    timeout = raw.get("timeout", 10)
    if not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError("pagerduty.timeout: must be a number of seconds")
    return PagerDutyConfig(key, url, severity, str(raw.get("source", "veille")), float(timeout))


def dedup_key(conversation_id: int, metric: str) -> str:
    """One PagerDuty alert per conversation and metric."""
    return f"veille-c{conversation_id}-{metric}"[:MAX_DEDUP_KEY]


def lane(key: str) -> str:
    return f"pagerduty:{key}"[:140]


def enqueue_event(s: Session, now: float, action: str, key: str, summary: str = "",
                  details: dict[str, Any] | None = None, cause: str = "", severity: str | None = None) -> None:
    """Queue one event. `cause` makes the idempotency key: the same cause never queues twice."""
    assert action in ACTIONS
    n = s.scalar(select(func.count(Outbox.id)).where(Outbox.lane == lane(key))) or 0
    enqueue(s, now, target="pagerduty", op=action, lane=lane(key), key=f"pd:{key}:{action}:{cause or n}",
            payload={"dedup_key": key, "summary": summary[:MAX_SUMMARY], "details": details or {},
                     "at": int(now), **({"severity": severity} if severity else {})})


@dataclass
class Outcome:
    state: str  # done | pending | failed
    run_at: float | None = None
    error: str | None = None
    external_id: str | None = None
    hold_lane_until: float | None = None  # 429: the whole lane waits


def event_body(cfg: PagerDutyConfig, action: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"routing_key": cfg.routing_key, "event_action": action,
                            "dedup_key": payload["dedup_key"]}
    if action == "trigger":
        at = datetime.fromtimestamp(payload.get("at", 0), UTC).isoformat().replace("+00:00", "Z")
        body["payload"] = {"summary": payload.get("summary") or "Veille: SLA breached", "source": cfg.source,
                           "severity": payload.get("severity") or cfg.severity, "timestamp": at, "component": "veille-sla",
                           "custom_details": dict(payload.get("details") or {})}
        body["client"] = "Veille"
    return body


def perform(cfg: PagerDutyConfig | None, row: Outbox, now: float, transport: httpx.BaseTransport | None = None) -> Outcome:
    """Send one queued event and say what the outbox should do with the row."""
    if cfg is None:
        return Outcome("skipped", error="PagerDuty is not configured")
    body = event_body(cfg, row.op, row.payload)
    try:
        with httpx.Client(timeout=cfg.timeout, transport=transport) as client:
            resp = client.post(cfg.url, json=body)
    except httpx.HTTPError as e:
        return _retry(row, now, f"network error: {type(e).__name__}")
    if resp.status_code == 202:
        data = _json(resp)
        return Outcome("done", external_id=str(data.get("dedup_key") or body["dedup_key"]))
    if resp.status_code == 400:
        data = _json(resp)
        errors = "; ".join(str(e) for e in data.get("errors") or []) or str(data.get("message", ""))
        log.error("PagerDuty refused %s %s: %s", row.op, body["dedup_key"], errors)
        return Outcome("failed", error=f"invalid event: {errors}"[:500])
    if resp.status_code == 429 or resp.status_code >= 500:
        retry_after = _retry_after(resp)
        out = _retry(row, now, f"HTTP {resp.status_code}", retry_after)
        if resp.status_code == 429:
            out.hold_lane_until = out.run_at
        return out
    return Outcome("failed", error=f"unexpected HTTP {resp.status_code}")


def _retry(row: Outbox, now: float, why: str, retry_after: float | None = None) -> Outcome:
    if row.attempts >= MAX_ATTEMPTS:
        log.error("PagerDuty %s gave up after %s attempts: %s", row.op, row.attempts, why)
        return Outcome("failed", error=f"gave up: {why}")
    delay = retry_after if retry_after is not None else min(300, 2 ** max(0, row.attempts))
    return Outcome("pending", run_at=now + delay, error=why)


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None


def _json(resp: httpx.Response) -> dict[str, Any]:
    try:
        data = resp.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
