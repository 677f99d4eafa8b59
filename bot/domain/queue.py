"""What is waiting: open conversations by deadline, drafts waiting for approval."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Conversation, Draft, SlaClock


@dataclass(frozen=True)
class QueueItem:
    conversation: Conversation
    due_at: int | None
    state: str | None


def open_conversations(s: Session, limit: int = 15, channels: Collection[str] | None = None) -> list[QueueItem]:
    """`channels`: only conversations of these Slack channels (what the member may see); None: all."""
    due = (select(SlaClock.conversation_id, func.min(SlaClock.due_at).label("due"))
           .where(SlaClock.state.in_(("running", "breached")), SlaClock.metric != "resolution")
           .group_by(SlaClock.conversation_id).subquery())
    rows = s.execute(
        select(Conversation, due.c.due).outerjoin(due, due.c.conversation_id == Conversation.id)
        .where(Conversation.status != "resolved", *_in(Conversation.slack_channel, channels))
        .order_by(due.c.due.is_(None), due.c.due, Conversation.id).limit(limit))
    return [QueueItem(conv, d, None) for conv, d in rows]


def pending_drafts(s: Session, limit: int = 15, channels: Collection[str] | None = None) -> list[Draft]:
    return list(s.scalars(select(Draft).where(Draft.state == "pending_approval", *_in(Draft.slack_channel, channels))
                          .order_by(Draft.scheduled_at.is_(None), Draft.scheduled_at, Draft.created_at).limit(limit)))


def _in(column, channels: Collection[str] | None) -> tuple:
    return () if channels is None else (column.in_(sorted(channels)),)
