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
from bot.domain.reasons import reason
from bot.domain.workflows import load as steps_of_workflow
from bot.jobs import lease
from bot.slack.directory import DirectoryUnavailable
from storage.models import Conversation, Draft, Message, Outbox

log = logging.getLogger(__name__)
RECONCILE_AFTER = 30  # seconds: give the network time to show a post that did go out
MAX_RECONCILES = 5
DIRECTORY_RETRY = 30  # seconds: an approved post whose approvers' group Slack cannot list waits, then retries


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
    return prepare_many(db, connectors, approvers, [row], now, reconciling)[0]


def prepare_many(db, connectors, approvers, rows, now: float, reconciling: bool = False) -> list[Prepared | Outcome]:
    """`prepare` for a burst of rows in one transaction (a scheduled minute's posts: one commit,
    not one per post). The approvers' groups are resolved first, outside any transaction."""
    ids = [row.payload["draft_id"] for row in rows]
    with db.session() as s:
        stored = list(s.scalars(select(Draft.workflow).where(Draft.id.in_(ids))))
    people = resolve_people(approvers, stored)  # Slack's usergroups.users.list, if any, happens here
    with db.session() as s:
        drafts = {d.id: d for d in s.scalars(select(Draft).where(Draft.id.in_(ids)))}
        checked = [_prepare_in(s, drafts.get(row.payload["draft_id"]), row, now, people, reconciling) for row in rows]
    out: list[Prepared | Outcome] = []
    for row, c in zip(rows, checked, strict=True):
        if isinstance(c, Outcome):
            out.append(c)
            continue
        draft_id, account, req = c
        try:
            out.append(Prepared(draft_id, req, connectors.get(account)))
        except ConnectorError as e:
            out.append(_finish_failed(db, draft_id, now, str(e), row))
    return out


def resolve_people(approvers, stored_workflows) -> object:
    """The directory's answers for these drafts' approval steps, fetched before a transaction
    (bot/slack/directory.py Directory.resolve); other `People` (no directory) are used as they are."""
    resolve = getattr(approvers, "resolve", None)
    if resolve is None:
        return approvers
    return resolve({step.group for w in stored_workflows for step in steps_of_workflow(w) if step.group})


def _prepare_in(s, d: Draft | None, row, now: float, people, reconciling: bool) -> tuple | Outcome:
    if d is None or d.version != row.payload["version"]:
        return Outcome("cancelled", error="draft gone or edited since approval")
    if d.state == PUBLISHED:
        return Outcome("done", external_id=d.external_id)
    if d.state not in (APPROVED, PUBLISHING, UNKNOWN):
        return Outcome("cancelled", error=f"draft is {d.state}")
    if not reconciling and crisis.hold_post(s, now, d, row) is not None:  # an incident is open: held
        return Outcome(crisis.HELD, error="held: an incident is open on this account")
    try:
        why = still_approved(s, d, people)  # approvers are checked again at publication
    except DirectoryUnavailable as e:
        # Slack cannot say who is in the group right now, and we never knew: not a reason to fail
        # an approved post. It stays approved and is checked again shortly.
        log.warning("publishing draft %s waits: members of %s unknown (Slack unavailable)", d.id, e.group)
        return Outcome("pending", run_at=now + DIRECTORY_RETRY, error=f"approvers' group {e.group} unavailable")
    if why:
        _set(s, d, now, FAILED, error=why)
        audit.record(s, now, "veille", "publish_failed", "draft", d.id, error=why)
        return Outcome("failed", error="approver no longer allowed")
    not_after = row.payload.get("not_after")
    if not reconciling and d.state == APPROVED and not_after and now > not_after:
        # Veille was down at the post's minute: publishing hours late may be wrong; a human decides.
        minutes = int(now - (not_after - LATE_LIMIT)) // 60
        late = reason("missed_time", minutes=minutes)
        _set(s, d, now, FAILED, error=late)
        audit.record(s, now, "veille", "publish_failed", "draft", d.id, error=late)
        return Outcome("failed", error=late)
    req = PublishRequest(idempotency_key=publish_key(d, installation_id(s)), account=d.account, text=d.text,
                         in_reply_to=_reply_target(s, d))
    d.state = PUBLISHING
    d.updated_at = int(now)
    audit.record(s, now, "veille", "publish_attempt", "draft", d.id, version=d.version, attempt=row.attempts,
                 reconcile=reconciling)
    return d.id, d.account, req


def send(ready: Prepared) -> PublishResult | ConnectorError:
    """The network call alone (no database): its result, or the connector's error."""
    try:
        c = ready.connector
        return c.publish_reply(ready.req) if ready.req.in_reply_to else c.publish_post(ready.req)
    except ConnectorError as e:
        return e


