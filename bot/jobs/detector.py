"""The SLA detector: finds clocks whose next instant (warning or due) has come, and alerts once.

It does not sweep: it asks the database for the earliest `next_check_at` and sleeps until then
(or until woken because a new clock was written), so a breach is seen within the same second it
happens while an idle detector costs one indexed query a second."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.domain import clocks
from bot.domain.outbox import enqueue_refresh, enqueue_slack
from storage.models import Conversation, SlaClock


def detect(db, now: float, limit: int = 500) -> int:
    """Handle every clock due at `now`. Returns how many clocks were handled."""
    handled = 0
    while True:
        with db.session() as s:
            q = (select(SlaClock).where(SlaClock.state == "running", SlaClock.next_check_at <= int(now))
                 .order_by(SlaClock.next_check_at, SlaClock.id).limit(limit))
            if not db.is_sqlite:
                q = q.with_for_update(skip_locked=True)
            rows = list(s.scalars(q))
            for clock in rows:
                _check(s, clock, now)
        handled += len(rows)
        if len(rows) < limit:
            return handled


def next_wakeup(db) -> int | None:
    with db.session() as s:
        return s.scalar(select(func.min(SlaClock.next_check_at)).where(SlaClock.state == "running"))


def _check(s, clock: SlaClock, now: float) -> None:
    conv = s.get(Conversation, clock.conversation_id)
    if now >= clock.due_at:
        # No warning once the clock is past due: only the breach.
        late_ingest = conv.created_at > clock.due_at
        clock.state = "breached"
        clock.breached_at = clock.due_at
        clock.next_check_at = None
        if clocks.add_event(s, clock, "breached", 0, now, late_ingest=late_ingest):
            _alert(s, conv, clock, now, "breach", level=0, late_ingest=late_ingest)
        return
    passed = [(level, at) for level, at in clock.warn_at if at <= now and level > (clock.warned_level or 0)]
    if passed:
        level = max(level for level, _ in passed)  # after a pause, only the latest warning
        clock.warned_level = level
        if clocks.add_event(s, clock, "warning", level, now):
            _alert(s, conv, clock, now, "warning", level=level)
    clock.next_check_at = clocks.next_check(clock, now)


def _alert(s, conv: Conversation, clock: SlaClock, now: float, kind: str, level: int, **extra) -> None:
    if not conv.slack_channel:
        return
    enqueue_slack(s, now, conv.slack_channel, "thread_note", f"sla:{clock.id}:{kind}:{level}",
                  conversation_id=conv.id, note=kind, clock_id=clock.id, level=level, **extra)
    enqueue_refresh(s, now, conv.slack_channel, "alert_refresh", "conversation_id", conv.id)
