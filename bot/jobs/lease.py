"""Claiming due outbox rows across replicas, and every later state change of a row.

One claim for the outbox worker and the scheduled publisher (`claim`): in ONE transaction it
picks due rows by priority then age (FOR UPDATE SKIP LOCKED on PostgreSQL), at most one per lane
and none in a lane with a row in flight, none whose parent row is not done yet, takes the lane's
Slack budget (token bucket) when the row needs one, and leases each row under its own token.
Because the budget is spent in the claiming transaction, two workers never both spend the last
token. Every later transition is compare-and-set on (id, lease token) and checked against the
transition table of storage/models.py. `fence` is called right before any external call: a
worker whose lease expired (or was taken over) never sends."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import String, and_, case, cast, exists, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from storage.models import (
    OUTBOX_FINAL,
    OUTBOX_TRANSITIONS,
    Lane,
    Outbox,
    OutboxState,
    check_outbox_transition,
)

S = OutboxState
IN_FLIGHT = (S.SENDING.value, S.RECONCILING.value)  # a lane with one of these waits for it
CLAIMABLE = (S.PENDING.value, S.UNKNOWN.value)


@dataclass(frozen=True)
class Bucket:
    """A token bucket: `rate` tokens a second, at most `burst` saved up."""

    rate: float
    burst: float


def claim(db, owner: str, now: float, *, limit: int = 10, lease_seconds: int = 60, filters: Iterable = (),
          horizon: float = 0.0, states: tuple[str, ...] = CLAIMABLE, order: str = "priority",
          lease_from_run_at: bool = False, budget=None) -> list[Outbox]:
    """Lease up to `limit` due rows (run_at <= now + horizon) matching `filters`.

    `budget(row) -> (bucket_lane, Bucket) | None` names the token bucket a row spends (None: no
    budget). `lease_from_run_at`: the lease runs from the row's own time (posts leased early)."""
    t = int(now)
    earlier = aliased(Outbox)
    parent = aliased(Outbox)
    lane_busy = exists().where(and_(earlier.lane == Outbox.lane, earlier.id != Outbox.id,
                                    earlier.state.in_(IN_FLIGHT)))
    backing_off = exists().where(Lane.name == Outbox.lane, Lane.next_at > now)
    blocked = aliased(Outbox)
    # A lane Slack refused (not_in_channel, invalid_auth) waits for the invite or the fix.
    lane_blocked = exists().where(and_(blocked.lane == Outbox.lane, blocked.state == S.BLOCKED.value))
    parent_waiting = exists().where(and_(parent.idempotency_key == Outbox.parent_key,
                                         parent.state.not_in([s.value for s in OUTBOX_FINAL])))
    ordering = ((Outbox.priority, Outbox.id) if order == "priority" else (Outbox.run_at, Outbox.id))
    # Only the head of each lane competes: a long backlog in one channel never starves the others.
    ranked = (select(Outbox.id, func.row_number().over(partition_by=Outbox.lane, order_by=ordering).label("rn"))
              .where(Outbox.state.in_(states), Outbox.run_at <= int(now + horizon), *filters,
                     ~lane_busy, ~backing_off, ~lane_blocked, or_(Outbox.parent_key.is_(None), ~parent_waiting))
              .subquery())
    due = (select(Outbox).where(Outbox.id.in_(select(ranked.c.id).where(ranked.c.rn == 1)),
                                Outbox.state.in_(states))
           .order_by(*ordering).limit(limit * 4 if budget is not None else limit))
    if not db.is_sqlite:
        due = due.with_for_update(skip_locked=True, of=Outbox)
    prefix = uuid.uuid4().hex[:24]
    with db.session() as s:
        _expire_leases_at_most_once_a_second(db, s, t)
        picked, lanes = [], set()
        for row in s.scalars(due):
            if row.lane in lanes:
                continue  # one row in flight per lane
            if budget is not None:
                need = budget(row)
                if need is not None and not _take_token(s, need[0], need[1], now):
                    lanes.add(row.lane)
                    continue
            lanes.add(row.lane)
            picked.append(row.id)
            if len(picked) >= limit:
                break
        if not picked:
            return []
        s.expunge_all()
        # Each row gets its own token ("<claim>:<id>"): leases are per row, not per batch.
        token = literal(prefix + ":") + cast(Outbox.id, String)
        until = ((func.max if db.is_sqlite else func.greatest)(Outbox.run_at, t) if lease_from_run_at else t)
        # A row claimed from "unknown" is claimed to reconcile it, not to send it again.
        next_state = case((Outbox.state == S.UNKNOWN.value, S.RECONCILING.value), else_=S.SENDING.value)
        rows = list(s.execute(
            update(Outbox).where(Outbox.id.in_(picked), Outbox.state.in_(states))
            .values(state=next_state, lease_owner=owner, lease_token=token, lease_until=until + lease_seconds,
                    attempts=Outbox.attempts + 1, updated_at=t)
            .returning(Outbox)).scalars().all())
        order_of = {i: n for n, i in enumerate(picked)}
        return sorted(rows, key=lambda r: order_of[r.id])


