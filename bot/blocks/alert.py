"""The alert: one parent message per conversation, updated in place as its state changes."""

from __future__ import annotations

from typing import Any

from bot.blocks import sla
from bot.blocks.common import actions, button, context, network_label, section
from bot.connectors.registry import network_can_reply
from bot.i18n import MESSAGES, t
from bot.ids import Action, Block
from bot.slack.dates import date_token
from bot.slack.escape import clean_name, clean_text, escape, link, quote
from bot.triage import LIKELY_BOT
from storage.models import Conversation, Message, SlaClock

METRIC_LABELS = sla.METRIC_LABELS["en"]  # kept for callers that read English labels
SENTIMENT_EMOJI = {"negative": ":rage:", "neutral": ":neutral_face:", "positive": ":blush:"}


def alert_message(conv: Conversation, first: Message, clock: SlaClock | None, now: float,
                  resolution: SlaClock | None = None, muted: bool = False, *,
                  lang: str = "en") -> tuple[str, list[dict[str, Any]]]:
    """`lang`: the channel's language (bot/i18n.py channel_lang)."""
    who = author_line(conv.author_name, conv.author_handle, lang=lang)
    head = f"{network_label(conv.network)} · {kind_name(conv.kind, lang)} · {who} → *{escape(conv.account)}*"
    body = quote(first.text, 2400)
    if first.url:
        body += "\n" + link(first.url, t(lang, "alert_open_on", network=conv.network))
    status = status_line(conv, clock, now, lang=lang) + sla.escalation_suffix(clock, lang=lang)
    waiting = sla.conversation_status(conv, lang=lang)
    if waiting:
        status += f" · {waiting}"
    count = t(lang, "alert_one_message") if conv.message_count == 1 else t(lang, "alert_messages", n=conv.message_count)
    meta = f"`c{conv.id}` · {count}"
    if conv.priority not in ("normal", ""):
        meta += " · " + t(lang, "alert_priority", priority=priority_name(conv.priority, lang))
    if conv.assignee:
        meta += " · " + t(lang, "alert_assigned", who=f"<@{conv.assignee}>")
    resolution_text = sla.resolution_line(resolution, now, lang=lang)
    if conv.status != "resolved" and resolution_text:
        meta += " · " + resolution_text
    # The status menu (snooze, resolve, mark replied...) sits on the first line, out of the way.
    triaged = triage_line(first, muted, lang)
    blocks: list[dict[str, Any]] = [{**section(head), "accessory": sla.status_menu(conv, lang=lang)}, section(body),
                                    context(status, meta, triaged)]
    if conv.status != "resolved":
        reply = [button(t(lang, "btn_reply"), Action.REPLY, str(conv.id), style="primary")] \
            if network_can_reply(conv.network) else []  # a monitoring-only source: nothing to answer with
        blocks.append(actions(
            Block.ACTIONS,
            *reply,
            button(t(lang, "btn_assign_me"), Action.ASSIGN_ME, str(conv.id)),
            button(t(lang, "btn_no_reply"), Action.NO_REPLY, str(conv.id)),
        ))
    # The notification: no bidi or zero-width tricks either.
    fallback = t(lang, "alert_fallback", network=conv.network, kind=kind_name(conv.kind, lang),
                 who=clean_name(conv.author_handle or conv.author_name), text=clean_text(first.text)[:200])
    return escape(fallback), blocks


def kind_name(kind: str, lang: str = "en") -> str:
    key = f"kind_{kind}"
    return t(lang, key) if key in MESSAGES else escape(kind)


def priority_name(priority: str, lang: str = "en") -> str:
    key = f"priority_{priority}"
    return t(lang, key) if key in MESSAGES else escape(priority)


def triage_line(first: Message, muted: bool, lang: str) -> str:
    """Language and sentiment of the first message, plus "likely bot" / "muted" (issue 9)."""
    parts = []
    if first.sentiment:
        code = first.language or "unknown"
        language = t(lang, f"lang_{code}") if f"lang_{code}" in MESSAGES else escape(code)
        emoji, sentiment = SENTIMENT_EMOJI.get(first.sentiment, ""), t(lang, f"sentiment_{first.sentiment}")
        parts.append(f"{language} · {emoji} {sentiment} ({first.sentiment_score:+.2f})")  # no words of its own
    if first.bot_score >= LIKELY_BOT:
        parts.append(t(lang, "triage_likely_bot", reasons=escape(", ".join(first.bot_reasons or []))))
    if muted:
        parts.append(t(lang, "triage_muted"))
    return " · ".join(parts)


def author_line(name: str, handle: str, *, lang: str = "en") -> str:
    name, handle = clean_name(name), clean_name(handle)
    if name and handle and name != handle:
        return f"*{escape(name)}* ({escape(handle)})"
    return f"*{escape(name or handle or t(lang, 'alert_someone'))}*"


def status_line(conv: Conversation, clock: SlaClock | None, now: float, *, lang: str = "en") -> str:
    if conv.status == "resolved":
        return ":white_check_mark: " + t(lang, "alert_resolved")
    if clock is None:
        return ":large_blue_circle: " + t(lang, "alert_open")
    label = sla.label(clock.metric, lang)
    if clock.state == "met":
        return ":white_check_mark: " + t(lang, "alert_met", label=label,
                                         took=sla.duration(clock.fulfilled_at - clock.start_at, lang))
    if clock.state == "fulfilled_late":
        return ":ballot_box_with_check: " + t(lang, "alert_answered_late", label=label,
                                              took=sla.duration(clock.fulfilled_at - clock.start_at, lang))
    if clock.state == "breached" or now >= clock.due_at:
        return ":red_circle: " + t(lang, "alert_breached", label=label, ago=date_token(clock.due_at, "{ago}"),
                                   due=date_token(clock.due_at))
    if clock.state == "paused":
        return ":double_vertical_bar: " + t(lang, "alert_paused", label=label)
    if clock.warned_level:
        return ":warning: " + t(lang, "alert_at_risk", label=label, due=date_token(clock.due_at))
    return ":large_green_circle: " + t(lang, "alert_on_track", label=label, due=date_token(clock.due_at))
