"""Slack operations. Each builds its Web API call from the current state in the database (so an
alert always shows the latest state) when it is sent; the worker sends, reconciles and records."""

from __future__ import annotations

from typing import Any, ClassVar

from bot.blocks import alert, draft
from bot.blocks import post as post_blocks
from bot.blocks import sla as sla_blocks
from bot.domain import mutes
from bot.domain.approvals import card_status, steps_of
from bot.domain.outbox import Op, Priority, budget_lane
from bot.i18n import channel_lang
from bot.jobs.lease import Bucket
from bot.jobs.slack_ops import (
    Skip,
    SlackCall,
    _conv,
    _first_message,
    _note,
    headline_clock,
    resolution_clock,
    skip_if_folded,
)
from bot.outbox.registry import OutboxOp, register
from storage.models import Draft, Outbox, SlaClock

POST_BURST = 3.0  # Slack allows short bursts over 1/s; we keep under the stand-in's (and Slack's) 4
UPDATE_BUCKET = Bucket(rate=45 / 60, burst=5.0)  # chat.update: Tier 3 (50/min), one budget per workspace
UPDATE_BUCKET_NAME = "slack-method:chat.update"
URGENT_NOTES = frozenset({"breach", "escalation"})


def post_kwargs(row: Outbox) -> dict[str, Any]:
    meta = {"event_type": "veille_outbox", "event_payload": {"key": row.idempotency_key}}
    return {"unfurl_links": False, "unfurl_media": False, "metadata": meta}


def _alert_key(conversation_id: int) -> str:
    return f"alert:{conversation_id}"  # bot/domain/ingest.py queues each alert under this key


def _card_key(draft_id: int) -> str:
    return f"draft_card:{draft_id}"


class SlackOp(OutboxOp):
    target = "slack"
    # After a timeout or 5xx the message may exist: reconcile before sending again.
    reconcile: ClassVar[bool] = True

    def build(self, s, row: Outbox, now: float, cfg=None) -> SlackCall:
        raise NotImplementedError

    def bucket(self, row: Outbox, pace: float):
        return budget_lane(row.lane), Bucket(rate=1.0 / pace, burst=POST_BURST)

    def perform(self, worker, row: Outbox) -> None:
        worker.perform_slack(self, row)


class SlackUpdate(SlackOp):
    """A chat.update of a parent message: no content of its own, rendered at send time, so the
    refreshes of one parent still queued are folded into the one sent."""

    priority = Priority.REFRESH
    reconcile = False  # sending it again is harmless

    def bucket(self, row: Outbox, pace: float):
        return UPDATE_BUCKET_NAME, UPDATE_BUCKET


@register
class AlertPost(SlackOp):
    name = Op.ALERT_POST
    priority = Priority.ALERT  # ingest raises it for VIP authors, DMs, urgent conversations

    def build(self, s, row, now, cfg=None):
        conv = _conv(s, row.payload["conversation_id"])
        text, blocks = alert.alert_message(conv, _first_message(s, conv.id), headline_clock(s, conv.id), now,
                                           resolution=resolution_clock(s, conv.id),
                                           muted=mutes.is_muted(s, conv.network, conv.author_handle),
                                           lang=channel_lang(cfg, conv.account))
        return SlackCall("chat_postMessage", dict(channel=conv.slack_channel, text=text, blocks=blocks,
                                                  **post_kwargs(row)), store=("conversation", conv.id))


@register
class AlertRefresh(SlackUpdate):
    name = Op.ALERT_REFRESH

    def parent_key(self, s, payload):
        return _alert_key(payload["conversation_id"])

    def build(self, s, row, now, cfg=None):
        skip_if_folded(s, row.payload["conversation_id"])
        conv = _conv(s, row.payload["conversation_id"])
        if not conv.slack_ts:
            raise Skip("alert not posted")
        text, blocks = alert.alert_message(conv, _first_message(s, conv.id), headline_clock(s, conv.id), now,
                                           resolution=resolution_clock(s, conv.id),
                                           muted=mutes.is_muted(s, conv.network, conv.author_handle),
                                           lang=channel_lang(cfg, conv.account))
        return SlackCall("chat_update", dict(channel=conv.slack_channel, ts=conv.slack_ts, text=text, blocks=blocks))


