"""Conversation statuses set by members, and what they do to the clocks.

    open      clocks run
    pending   waiting on the customer: the resolution clock pauses (a customer message re-opens)
    on_hold   waiting on a third party: the resolution clock pauses if the policy says so
    resolved  the resolution clock stops (met or late); an open response clock is cancelled

Plus: acknowledge ("I'm on it": claims it and stops escalation), mark replied (a reply made
outside Veille: stops the response clocks, audited) and priority (re-applies the policy from the
original start: a raised priority may breach at once). Every change is audited and the alert
parent refreshed. Raises ConversationError with an i18n code for the member."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.domain import audit, bursts, clocks, escalation
from bot.domain.access import Member
from bot.domain.conversations import ConversationError, get
from bot.domain.outbox import enqueue_refresh
from storage.models import Conversation

STATUSES = ("open", "pending", "on_hold", "resolved")
PRIORITIES = ("low", "normal", "high", "urgent")


def acknowledge(s: Session, rules, now: float, conversation_id: int, actor: str, *, member: Member) -> Conversation:
    conv = get(s, conversation_id, member, paged_may_act=True)  # the on-call's "I'm on it" from their DM
    escalation.acknowledge(s, conv, now, actor)
    audit.record(s, now, actor, "acknowledge", "conversation", conv.id)
    _refresh(s, conv, now)
    return conv


def snooze(s: Session, rules, now: float, conversation_id: int, actor: str, *, member: Member) -> Conversation:
    return _set_waiting(s, rules, now, conversation_id, actor, "pending", member)


def hold(s: Session, rules, now: float, conversation_id: int, actor: str, *, member: Member) -> Conversation:
    return _set_waiting(s, rules, now, conversation_id, actor, "on_hold", member)


def _set_waiting(s: Session, rules, now: float, conversation_id: int, actor: str, status: str,
                 member: Member) -> Conversation:
    conv = get(s, conversation_id, member)
    if conv.status == status:
        raise ConversationError("sla_already", id=conv.id, status=status)
    if conv.status == "resolved":
        raise ConversationError("sla_already", id=conv.id, status="resolved")
    conv.status, conv.updated_at = status, int(now)
    for clock in clocks.open_clocks_of(s, conv.id):
        if clock.metric != clocks.RESOLUTION:
            continue
        if status == "pending" or rules.pauses_on_hold(clock.policy):
            clocks.pause(s, clock, now, status)
        else:
            clocks.resume(s, rules, clock, now)  # on hold after pending, without pause_on_hold
    audit.record(s, now, actor, status, "conversation", conv.id)
    _refresh(s, conv, now)
    return conv


def resolve(s: Session, rules, now: float, conversation_id: int, actor: str, *, member: Member) -> Conversation:
    conv = get(s, conversation_id, member)
    if conv.status == "resolved":
        raise ConversationError("sla_already", id=conv.id, status="resolved")
    conv.status, conv.updated_at = "resolved", int(now)
    for clock in clocks.open_clocks_of(s, conv.id):
        if clock.metric == clocks.RESOLUTION:
            clocks.fulfil_resolution(s, rules, clock, now, actor)
        else:
            clocks.cancel(s, clock, now, "resolved", actor)
    audit.record(s, now, actor, "resolve", "conversation", conv.id)
    _refresh(s, conv, now)
    return conv


def reopen(s: Session, rules, now: float, conversation_id: int, actor: str, *, member: Member) -> Conversation:
    """Back to open: a resolved conversation's resolution time continues from its total."""
    conv = get(s, conversation_id, member)
    if conv.status == "open":
        raise ConversationError("sla_already", id=conv.id, status="open")
    conv.status, conv.updated_at = "open", int(now)
    latest = next((c for c in reversed(clocks.clocks_of(s, conv.id)) if c.metric == clocks.RESOLUTION), None)
    if latest is not None:
        clocks.resume(s, rules, latest, now)
    audit.record(s, now, actor, "reopen", "conversation", conv.id)
    _refresh(s, conv, now)
    return conv


def mark_replied(s: Session, rules, now: float, conversation_id: int, actor: str, text: str = "", *,
                 member: Member) -> Conversation:
    """A member answered outside Veille (phone, another tool...). Only what Veille cannot see
    needs this: it is audited, and shown in the thread."""
    conv = get(s, conversation_id, member)
    running = [c for c in clocks.open_clocks_of(s, conv.id) if c.metric in clocks.RESPONSE_METRICS]
    if not running:
        raise ConversationError("sla_nothing_to_reply", id=conv.id)
    clocks.on_reply(s, rules, conv, at=int(now), now=now, via="manual", actor=actor)
    audit.record(s, now, actor, "mark_replied", "conversation", conv.id, text=text[:500],
                 clocks=[c.id for c in running])
    clocks.note(s, conv, now, "replied_elsewhere", f"sla:replied:{conv.id}:{running[0].id}", actor=actor,
                text=text[:300])
    return conv


def set_priority(s: Session, rules, now: float, conversation_id: int, priority: str, actor: str, *,
                 member: Member) -> Conversation:
    conv = get(s, conversation_id, member)
    if conv.priority == priority:
        raise ConversationError("sla_already", id=conv.id, status=priority)
    before = conv.priority
    conv.priority, conv.updated_at = priority, int(now)
    clocks.reapply(s, rules, conv, now, "priority")
    bursts.unfold_if_priority(s, rules, conv, now)  # a priority conversation never stays folded
    audit.record(s, now, actor, "priority", "conversation", conv.id, before=before, after=priority)
    _refresh(s, conv, now)
    return conv


def reply_deleted(s: Session, conv: Conversation, now: float, external_id: str) -> None:
    """Our reply was deleted on the network after it was sent: the customer saw it, so the clock
    stays met. Recorded in the audit log and said in the thread, once."""
    audit.record(s, now, "network", "reply_deleted", "conversation", conv.id, external_id=external_id)
    clocks.note(s, conv, now, "reply_deleted", f"sla:deleted:{conv.network}:{external_id}")


def _refresh(s: Session, conv: Conversation, now: float) -> None:
    if conv.slack_channel:
        enqueue_refresh(s, now, conv.slack_channel, "alert_refresh", "conversation_id", conv.id)
