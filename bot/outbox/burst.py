"""Burst card operations (bot/domain/bursts.py): post the card, refresh it in place, and note the
breaches still waiting on it. Each renders from the database when sent, so the counts are exact.
The three share the card's side lane, so a refresh or a note never overtakes the card's post."""

from __future__ import annotations

from bot.blocks.burst import breaches_note, burst_message
from bot.domain import bursts
from bot.domain.outbox import Op, Priority
from bot.jobs.slack_ops import Skip, SlackCall
from bot.outbox.registry import register
from bot.outbox.slack import SlackOp, SlackUpdate, post_kwargs
from storage.models import Burst, Outbox


def _burst(s, row: Outbox) -> Burst:
    burst = s.get(Burst, row.payload["burst_id"])
    if burst is None:
        raise Skip("burst gone")
    return burst


@register
class BurstCard(SlackOp):
    name = Op.BURST_CARD
    priority = Priority.ALERT

    def build(self, s, row, now, cfg=None):
        burst = _burst(s, row)
        if burst.slack_ts:
            raise Skip("card already posted")
        if not bursts.still_folded(s, burst.id):
            raise Skip("nothing folded any more: every conversation has its own alert")
        text, blocks = burst_message(bursts.facts(s, burst), burst.lang)
        return SlackCall("chat_postMessage", dict(channel=burst.slack_channel, text=text, blocks=blocks,
                                                  **post_kwargs(row)), store=("burst", burst.id))


@register
class BurstRefresh(SlackUpdate):
    """Ahead of the refreshes of single alerts for the workspace's chat.update budget: it is what
    makes hundreds of folded conversations visible. Same priority as the card's post, so in the
    card's lane it still follows it."""

    name = Op.BURST_REFRESH
    priority = Priority.ALERT

    def build(self, s, row, now, cfg=None):
        burst = _burst(s, row)
        if not burst.slack_ts:
            raise Skip("card not posted")
        text, blocks = burst_message(bursts.facts(s, burst), burst.lang)
        return SlackCall("chat_update", dict(channel=burst.slack_channel, ts=burst.slack_ts, text=text, blocks=blocks))


@register
class BurstBreaches(SlackOp):
    """One note in the card's thread listing the breached conversations still folded. Same
    priority as the card, so within the card's lane it never goes before the card itself."""

    name = Op.BURST_BREACHES
    priority = Priority.ALERT

    def build(self, s, row, now, cfg=None):
        burst = _burst(s, row)
        if not burst.slack_ts:
            raise Skip("card not posted")
        ids, total = bursts.breached_waiting(s, burst.id)
        if not total:
            raise Skip("nothing breached is waiting any more")
        text, blocks = breaches_note(burst.lang, burst.id, ids, total)
        return SlackCall("chat_postMessage", dict(channel=burst.slack_channel, thread_ts=burst.slack_ts, text=text,
                                                  blocks=blocks, **post_kwargs(row)))
