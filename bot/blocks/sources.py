"""The `/veille sources` answer: how each account's connector is doing, from the health the
poller saved (any replica's), in the member's language."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import network_label, section
from bot.blocks.outbox_health import MAX_LINES, problem_blocks, problem_line
from bot.config import AccountConfig
from bot.i18n import t
from bot.jobs.poller import PUSH_ONLY
from bot.slack.dates import date_token
from bot.slack.escape import escaped

MAX_ACCOUNTS = 45  # Block Kit allows 50 blocks in a message
MAX_BLOCKS = 50


def sources_message(lang: str, accounts: list[AccountConfig], states: dict[str, Any],
                    now: float, problems: list | None = None) -> tuple[str, list[dict[str, Any]]]:
    """`states`: account key -> ConnectorState (or anything with .health, .cursor, .next_poll_at).
    `problems`: stuck deliveries to Slack (bot/jobs/outbox_health.py degraded), listed after."""
    title = t(lang, "sources_title")
    stuck = problem_blocks(lang, problems or [])
    if not accounts:
        return t(lang, "sources_none"), [section(t(lang, "sources_none")), *stuck]
    blocks = [section(title)]
    lines = [_account_text(lang, a, states.get(a.key), now) for a in accounts[:MAX_ACCOUNTS]]
    blocks += [section(line) for line in lines]
    if len(accounts) > MAX_ACCOUNTS:
        blocks.append(section(t(lang, "sources_more", n=len(accounts) - MAX_ACCOUNTS)))
    fallback = title + "\n" + "\n".join(lines)
    if stuck:
        blocks = blocks[:MAX_BLOCKS - len(stuck)] + stuck
        fallback += "\n" + "\n".join(problem_line(lang, p) for p in (problems or [])[:MAX_LINES])
    return fallback, blocks


def _account_text(lang: str, account: AccountConfig, state, now: float) -> str:
    head = f"*{escaped(account.key, 100)}* · {network_label(account.network)} · `{escaped(account.connector.type, 30)}`"
    if account.connector.type in PUSH_ONLY:
        return head + "\n" + t(lang, "sources_push")
    health = dict(state.health or {}) if state is not None else {}
    if not health.get("last_poll_at"):
        return head + "\n" + t(lang, "sources_not_yet")
    facts = [_status(lang, health)]
    if health.get("last_success_at"):
        facts.append(t(lang, "sources_last_success", date=date_token(health["last_success_at"])))
    else:
        facts.append(t(lang, "sources_never_succeeded"))
    if health.get("cursor_at") and state.cursor is not None:
        facts.append(t(lang, "sources_cursor_age", age=_age(lang, now - health["cursor_at"])))
    headroom = _headroom(lang, health.get("rate_limit") or {}, now)
    if headroom:
        facts.append(headroom)
    if not health.get("ok", True) and health.get("backoff_until"):
        facts.append(t(lang, "sources_backoff", date=date_token(health["backoff_until"])))
    elif health.get("next_poll_at"):
        facts.append(t(lang, "sources_next_poll", date=date_token(health["next_poll_at"])))
    text = head + "\n" + " · ".join(facts)
    if health.get("last_error"):
        when = date_token(health.get("last_error_at") or now)
        text += "\n" + t(lang, "sources_last_error", date=when, error=escaped(str(health["last_error"]), 400))
    return text


def _status(lang: str, health: dict) -> str:
    if health.get("ok", True):
        return t(lang, "sources_ok")
    if health.get("rate_limited"):
        return t(lang, "sources_rate_limited")
    failures = int(health.get("failures") or 1)
    return t(lang, "sources_failing_once") if failures == 1 else t(lang, "sources_failing", n=failures)


def _headroom(lang: str, rate: dict, now: float) -> str:
    remaining, limit = rate.get("remaining"), rate.get("limit")
    if remaining is None:
        return ""
    text = t(lang, "sources_headroom", remaining=remaining, limit=limit if limit is not None else "?")
    reset = rate.get("reset")
    if reset and reset > now:
        text += t(lang, "sources_headroom_reset", date=date_token(reset))
    return text


def _age(lang: str, seconds: float) -> str:
    s = max(0, int(seconds))
    if s < 120:
        return f"{s} s"
    if s < 2 * 3600:
        return f"{s // 60} min"
    if s < 2 * 86400:
        return f"{s // 3600} h"
    return f"{s // 86400} {'j' if lang == 'fr' else 'd'}"
