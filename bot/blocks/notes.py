"""Messages posted in a conversation's thread: new inbound, native replies, SLA alerts. `lang` is
the channel's language (bot/i18n.py channel_lang)."""

from __future__ import annotations

from typing import Any

from bot.blocks.alert import author_line
from bot.blocks.common import context, section
from bot.blocks.sla import label
from bot.i18n import t
from bot.slack.dates import date_token
from bot.slack.escape import link, quote
from storage.models import Conversation, Message, SlaClock


def inbound_note(m: Message, *, lang: str = "en") -> tuple[str, list[dict[str, Any]]]:
    body = f"{author_line(m.author_name, m.author_handle, lang=lang)}\n{quote(m.text, 2600)}"
    if m.url:
        body += "\n" + link(m.url, t(lang, "note_open"))
    return t(lang, "note_new_message"), [section(body)]


def native_reply_note(m: Message, *, lang: str = "en") -> tuple[str, list[dict[str, Any]]]:
    body = f"{t(lang, 'note_native_reply')}\n{quote(m.text, 2600)}"
    if m.url:
        body += "\n" + link(m.url, t(lang, "note_open"))
    return t(lang, "note_native_reply_short"), [section(body)]


def sla_note(kind: str, conv: Conversation, clock: SlaClock, late_ingest: bool = False, *,
             lang: str = "en") -> tuple[str, list[dict[str, Any]]]:
    name = label(clock.metric, lang)
    who = f"<@{conv.assignee}>" if conv.assignee else t(lang, "sla_note_nobody")
    if kind == "warning":
        text = t(lang, "sla_note_warning", label=name, due=date_token(clock.due_at), who=who)
        return t(lang, "sla_note_at_risk", label=name), [section(text)]
    text = t(lang, "sla_note_breach", label=name, due=date_token(clock.due_at), who=who)
    extra = [context(t(lang, "sla_note_late_ingest"))] if late_ingest else []
    return t(lang, "sla_note_breached", label=name), [section(text), *extra]


def plain_note(text: str, *, lang: str = "en") -> tuple[str, list[dict[str, Any]]]:
    """`text` is already worded by its sender; `lang` is taken for a uniform builder signature."""
    return text, [section(text)]