def record(db, rules, row, ready: Prepared, result: PublishResult | ConnectorError, now: float) -> Outcome:
    """What the network said, written down (only while this worker still holds the row's lease)."""
    with db.session() as s:
        return _record_in(s, rules, row, ready, result, now)


def record_many(db, rules, items: list[tuple], now: float) -> list[Outcome]:
    """`record` for a burst, and each outbox row finished, all in one transaction: (row, prepared,
    result) each. If that transaction fails, each is recorded on its own (one bad row never loses
    the others' outcomes); the caller then finishes those rows itself (returned with `False`)."""
    try:
        with db.session() as s:
            _prefetch(s, [row for row, _, _ in items], [ready.draft_id for _, ready, _ in items])
            outs = [_record_in(s, rules, row, ready, result, now) for row, ready, result in items]
            for (row, _, _), out in zip(items, outs, strict=True):
                _finish_row(s, row, out, now)
        return outs
    except Exception:
        log.exception("recording %d publications together failed: one by one", len(items))
    outs = []
    for row, ready, result in items:
        try:
            out = record(db, rules, row, ready, result, now)
        except Exception:  # the lease expires and the post is reconciled: never resent blindly
            log.exception("recording publication of outbox row %s", row.id)
            continue
        _finish_alone(db, row, out, now)
        outs.append(out)
    return outs


def finish_many(db, pairs: list[tuple], now: float) -> None:
    """Finish several leased rows (row, outcome) in one transaction."""
    if pairs:
        with db.session() as s:
            for row, out in pairs:
                _finish_row(s, row, out, now)


def _finish_alone(db, row, out: Outcome, now: float) -> None:
    with db.session() as s:
        _finish_row(s, row, out, now)


def _finish_row(s, row, out: Outcome, now: float) -> bool:
    return lease.finish_outcome_in(s, row, out, now)


def _record_in(s, rules, row, ready: Prepared, result: PublishResult | ConnectorError, now: float) -> Outcome:
    draft_id = ready.draft_id
    if isinstance(result, RateLimited):
        if _lease_held(s, row):
            _set(s, s.get(Draft, draft_id), now, APPROVED)
        return Outcome("pending", run_at=now + result.retry_after, error=str(result))
    if isinstance(result, PublishRejected):
        return _failed_in(s, draft_id, now, str(result), row)
    if isinstance(result, ConnectorError):  # PublishUnknown and any other failure: it may exist
        if _lease_held(s, row):
            _set(s, s.get(Draft, draft_id), now, UNKNOWN, error=str(result))
            audit.record(s, now, "veille", "publish_unknown", "draft", draft_id, error=str(result))
        return Outcome("unknown", run_at=now + RECONCILE_AFTER, error=str(result))
    return _published_in(s, rules, draft_id, result, now, row)


def _reconcile(db, connector, draft_id: int, req: PublishRequest, row, now: float) -> Outcome:
    try:
        found = connector.lookup(req)
    except LookupUnsupported:
        return _needs_human(db, draft_id, now, reason("no_lookup"), row)
    except ConnectorError as e:
        if row.attempts >= MAX_RECONCILES:
            return _needs_human(db, draft_id, now, reason("lookup_failed", error=str(e)[:300]), row)
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
    locked = s.info.get(_LOCKED_LEASES)
    if locked is not None and row.id in locked:
        return locked[row.id] == row.lease_token
    q = select(Outbox.lease_token).where(Outbox.id == row.id).with_for_update()
    return s.scalar(q) == row.lease_token


_LOCKED_LEASES = "publish.locked_leases"


def _prefetch(s, rows, draft_ids: list[int]) -> None:
    """A burst's outbox rows locked and their lease tokens read in one statement, its drafts loaded
    in one (then found in the session), instead of two round trips per post."""
    ids = [row.id for row in rows]
    s.info[_LOCKED_LEASES] = dict(s.execute(
        select(Outbox.id, Outbox.lease_token).where(Outbox.id.in_(ids)).order_by(Outbox.id).with_for_update()).all())
    list(s.scalars(select(Draft).where(Draft.id.in_(draft_ids))))


def _finish_published(db, rules, draft_id: int, result: PublishResult, now: float, row=None,
                      reconciled: bool = False) -> Outcome:
    with db.session() as s:
        return _published_in(s, rules, draft_id, result, now, row, reconciled)


def _published_in(s, rules, draft_id: int, result: PublishResult, now: float, row=None,
                  reconciled: bool = False) -> Outcome:
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
        return _failed_in(s, draft_id, now, error, row)


def _failed_in(s, draft_id: int, now: float, error: str, row) -> Outcome:
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
