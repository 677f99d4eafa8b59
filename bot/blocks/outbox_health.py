"""What the team reads about stuck deliveries (bot/jobs/outbox_health.py degraded), in the App
Home and in `/veille sources`."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import section
from bot.i18n import t
from bot.slack.dates import date_token
from bot.slack.escape import escaped

MAX_LINES = 10


def problem_line(lang: str, p) -> str:
    error = escaped(p.error or "?", 300)
    if p.kind == "channel_blocked":
        return t(lang, "outbox_channel_blocked", n=p.count, channel=escaped(p.subject, 40), error=error)
    if p.kind == "token_invalid":
        return t(lang, "outbox_token_invalid", n=p.count, error=error)
    return t(lang, "outbox_dead_letter", n=p.count, op=escaped(p.subject, 40), error=error, date=date_token(p.since))


def problem_blocks(lang: str, problems: list) -> list[dict[str, Any]]:
    """Nothing when all is well; else a title and one section per problem (at most MAX_LINES)."""
    if not problems:
        return []
    return [section(t(lang, "outbox_problems_title"))] + [section(problem_line(lang, p)) for p in problems[:MAX_LINES]]
