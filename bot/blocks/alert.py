"""The alert: one parent message per conversation, updated in place as its state changes."""

from __future__ import annotations

from typing import Any

from bot.blocks import sla
from bot.blocks.common import actions, button, context, network_label, section
from bot.i18n import MESSAGES, t
from bot.ids import Action, Block
from bot.slack.dates import date_token
from bot.slack.escape import clean_name, escape, link, quote
from bot.triage import LIKELY_BOT
from storage.models import Conversation, Message, SlaClock

SENTIMENT_EMOJI = {"negative": ":rage:", "neutral": ":neutral_face:", "positive": ":blush:"}
METRIC_LABELS = {"first_response": "First response", "next_response": "Next response", "resolution": "Resolution"}


def alert_message(conv: Conversation, first: Message, clock: SlaClock | None, now: float,
                  resolution: SlaClock | None = None, muted: bool = False,
                  lang: str = "en") -> tuple[str, list[dict[str, Any]]]:
    who = author_line(conv.author_name, conv.author_handle)
    head = f"{network_label(conv.network)} · {escape(conv.kind)} · {who} → *{escape(conv.account)}*"
    body = quote(first.text, 2400)
    if first.url:
        body += "\n" + link(first.url, "Open on " + conv.network)
    status = status_line(conv, clock, now) + sla.escalation_suffix(clock)
    waiting = sla.conversation_status(conv)
    if waiting:
        status += f" · {waiting}"
    meta = f"`c{conv.id}` · {conv.message_count} message{'s' if conv.message_count != 1 else ''}"
    if conv.priority not in ("normal", ""):
        meta += f" · priority {escape(conv.priority)}"
    if conv.assignee:
        meta += f" · assigned to <@{conv.assignee}>"
    if conv.status != "resolved" and sla.resolution_line(resolution, now):
        meta += " · " + sla.resolution_line(resolution, now)
    # The status menu (snooze, resolve, mark replied...) sits on the first line, out of the way.
    triaged = triage_line(first, muted, lang)
    blocks: list[dict[str, Any]] = [{**section(head), "accessory": sla.status_menu(conv)}, section(body),
                                    context(status, meta, triaged)]
    if conv.status != "resolved":
        blocks.append(actions(
            Block.ACTIONS,
            button("Reply", Action.REPLY, str(conv.id), style="primary"),
            button("Assign to me", Action.ASSIGN_ME, str(conv.id)),
            button("No reply needed", Action.NO_REPLY, str(conv.id)),
        ))
    fallback = f"{conv.network} {conv.kind} from {clean_name(conv.author_handle or conv.author_name)}: {first.text[:200]}"
    return escape(fallback), blocks


def triage_line(first: Message, muted: bool, lang: str) -> str:
    """Language and sentiment of the first message, plus "likely bot" / "muted" (issue 9)."""
    parts = []
    if first.sentiment:
        code = first.language or "unknown"
        language = t(lang, f"lang_{code}") if f"lang_{code}" in MESSAGES else escape(code)
        parts.append(t(lang, "triage_line", language=language, emoji=SENTIMENT_EMOJI.get(first.sentiment, ""),
                       sentiment=t(lang, f"sentiment_{first.sentiment}"), score=f"{first.sentiment_score:+.2f}"))
    if first.bot_score >= LIKELY_BOT:
        parts.append(t(lang, "triage_likely_bot", reasons=escape(", ".join(first.bot_reasons or []))))
    if muted:
        parts.append(t(lang, "triage_muted"))
    return " · ".join(parts)


def author_line(name: str, handle: str) -> str:
    name, handle = clean_name(name), clean_name(handle)
    if name and handle and name != handle:
        return f"*{escape(name)}* ({escape(handle)})"
    return f"*{escape(name or handle or 'someone')}*"


def status_line(conv: Conversation, clock: SlaClock | None, now: float) -> str:
    if conv.status == "resolved":
        return ":white_check_mark: Resolved"
    if clock is None:
        return ":large_blue_circle: Open"
    label = METRIC_LABELS.get(clock.metric, clock.metric)
    if clock.state == "met":
        return f":white_check_mark: {label} met ({_duration(clock.fulfilled_at - clock.start_at)})"
    if clock.state == "fulfilled_late":
        return f":ballot_box_with_check: {label} answered late ({_duration(clock.fulfilled_at - clock.start_at)})"
    if clock.state == "breached" or now >= clock.due_at:
        return f":red_circle: {label} breached {date_token(clock.due_at, '{ago}')} (due {date_token(clock.due_at)})"
    if clock.state == "paused":
        return f":double_vertical_bar: {label} paused"
    if clock.warned_level:
        return f":warning: At risk · {label} due {date_token(clock.due_at)}"
    return f":large_green_circle: On track · {label} due {date_token(clock.due_at)}"


def _duration(seconds: int) -> str:
    m = max(0, seconds) // 60
    if m < 60:
        return f"{m} min"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d}" if h < 48 else f"{h // 24} d {h % 24} h"
