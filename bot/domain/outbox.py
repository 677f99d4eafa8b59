"""Queue a side effect. It commits with the state change that caused it; the outbox worker
performs it later, outside the transaction, exactly once per idempotency key."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Outbox
from storage.upsert import insert_ignore, insert_ignore_many


def slack_lane(channel: str) -> str:
    return f"slack:{channel}"


def network_lane(account: str) -> str:
    return f"net:{account}"


def enqueue(session: Session, now: float, *, target: str, op: str, lane: str, key: str,
            payload: dict[str, Any] | None = None, run_at: float | None = None) -> int | None:
    """Returns the new row id, or None when this key was already queued (a replay)."""
    t = int(now)
    return insert_ignore(session, Outbox, dict(
        target=target, op=op, lane=lane, idempotency_key=key, payload=payload or {}, state="pending",
        attempts=0, run_at=int(run_at if run_at is not None else now), created_at=t, updated_at=t))


def enqueue_slack_many(session: Session, now: float, items: list[tuple[str, str, str, dict[str, Any]]]) -> None:
    """Many Slack rows at once: (channel, op, key, payload). Keys already queued are skipped."""
    t = int(now)
    insert_ignore_many(session, Outbox, [dict(
        target="slack", op=op, lane=slack_lane(channel), idempotency_key=key, payload=payload, state="pending",
        attempts=0, run_at=t, created_at=t, updated_at=t) for channel, op, key, payload in items])


def enqueue_slack(session: Session, now: float, channel: str, op: str, key: str, **payload: Any) -> int | None:
    return enqueue(session, now, target="slack", op=op, lane=slack_lane(channel), key=key, payload=payload)


def enqueue_refresh(session: Session, now: float, channel: str, op: str, subject: str, subject_id: int) -> None:
    """Refresh a parent message; several state changes before the worker runs share one update."""
    pending = session.scalar(select(Outbox.id).where(
        Outbox.op == op, Outbox.state == "pending", Outbox.lane == slack_lane(channel),
        Outbox.idempotency_key.like(f"{op}:{subject_id}:%")).limit(1))
    if pending is None:
        n = session.scalar(select(Outbox.id).order_by(Outbox.id.desc()).limit(1)) or 0
        enqueue_slack(session, now, channel, op, f"{op}:{subject_id}:{n + 1}:{now}", **{subject: subject_id})
