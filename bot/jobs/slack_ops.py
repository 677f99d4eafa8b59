"""Slack calls for outbox rows: the call type, sending it (DMs in the member's language),
reconciling an unknown post by its metadata, and recording the new ts. Each operation's class
(bot/outbox/slack.py) builds its call from the current state in the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import select

from bot.blocks import notes
from bot.blocks import sla as sla_blocks
from bot.i18n import lang_of
from storage.models import Burst, Conversation, Draft, Message, SlaClock

STORED_IN = {"conversation": Conversation, "draft": Draft, "burst": Burst}  # SlackCall.store kinds

ACTIVE_METRIC_ORDER = ("first_response", "next_response", "resolution")
SLA_NOTES = ("met", "fulfilled_late", "escalation", "acknowledged", "replied_elsewhere", "reply_deleted")


@dataclass
class SlackCall:
    method: str  # chat_postMessage | chat_update
    kwargs: dict[str, Any]
    store: tuple[str, int] | None = None  # (a STORED_IN kind, id): where the new ts goes


class Skip(Exception):
    """Nothing to send (the parent was never posted, the subject is gone)."""


def send(client: WebClient, call: SlackCall) -> dict[str, Any]:
    if call.method == "report":  # a summary, then its charts uploaded in its thread
        from bot.jobs import report_ops  # which imports this module

        return report_ops.send(client, call.kwargs)
    if call.method == "sla_dm":  # in the member's language (users.info locale)
        kwargs = dict(call.kwargs)
        variants = kwargs.pop("variants")
        locale = client.users_info(user=kwargs["user"], include_locale=True)["user"].get("locale")
        text, blocks = variants[lang_of(locale)]
        return send(client, SlackCall("dm", dict(kwargs, text=text, blocks=blocks)))
    if call.method == "dm":
        kwargs = dict(call.kwargs)
        channel = client.conversations_open(users=kwargs.pop("user"))["channel"]["id"]
        return client.chat_postMessage(channel=channel, **kwargs).data
    return getattr(client, call.method)(**call.kwargs).data


def find_posted(client: WebClient, call: SlackCall, key: str, since: int) -> str | None:
    """Reconcile an unknown post: our metadata carries the outbox key. Returns its ts if found."""
    if call.method != "chat_postMessage":
        return None
    kw = call.kwargs
    if kw.get("thread_ts"):
        resp = client.conversations_replies(channel=kw["channel"], ts=kw["thread_ts"], include_all_metadata=True,
                                            oldest=str(since - 5), limit=200)
    else:
        resp = client.conversations_history(channel=kw["channel"], include_all_metadata=True, oldest=str(since - 5),
                                            limit=200)
    for m in resp.get("messages", []):
        if ((m.get("metadata") or {}).get("event_payload") or {}).get("key") == key:
            return m.get("ts")
    return None


def store_ts(s, call: SlackCall, ts: str, channel: str) -> None:
    if call.store is None:
        return
    kind, ident = call.store
    obj = s.get(STORED_IN[kind], ident)
    obj.slack_ts, obj.slack_channel = ts, channel


def skip_if_folded(s, conversation_id: int) -> None:
    """A conversation folded into a burst card has no alert: the card counts what its alert's
    refreshes and thread notes would have said."""
    conv = s.get(Conversation, conversation_id)
    if conv is not None and conv.folded:
        raise Skip(f"folded into burst {conv.burst_id}")


def headline_clock(s, conversation_id: int) -> SlaClock | None:
    """The clock the alert shows: the open response clock, else the latest response clock."""
    rows = list(s.scalars(select(SlaClock).where(SlaClock.conversation_id == conversation_id,
                                                 SlaClock.metric != "resolution").order_by(SlaClock.id.desc())))
    for c in rows:
        if c.state in ("running", "paused", "breached"):
            return c
    return rows[0] if rows else None


def resolution_clock(s, conversation_id: int) -> SlaClock | None:
    return s.scalar(select(SlaClock).where(SlaClock.conversation_id == conversation_id,
                                           SlaClock.metric == "resolution").order_by(SlaClock.cycle.desc()).limit(1))


def _conv(s, ident: int) -> Conversation:
    conv = s.get(Conversation, ident)
    if conv is None:
        raise Skip("conversation gone")
    return conv


def _first_message(s, conversation_id: int) -> Message:
    return s.scalar(select(Message).where(Message.conversation_id == conversation_id, Message.direction == "in")
                    .order_by(Message.created_at, Message.id).limit(1))


def _note(s, conv: Conversation, p: dict[str, Any], lang: str = "en") -> tuple[str, list[dict[str, Any]]]:
    kind = p["note"]
    if kind in ("inbound", "native_reply"):
        m = s.get(Message, p["message_id"])
        return notes.inbound_note(m, lang=lang) if kind == "inbound" else notes.native_reply_note(m, lang=lang)
    if kind in ("warning", "breach"):
        return notes.sla_note(kind, conv, s.get(SlaClock, p["clock_id"]), p.get("late_ingest", False), lang=lang)
    if kind in SLA_NOTES:
        return sla_blocks.note(kind, conv, s.get(SlaClock, p["clock_id"]) if p.get("clock_id") else None, p,
                               lang=lang)
    return notes.plain_note(p.get("text", kind), lang=lang)
