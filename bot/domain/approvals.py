"""Drafts and their approval. Approving binds to one exact version (compare-and-set on state,
version and content hash): a double click or a replayed payload changes nothing, an edit needs a
new approval, and nobody approves their own draft. The approval and its outbox row commit in one
transaction; the network call happens later, outside it.

Replies and posts share one workflow engine (bot/domain/workflows.py): the draft walks its steps in
order (`workflow_step`), each step complete when any/all of its approvers approved this version.
Decisions on one draft are serialised by locking its row (FOR UPDATE on PostgreSQL; SQLite has one
writer), so two "all" approvers clicking at once both count and the step advances exactly once.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.domain import audit, workflows
from bot.domain.outbox import enqueue, enqueue_refresh, enqueue_slack, network_lane
from bot.domain.post_limits import RULES, check_length
from bot.domain.reasons import reason
from bot.domain.workflows import People, Step
from storage.models import Approval, Conversation, Draft, Outbox, SlackUser
from storage.upsert import insert_ignore

PENDING, APPROVED, REJECTED = "pending_approval", "approved", "rejected"
PUBLISHING, PUBLISHED, FAILED, UNKNOWN, NEEDS_HUMAN = "publishing", "published", "failed", "unknown", "needs_human"
DRAFT, CHANGES, EXPIRED, CANCELLED = "draft", "changes_requested", "expired", "cancelled"
DECIDABLE = (PENDING,)
MAX_TEXT = 10_000
LATE_LIMIT = 15 * 60  # a scheduled post this late (Veille was down) is not published blindly: a human decides


Approvers = People  # the name the first version used


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
    """`r7`, `p12` (`#p12`): ASCII digits only (str.isdigit() takes "²", which int() refuses) and at
    most 9 of them (far more drafts than a team writes; 20 digits would overflow the query's
    64-bit integer)."""
    m = _SHORT_ID.fullmatch(text.strip().lower().lstrip("#"))
    return int(m.group(1)) if m else None


_SHORT_ID = re.compile(r"[rpd]([0-9]{1,9})")


def authors(d: Draft) -> set[str]:
    """Whoever wrote this version: they never approve it."""
    return {u for u in (d.author, d.edited_by) if u}


def steps_of(d: Draft) -> list[Step]:
    return workflows.load(d.workflow)


def current_step(d: Draft) -> Step | None:
    steps = steps_of(d)
    return steps[d.workflow_step - 1] if 1 <= d.workflow_step <= len(steps) else None


def submit_reply(s: Session, now: float, conv: Conversation, author: str, text: str,
                 steps: list[Step] | None = None, people: People | None = None) -> Draft:
    """A reply to a conversation, waiting in its thread. `steps` None: one step, the team's
    approvers (the first version's behaviour); [] publishes without approval."""
    text = text.strip()
    if not text:
        raise ApprovalError("empty_text")
    if len(text) > MAX_TEXT:
        raise ApprovalError("text_too_long", limit=MAX_TEXT)
    if conv.network in RULES:  # measured as the network will, now rather than after approval
        check = check_length(conv.network, text)
        if not check.ok:
            raise ApprovalError("reply_too_long", detail={lang: check.message(lang) for lang in ("en", "fr")})
    d = Draft(kind="reply", conversation_id=conv.id, account=conv.account, text=text, version=1,
              content_hash=content_hash(text), state=PENDING, author=author, slack_channel=conv.slack_channel,
              workflow=None if steps is None else workflows.dump(steps), workflow_step=1,
              created_at=int(now), updated_at=int(now))
    s.add(d)
    s.flush()
    audit.record(s, now, author, "submit", "draft", d.id, version=1, text=text)
    if conv.slack_channel:
        enqueue_slack(s, now, conv.slack_channel, "draft_card", f"draft_card:{d.id}", draft_id=d.id)
    if steps == []:  # this account's replies need no approval
        open_workflow(s, now, d, people)
    return d


def open_workflow(s: Session, now: float, d: Draft, people: People | None) -> Draft:
    """Put the current version where its approvals so far leave it: the first step still open
    (pending approval), or approved and queued for publication when every step is complete."""
    steps = steps_of(d)
    done = _approvals_by_step(s, d)
    who = authors(d)
    for i, step in enumerate(steps, start=1):
        if people is None or not workflows.complete(step, done.get(i, ()), people, who):
            d.state, d.workflow_step, d.updated_at = PENDING, i, int(now)
            refresh_card(s, now, d)
            return d
    d.state, d.workflow_step, d.updated_at = APPROVED, 0, int(now)
    d.approved_at = int(now)
    last = [u for i in sorted(done) for u in done[i]]
    d.approved_by = last[-1] if last else None
    if not steps:
        audit.record(s, now, "veille", "approve", "draft", d.id, version=d.version, workflow="none")
    queue_publish(s, now, d, attempt=_attempts(s, d) + 1)
    return d


def check_can_decide(s: Session, draft_id: int, user: str, approvers: People) -> Draft:
    d = s.get(Draft, draft_id)
    if d is None:
        raise ApprovalError("draft_not_found", id=draft_id)
    _check_decider(d, user, approvers)
    return d


def _check_decider(d: Draft, user: str, people: People) -> Step:
    step = current_step(d) if d.state == PENDING else None
    if step is None:
        if not _may_approve_any_step(d, user, people):
            raise ApprovalError("not_approver")
    elif not workflows.may_approve(step, user, people):
        if step.team:
            raise ApprovalError("not_approver")
        raise ApprovalError("not_step_approver", step=d.workflow_step, name=step.name or f"#{d.workflow_step}")
    if user in authors(d):
        raise ApprovalError("own_draft")
    if d.state != PENDING:
        raise ApprovalError("already_decided", state=d.state, by=d.approved_by or d.rejected_by)
    return step


def lock_draft(s: Session, draft_id: int) -> Draft:
    """The draft row, locked until commit: decisions on one draft happen one after the other."""
    d = s.get(Draft, draft_id, with_for_update=True, populate_existing=True)
    if d is None:
        raise ApprovalError("draft_not_found", id=draft_id)
    return d


def approve(s: Session, now: float, draft_id: int, approver: str, approvers: People,
            version: int | None = None) -> Draft:
    """Record `approver`'s approval of the open step of this exact version; complete the step
    (any: this approval; all: the last one awaited), then open the next or queue publication."""
    d = lock_draft(s, draft_id)
    step = _check_decider(d, approver, approvers)
    expected = d.version if version is None else version
    if expected != d.version:
        raise ApprovalError("stale_version", current=d.version)
    if d.scheduled_at is not None and d.scheduled_at <= now:
        raise ApprovalError("approval_too_late")
    index = d.workflow_step or 1
    fresh = insert_ignore(s, Approval, dict(draft_id=d.id, version=d.version, step=index, approver=approver,
                                            decision="approved", at=int(now)))
    if fresh is None:
        raise ApprovalError("already_approved_step")
    audit.record(s, now, approver, "approve", "draft", d.id, version=d.version, step=index)
    steps = steps_of(d)
    done = _approvals_by_step(s, d).get(index, ())
    if not workflows.complete(step, done, approvers, authors(d)):
        refresh_card(s, now, d)  # an "all" step: others still to approve
        return d
    last = index >= len(steps)
    values = dict(updated_at=int(now))
    if last:
        values.update(state=APPROVED, workflow_step=0, approved_by=approver, approved_at=int(now))
    else:
        values.update(workflow_step=index + 1)
    # Compare-and-set: only one concurrent approve of this exact version and step wins.
    won = s.execute(update(Draft).where(
        Draft.id == d.id, Draft.state == PENDING, Draft.version == expected, Draft.workflow_step == d.workflow_step,
        Draft.content_hash == content_hash(d.text)).values(**values)).rowcount
    if won != 1:
        raise ApprovalError("already_decided", state="approved")
    s.refresh(d)
    if last:
        queue_publish(s, now, d, attempt=_attempts(s, d) + 1)
    else:
        refresh_card(s, now, d)
        note_author_or_step(s, now, d, "step_open")
    return d


def reject(s: Session, now: float, draft_id: int, approver: str, approvers: People, reason: str,
           version: int | None = None) -> Draft:
    return _decline(s, now, draft_id, approver, approvers, reason, version, REJECTED)


def request_changes(s: Session, now: float, draft_id: int, approver: str, approvers: People, note: str,
                    version: int | None = None) -> Draft:
    """Not a final no: the author edits (a new version) and the workflow starts again."""
    return _decline(s, now, draft_id, approver, approvers, note, version, CHANGES)


def _decline(s: Session, now: float, draft_id: int, approver: str, approvers: People, reason: str,
             version: int | None, state: str) -> Draft:
    reason = reason.strip()
    if not reason:
        raise ApprovalError("reason_required" if state == REJECTED else "changes_required")
    d = lock_draft(s, draft_id)
    _check_decider(d, approver, approvers)
    expected = d.version if version is None else version
    won = s.execute(update(Draft).where(Draft.id == d.id, Draft.state == PENDING, Draft.version == expected).values(
        state=state, rejected_by=approver, reject_reason=reason, updated_at=int(now))).rowcount
    if won != 1:
        raise ApprovalError("already_decided", state=state)
    s.refresh(d)
    decision = "rejected" if state == REJECTED else "changes_requested"
    insert_ignore(s, Approval, dict(draft_id=d.id, version=d.version, step=d.workflow_step or 1, approver=approver,
                                    decision=decision, reason=reason, at=int(now)))
    audit.record(s, now, approver, "reject" if state == REJECTED else "request_changes", "draft", d.id,
                 version=d.version, reason=reason)
    refresh_card(s, now, d)
    if d.kind == "post":
        note_author_or_step(s, now, d, decision)
    return d


def publish_key(d: Draft, installation: str) -> str:
    """The idempotency key the network sees: stable across every retry of this exact version, and
    never the same for two installations (`installation`, bot/domain/installation.py) nor after a
    database restore, where draft ids and versions are handed out again: the digest binds the key to
    this draft's creation instant, conversation and text."""
    digest = hashlib.sha256(f"{d.created_at}:{d.conversation_id}:{d.content_hash}".encode()).hexdigest()[:10]
    return f"veille-{installation}-{d.id}-v{d.version}-{digest}"


def publish_lane(d: Draft) -> str:
    # A scheduled post waits in the outbox until its minute: in the account's lane it would hold
    # back every reply queued after it, so each post has a lane of its own.
    return network_lane(d.account) if d.kind == "reply" else f"{network_lane(d.account)}:p{d.id}"


def queue_publish(s: Session, now: float, d: Draft, attempt: int) -> None:
    payload = {"draft_id": d.id, "version": d.version}
    run_at = now
    if d.scheduled_at is not None and d.scheduled_at > now:
        run_at = d.scheduled_at
        payload["not_after"] = d.scheduled_at + LATE_LIMIT
    enqueue(s, now, target="network", op="publish", lane=publish_lane(d),
            key=f"publish:{d.id}:v{d.version}:a{attempt}", payload=payload, run_at=run_at)
    refresh_card(s, now, d)


def _attempts(s: Session, d: Draft) -> int:
    return s.scalar(select(func.count()).select_from(Outbox).where(
        Outbox.op == "publish", Outbox.idempotency_key.like(f"publish:{d.id}:v{d.version}:%"))) or 0


def _publish_rows(s: Session, d: Draft) -> list[Outbox]:
    return list(s.scalars(select(Outbox).where(
        Outbox.op == "publish", Outbox.idempotency_key.like(f"publish:{d.id}:v%"),
        Outbox.state.in_(("pending", "sending", "unknown", "reconciling")))))


def withdraw_publication(s: Session, now: float, d: Draft) -> None:
    """Take back a queued publication (edit, cancel). Refused once a worker holds it: the post may
    be on its way to the network, and only the reconcile path may decide what happened."""
    rows = _publish_rows(s, d)
    if any(r.state != "pending" for r in rows) or d.state in (PUBLISHING, UNKNOWN, NEEDS_HUMAN):
        raise ApprovalError("already_publishing")
    for r in rows:
        n = s.execute(update(Outbox).where(Outbox.id == r.id, Outbox.state == "pending").values(
            state="cancelled", last_error="withdrawn", updated_at=int(now))).rowcount
        if n != 1:  # a worker claimed it between our read and our write
            raise ApprovalError("already_publishing")


def move_publication(s: Session, now: float, d: Draft) -> None:
    """An approved post changes minute: its queued publication moves with it (compare-and-set)."""
    rows = _publish_rows(s, d)
    if not rows:
        queue_publish(s, now, d, attempt=_attempts(s, d) + 1)
        return
    if any(r.state != "pending" for r in rows):
        raise ApprovalError("already_publishing")
    run_at = max(int(now), d.scheduled_at or int(now))
    for r in rows:
        payload = dict(r.payload)
        payload["not_after"] = run_at + LATE_LIMIT
        n = s.execute(update(Outbox).where(Outbox.id == r.id, Outbox.state == "pending").values(
            run_at=run_at, payload=payload, updated_at=int(now))).rowcount
        if n != 1:
            raise ApprovalError("already_publishing")


def retry(s: Session, now: float, draft_id: int, actor: str, approvers: People) -> Draft:
    """A failed (or needs-human) publication, sent again. Re-checks that the actor may approve."""
    d = s.get(Draft, draft_id)
    if d is None:
        raise ApprovalError("draft_not_found", id=draft_id)
    if not _may_approve_any_step(d, actor, approvers):
        raise ApprovalError("not_approver")
    won = s.execute(update(Draft).where(Draft.id == d.id, Draft.state.in_((FAILED, NEEDS_HUMAN))).values(
        state=APPROVED, last_error=None, updated_at=int(now))).rowcount
    if won != 1:
        raise ApprovalError("not_retryable", state=d.state)
    s.refresh(d)
    audit.record(s, now, actor, "retry", "draft", d.id, version=d.version)
    queue_publish(s, now, d, attempt=_attempts(s, d) + 1)
    return d


def mark_published(s: Session, now: float, draft_id: int, actor: str, approvers: People) -> Draft:
    """A human confirms a publication whose outcome Veille could not check."""
    d = s.get(Draft, draft_id)
    if d is None:
        raise ApprovalError("draft_not_found", id=draft_id)
    if not _may_approve_any_step(d, actor, approvers):
        raise ApprovalError("not_approver")
    won = s.execute(update(Draft).where(Draft.id == d.id, Draft.state == NEEDS_HUMAN).values(
        state=PUBLISHED, published_at=int(now), updated_at=int(now))).rowcount
    if won != 1:
        raise ApprovalError("not_retryable", state=d.state)
    s.refresh(d)
    audit.record(s, now, actor, "mark_published", "draft", d.id, version=d.version)
    refresh_card(s, now, d)
    return d


def configured_groups(cfg) -> set[str]:
    """Every Slack user group the configured approval steps name (the team's and each account's):
    what a decision may need, resolved before its transaction (bot/slack/directory.py resolve)."""
    return {step.group for acc in cfg.accounts for kind in ("post", "reply")
            for step in workflows.steps_for(cfg, acc.key, kind) if step.group}


def _may_approve_any_step(d: Draft, user: str, people: People) -> bool:
    return people.is_approver(user) or any(workflows.may_approve(st, user, people) for st in steps_of(d))


def still_approved(s: Session, d: Draft, people: People) -> str | None:
    """Checked again at publication: every step of this version still complete with approvals by
    people who may still give them. None if fine, else why not (bot/domain/reasons.py)."""
    steps = steps_of(d)
    if not steps:
        return None  # this account publishes without approval
    done = _approvals_by_step(s, d)
    if d.workflow is None and not done and d.approved_by:  # approved before approvals were per step
        done = {1: [d.approved_by]}
    for i, step in enumerate(steps, start=1):
        if not workflows.complete(step, done.get(i, ()), people, authors(d)):
            return reason("approver_gone") if len(steps) == 1 else \
                reason("step_unapproved", step=i, name=step.name or "")
    return None


def _approvals_by_step(s: Session, d: Draft) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for a in s.scalars(select(Approval).where(Approval.draft_id == d.id, Approval.version == d.version,
                                              Approval.decision == "approved").order_by(Approval.id)):
        out.setdefault(a.step, []).append(a.approver)
    return out


# ---- what a card shows --------------------------------------------------------------------------


@dataclass(frozen=True)
class StepView:
    index: int
    step: Step
    approved_by: tuple[str, ...]
    state: str  # done | open | waiting


@dataclass(frozen=True)
class CardStatus:
    steps: tuple[StepView, ...]
    note_by: str | None = None  # the latest "changes requested" of this version
    note: str | None = None


def card_status(s: Session, d: Draft) -> CardStatus:
    done = _approvals_by_step(s, d)
    views = []
    for i, step in enumerate(steps_of(d), start=1):
        if d.state in (APPROVED, PUBLISHING, PUBLISHED, UNKNOWN, NEEDS_HUMAN, FAILED) or i < d.workflow_step:
            state = "done"
        elif i == d.workflow_step:
            state = "open"
        else:
            state = "waiting"
        views.append(StepView(i, step, tuple(done.get(i, ())), state))
    if d.state == CHANGES:
        return CardStatus(tuple(views), d.rejected_by, d.reject_reason)
    return CardStatus(tuple(views))


# ---- telling people -----------------------------------------------------------------------------


def note_author_or_step(s: Session, now: float, d: Draft, note: str, **extra) -> None:
    """A message in the card's thread: to the author (rejected, changes, expired...) or to the
    approvers of the step that just opened. Built at send time (bot/jobs/slack_ops.py draft_note)."""
    if not d.slack_channel:
        return
    n = s.scalar(select(func.count()).select_from(Outbox).where(Outbox.op == "draft_note",
                                                                  Outbox.idempotency_key.like(f"draft_note:{d.id}:%")))
    enqueue_slack(s, now, d.slack_channel, "draft_note", f"draft_note:{d.id}:{note}:v{d.version}:{(n or 0) + 1}",
                  draft_id=d.id, note=note, version=d.version, step=d.workflow_step,
                  lang=member_lang(s, d.author), **extra)


def member_lang(s: Session, user: str) -> str:
    """The member's language from the users.info cache (English until we have seen them)."""
    from bot.i18n import lang_of

    u = s.get(SlackUser, user)
    return lang_of(u.locale if u else None)


def refresh_card(s: Session, now: float, d: Draft) -> None:
    if d.slack_channel:
        enqueue_refresh(s, now, d.slack_channel, "draft_refresh", "draft_id", d.id)


def pending_drafts(s: Session, limit: int = 30) -> list[Draft]:
    return list(s.scalars(select(Draft).where(Draft.state == PENDING).order_by(Draft.created_at).limit(limit)))
