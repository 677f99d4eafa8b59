"""Publishing an approved draft through its account's connector, exactly once in effect:
a timeout or 5xx is "unknown" and is reconciled (looked up on the network) before any retry;
where no look-up exists a human is asked."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from bot.connectors.base import (
    Author,
    ConnectorError,
    InboundMessage,
    LookupUnsupported,
    PublishRejected,
    PublishRequest,
    PublishResult,
    RateLimited,
)
from bot.domain import audit, clocks, crisis
from bot.domain.approvals import (
    APPROVED,
    FAILED,
    LATE_LIMIT,
    NEEDS_HUMAN,
    PUBLISHED,
    PUBLISHING,
    UNKNOWN,
    note_author_or_step,
    publish_key,
    still_approved,
)
from bot.domain.installation import installation_id
from bot.domain.outbox import enqueue_refresh
from storage.models import Conversation, Draft, Message, Outbox

log = logging.getLogger(__name__)
RECONCILE_AFTER = 30  # seconds: give the network time to show a post that did go out
MAX_RECONCILES = 5


class Outcome:
    """What the worker does with the outbox row afterwards."""

    def __init__(self, state: str, run_at: float | None = None, error: str | None = None, external_id: str | None = None):
        self.state, self.run_at, self.error, self.external_id = state, run_at, error, external_id


@dataclass
class Prepared:
    """A publication checked and marked "publishing", ready for its network call."""

    draft_id: int
    req: PublishRequest
    connector: object


def publish(db, connectors, approvers, rules, row, now: float, reconciling: bool) -> Outcome:
    ready = prepare(db, connectors, approvers, row, now, reconciling)
    if isinstance(ready, Outcome):
        return ready
    if reconciling:
        return _reconcile(db, ready.connector, ready.draft_id, ready.req, row, now)
    return record(db, rules, row, ready, send(ready), now)


def prepare(db, connectors, approvers, row, now: float, reconciling: bool = False) -> Prepared | Outcome:
    """Everything before the network call: the draft still wants this exact version published,
    its approvals still hold, it is not hours late; then it is marked publishing (and audited)."""
    with db.session() as s:
        d = s.get(Draft, row.payload["draft_id"])
        if d is None or d.version != row.payload["version"]:
            return Outcome("cancelled", error="draft gone or edited since approval")
        if d.state == PUBLISHED:
            return Outcome("done", external_id=d.external_id)
        if d.state not in (APPROVED, PUBLISHING, UNKNOWN):
            return Outcome("cancelled", error=f"draft is {d.state}")
        if not reconciling and crisis.hold_post(s, now, d, row) is not None:  # an incident is open: held
            return Outcome(crisis.HELD, error="held: an incident is open on this account")
        why = still_approved(s, d, approvers)  # approvers are checked again at publication
        if why:
            _set(s, d, now, FAILED, error=why)
            audit.record(s, now, "veille", "publish_failed", "draft", d.id, error=why)
            return Outcome("failed", error="approver no longer allowed")
        not_after = row.payload.get("not_after")
        if not reconciling and d.state == APPROVED and not_after and now > not_after:
            # Veille was down at the post's minute: publishing hours late may be wrong; a human decides.
            minutes = int(now - (not_after - LATE_LIMIT)) // 60
            late = f"missed its time by {minutes} min (Veille was not running): Retry publishes it now"
            _set(s, d, now, FAILED, error=late)
            audit.record(s, now, "veille", "publish_failed", "draft", d.id, error=late)
            return Outcome("failed", error=late)
        req = PublishRequest(idempotency_key=publish_key(d, installation_id(s)), account=d.account, text=d.text,
                             in_reply_to=_reply_target(s, d))
        d.state = PUBLISHING
        d.updated_at = int(now)
        audit.record(s, now, "veille", "publish_attempt", "draft", d.id, version=d.version, attempt=row.attempts,
                     reconcile=reconciling)
        draft_id, account = d.id, d.account
    try:
        connector = connectors.get(account)
    except ConnectorError as e:
        return _finish_failed(db, draft_id, now, str(e), row)
    return Prepared(draft_id, req, connector)


def send(ready: Prepared) -> PublishResult | ConnectorError:
    """The network call alone (no database): its result, or the connector's error."""
    try:
        c = ready.connector
        return c.publish_reply(ready.req) if ready.req.in_reply_to else c.publish_post(ready.req)
    except ConnectorError as e:
        return e


def record(db, rules, row, ready: Prepared, result: PublishResult | ConnectorError, now: float) -> Outcome:
    """What the network said, written down (only while this worker still holds the row's lease)."""
    draft_id = ready.draft_id
    if isinstance(result, RateLimited):
        with db.session() as s:
            if _lease_held(s, row):
                _set(s, s.get(Draft, draft_id), now, APPROVED)
        return Outcome("pending", run_at=now + result.retry_after, error=str(result))
    if isinstance(result, PublishRejected):
        return _finish_failed(db, draft_id, now, str(result), row)
    if isinstance(result, ConnectorError):  # PublishUnknown and any other failure: it may exist
        with db.session() as s:
            if _lease_held(s, row):
                _set(s, s.get(Draft, draft_id), now, UNKNOWN, error=str(result))
                audit.record(s, now, "veille", "publish_unknown", "draft", draft_id, error=str(result))
        return Outcome("unknown", run_at=now + RECONCILE_AFTER, error=str(result))
    return _finish_published(db, rules, draft_id, result, now, row)


