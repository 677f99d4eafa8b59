"""Drafts and their approval. Approving binds to one exact version (compare-and-set on state,
version and content hash): a double click or a replayed payload changes nothing, an edit needs a
new approval, and nobody approves their own draft. The approval and its outbox row commit in one
transaction; the network call happens later, outside it."""

from __future__ import annotations

import hashlib
from typing import Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.domain import audit
from bot.domain.outbox import enqueue, enqueue_refresh, enqueue_slack, network_lane
from storage.models import Approval, Conversation, Draft, Outbox

PENDING, APPROVED, REJECTED = "pending_approval", "approved", "rejected"
PUBLISHING, PUBLISHED, FAILED, UNKNOWN, NEEDS_HUMAN = "publishing", "published", "failed", "unknown", "needs_human"
MAX_TEXT = 10_000


class Approvers(Protocol):
    def is_approver(self, user: str) -> bool: ...


class ApprovalError(Exception):
    """`code` picks the member-facing message (bot/i18n.py)."""

    def __init__(self, code: str, **info):
        super().__init__(code)
        self.code = code
        self.info = info


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def short_id(d: Draft) -> str:
    return f"{'r' if d.kind == 'reply' else 'p'}{d.id}"


def parse_draft_id(text: str) -> int | None:
    t = text.strip().lower().lstrip("#")
    if len(t) >= 2 and t[0] in "rpd" and t[1:].isdigit():
        return int(t[1:])
    return None


def submit_reply(s: Session, now: float, conv: Conversation, author: str, text: str) -> Draft:
    text = text.strip()
    if not text:
        raise ApprovalError("empty_text")
    if len(text) > MAX_TEXT:
        raise ApprovalError("text_too_long", limit=MAX_TEXT)
    d = Draft(kind="reply", conversation_id=conv.id, account=conv.account, text=text, version=1,
              content_hash=content_hash(text), state=PENDING, author=author, slack_channel=conv.slack_channel,
              created_at=int(now), updated_at=int(now))
    s.add(d)
    s.flush()
    audit.record(s, now, author, "submit", "draft", d.id, version=1, text=text)
    if conv.slack_channel:
        enqueue_slack(s, now, conv.slack_channel, "draft_card", f"draft_card:{d.id}", draft_id=d.id)
    return d


def check_can_decide(s: Session, draft_id: int, user: str, approvers: Approvers) -> Draft:
    d = s.get(Draft, draft_id)
    if d is None:
        raise ApprovalError("draft_not_found", id=draft_id)
    if not approvers.is_approver(user):
        raise ApprovalError("not_approver")
    if d.author == user:
        raise ApprovalError("own_draft")
    if d.state != PENDING:
        raise ApprovalError("already_decided", state=d.state, by=d.approved_by or d.rejected_by)
    return d


def approve(s: Session, now: float, draft_id: int, approver: str, approvers: Approvers,
            version: int | None = None) -> Draft:
    d = check_can_decide(s, draft_id, approver, approvers)
    expected = d.version if version is None else version
    if expected != d.version:
        raise ApprovalError("stale_version", current=d.version)
    # Compare-and-set: only one concurrent approve of this exact version wins.
    won = s.execute(update(Draft).where(
        Draft.id == d.id, Draft.state == PENDING, Draft.version == expected,
        Draft.content_hash == content_hash(d.text)).values(
        state=APPROVED, approved_by=approver, approved_at=int(now), updated_at=int(now))).rowcount
    if won != 1:
        raise ApprovalError("already_decided", state="approved")
    s.refresh(d)
    s.add(Approval(draft_id=d.id, version=d.version, approver=approver, decision="approved", at=int(now)))
    audit.record(s, now, approver, "approve", "draft", d.id, version=d.version)
    queue_publish(s, now, d, attempt=1)
    return d


def reject(s: Session, now: float, draft_id: int, approver: str, approvers: Approvers, reason: str,
           version: int | None = None) -> Draft:
    reason = reason.strip()
    if not reason:
        raise ApprovalError("reason_required")
    d = check_can_decide(s, draft_id, approver, approvers)
    expected = d.version if version is None else version
    won = s.execute(update(Draft).where(Draft.id == d.id, Draft.state == PENDING, Draft.version == expected).values(
        state=REJECTED, rejected_by=approver, reject_reason=reason, updated_at=int(now))).rowcount
    if won != 1:
        raise ApprovalError("already_decided", state="rejected")
    s.refresh(d)
    s.add(Approval(draft_id=d.id, version=d.version, approver=approver, decision="rejected", reason=reason,
                   at=int(now)))
    audit.record(s, now, approver, "reject", "draft", d.id, version=d.version, reason=reason)
    _refresh_card(s, now, d)
    return d


def publish_key(d: Draft) -> str:
    """The idempotency key the network sees: stable across every retry of this exact version."""
    return f"veille-{d.id}-v{d.version}"


def queue_publish(s: Session, now: float, d: Draft, attempt: int) -> None:
    enqueue(s, now, target="network", op="publish", lane=network_lane(d.account),
            key=f"publish:{d.id}:v{d.version}:a{attempt}", payload={"draft_id": d.id, "version": d.version})
    _refresh_card(s, now, d)


def retry(s: Session, now: float, draft_id: int, actor: str, approvers: Approvers) -> Draft:
    """A failed (or needs-human) publication, sent again. Re-checks that the actor may approve."""
    d = s.get(Draft, draft_id)
    if d is None:
        raise ApprovalError("draft_not_found", id=draft_id)
    if not approvers.is_approver(actor):
        raise ApprovalError("not_approver")
    won = s.execute(update(Draft).where(Draft.id == d.id, Draft.state.in_((FAILED, NEEDS_HUMAN))).values(
        state=APPROVED, last_error=None, updated_at=int(now))).rowcount
    if won != 1:
        raise ApprovalError("not_retryable", state=d.state)
    s.refresh(d)
    audit.record(s, now, actor, "retry", "draft", d.id, version=d.version)
    attempts = s.scalar(select(func.count()).select_from(Outbox).where(
        Outbox.op == "publish", Outbox.idempotency_key.like(f"publish:{d.id}:v{d.version}:%")))
    queue_publish(s, now, d, attempt=(attempts or 0) + 1)
    return d


def mark_published(s: Session, now: float, draft_id: int, actor: str, approvers: Approvers) -> Draft:
    """A human confirms a publication whose outcome Veille could not check."""
    d = s.get(Draft, draft_id)
    if d is None:
        raise ApprovalError("draft_not_found", id=draft_id)
    if not approvers.is_approver(actor):
        raise ApprovalError("not_approver")
    won = s.execute(update(Draft).where(Draft.id == d.id, Draft.state == NEEDS_HUMAN).values(
        state=PUBLISHED, updated_at=int(now))).rowcount
    if won != 1:
        raise ApprovalError("not_retryable", state=d.state)
    s.refresh(d)
    audit.record(s, now, actor, "mark_published", "draft", d.id, version=d.version)
    _refresh_card(s, now, d)
    return d


def _refresh_card(s: Session, now: float, d: Draft) -> None:
    if d.slack_channel:
        enqueue_refresh(s, now, d.slack_channel, "draft_refresh", "draft_id", d.id)


def pending_drafts(s: Session, limit: int = 30) -> list[Draft]:
    return list(s.scalars(select(Draft).where(Draft.state == PENDING).order_by(Draft.created_at).limit(limit)))
