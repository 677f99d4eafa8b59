"""Conversation status changes made by members: assign, close without reply."""

from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.domain import access, audit, clocks, escalation
from bot.domain.outbox import enqueue_refresh
from storage.models import Conversation, Outbox, SlaClock


class ConversationError(Exception):
    def __init__(self, code: str, **info):
        super().__init__(code)
        self.code, self.info = code, info


_CONV_ID = re.compile(r"c([0-9]{1,9})")


def parse_conversation_id(text: str) -> int | None:
    """`c12`: ASCII digits only, at most 9 (see approvals.parse_draft_id)."""
    m = _CONV_ID.fullmatch(text.strip().lower().lstrip("#"))
    return int(m.group(1)) if m else None


def get(s: Session, conversation_id: int, member: access.Member | None = None,
        paged_may_act: bool = False) -> Conversation:
    """The conversation; with `member`, only if they may act on it (bot/domain/access.py). With
    `paged_may_act`, also whoever Veille paged about it by DM (the on-call, who may not be in the
    channel, says "I'm on it")."""
    conv = s.get(Conversation, conversation_id)
    if conv is None:
        raise ConversationError("conversation_not_found", id=conversation_id)
    if member is not None and not access.may_see(member, conv.slack_channel) \
            and not (paged_may_act and was_paged(s, conv.id, member.id)):
        raise ConversationError("not_in_channel", id=conv.id, channel=conv.slack_channel or "?")
    return conv


def was_paged(s: Session, conversation_id: int, user: str) -> bool:
    """Did the escalation ladder DM `user` about this conversation (bot/domain/escalation.py keys)?"""
    clock_ids = list(s.scalars(select(SlaClock.id).where(SlaClock.conversation_id == conversation_id)))
    if not clock_ids:
        return False
    keys = or_(*(Outbox.idempotency_key.like(f"sla:{c}:dm:%:{user}") for c in clock_ids))
    return s.scalar(select(Outbox.id).where(Outbox.op == "sla_dm", keys).limit(1)) is not None


def assign(s: Session, now: float, conversation_id: int, assignee: str, actor: str, *,
           member: access.Member) -> Conversation:
    conv = get(s, conversation_id, member)
    escalation.acknowledge(s, conv, now, actor, assignee=assignee)  # a claim stops the SLA ladder
    audit.record(s, now, actor, "assign", "conversation", conv.id, assignee=assignee)
    _refresh(s, conv, now)
    return conv


def close_without_reply(s: Session, now: float, conversation_id: int, actor: str, *,
                        member: access.Member) -> Conversation:
    """No reply needed (spam, a compliment...): the clocks are cancelled, not breached."""
    conv = get(s, conversation_id, member)
    conv.status = "resolved"
    conv.updated_at = int(now)
    for clock in s.scalars(select(SlaClock).where(SlaClock.conversation_id == conv.id,
                                                  SlaClock.state.in_(clocks.OPEN_STATES))):
        clocks.cancel(s, clock, now, "no_reply_needed", actor)  # a breached one stays breached
    audit.record(s, now, actor, "no_reply_needed", "conversation", conv.id)
    _refresh(s, conv, now)
    return conv


def _refresh(s: Session, conv: Conversation, now: float) -> None:
    if conv.slack_channel:
        enqueue_refresh(s, now, conv.slack_channel, "alert_refresh", "conversation_id", conv.id)
