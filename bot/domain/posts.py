"""Scheduled posts: one draft per brand account (each account has its own workflow, network and
card), created unconfirmed ("draft"), confirmed by a click after the member has seen the absolute
time, then approved, published at their minute, edited, moved or cancelled.

The lifecycle, beyond the reply's (bot/domain/approvals.py):
draft --confirm--> pending_approval (step 1) | approved (no approval needed)
pending_approval --changes--> changes_requested --edit--> pending_approval (new version)
pending_approval / changes_requested / draft --scheduled time passes--> expired (author told)
any live state --cancel--> cancelled; --reschedule--> same state at a new time (expired/failed re-open)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.config import VeilleConfig
from bot.domain import audit, slots, workflows
from bot.domain.approvals import (
    APPROVED,
    CANCELLED,
    CHANGES,
    DRAFT,
    EXPIRED,
    FAILED,
    MAX_TEXT,
    NEEDS_HUMAN,
    PENDING,
    PUBLISHED,
    PUBLISHING,
    REJECTED,
    UNKNOWN,
    ApprovalError,
    authors,
    content_hash,
    lock_draft,
    move_publication,
    note_author_or_step,
    open_workflow,
    refresh_card,
    withdraw_publication,
)
from bot.domain.outbox import enqueue_slack
from bot.domain.post_limits import RULES, LengthCheck, check_length
from bot.domain.workflows import People
from storage.models import Draft

EDITABLE = (DRAFT, PENDING, APPROVED, CHANGES, REJECTED, EXPIRED, FAILED)
MOVABLE = (DRAFT, PENDING, APPROVED, CHANGES, EXPIRED, FAILED)
CANCELLABLE = (DRAFT, PENDING, APPROVED, CHANGES, REJECTED, EXPIRED, FAILED)
# A post in one of these states holds its slot: "next free slot" skips it.
HOLDS_SLOT = (DRAFT, PENDING, APPROVED, CHANGES, PUBLISHING, UNKNOWN, NEEDS_HUMAN, PUBLISHED)


class PostError(ApprovalError):
    pass


@dataclass(frozen=True)
class Check:
    account: str
    network: str
    result: LengthCheck | None  # None: a network we know no limit for

    @property
    def ok(self) -> bool:
        return self.result is None or self.result.ok


def length_checks(cfg: VeilleConfig, accounts: Iterable[str], text: str) -> list[Check]:
    out = []
    for key in accounts:
        acc = cfg.account(key)
        network = acc.network if acc else "webhook"
        out.append(Check(key, network, check_length(network, text) if network in RULES else None))
    return out


def create(s: Session, now: float, cfg: VeilleConfig, author: str, text: str, times: dict[str, int | None],
           people: People) -> list[Draft]:
    """One unconfirmed draft per account (`times`: account -> UTC epoch, None = when approved)."""
    text = text.strip()
    if not text:
        raise PostError("post_empty")
    if len(text) > MAX_TEXT:
        raise PostError("text_too_long", limit=MAX_TEXT)
    if not times:
        raise PostError("post_no_account")
    bad = [c for c in length_checks(cfg, times, text) if not c.ok]
    if bad:
        raise PostError("post_too_long", account=bad[0].account)
    batch = uuid.uuid4().hex[:12]
    drafts = []
    for key, at in times.items():
        acc = cfg.account(key)
        if acc is None:
            raise PostError("post_unknown_account", account=key)
        if at is not None and at <= now:
            raise PostError("time_passed")
        steps = workflows.steps_for(cfg, key, "post")
        stuck = workflows.nobody_can_approve(steps, people, {author})
        if stuck is not None:
            raise PostError("no_eligible_approver", account=key, name=stuck.name or "?")
        d = Draft(kind="post", account=key, text=text, version=1, content_hash=content_hash(text), state=DRAFT,
                  author=author, scheduled_at=at, slack_channel=acc.channel, workflow=workflows.dump(steps),
                  workflow_step=0, batch=batch, created_at=int(now), updated_at=int(now))
        s.add(d)
        s.flush()
        audit.record(s, now, author, "create", "draft", d.id, version=1, text=text, scheduled_at=at)
        drafts.append(d)
    return drafts


def confirm(s: Session, now: float, refs: Iterable[tuple[int, int | None]], user: str, people: People) -> list[Draft]:
    """The member saw the absolute time and clicked Confirm: each draft (id, version they saw)
    enters its workflow."""
    out = []
    for draft_id, version in refs:
        d = lock_draft(s, draft_id)
        if d.author != user:
            raise PostError("not_your_post")
        if d.state != DRAFT:
            raise PostError("already_confirmed", state=d.state)
        if version is not None and version != d.version:
            raise PostError("stale_version", current=d.version)
        if d.scheduled_at is not None and d.scheduled_at <= now:
            raise PostError("time_passed")
        audit.record(s, now, user, "submit", "draft", d.id, version=d.version, text=d.text,
                     scheduled_at=d.scheduled_at)
        if d.slack_channel:
            enqueue_slack(s, now, d.slack_channel, "draft_card", f"draft_card:{d.id}", draft_id=d.id)
        open_workflow(s, now, d, people)
        out.append(d)
    return out


def discard(s: Session, now: float, refs: Iterable[tuple[int, int | None]], user: str) -> list[Draft]:
    """Cancel on the confirmation: nothing was ever shown to the team."""
    out = []
    for draft_id, _ in refs:
        d = lock_draft(s, draft_id)
        if d.author != user:
            raise PostError("not_your_post")
        if d.state == DRAFT:
            d.state, d.updated_at = CANCELLED, int(now)
            audit.record(s, now, user, "discard", "draft", d.id, version=d.version)
        out.append(d)
    return out


def refs(value: str) -> list[tuple[int, int | None]]:
    """"12:1,13:1" (a confirmation's button or modal): the drafts and the versions shown."""
    out = []
    for part in value.split(","):
        ident, _, version = part.partition(":")
        if ident.strip():
            out.append((int(ident), int(version) if version else None))
    return out


def may_manage(d: Draft, user: str, people: People) -> bool:
    """Edit, move, cancel: the author, an approver of this post's own workflow (the team's
    approvers only when a step is the team's), an admin."""
    if user in authors(d):
        return True
    if any(workflows.may_approve(st, user, people) for st in workflows.load(d.workflow)):
        return True
    is_admin = getattr(people, "is_admin", None)
    return bool(is_admin and is_admin(user))


def load_for(s: Session, draft_id: int, user: str, people: People, allowed: tuple[str, ...]) -> Draft:
    d = lock_draft(s, draft_id)
    if d.kind != "post":
        raise PostError("not_a_post", id=draft_id)
    if not may_manage(d, user, people):
        raise PostError("not_allowed_post")
    if d.state not in allowed:
        raise PostError("post_locked", state=d.state)
    return d


def edit(s: Session, now: float, cfg: VeilleConfig, draft_id: int, user: str, text: str, people: People,
         version: int | None = None) -> Draft:
    """A new version: earlier approvals bound to the old one no longer count."""
    text = text.strip()
    if not text:
        raise PostError("post_empty")
    if len(text) > MAX_TEXT:
        raise PostError("text_too_long", limit=MAX_TEXT)
    d = load_for(s, draft_id, user, people, EDITABLE)
    if version is not None and version != d.version:
        raise PostError("stale_version", current=d.version)
    if text == d.text:
        raise PostError("edit_unchanged")
    [check] = length_checks(cfg, [d.account], text)
    if not check.ok:
        raise PostError("post_too_long", account=d.account)
    was = d.state
    if was == APPROVED:
        withdraw_publication(s, now, d)
    d.version += 1
    d.text, d.content_hash = text, content_hash(text)
    d.edited_by = user if user != d.author else d.edited_by
    d.workflow = workflows.dump(workflows.steps_for(cfg, d.account, "post"))
    d.approved_by = d.approved_at = d.rejected_by = d.reject_reason = d.last_error = None
    d.updated_at = int(now)
    audit.record(s, now, user, "edit", "draft", d.id, version=d.version, text=text, was=was)
    if was in (DRAFT, EXPIRED):
        d.workflow_step = 0
        refresh_card(s, now, d)
        return d
    open_workflow(s, now, d, people)
    if d.state == PENDING:
        note_author_or_step(s, now, d, "edited", editor=user)
    return d


def reschedule(s: Session, now: float, draft_id: int, user: str, at: int, people: People,
               cfg: VeilleConfig | None = None) -> Draft:
    """A new time. With `reapprove_on_move` in the account's workflow (cfg), approvals given for
    the old time no longer count: the post becomes a new version and walks its steps again."""
    if at <= now:
        raise PostError("time_passed")
    d = load_for(s, draft_id, user, people, MOVABLE)
    before = d.scheduled_at
    d.scheduled_at, d.updated_at = at, int(now)
    audit.record(s, now, user, "reschedule", "draft", d.id, version=d.version, previous=before, scheduled_at=at)
    if cfg is not None and workflows.policy_for(cfg, d.account).reapprove_on_move \
            and d.state in (PENDING, APPROVED, EXPIRED, FAILED):
        if d.state == APPROVED:
            withdraw_publication(s, now, d)
        d.version += 1  # same text, new time: approvals are bound to a version
        d.workflow = workflows.dump(workflows.steps_for(cfg, d.account, "post"))
        d.approved_by = d.approved_at = d.last_error = None
        audit.record(s, now, "veille", "reapproval", "draft", d.id, version=d.version, reason="moved")
        open_workflow(s, now, d, people)
        if d.state == PENDING:
            note_author_or_step(s, now, d, "step_open")
        return d
    if d.state == APPROVED:
        move_publication(s, now, d)
        refresh_card(s, now, d)
    elif d.state in (EXPIRED, FAILED):
        d.last_error = None
        open_workflow(s, now, d, people)
    else:
        refresh_card(s, now, d)
    return d


def cancel(s: Session, now: float, draft_id: int, user: str, people: People) -> Draft:
    d = load_for(s, draft_id, user, people, CANCELLABLE)
    if d.state == APPROVED:
        withdraw_publication(s, now, d)
    was = d.state
    d.state, d.workflow_step, d.updated_at = CANCELLED, 0, int(now)
    audit.record(s, now, user, "cancel", "draft", d.id, version=d.version, was=was)
    refresh_card(s, now, d)
    return d


def expire_due(s: Session, now: float, limit: int = 200, skip_locked: bool = False) -> list[int]:
    """Posts still waiting for approval (or never confirmed) at their scheduled time expire; the
    author is told in the card's thread. Compare-and-set: one replica wins each post."""
    q = (select(Draft.id).where(Draft.kind == "post", Draft.state.in_((DRAFT, PENDING, CHANGES)),
                                Draft.scheduled_at <= int(now)).order_by(Draft.scheduled_at).limit(limit))
    if skip_locked:
        q = q.with_for_update(skip_locked=True)
    expired = []
    for draft_id in list(s.scalars(q)):
        d = s.get(Draft, draft_id)
        was = d.state
        won = s.execute(update(Draft).where(Draft.id == d.id, Draft.state == was, Draft.scheduled_at <= int(now))
                        .values(state=EXPIRED, updated_at=int(now))).rowcount
        if won != 1:
            continue
        s.refresh(d)
        audit.record(s, now, "veille", "expire", "draft", d.id, version=d.version, was=was, step=d.workflow_step)
        if was != DRAFT:
            refresh_card(s, now, d)
            note_author_or_step(s, now, d, "expired")
        expired.append(d.id)
    return expired


def taken_slots(s: Session, account: str) -> set[int]:
    return set(s.scalars(select(Draft.scheduled_at).where(
        Draft.kind == "post", Draft.account == account, Draft.state.in_(HOLDS_SLOT), Draft.scheduled_at.is_not(None))))


def next_slot(s: Session, cfg: VeilleConfig, account: str, now: float) -> int | None:
    """The account's next free posting slot (veille.toml `slots`), or None if it has none free."""
    acc = cfg.account(account)
    if acc is None or not acc.slots:
        return None
    return slots.next_free(acc.slots, acc.timezone or cfg.team.timezone, now, taken_slots(s, account))


def get_post(s: Session, draft_id: int) -> Draft:
    d = s.get(Draft, draft_id)
    if d is None or d.kind != "post":
        raise PostError("post_not_found", id=draft_id)
    return d

