"""The App Home tab: the queue, then the editorial calendar, on a member's phone as on their desk.
A home view holds at most 100 blocks: the calendar gets what the queue leaves and pages the rest."""

from __future__ import annotations

from typing import Any

from bot.blocks.calendar import HOME_BLOCKS, home_calendar
from bot.blocks.common import divider, plain, section
from bot.blocks.outbox_health import problem_blocks
from bot.blocks.queue import queue_message
from bot.domain.calendar import Entry
from bot.domain.queue import QueueItem
from storage.models import Draft


def home_view(lang: str, items: list[QueueItem], drafts: list[Draft], now: float,
              calendar: tuple[str, list[Entry], list[Entry], int] | None = None,
              problems: list | None = None, dashboard: list[dict] | None = None) -> dict[str, Any]:
    """`calendar`: (member's zone, upcoming entries, attention entries, page offset). `problems`:
    stuck deliveries (bot/jobs/outbox_health.py degraded), shown first: the team must act.
    `dashboard`: this week's figures per account (bot/domain/reports.week_dashboard)."""
    _, blocks = queue_message(lang, items, drafts, now)
    header = {"type": "header", "text": plain("Veille")}
    out = [header, *problem_blocks(lang, problems or []), *blocks][: HOME_BLOCKS // 2]
    if dashboard:
        out += week_dashboard_blocks(lang, dashboard)
    if calendar is not None:
        tz, entries, attention, offset = calendar
        out.append(divider())
        out += home_calendar(lang, tz, entries, attention, now, offset, HOME_BLOCKS - len(out))
    return {"type": "home", "blocks": out[:HOME_BLOCKS]}


def week_dashboard_blocks(lang: str, rows: list[dict]) -> list[dict[str, Any]]:
    """Reports (issue 10): this week per account, open / breached / median first response."""
    from bot.domain.sla.config import format_duration
    from bot.i18n import t
    from bot.slack.escape import escape

    lines = [t(lang, "home_week_line", account=escape(r["account"]), open=r["open"], breached=r["breached"],
               median=t(lang, "report_none") if r["first_response_median_s"] is None
               else format_duration(r["first_response_median_s"])) for r in rows[:20]]
    return [divider(), section(f"*{t(lang, 'home_week_title')}*\n" + "\n".join(lines))]
