"""How urgent a new conversation's alert is, for the outbox's priority order. One function so
later signals (negative sentiment, influential authors, a burst card's unfold) extend it here."""

from __future__ import annotations

from bot.domain.outbox import Priority
from storage.models import Conversation

URGENT_CONVERSATION_PRIORITIES = frozenset({"high", "urgent"})


def alert_priority(rules, conv: Conversation, negative: bool = False) -> int:
    """VIP authors (as the SLA rules name them), customer DMs and urgent conversations first; then
    conversations opened by a negative message (bot/domain/triage_priority.py is_negative). Only
    the first are never folded into a burst card: on a bad-buzz day most messages are negative."""
    if conv.kind == "dm" or conv.priority in URGENT_CONVERSATION_PRIORITIES:
        return Priority.URGENT
    config = getattr(rules, "config", None)
    if config is not None and config.is_vip(conv.author_id or "", conv.author_handle or ""):
        return Priority.URGENT
    return Priority.NEGATIVE if negative else Priority.ALERT


PRIORITY_NAMES = {Priority.URGENT: "urgent", Priority.NEGATIVE: "negative", Priority.ALERT: "normal"}
