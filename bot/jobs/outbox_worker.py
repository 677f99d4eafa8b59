"""The outbox worker: claims due rows (per-row leases, priority order, the channel's Slack budget
taken in the same transaction), performs each through its operation's class (bot/outbox/), and
records the outcome with compare-and-set on the lease. Before every external call the lease is
checked (fenced): a worker that lost its lease never sends.

- a 429 pushes back only its own lane; a timeout or 5xx is "unknown" and reconciled first;
- not_in_channel / channel_not_found / invalid_auth... keep the rows `blocked` until the bot is
  invited (bot/jobs/outbox_health.py unblock_channel) or the token works again (auth.test probe);
- any other exception (a bug, a bad payload) is logged with its row and retried with back-off
  up to the operation's attempt limit, then dead-lettered; the lane moves on."""

from __future__ import annotations

import http.client
import logging
import os
import socket

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import update

from bot import pagerduty
from bot.jobs import lease, outbox_health, publish, slack_ops
from bot.jobs.scheduler import left_to_publishers
from bot.outbox.registry import op_for
from bot.slack.errors import SlackFailure, SlackPermanent, SlackRateLimited, SlackUnknown, classify
from storage.models import Outbox, OutboxState

log = logging.getLogger(__name__)
S = OutboxState
LEASE_SECONDS = 60
RETRY_UNKNOWN = 5  # seconds before an unknown outcome is reconciled
AUTH_PROBE_EVERY = 60  # seconds between auth.test calls while the token is refused


def backoff(attempts: int) -> int:
    """Seconds before retrying a row that crashed for the `attempts`-th time: 5, 10, 20... 300."""
    return min(300, 5 * 2 ** max(0, attempts - 1))


def slack_failure(exc: Exception) -> SlackFailure | None:
    """What Slack (or the network to it) said; None when the exception is ours (a bug)."""
    if isinstance(exc, SlackApiError):
        return classify(exc)
    if isinstance(exc, (OSError, http.client.HTTPException)):  # timeouts, resets, refused: maybe sent
        return SlackUnknown(type(exc).__name__)
    return None


