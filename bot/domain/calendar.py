"""The editorial calendar: posts by day in the member's zone, what needs attention first
(approvals that missed their time, failed publications, approvals due soon), and who each
waiting post waits for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.domain.approvals import (
    CANCELLED,
    CHANGES,
    DRAFT,
    EXPIRED,
    FAILED,
    NEEDS_HUMAN,
    PENDING,
    card_status,
)
from bot.domain.workflows import Step
from storage.models import Draft

SCOPES = {"week": 7, "month": 31, "semaine": 7, "mois": 31}
SOON = 24 * 3600  # a pending approval due within a day is listed under "needs attention"
RECENT = 7 * 24 * 3600  # missed or failed posts stay under "needs attention" for a week


@dataclass(frozen=True)
class Entry:
    draft: Draft
    step_index: int = 0
    step_count: int = 0
    step: Step | None = None  # the open step, for a post waiting for approval
    approved_by: tuple[str, ...] = ()  # who already approved the open step (an "all" step)


def window(now: float, tz: str, scope: str) -> tuple[int, int]:
    """From the start of the member's today, for a week or a month."""
    zone = ZoneInfo(tz)
    start = datetime.fromtimestamp(now, zone).replace(hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=SCOPES.get(scope, 7))).replace(tzinfo=None)
    return int(start.timestamp()), int(end.replace(tzinfo=zone).timestamp())


def upcoming(s: Session, start: int, end: int, account: str | None = None) -> list[Entry]:
    q = select(Draft).where(Draft.kind == "post", Draft.state.not_in((CANCELLED,)),
                            Draft.scheduled_at >= start, Draft.scheduled_at < end)
    if account:
        q = q.where(Draft.account == account)
    return [entry(s, d) for d in s.scalars(q.order_by(Draft.scheduled_at, Draft.id))]


def attention(s: Session, now: float, account: str | None = None, limit: int = 10) -> list[Entry]:
    """Overdue first (missed approvals, failed or unsure publications), then approvals due soonest."""
    t = int(now)
    overdue = select(Draft).where(Draft.kind == "post", Draft.state.in_((EXPIRED, FAILED, NEEDS_HUMAN)),
                                  Draft.updated_at >= t - RECENT)
    due = select(Draft).where(Draft.kind == "post", Draft.state.in_((PENDING, CHANGES)),
                              or_(Draft.scheduled_at.is_(None), Draft.scheduled_at < t + SOON))
    if account:
        overdue, due = overdue.where(Draft.account == account), due.where(Draft.account == account)
    rows = list(s.scalars(overdue.order_by(Draft.scheduled_at, Draft.id).limit(limit)))
    rows += list(s.scalars(due.order_by(Draft.scheduled_at.is_(None), Draft.scheduled_at, Draft.id)
                           .limit(max(0, limit - len(rows)))))
    return [entry(s, d) for d in rows]


def entry(s: Session, d: Draft) -> Entry:
    if d.state not in (PENDING, CHANGES, DRAFT):
        return Entry(d)
    status = card_status(s, d)
    open_step = next((v for v in status.steps if v.state == "open"), None)
    if open_step is None:
        return Entry(d, step_count=len(status.steps))
    return Entry(d, open_step.index, len(status.steps), open_step.step, open_step.approved_by)


def local_day(epoch: int, tz: str) -> datetime:
    return datetime.fromtimestamp(epoch, ZoneInfo(tz))
