"""Scheduled posts at their second. Publication is an outbox row whose run_at is the post's time
(queued at approval: bot/domain/approvals.py queue_publish), so it keeps the outbox's leases,
reconciliation and exactly-once keys across replicas and restarts. This module adds:

- `tick`: approvals still pending at the scheduled time expire (the author is told), exactly once:
  the state change is a compare-and-set, so one replica wins each post;
- `ScheduledPublisher`: members schedule on whole minutes, so posts fall due in bursts. A few
  seconds ahead, each replica leases a share of the coming burst (the same lease columns the outbox
  worker uses, so nobody else takes those rows) and does everything but the network call: checks
  and "publishing" mark. At the second itself only the network calls remain, made in parallel; the
  outcomes are written right after. A replica dying in between leaves leased rows that expire into
  "unknown" and are reconciled (looked up on the network) by any replica: never sent twice.
"""

from __future__ import annotations

import logging
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from itertools import groupby

from sqlalchemy import func, or_, select

from bot.domain import posts
from bot.domain.approvals import CHANGES, DRAFT, PENDING
from bot.jobs import lease, publish
from storage.models import Draft, Outbox

log = logging.getLogger(__name__)
LOOKAHEAD = 3  # seconds before its time a post is leased and prepared (then locked against edits)
POST_LANES = "net:%:p%"  # bot/domain/approvals.py publish_lane: one lane per post
# Seconds a scheduled post stays the publishers' alone after its time. An outbox worker that took
# one would publish it alone, with several transactions, while a whole burst waits behind it; past
# this, the publishers are behind (or none runs) and the workers help. Short on purpose: with 10 s
# the publishers alone fell behind under load (bench/publish.py, docs/performance.md).
PUBLISHER_GRACE = 2


def tick(db, now: float, limit: int = 200) -> int:
    """Expire what is due at `now`. Returns how many posts expired."""
    total = 0
    while True:
        with db.session() as s:
            n = len(posts.expire_due(s, now, limit=limit, skip_locked=not db.is_sqlite))
        total += n
        if n < limit:
            return total


def next_expiry(db, now: float) -> int | None:
    with db.session() as s:
        return s.scalar(select(func.min(Draft.scheduled_at)).where(
            Draft.kind == "post", Draft.state.in_((DRAFT, PENDING, CHANGES)), Draft.scheduled_at > int(now)))


def next_publication(db, now: float) -> int | None:
    """The next second at which a queued publication falls due (after `now`)."""
    with db.session() as s:
        return s.scalar(select(func.min(Outbox.run_at)).where(
            Outbox.state == "pending", Outbox.op == "publish", Outbox.run_at > int(now)))


def claim_upcoming(db, owner: str, now: float, lookahead: float, limit: int, lease_seconds: int = 60) -> list[Outbox]:
    """Lease scheduled posts due within `lookahead` seconds; each lease lasts until its time + lease_seconds."""
    return lease.claim(db, owner, now, limit=limit, lease_seconds=lease_seconds, horizon=lookahead,
                       states=("pending",), order="run_at", lease_from_run_at=True,
                       filters=(Outbox.op == "publish", Outbox.lane.like(POST_LANES)))


def left_to_publishers(now: float, grace: float = PUBLISHER_GRACE):
    """The outbox worker's claim filter: not a pending scheduled post within `grace` seconds of its
    time (a row being reconciled, or one long overdue, is the worker's as before)."""
    return or_(Outbox.op != "publish", Outbox.state != "pending", ~Outbox.lane.like(POST_LANES),
               Outbox.run_at <= int(now - grace))


class ScheduledPublisher:
    def __init__(self, db, clock, connectors, approvers, rules, owner: str | None = None, senders: int = 8,
                 lookahead: float = LOOKAHEAD, limit: int = 60, lease_seconds: int = 60):
        self.lease_seconds = lease_seconds  # clock seconds after the post's time
        self.db, self.clock, self.connectors, self.approvers, self.rules = db, clock, connectors, approvers, rules
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:publisher"
        self.lookahead, self.limit = lookahead, limit
        self._pool = ThreadPoolExecutor(max_workers=senders, thread_name_prefix="publish")

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def run_once(self) -> int:
        """Lease this replica's share of the posts due soon, prepare them, send each at its second."""
        rows = claim_upcoming(self.db, self.owner, self.clock.now(), self.lookahead, self.limit,
                              lease_seconds=self.lease_seconds)
        for due, group in groupby(rows, key=lambda r: r.run_at):
            self._burst(due, list(group))
        return len(rows)

    def _burst(self, due: int, rows: list[Outbox]) -> None:
        """Two transactions for the whole burst (prepare, then record with the rows finished), not
        three per post: commits were where a minute's posts spent their time (bench/publish.py)."""
        now = self.clock.now()
        prepared = publish.prepare_many(self.db, self.connectors, self.approvers, rows, now)
        # cancelled, edited, late, approvers' group unknown...: nothing to send now
        publish.finish_many(self.db, [(row, ready) for row, ready in zip(rows, prepared, strict=True)
                                      if isinstance(ready, publish.Outcome)], now)
        todo = [(row, ready) for row, ready in zip(rows, prepared, strict=True) if isinstance(ready, publish.Prepared)]
        if not todo:
            return
        self.clock.wait(due)
        results = list(self._pool.map(lambda item: publish.send(item[1]), todo))  # the second itself: calls only
        publish.record_many(self.db, self.rules, [(row, ready, result) for (row, ready), result in
                                                  zip(todo, results, strict=True)], self.clock.now())
