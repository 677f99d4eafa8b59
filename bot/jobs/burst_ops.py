"""Outbox operations of burst cards (bot/domain/bursts.py): post the card, refresh it in place.
Both render from the database when sent, so the counts are exact and queued refreshes coalesce.
Also: rows about a folded conversation's own alert (refresh, thread note) are not sent, since it
has no alert; the card counts what they would have said."""

from __future__ import annotations

from typing import Any

from bot.blocks.burst import breaches_note, burst_message
from bot.domain import bursts
from bot.jobs import slack_ops
from storage.models import Burst, Conversation, Outbox

OPS = (bursts.BURST_CARD, bursts.BURST_REFRESH, bursts.BURST_BREACHES)


def card_call(s, row: Outbox, now: float, post: dict[str, Any]) -> slack_ops.SlackCall:
    burst = _burst(s, row)
    if burst.slack_ts:
        raise slack_ops.Skip("card already posted")
    if not bursts.still_folded(s, burst.id):
        raise slack_ops.Skip("nothing folded any more: every conversation has its own alert")
    text, blocks = burst_message(bursts.facts(s, burst), burst.lang)
    return slack_ops.SlackCall("chat_postMessage", dict(channel=burst.slack_channel, text=text, blocks=blocks, **post),
                               store=("burst", burst.id))


def refresh_call(s, row: Outbox, now: float) -> slack_ops.SlackCall:
    burst = _burst(s, row)
    if not burst.slack_ts:
        raise slack_ops.Skip("card not posted")
    text, blocks = burst_message(bursts.facts(s, burst), burst.lang)
    return slack_ops.SlackCall("chat_update", dict(channel=burst.slack_channel, ts=burst.slack_ts, text=text,
                                                   blocks=blocks))


def breaches_call(s, row: Outbox, now: float, post: dict[str, Any]) -> slack_ops.SlackCall:
    burst = _burst(s, row)
    if not burst.slack_ts:
        raise slack_ops.Skip("card not posted")
    ids, total = bursts.breached_waiting(s, burst.id)
    if not total:
        raise slack_ops.Skip("nothing breached is waiting any more")
    text, blocks = breaches_note(burst.lang, burst.id, ids, total)
    return slack_ops.SlackCall("chat_postMessage", dict(channel=burst.slack_channel, thread_ts=burst.slack_ts, text=text,
                                                        blocks=blocks, **post))


def skip_if_folded(s, row: Outbox) -> None:
    conv = s.get(Conversation, row.payload.get("conversation_id") or 0)
    if conv is not None and conv.folded:
        raise slack_ops.Skip(f"folded into burst {conv.burst_id}")


def store_ts(s, burst_id: int, ts: str, channel: str) -> None:
    burst = s.get(Burst, burst_id)
    burst.slack_ts, burst.slack_channel = ts, channel


def _burst(s, row: Outbox) -> Burst:
    burst = s.get(Burst, row.payload["burst_id"])
    if burst is None:
        raise slack_ops.Skip("burst gone")
    return burst
