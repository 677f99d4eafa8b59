"""The reply modal's language check (issue 9): a draft that looks written in another language
than the customer's last message gets a warning before it goes for approval. A warning, not a
refusal: submitting the same text again sends it as it is."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.triage import UNKNOWN, language
from storage.models import Message


@dataclass(frozen=True)
class Mismatch:
    customer: str  # language codes, e.g. "fr"
    draft: str


def last_inbound(s: Session, conversation_id: int) -> Message | None:
    return s.scalar(select(Message).where(Message.conversation_id == conversation_id, Message.direction == "in")
                    .order_by(Message.created_at.desc(), Message.id.desc()).limit(1))


def mismatch(customer_language: str, draft: str) -> Mismatch | None:
    """Both languages known and different; "unknown" on either side never warns."""
    mine = language(draft)
    if UNKNOWN in (customer_language or UNKNOWN, mine) or mine == customer_language:
        return None
    return Mismatch(customer_language, mine)


def draft_key(text: str) -> str:
    """Which text the member was already warned about (kept in the modal's private_metadata)."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]