def claim_outbox(db, owner: str, now: float, limit: int = 10, lease_seconds: int = 60, budget=None,
                 filters: Iterable = ()) -> list[Outbox]:
    return claim(db, owner, now, limit=limit, lease_seconds=lease_seconds, budget=budget, filters=filters)


def _take_token(s, name: str, bucket: Bucket, now: float) -> bool:
    """Spend one token of `name`'s bucket (row locked on PostgreSQL until the claim commits)."""
    _ensure_lane(s, name, bucket.burst, now)
    q = select(Lane).where(Lane.name == name)
    if s.get_bind().dialect.name != "sqlite":
        q = q.with_for_update()
    lane = s.scalars(q).one()
    tokens = min(bucket.burst, lane.tokens + max(0.0, now - lane.refilled_at) * bucket.rate)
    if tokens < 1.0:
        return False
    s.execute(update(Lane).where(Lane.name == name).values(tokens=tokens - 1.0, refilled_at=max(now, lane.refilled_at)))
    return True


def _ensure_lane(s, name: str, tokens: float, now: float) -> None:
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    s.execute(insert(Lane).values(name=name, next_at=0.0, tokens=tokens, refilled_at=now).on_conflict_do_nothing())


def _expire_leases_at_most_once_a_second(db, s, t: int) -> None:
    """Leases are whole seconds (`lease_until < t`), so a second pass within the same second finds
    nothing new; skipping it saves an UPDATE per claim (~11 % of a publishing replica's busy time,
    bench/publish.py). Per Database object, i.e. per process; other processes expire their own."""
    if getattr(db, "_leases_expired_at", None) == t:
        return
    _expire_leases(s, t)
    db._leases_expired_at = t


def _expire_leases(s, t: int) -> None:
    # A worker that died mid-send leaves the outcome unknown: reconcile, never resend blindly.
    s.execute(update(Outbox).where(Outbox.state.in_(IN_FLIGHT), Outbox.lease_until < t)
              .values(state=S.UNKNOWN.value, lease_owner=None, lease_token=None, lease_until=None))


def fence(db, row: Outbox, now: float, lease_seconds: int = 60) -> bool:
    """Right before an external call: is the lease still ours and unexpired? If so it is renewed
    for the call's duration (compare-and-set), so nobody can take the row while we send."""
    t = int(now)
    with db.session() as s:
        n = s.execute(update(Outbox).where(
            Outbox.id == row.id, Outbox.lease_token == row.lease_token, Outbox.state.in_(IN_FLIGHT),
            Outbox.lease_until >= t).values(lease_until=t + lease_seconds)).rowcount
    return n == 1


def finish(db, row: Outbox, state: str, now: float, **values) -> bool:
    """Compare-and-set on the lease: a worker whose lease expired cannot overwrite the new owner."""
    with db.session() as s:
        return finish_in(s, row, state, now, **values)


def finish_in(s, row: Outbox, state: str, now: float, **values) -> bool:
    """`finish` inside the caller's transaction (a burst's outcomes and their rows commit together)."""
    check_outbox_transition(row.state, state)
    return s.execute(update(Outbox).where(Outbox.id == row.id, Outbox.lease_token == row.lease_token)
                     .values(state=OutboxState(state).value, lease_owner=None, lease_token=None,
                             lease_until=None, updated_at=int(now), **values)).rowcount == 1


def transition(s, where, old: Iterable[str], new: str, now: float, **values) -> int:
    """A state change of rows not leased (block, unblock, coalesce, withdraw): compare-and-set on
    the expected states, each checked against the table first."""
    old = [OutboxState(o) for o in old]
    for o in old:
        check_outbox_transition(o, new)
    return s.execute(update(Outbox).where(*where, Outbox.state.in_([o.value for o in old]))
                     .values(state=OutboxState(new).value, updated_at=int(now), **values)).rowcount


def allowed(old: str, new: str) -> bool:
    return OutboxState(new) in OUTBOX_TRANSITIONS[OutboxState(old)] or old == new


check = check_outbox_transition


def push_lane(db, lane: str, until: float) -> None:
    """Slack's Retry-After (or a PagerDuty 429): nothing in this lane before `until`."""
    with db.session() as s:
        n = s.execute(update(Lane).where(Lane.name == lane).values(next_at=until)).rowcount
        if n == 0:
            s.add(Lane(name=lane, next_at=until, tokens=0.0, refilled_at=until))


def finish_outcome(db, row: Outbox, out, now: float) -> bool:
    """Record a worker's outcome (state, error, external_id, run_at) on its leased row."""
    with db.session() as s:
        return finish_outcome_in(s, row, out, now)


def finish_outcome_in(s, row: Outbox, out, now: float) -> bool:
    values = {"last_error": out.error}
    if out.external_id:
        values["external_id"] = out.external_id
    if out.run_at is not None:
        values["run_at"] = int(out.run_at)
    return finish_in(s, row, out.state, now, **values)
