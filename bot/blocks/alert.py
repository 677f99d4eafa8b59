"""The alert: one parent message per conversation, updated in place as its state changes."""

from __future__ import annotations

from typing import Any

from bot.blocks import sla
from bot.blocks.common import actions, button, context, network_label, section
from bot.connectors.registry import network_can_reply
from bot.ids import Action, Block
from bot.slack.dates import date_token
from bot.slack.escape import clean_name, clean_text, escape, link, quote
from storage.models import Conversation, Message, SlaClock

METRIC_LABELS = {"first_response": "First response", "next_response": "Next response", "resolution": "Resolution"}


def alert_message(conv: Conversation, first: Message, clock: SlaClock | None, now: float,
                  resolution: SlaClock | None = None) -> tuple[str, list[dict[str, Any]]]:
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
    blocks: list[dict[str, Any]] = [{**section(head), "accessory": sla.status_menu(conv)}, section(body),
                                    context(status, meta)]
    if conv.status != "resolved":
        reply = [button("Reply", Action.REPLY, str(conv.id), style="primary")] \
            if network_can_reply(conv.network) else []  # a monitoring-only source: nothing to answer with
        blocks.append(actions(
            Block.ACTIONS,
            *reply,
            button("Assign to me", Action.ASSIGN_ME, str(conv.id)),
            button("No reply needed", Action.NO_REPLY, str(conv.id)),
        ))
    fallback = (f"{conv.network} {conv.kind} from {clean_name(conv.author_handle or conv.author_name)}: "
                f"{clean_text(first.text)[:200]}")  # the notification: no bidi or zero-width tricks either
    return escape(fallback), blocks


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