def _reconcile(db, connector, draft_id: int, req: PublishRequest, row, now: float) -> Outcome:
    try:
        found = connector.lookup(req)
    except LookupUnsupported:
        return _needs_human(db, draft_id, now, "this network offers no look-up", row)
    except ConnectorError as e:
        if row.attempts >= MAX_RECONCILES:
            return _needs_human(db, draft_id, now, f"could not check: {e}", row)
        return Outcome("unknown", run_at=now + RECONCILE_AFTER, error=str(e))
    if found is not None:
        return _finish_published(db, None, draft_id, found, now, row, reconciled=True)
    # Not on the network: it never went out, so sending it again is safe.
    with db.session() as s:
        if _lease_held(s, row):
            d = s.get(Draft, draft_id)
            _set(s, d, now, APPROVED)
            audit.record(s, now, "veille", "reconciled_not_published", "draft", d.id)
    return Outcome("pending", run_at=now)


def _lease_held(s, row) -> bool:
    """Still our row? A worker that stalled past its lease (and was taken over) must not write its
    stale outcome over the new owner's: every draft transition after the network call checks this."""
    if getattr(row, "lease_token", None) is None:
        return True
    q = select(Outbox.lease_token).where(Outbox.id == row.id).with_for_update()
    return s.scalar(q) == row.lease_token


def _finish_published(db, rules, draft_id: int, result: PublishResult, now: float, row=None,
                      reconciled: bool = False) -> Outcome:
    with db.session() as s:
        d = s.get(Draft, draft_id)
        if (row is not None and not _lease_held(s, row)) or d.state == PUBLISHED:
            return Outcome("done", external_id=result.external_id)
        d.external_id, d.url = result.external_id, result.url or None
        d.published_at = int(now)
        _set(s, d, now, PUBLISHED)
        audit.record(s, now, "veille", "published", "draft", d.id, external_id=result.external_id, url=result.url,
                     reconciled=reconciled)
        if d.kind == "post":
            note_author_or_step(s, now, d, "published", url=result.url)
        if d.conversation_id:
            conv = s.get(Conversation, d.conversation_id)
            exists = s.scalar(select(Message.id).where(Message.network == conv.network,
                                                       Message.external_id == result.external_id))
            if result.external_id and exists is None:
                s.add(Message(conversation_id=conv.id, network=conv.network, external_id=result.external_id,
                              account=conv.account, kind=conv.kind, direction="out", text=d.text, url=result.url,
                              author_id=d.approved_by or "", created_at=int(now), received_at=int(now),
                              meta={"draft_id": d.id, "author": d.author}))
            clocks.on_reply(s, rules, conv, at=int(now), now=now, via="veille", actor=d.author)
    return Outcome("done", external_id=result.external_id)


def _finish_failed(db, draft_id: int, now: float, error: str, row) -> Outcome:
    with db.session() as s:
        if not _lease_held(s, row):
            return Outcome("failed", error=error)
        d = s.get(Draft, draft_id)
        _set(s, d, now, FAILED, error=error)
        audit.record(s, now, "veille", "publish_failed", "draft", d.id, error=error)
    return Outcome("failed", error=error)


def _needs_human(db, draft_id: int, now: float, why: str, row=None) -> Outcome:
    with db.session() as s:
        if row is not None and not _lease_held(s, row):
            return Outcome("needs_human", error=why)
        d = s.get(Draft, draft_id)
        _set(s, d, now, NEEDS_HUMAN, error=why)
        audit.record(s, now, "veille", "needs_human", "draft", d.id, why=why)
    return Outcome("needs_human", error=why)


def _set(s, d: Draft, now: float, state: str, error: str | None = None) -> None:
    d.state, d.updated_at = state, int(now)
    if error is not None or state in (PUBLISHED, APPROVED):
        d.last_error = error
    if d.slack_channel:
        enqueue_refresh(s, now, d.slack_channel, "draft_refresh", "draft_id", d.id)


def _reply_target(s, d: Draft) -> InboundMessage | None:
    if d.kind != "reply" or d.conversation_id is None:
        return None
    m = s.scalar(select(Message).where(Message.conversation_id == d.conversation_id, Message.direction == "in")
                 .order_by(Message.created_at.desc(), Message.id.desc()).limit(1))
    return InboundMessage(id=m.external_id, network=m.network, account=m.account, kind=m.kind,
                          author=Author(m.author_id, m.author_handle, m.author_name), text=m.text, url=m.url,
                          created_at=m.created_at, thread_id=m.thread_id, in_reply_to=m.in_reply_to, meta=m.meta)
