"""Queue a side effect. It commits with the state change that caused it; the outbox worker
performs it later, outside the transaction, exactly once per idempotency key.

Every operation is an `Op`; its class in the registry (bot/outbox/registry.py) says how it is
sent, its priority, its parent and its attempt limit. Enqueuing asks the registry for the row's
priority and parent, so callers only name the op."""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import Outbox, OutboxState
from storage.upsert import insert_ignore, insert_ignore_many


class Op(StrEnum):
    """Outbox operations. The values are the strings stored in `outbox.op` (older code writes them)."""

    ALERT_POST = "alert_post"
    ALERT_REFRESH = "alert_refresh"
    THREAD_NOTE = "thread_note"
    DRAFT_CARD = "draft_card"
    DRAFT_REFRESH = "draft_refresh"
    DRAFT_NOTE = "draft_note"
    SLA_DM = "sla_dm"
    DM = "dm"
    MESSAGE = "message"
    PUBLISH = "publish"
    PD_TRIGGER = "trigger"
    PD_ACKNOWLEDGE = "acknowledge"
    PD_RESOLVE = "resolve"
    INCIDENT_OPEN = "incident_open"
    INCIDENT_DM = "incident_dm"
    INCIDENT_NOTE = "incident_note"
    INCIDENT_HELD = "incident_held"
    BURST_CARD = "burst_card"
    BURST_REFRESH = "burst_refresh"
    BURST_BREACHES = "burst_breaches"
    REPORT = "report"


class Priority(IntEnum):
    """Smaller goes first (then older). What a team must see at once, then new conversations,
    then what happens inside threads, then refreshes of messages already shown."""

    OVERDUE = -10  # breach and escalation notes: a deadline already passed, so before anything new
    URGENT = 0  # pages and DMs, VIP/DM/high-priority alerts
    NEGATIVE = 10  # a new conversation opened by an angry message: before the calm ones
    ALERT = 20  # a new conversation's alert
    NOTE = 40  # thread notes, draft cards and notes, channel messages
    REFRESH = 60  # chat.update of a parent: it renders the latest state whenever it goes


def slack_lane(channel: str) -> str:
    return f"slack:{channel}"


class SideLane(StrEnum):
    """A channel's messages that keep their own order beside its alerts (so they never queue behind
    a burst's backlog) while spending the same channel's Slack budget."""

    BURST = "burst"  # a burst card, its refreshes and notes (bot/domain/bursts.py)
    INCIDENT = "incident"  # an incident's message and its thread notes (bot/domain/crisis.py)


def side_lane(channel: str, side: SideLane) -> str:
    return f"{slack_lane(channel)}:{side}"


def channel_lanes(channel: str) -> list[str]:
    """Every lane that posts into `channel`."""
    return [slack_lane(channel)] + [side_lane(channel, side) for side in SideLane]


def budget_lane(lane: str) -> str:
    """The lane whose Slack budget a row spends: a side lane spends its channel's."""
    for side in SideLane:
        lane = lane.removesuffix(f":{side}")
    return lane


def network_lane(account: str) -> str:
    return f"net:{account}"


def _placement(session: Session, op: str, payload: dict[str, Any]) -> tuple[int, str | None]:
    # Lazy: the registry imports the block builders, which import the domain.
    from bot.outbox.registry import op_for

    cls = op_for(op)
    if cls is None:
        return int(Priority.NOTE), None
    return int(cls.priority_for(payload)), cls.parent_key(session, payload)


def enqueue(session: Session, now: float, *, target: str, op: str, lane: str, key: str,
            payload: dict[str, Any] | None = None, run_at: float | None = None,
            priority: int | None = None) -> int | None:
    """Returns the new row id, or None when this key was already queued (a replay)."""
    t = int(now)
    payload = payload or {}
    default, parent = _placement(session, op, payload)
    prio = default if priority is None else int(priority)
    new_id = insert_ignore(session, Outbox, dict(
        target=target, op=str(op), lane=lane, idempotency_key=key, payload=payload,
        state=OutboxState.PENDING.value, attempts=0, run_at=int(run_at if run_at is not None else now),
        created_at=t, updated_at=t, priority=prio, parent_key=parent))
    if new_id is not None and parent is not None and prio <= Priority.ALERT:  # notes never outrank an alert
        _lift_parent(session, parent, prio)
    return new_id


def _lift_parent(session: Session, parent: str, prio: int) -> None:
    """An urgent child (a breach note) must not wait behind its parent's lower priority."""
    session.execute(update(Outbox).where(
        Outbox.idempotency_key == parent, Outbox.priority > prio,
        Outbox.state.in_((OutboxState.PENDING, OutboxState.UNKNOWN, OutboxState.BLOCKED))).values(priority=prio))


def enqueue_slack_many(session: Session, now: float, items: list[tuple]) -> None:
    """Many Slack rows at once: (channel, op, key, payload[, priority]). Keys already queued are skipped."""
    t = int(now)
    rows = []
    for channel, op, key, payload, *rest in items:
        default, parent = _placement(session, op, payload)
        rows.append(dict(target="slack", op=str(op), lane=slack_lane(channel), idempotency_key=key, payload=payload,
                         state=OutboxState.PENDING.value, attempts=0, run_at=t, created_at=t, updated_at=t,
                         priority=int(rest[0]) if rest and rest[0] is not None else default, parent_key=parent))
    insert_ignore_many(session, Outbox, rows)


def enqueue_slack(session: Session, now: float, channel: str, op: str, key: str, **payload: Any) -> int | None:
    return enqueue(session, now, target="slack", op=op, lane=slack_lane(channel), key=key, payload=payload)


def enqueue_refresh(session: Session, now: float, channel: str, op: str, subject: str, subject_id: int) -> None:
    """Refresh a parent message; several state changes before the worker runs share one update
    (and the worker folds any refreshes of one parent still queued into the one it sends)."""
    pending = session.scalar(select(Outbox.id).where(
        Outbox.op == op, Outbox.state == OutboxState.PENDING, Outbox.lane == slack_lane(channel),
        Outbox.idempotency_key.like(f"{op}:{subject_id}:%")).limit(1))
    if pending is None:
        n = session.scalar(select(Outbox.id).order_by(Outbox.id.desc()).limit(1)) or 0
        enqueue_slack(session, now, channel, op, f"{op}:{subject_id}:{n + 1}:{now}", **{subject: subject_id})
