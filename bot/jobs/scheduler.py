"""The scheduler loop's work. Publication itself is an outbox row whose run_at is the post's
minute (queued at approval: bot/domain/approvals.py queue_publish), so it inherits the outbox's
leases, reconciliation and exactly-once keys across replicas and restarts. What is left here:

- expire approvals still pending at the scheduled time (the author is told), exactly once: the
  state change is a compare-and-set, so only one replica wins each post;
- wake the outbox at the exact second a publication falls due, instead of at its next idle look.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.domain import posts
from bot.domain.approvals import CHANGES, DRAFT, PENDING
from storage.models import Draft, Outbox


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