@register
class ThreadNote(SlackOp):
    name = Op.THREAD_NOTE

    def priority_for(self, payload):
        if payload.get("note") in URGENT_NOTES:
            return Priority.OVERDUE
        return Priority.ALERT if payload.get("note") == "warning" else Priority.NOTE

    def parent_key(self, s, payload):
        return _alert_key(payload["conversation_id"])

    def build(self, s, row, now, cfg=None):
        p = row.payload
        skip_if_folded(s, p["conversation_id"])
        conv = _conv(s, p["conversation_id"])
        if not conv.slack_ts:
            raise Skip("alert not posted")
        text, blocks = _note(s, conv, p, lang=channel_lang(cfg, conv.account))
        post = post_kwargs(row)
        if p.get("broadcast"):  # an escalation to the whole channel shows in the channel too
            post["reply_broadcast"] = True
        return SlackCall("chat_postMessage", dict(channel=conv.slack_channel, thread_ts=conv.slack_ts, text=text,
                                                  blocks=blocks, **post))


@register
class DraftCard(SlackOp):
    name = Op.DRAFT_CARD

    def parent_key(self, s, payload):
        d = s.get(Draft, payload["draft_id"])
        return _alert_key(d.conversation_id) if d is not None and d.conversation_id else None

    def build(self, s, row, now, cfg=None):
        d = s.get(Draft, row.payload["draft_id"])
        if d is None:
            raise Skip("draft gone")
        conv = _conv(s, d.conversation_id) if d.conversation_id else None
        text, blocks = draft.draft_message(d, card_status(s, d), lang=channel_lang(cfg, d.account))
        kwargs = dict(channel=d.slack_channel, text=text, blocks=blocks, **post_kwargs(row))
        if conv is not None:
            if not conv.slack_ts:
                raise Skip("alert not posted")
            kwargs["thread_ts"] = conv.slack_ts
        return SlackCall("chat_postMessage", kwargs, store=("draft", d.id))


@register
class DraftRefresh(SlackUpdate):
    name = Op.DRAFT_REFRESH

    def parent_key(self, s, payload):
        return _card_key(payload["draft_id"])

    def build(self, s, row, now, cfg=None):
        d = s.get(Draft, row.payload["draft_id"])
        if d is None or not d.slack_ts:
            raise Skip("card not posted")
        text, blocks = draft.draft_message(d, card_status(s, d), lang=channel_lang(cfg, d.account))
        return SlackCall("chat_update", dict(channel=d.slack_channel, ts=d.slack_ts, text=text, blocks=blocks))


@register
class DraftNote(SlackOp):
    """In the draft card's thread: the author or the next approvers are told."""

    name = Op.DRAFT_NOTE

    def parent_key(self, s, payload):
        return _card_key(payload["draft_id"])

    def build(self, s, row, now, cfg=None):
        p = row.payload
        d = s.get(Draft, p["draft_id"])
        if d is None:
            raise Skip("draft gone")
        thread_ts = _conv(s, d.conversation_id).slack_ts if d.conversation_id else d.slack_ts
        if not thread_ts:
            raise Skip("card not posted")
        text, blocks = post_blocks.note_message(d, p["note"], p, steps_of(d), lang=channel_lang(cfg, d.account))
        return SlackCall("chat_postMessage", dict(channel=d.slack_channel, thread_ts=thread_ts, text=text,
                                                  blocks=blocks, **post_kwargs(row)))


@register
class SlaDm(SlackOp):
    """The on-call's page, built from the current state; its language is picked at send."""

    name = Op.SLA_DM
    priority = Priority.URGENT
    reconcile = False  # no look-up in a DM we have not opened: a page twice beats a page lost

    def build(self, s, row, now, cfg=None):
        p = row.payload
        conv, clock = _conv(s, p["conversation_id"]), s.get(SlaClock, p["clock_id"])
        variants = {lang: sla_blocks.oncall_dm(lang, conv, clock, p["level"]) for lang in ("en", "fr")}
        return SlackCall("sla_dm", dict(user=p["user"], variants=variants, **post_kwargs(row)))


@register
class DirectMessage(SlackOp):
    name = Op.DM
    priority = Priority.URGENT
    reconcile = False

    def build(self, s, row, now, cfg=None):
        p = row.payload
        return SlackCall("dm", dict(user=p["user"], text=p["text"], blocks=p.get("blocks"), **post_kwargs(row)))


@register
class ChannelMessage(SlackOp):
    name = Op.MESSAGE

    def build(self, s, row, now, cfg=None):
        p = row.payload
        return SlackCall("chat_postMessage", dict(channel=p["channel"], text=p["text"], blocks=p.get("blocks"),
                                                  thread_ts=p.get("thread_ts"), **post_kwargs(row)))
