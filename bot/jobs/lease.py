"""Claiming due outbox rows across replicas: one conditional UPDATE that takes a lease (with
FOR UPDATE SKIP LOCKED on PostgreSQL). Rows of one lane leave in order, one at a time; a lane
in back-off (Slack's Retry-After, our pacing) waits without holding the others up."""

from __future__ import annotations

import uuid

from sqlalchemy import and_, case, exists, select, update
from sqlalchemy.orm import aliased

from storage.models import Lane, Outbox

IN_FLIGHT = ("pending", "sending")


def claim_outbox(db, owner: str, now: float, limit: int = 10, lease_seconds: int = 60) -> list[Outbox]:
    t = int(now)
    earlier = aliased(Outbox)
    blocked_lane = exists().where(Lane.name == Outbox.lane, Lane.next_at > now)
    older_in_lane = exists().where(and_(earlier.lane == Outbox.lane, earlier.id < Outbox.id,
                                        earlier.state.in_(IN_FLIGHT)))
    due = (select(Outbox.id).where(Outbox.state.in_(("pending", "unknown")), Outbox.run_at <= t,
                                   ~older_in_lane, ~blocked_lane)
           .order_by(Outbox.run_at, Outbox.id).limit(limit))
    if not db.is_sqlite:
        due = due.with_for_update(skip_locked=True)
    token = uuid.uuid4().hex
    # A row claimed from "unknown" is claimed to reconcile it, not to send it again.
    next_state = case((Outbox.state == "unknown", "reconciling"), else_="sending")
    with db.session() as s:
        _expire_leases(s, t)
        ids = list(s.scalars(due))
        if not ids:
            return []
        return list(s.execute(
            update(Outbox).where(Outbox.id.in_(ids), Outbox.state.in_(("pending", "unknown")))
            .values(state=next_state, lease_owner=owner, lease_token=token, lease_until=t + lease_seconds,
                    attempts=Outbox.attempts + 1, updated_at=t)
            .returning(Outbox)).scalars().all())


def _expire_leases(s, t: int) -> None:
    # A worker that died mid-send leaves the outcome unknown: reconcile, never resend blindly.
    s.execute(update(Outbox).where(Outbox.state.in_(("sending", "reconciling")), Outbox.lease_until < t)
              .values(state="unknown", lease_owner=None, lease_token=None, lease_until=None))


def finish(db, row: Outbox, state: str, now: float, **values) -> bool:
    """Compare-and-set on the lease: a worker whose lease expired cannot overwrite the new owner."""
    with db.session() as s:
        n = s.execute(update(Outbox).where(Outbox.id == row.id, Outbox.lease_token == row.lease_token)
                      .values(state=state, lease_owner=None, lease_token=None, lease_until=None,
                              updated_at=int(now), **values)).rowcount
        return n == 1


def push_lane(db, lane: str, until: float) -> None:
    with db.session() as s:
        n = s.execute(update(Lane).where(Lane.name == lane).values(next_at=until)).rowcount
        if n == 0:
            s.add(Lane(name=lane, next_at=until))


def finish_outcome(db, row: Outbox, out, now: float) -> bool:
    """Record a worker's outcome (state, error, external_id, run_at) on its leased row."""
    values = {"last_error": out.error}
    if out.external_id:
        values["external_id"] = out.external_id
    if out.run_at is not None:
        values["run_at"] = int(out.run_at)
    return finish(db, row, out.state, now, **values)