class OutboxWorker:
    def __init__(self, db, clock, slack: WebClient, connectors, approvers, rules, pace_seconds: float = 1.0,
                 owner: str | None = None, lease_seconds: int = LEASE_SECONDS, cfg=None,
                 publisher_grace: float | None = None):
        self.db, self.clock, self.slack = db, clock, slack
        # Set where a ScheduledPublisher runs (bot/jobs/runner.py): scheduled posts are left to the
        # publishers for that many seconds after their time. None: this worker takes them when due.
        self.publisher_grace = publisher_grace
        self.cfg = cfg  # the accounts' channel languages (None: English)
        self.connectors, self.approvers, self.rules = connectors, approvers, rules
        self.pace = pace_seconds
        self.lease_seconds = lease_seconds
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._next_probe = 0.0

    def run_once(self, limit: int = 10) -> int:
        now = self.clock.now()
        self._probe_auth(now)
        budget = self._budget if self.pace else None  # pace 0: no budget of our own (Slack's 429s pace us)
        filters = () if self.publisher_grace is None else (left_to_publishers(now, self.publisher_grace),)
        rows = lease.claim_outbox(self.db, self.owner, now, limit=limit, lease_seconds=self.lease_seconds,
                                  budget=budget, filters=filters)
        for row in rows:
            op = op_for(row.op)
            try:
                if op is None:
                    raise LookupError(f"no outbox operation named {row.op!r}")
                op.perform(self, row)
            except Exception as e:  # one bad row never stops the worker, nor its lane for long
                self._crashed(row, op, e)
        return len(rows)

    def drain(self, max_rounds: int = 1000) -> int:
        """Perform everything due now (tests and the demo call this after moving the clock)."""
        total = 0
        for _ in range(max_rounds):
            n = self.run_once(limit=50)
            total += n
            if n == 0:
                break
        return total

    def _budget(self, row: Outbox):
        op = op_for(row.op)
        return None if op is None else op.bucket(row, self.pace)

    def _crashed(self, row: Outbox, op, e: Exception) -> None:
        now = self.clock.now()
        limit = op.max_attempts if op is not None else 1
        error = f"{type(e).__name__}: {e}"[:1000]
        if row.attempts >= limit:
            log.exception("outbox row %s (%s, lane %s) dead-lettered after %s attempts", row.id, row.op, row.lane,
                          row.attempts)
            lease.finish(self.db, row, S.DEAD, now, last_error=error)
        else:
            log.exception("outbox row %s (%s, lane %s) failed, attempt %s of %s", row.id, row.op, row.lane,
                          row.attempts, limit)
            lease.finish(self.db, row, S.PENDING, now, last_error=error, run_at=int(now + backoff(row.attempts)))

    # ---- network and pager --------------------------------------------------------------------

    def perform_page(self, row: Outbox) -> None:
        """PagerDuty Events v2 (bot/pagerduty.py); a 429 holds back that alert's lane."""
        now = self.clock.now()
        if not lease.fence(self.db, row, now, self.lease_seconds):
            return
        out = pagerduty.perform(getattr(self.rules, "pagerduty", None), row, now)
        if getattr(out, "hold_lane_until", None) is not None:
            lease.push_lane(self.db, row.lane, out.hold_lane_until)
        lease.finish_outcome(self.db, row, out, now)

    def perform_publish(self, row: Outbox) -> None:
        now = self.clock.now()
        if not lease.fence(self.db, row, now, self.lease_seconds):
            return
        out = publish.publish(self.db, self.connectors, self.approvers, self.rules, row, now,
                              reconciling=row.state == S.RECONCILING)
        lease.finish_outcome(self.db, row, out, now)

    # ---- Slack --------------------------------------------------------------------------------

    def perform_slack(self, op, row: Outbox) -> None:
        now = self.clock.now()
        try:
            with self.db.session() as s:
                if not op.reconcile:
                    _fold_siblings(s, row, now)
                call = op.build(s, row, now, self.cfg)
        except slack_ops.Skip as e:
            lease.finish(self.db, row, S.SKIPPED, now, last_error=str(e))  # not inside that transaction
            return
        if not lease.fence(self.db, row, now, self.lease_seconds):
            log.warning("outbox row %s (%s): lease lost before the call, not sent", row.id, row.op)
            return
        if row.state == S.RECONCILING:
            self._reconcile(row, call, now)
            return
        try:
            resp = slack_ops.send(self.slack, call)
        except Exception as e:
            f = slack_failure(e)
            if f is None:
                raise
            self._slack_failed(op, row, f, self.clock.now())
            return
        self._done(row, call, resp.get("ts"), resp.get("channel"), self.clock.now())

    def _reconcile(self, row: Outbox, call, now: float) -> None:
        try:
            ts = slack_ops.find_posted(self.slack, call, row.idempotency_key, row.created_at)
        except Exception as e:
            f = slack_failure(e)
            if f is None:
                raise
            if isinstance(f, SlackPermanent) and f.error in outbox_health.BLOCKING:
                self._block(row, f.error, now)
                return
            retry_at = now + (f.retry_after if isinstance(f, SlackRateLimited) else 30)
            lease.finish(self.db, row, S.UNKNOWN, now, run_at=int(retry_at), last_error=f.error)
            return
        if ts:
            self._done(row, call, ts, call.kwargs.get("channel"), now)
        else:
            lease.finish(self.db, row, S.PENDING, now, last_error="not found on Slack; sending again")

    def _done(self, row: Outbox, call, ts: str | None, channel: str | None, now: float) -> None:
        lease.check(row.state, S.DONE)
        with self.db.session() as s:
            won = s.execute(update(Outbox).where(Outbox.id == row.id, Outbox.lease_token == row.lease_token).values(
                state=S.DONE.value, lease_owner=None, lease_token=None, lease_until=None, updated_at=int(now),
                external_id=ts, last_error=None)).rowcount == 1
            if won and ts and channel:  # a worker that lost its lease leaves the ts to the reconciler
                slack_ops.store_ts(s, call, ts, channel)

    def _slack_failed(self, op, row: Outbox, f: SlackFailure, now: float) -> None:
        if isinstance(f, SlackRateLimited):
            # Only this channel waits; the row keeps its place in the lane.
            lease.push_lane(self.db, row.lane, now + f.retry_after)
            lease.finish(self.db, row, S.PENDING, now, attempts=row.attempts - 1, last_error="ratelimited")
        elif isinstance(f, SlackUnknown):
            state = S.UNKNOWN if op.reconcile else S.PENDING
            lease.finish(self.db, row, state, now, run_at=int(now + RETRY_UNKNOWN), last_error=f.error)
        elif f.error in outbox_health.BLOCKING:
            self._block(row, f.error, now)
        else:
            log.error("Slack refused outbox row %s (%s): %s", row.id, row.op, f.error)
            lease.finish(self.db, row, S.FAILED, now, last_error=f.error)

    def _block(self, row: Outbox, error: str, now: float) -> None:
        """Kept, not failed: the channel (or the whole token) waits for an invite or a fix."""
        log.warning("Slack refused outbox row %s (%s, lane %s) with %s: its lane waits (blocked)", row.id, row.op,
                    row.lane, error)
        lease.finish(self.db, row, S.BLOCKED, now, last_error=error)
        self._next_probe = 0.0

    def _probe_auth(self, now: float) -> None:
        """While the token is refused, ask auth.test now and then; once it works, resume."""
        if now < self._next_probe:
            return
        self._next_probe = now + AUTH_PROBE_EVERY
        if not outbox_health.token_blocked(self.db):
            return
        try:
            self.slack.auth_test()
        except Exception as e:
            log.warning("Slack token still refused: %s", getattr(e, "response", {}) and e.response.get("error"))
            return
        n = outbox_health.unblock_token(self.db, now)
        log.warning("Slack token works again: %s outbox rows resume", n)


def _fold_siblings(s, row: Outbox, now: float) -> None:
    """A refresh renders the parent's state when sent: refreshes of the same parent still queued
    are folded into this one (they were queued before the state we are about to read)."""
    if row.parent_key is None:
        return
    lease.transition(s, [Outbox.op == row.op, Outbox.parent_key == row.parent_key, Outbox.id != row.id],
                     [S.PENDING], S.DONE, now, last_error=f"folded into {row.id}")
