"""Triage of folded conversations (burst cards): the same changes as an alert's buttons, one by
one or in bulk, plus "open" (the conversation gets its own alert and thread). No Slack here."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

from bot.domain import audit, bursts, conversations
from bot.domain.access import Member


class TriageOp(StrEnum):
    ASSIGN = "assign"
    REPLY = "reply"  # opens it (the draft card lives in its thread), then the reply modal
    NO_REPLY = "no_reply"
    OPEN = "open"


BULK_OPS = (TriageOp.ASSIGN, TriageOp.NO_REPLY, TriageOp.OPEN)


def apply(s: Session, now: float, op: TriageOp, conversation_ids: list[int], member: Member) -> list[int]:
    """Apply `op` for `member` to each conversation, through the services the alert's buttons use
    (their access checks apply here too). Raises ConversationError naming the first refused id."""
    done, actor = [], member.id
    for ident in conversation_ids:
        conv = conversations.get(s, ident, member)
        if op == TriageOp.ASSIGN:
            conversations.assign(s, now, conv.id, actor, actor, member=member)
        elif op == TriageOp.NO_REPLY:
            conversations.close_without_reply(s, now, conv.id, actor, member=member)
        elif bursts.unfold(s, conv, now):
            audit.record(s, now, actor, "unfold", "conversation", conv.id, burst_id=conv.burst_id)
        done.append(conv.id)
    return done


def parse_op(value: str) -> TriageOp | None:
    try:
        return TriageOp(value)
    except ValueError:
        return None
