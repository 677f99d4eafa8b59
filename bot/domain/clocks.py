"""SLA clock rows: started by inbound messages, stopped by qualifying replies, checked by the
detector. Deadlines come from `SlaRules` (policies and schedules); this module only keeps the
rows and events honest. Events are unique per (clock, type, level): whoever inserts one alerts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.outbox import enqueue_refresh, enqueue_slack
from storage.models import Conversation, Message, SlaClock, SlaEvent
from storage.upsert import insert_ignore

FIRST, NEXT, RESOLUTION = "first_response", "next_response", "resolution"
OPEN_STATES = ("running", "paused", "breached")  # not yet answered


@dataclass(frozen=True)
class Deadline:
    due: int
    warn_at: list[tuple[int, int]] = field(default_factory=list)  # (level, epoch), in time order
    policy: str = "default"
    version: int = 1
    escalate_after: int | None = None


class SlaRules(Protocol):
    def deadline(self, metric: str, conv: Conversation, start: int, paused: int = 0) -> Deadline | None:
        """The deadline for `metric` of this conversation, or None if its policy has no such target."""
        ...


def on_inbound(s: Session, rules: SlaRules, conv: Conversation, msg: Message, now: float) -> None:
    clocks = {(c.metric): c for c in _open_clocks(s, conv.id)}
    has_first = s.scalar(select(SlaClock.id).where(SlaClock.conversation_id == conv.id,
                                                   SlaClock.metric == FIRST).limit(1))
    if has_first is None and conv.last_reply_at is None:
        _start(s, rules, conv, FIRST, 1, conv.first_inbound_at, now)
    elif conv.last_reply_at is not None and NEXT not in clocks:
        # The oldest unanswered inbound after our last reply starts the next-response clock;
        # later messages before a reply do not move it.
        cycle = (s.scalar(select(SlaClock.cycle).where(SlaClock.conversation_id == conv.id, SlaClock.metric == NEXT)
                          .order_by(SlaClock.cycle.desc()).limit(1)) or 0) + 1
        _start(s, rules, conv, NEXT, cycle, msg.created_at, now)
    if RESOLUTION not in clocks:
        has_res = s.scalar(select(SlaClock.id).where(SlaClock.conversation_id == conv.id,
                                                     SlaClock.metric == RESOLUTION).limit(1))
        if has_res is None:
            _start(s, rules, conv, RESOLUTION, 1, conv.first_inbound_at, now)


def on_reply(s: Session, rules: SlaRules, conv: Conversation, at: int, now: float, via: str, actor: str) -> None:
    """A qualifying reply (human, visible to the customer) stops the response clocks."""
    conv.last_reply_at = max(conv.last_reply_at or 0, at)
    conv.updated_at = int(now)
    for clock in _open_clocks(s, conv.id):
        if clock.metric not in (FIRST, NEXT):
            continue
        clock.fulfilled_at = at
        late = clock.breached_at is not None or at > clock.due_at
        clock.state = "fulfilled_late" if late else "met"
        clock.next_check_at = None
        add_event(s, clock, "fulfilled_late" if late else "met", 0, now, via=via, actor=actor)
    if conv.slack_channel:
        enqueue_refresh(s, now, conv.slack_channel, "alert_refresh", "conversation_id", conv.id)


def _start(s: Session, rules: SlaRules, conv: Conversation, metric: str, cycle: int, start: int, now: float) -> None:
    d = rules.deadline(metric, conv, start)
    if d is None:
        return
    clock = SlaClock(conversation_id=conv.id, metric=metric, cycle=cycle, policy=d.policy,
                     policy_version=d.version, start_at=start, due_at=d.due,
                     warn_at=[list(w) for w in d.warn_at], state="running")
    clock.next_check_at = next_check(clock, now)
    s.add(clock)
    s.flush()
    add_event(s, clock, "applied", 0, now, policy=d.policy, due=d.due)


def next_check(clock: SlaClock, now: float) -> int | None:
    """The next instant the detector must look at this clock: a pending warning, else the due."""
    if clock.state not in ("running",):
        return None
    if clock.breached_at is not None:
        return None
    pending = [at for level, at in clock.warn_at if level > (clock.warned_level or 0) and at < clock.due_at]
    return min(pending + [clock.due_at])


def add_event(s: Session, clock: SlaClock, type_: str, level: int, now: float, **detail) -> bool:
    """True if this call inserted the event (and so owns the alert that goes with it)."""
    return insert_ignore(s, SlaEvent, dict(clock_id=clock.id, conversation_id=clock.conversation_id, type=type_,
                                           level=level, at=int(now), detail=detail)) is not None


def _open_clocks(s: Session, conversation_id: int) -> list[SlaClock]:
    return list(s.scalars(select(SlaClock).where(SlaClock.conversation_id == conversation_id,
                                                 SlaClock.state.in_(OPEN_STATES))))


def note(s: Session, conv: Conversation, now: float, kind: str, key: str, **payload) -> None:
    if conv.slack_channel:
        enqueue_slack(s, now, conv.slack_channel, "thread_note", key, conversation_id=conv.id, note=kind, **payload)
        enqueue_refresh(s, now, conv.slack_channel, "alert_refresh", "conversation_id", conv.id)
