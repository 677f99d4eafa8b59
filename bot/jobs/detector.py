"""The SLA detector: finds clocks whose next instant (warning, due, escalation step) has come,
and alerts once.

It does not sweep: it asks the database for the earliest `next_check_at` and sleeps until then
(or until woken because a new clock was written), so a breach is seen within the same second it
happens while an idle detector costs a few indexed queries a second. Replicas share the work
with FOR UPDATE SKIP LOCKED on PostgreSQL, and every alert hangs off a unique event.

After downtime, overdue clocks come back in due order; when a channel has DIGEST_MIN or more
breaches that are over STALE seconds late, it gets one digest message instead of a flood of
thread notes (each alert parent still shows its own breach)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from bot.blocks.sla import digest_message
from bot.domain import bursts, clocks, escalation
from bot.domain.outbox import enqueue, enqueue_refresh, enqueue_slack, slack_lane
from bot.i18n import channel_lang
from storage.models import Conversation, SlaClock

WATCHED = ("running", "breached")  # breached clocks come back for their escalation steps
STALE = 60  # a breach seen this late was missed (downtime), not detected live
DIGEST_MIN = 5


def detect(db, now: float, limit: int = 500, rules=None, cfg=None) -> int:
    """Handle every clock due at `now`, in due order. Returns how many clocks were handled.
    `rules` (the SlaRules with on-call and PagerDuty) is needed for escalation levels 2 to 4;
    `cfg` gives the digest its channel's language (None: English)."""
    handled = 0
    while True:
        with db.session() as s:
            q = (select(SlaClock).where(SlaClock.state.in_(WATCHED), SlaClock.next_check_at <= int(now))
                 .order_by(SlaClock.next_check_at, SlaClock.id).limit(limit))
            if not db.is_sqlite:
                q = q.with_for_update(skip_locked=True)
            rows = list(s.scalars(q))
            convs = _conversations(s, rows)
            quiet = _caught_up(rows, convs, now)
            for clock in rows:
                _check(s, rules, convs[clock.conversation_id], clock, now, clock.id in quiet)
            _digests(s, rows, convs, quiet, now, cfg)
        handled += len(rows)
        if len(rows) < limit:
            return handled


def next_wakeup(db) -> int | None:
    """The earliest instant any clock needs looking at (two index look-ups)."""
    with db.session() as s:
        found = [s.scalar(select(SlaClock.next_check_at).where(SlaClock.state == state,
                                                                SlaClock.next_check_at.is_not(None))
                          .order_by(SlaClock.next_check_at).limit(1)) for state in WATCHED]
    found = [f for f in found if f is not None]
    return min(found) if found else None


def _conversations(s, rows: list[SlaClock]) -> dict[int, Conversation]:
    ids = {r.conversation_id for r in rows}
    return {c.id: c for c in s.scalars(select(Conversation).where(Conversation.id.in_(ids)))} if ids else {}


def _caught_up(rows: list[SlaClock], convs: dict[int, Conversation], now: float) -> set[int]:
    """Breaches missed while Veille was down, in channels that have enough of them for a digest."""
    stale: dict[str, list[int]] = defaultdict(list)
    for clock in rows:
        conv = convs[clock.conversation_id]
        if (clock.state == "running" and clock.due_at <= now - STALE and clock.applied_at <= clock.due_at
                and conv.slack_channel):
            stale[conv.slack_channel].append(clock.id)
    return {cid for ids in stale.values() if len(ids) >= DIGEST_MIN for cid in ids}


def _check(s, rules, conv: Conversation, clock: SlaClock, now: float, quiet: bool) -> None:
    if clock.state == "breached":
        escalation.step(s, rules, conv, clock, now)
        return
    if now >= clock.due_at:
        # No warning once the clock is past due: only the breach.
        late_ingest = clock.applied_at > clock.due_at
        clock.state = "breached"
        clock.breached_at = clock.due_at
        if clocks.add_event(s, clock, "breached", 0, now, late_ingest=late_ingest, caught_up=quiet):
            if quiet:
                _refresh(s, conv, now)
            else:
                _alert(s, conv, clock, now, "breach", level=0, late_ingest=late_ingest)
        missed = quiet or late_ingest or clock.due_at <= now - STALE
        escalation.schedule_after_breach(clock, now, caught_up=missed)
        return
    passed = [(level, at) for level, at in clock.warn_at if at <= now and level > (clock.warned_level or 0)]
    if passed:
        level = max(level for level, _ in passed)  # after downtime, only the latest warning
        clock.warned_level = level
        if clocks.add_event(s, clock, "warning", level, now):
            _alert(s, conv, clock, now, "warning", level=level)
    clock.next_check_at = clocks.next_check(clock, now)


def _digests(s, rows: list[SlaClock], convs: dict[int, Conversation], quiet: set[int], now: float,
             cfg=None) -> None:
    by_channel: dict[str, list[tuple[Conversation, SlaClock]]] = defaultdict(list)
    for clock in rows:
        if clock.id in quiet:
            conv = convs[clock.conversation_id]
            by_channel[conv.slack_channel].append((conv, clock))
    for channel, items in by_channel.items():
        text, blocks = digest_message(items, lang=channel_lang(cfg, items[0][0].account))
        enqueue(s, now, target="slack", op="message", lane=slack_lane(channel),
                key=f"sla:digest:{channel}:{min(c.id for _, c in items)}",
                payload={"channel": channel, "text": text, "blocks": blocks})


def _alert(s, conv: Conversation, clock: SlaClock, now: float, kind: str, level: int, **extra) -> None:
    if not conv.slack_channel:
        return
    if kind == "breach" and bursts.on_breach(s, conv, now):  # folded: its own alert, or the card's note
        return
    enqueue_slack(s, now, conv.slack_channel, "thread_note", f"sla:{clock.id}:{kind}:{level}",
                  conversation_id=conv.id, note=kind, clock_id=clock.id, level=level, **extra)
    _refresh(s, conv, now)


def _refresh(s, conv: Conversation, now: float) -> None:
    if conv.slack_channel:
        enqueue_refresh(s, now, conv.slack_channel, "alert_refresh", "conversation_id", conv.id)
