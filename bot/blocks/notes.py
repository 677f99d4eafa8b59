"""Messages posted in a conversation's thread: new inbound, native replies, SLA alerts."""

from __future__ import annotations

from typing import Any

from bot.blocks.alert import METRIC_LABELS, author_line
from bot.blocks.common import context, section
from bot.slack.dates import date_token
from bot.slack.escape import link, quote
from storage.models import Conversation, Message, SlaClock


def inbound_note(m: Message) -> tuple[str, list[dict[str, Any]]]:
    body = f"{author_line(m.author_name, m.author_handle)}\n{quote(m.text, 2600)}"
    if m.url:
        body += "\n" + link(m.url, "open")
    return "New message in this conversation", [section(body)]


def native_reply_note(m: Message) -> tuple[str, list[dict[str, Any]]]:
    body = f":speech_balloon: Our account replied directly on the network:\n{quote(m.text, 2600)}"
    if m.url:
        body += "\n" + link(m.url, "open")
    return "Replied on the network", [section(body)]


def sla_note(kind: str, conv: Conversation, clock: SlaClock, late_ingest: bool = False) -> tuple[str, list[dict[str, Any]]]:
    label = METRIC_LABELS.get(clock.metric, clock.metric)
    who = f"<@{conv.assignee}>" if conv.assignee else "Nobody is assigned: use *Assign to me*."
    if kind == "warning":
        text = f":warning: {label} due {date_token(clock.due_at)}. {who}"
        return f"{label} at risk", [section(text)]
    text = f":red_circle: {label} breached (due {date_token(clock.due_at)}). {who}"
    extra = [context("It arrived after its deadline (late delivery from the network).")] if late_ingest else []
    return f"{label} breached", [section(text), *extra]


def plain_note(text: str) -> tuple[str, list[dict[str, Any]]]:
    return text, [section(text)]
