"""Turns a Slack outbox row into one Web API call, built from the current state in the database
(so an alert always shows the latest state), and records what Slack answered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import select

from bot.blocks import alert, draft, notes
from bot.blocks import post as post_blocks
from bot.blocks import sla as sla_blocks
from bot.domain.approvals import card_status, steps_of
from bot.i18n import lang_of
from bot.jobs import crisis_ops, report_ops
from storage.models import Conversation, Draft, Message, Outbox, SlaClock

ACTIVE_METRIC_ORDER = ("first_response", "next_response", "resolution")
SLA_NOTES = ("met", "fulfilled_late", "escalation", "acknowledged", "replied_elsewhere", "reply_deleted")


@dataclass
class SlackCall:
    method: str  # chat_postMessage | chat_update
    kwargs: dict[str, Any]
    store: tuple[str, int] | None = None  # ("conversation"|"draft", id): where the new ts goes


class Skip(Exception):
    """Nothing to send (the parent was never posted, the subject is gone)."""


def build_call(s, row: Outbox, now: float) -> SlackCall:
    p = row.payload
    if row.op in crisis_ops.OPS:  # incidents (spike detection and crisis mode)
        return crisis_ops.build_call(s, row, now)
    if row.op in report_ops.OPS:  # reports: summary and charts (issue 10)
        return report_ops.build_call(s, row, now)
    meta = {"event_type": "veille_outbox", "event_payload": {"key": row.idempotency_key}}
    post = {"unfurl_links": False, "unfurl_media": False, "metadata": meta}
    if row.op == "alert_post":
        conv = _conv(s, p["conversation_id"])
        text, blocks = alert.alert_message(conv, _first_message(s, conv.id), headline_clock(s, conv.id), now,
                                           resolution=resolution_clock(s, conv.id))
        return SlackCall("chat_postMessage", dict(channel=conv.slack_channel, text=text, blocks=blocks, **post),
                         store=("conversation", conv.id))
    if row.op == "alert_refresh":
        conv = _conv(s, p["conversation_id"])
        if not conv.slack_ts:
            raise Skip("alert not posted")
        text, blocks = alert.alert_message(conv, _first_message(s, conv.id), headline_clock(s, conv.id), now,
                                           resolution=resolution_clock(s, conv.id))
        return SlackCall("chat_update", dict(channel=conv.slack_channel, ts=conv.slack_ts, text=text, blocks=blocks))
    if row.op == "thread_note":
        conv = _conv(s, p["conversation_id"])
        if not conv.slack_ts:
            raise Skip("alert not posted")
        text, blocks = _note(s, conv, p)
        if p.get("broadcast"):  # an escalation to the whole channel shows in the channel too
            post["reply_broadcast"] = True
        return SlackCall("chat_postMessage", dict(channel=conv.slack_channel, thread_ts=conv.slack_ts, text=text,
                                                  blocks=blocks, **post))
    if row.op == "draft_card":
        d = s.get(Draft, p["draft_id"])
        conv = _conv(s, d.conversation_id) if d.conversation_id else None
        text, blocks = draft.draft_message(d, card_status(s, d))
        kwargs = dict(channel=d.slack_channel, text=text, blocks=blocks, **post)
        if conv is not None:
            if not conv.slack_ts:
                raise Skip("alert not posted")
            kwargs["thread_ts"] = conv.slack_ts
        return SlackCall("chat_postMessage", kwargs, store=("draft", d.id))
    if row.op == "draft_refresh":
        d = s.get(Draft, p["draft_id"])
        if not d.slack_ts:
            raise Skip("card not posted")
        text, blocks = draft.draft_message(d, card_status(s, d))
        return SlackCall("chat_update", dict(channel=d.slack_channel, ts=d.slack_ts, text=text, blocks=blocks))
    if row.op == "sla_dm":  # the on-call's page, built from the current state; its language is picked at send
        conv, clock = _conv(s, p["conversation_id"]), s.get(SlaClock, p["clock_id"])
        variants = {lang: sla_blocks.oncall_dm(lang, conv, clock, p["level"]) for lang in ("en", "fr")}
        return SlackCall("sla_dm", dict(user=p["user"], variants=variants, **post))
    if row.op == "draft_note":  # in the draft card's thread: the author or the next approvers are told
        d = s.get(Draft, p["draft_id"])
        thread_ts = _conv(s, d.conversation_id).slack_ts if d.conversation_id else d.slack_ts
        if not thread_ts:
            raise Skip("card not posted")
        text, blocks = post_blocks.note_message(d, p["note"], p, steps_of(d))
        return SlackCall("chat_postMessage", dict(channel=d.slack_channel, thread_ts=thread_ts, text=text,
                                                  blocks=blocks, **post))
    if row.op == "dm":
        return SlackCall("dm", dict(user=p["user"], text=p["text"], blocks=p.get("blocks"), **post))
    if row.op == "message":
        return SlackCall("chat_postMessage", dict(channel=p["channel"], text=p["text"], blocks=p.get("blocks"),
                                                  thread_ts=p.get("thread_ts"), **post))
    raise Skip(f"unknown op {row.op}")


def send(client: WebClient, call: SlackCall) -> dict[str, Any]:
    if call.method == "report":
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
    obj = s.get(Conversation if kind == "conversation" else Draft, ident)
    obj.slack_ts, obj.slack_channel = ts, channel


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


def _note(s, conv: Conversation, p: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    kind = p["note"]
    if kind in ("inbound", "native_reply"):
        m = s.get(Message, p["message_id"])
        return notes.inbound_note(m) if kind == "inbound" else notes.native_reply_note(m)
    if kind in ("warning", "breach"):
        return notes.sla_note(kind, conv, s.get(SlaClock, p["clock_id"]), p.get("late_ingest", False))
    if kind in SLA_NOTES:
        return sla_blocks.note(kind, conv, s.get(SlaClock, p["clock_id"]) if p.get("clock_id") else None, p)
    return notes.plain_note(p.get("text", kind))
