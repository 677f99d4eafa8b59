"""The outbox worker: claims due rows (leases), performs them outside any transaction, and
records the outcome with compare-and-set on the lease. Slack rows are paced per channel and a
429 pushes back only that channel; network rows go through the publish service."""

from __future__ import annotations

import logging
import os
import socket

from slack_sdk import WebClient

from bot import pagerduty
from bot.jobs import lease, publish, slack_ops
from bot.slack.errors import SlackPermanent, SlackRateLimited, SlackUnknown, classify

log = logging.getLogger(__name__)


class OutboxWorker:
    def __init__(self, db, clock, slack: WebClient, connectors, approvers, rules, pace_seconds: float = 1.0,
                 owner: str | None = None):
        self.db, self.clock, self.slack = db, clock, slack
        self.connectors, self.approvers, self.rules = connectors, approvers, rules
        self.pace = pace_seconds
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"

    def run_once(self, limit: int = 10) -> int:
        rows = lease.claim_outbox(self.db, self.owner, self.clock.now(), limit=limit)
        for row in rows:
            try:
                self._perform(row)
            except Exception:  # one bad row never stops the worker
                log.exception("outbox row %s (%s) crashed", row.id, row.op)
                lease.finish(self.db, row, "failed", self.clock.now(), last_error="internal error")
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

    def _perform(self, row) -> None:
        if row.target == "network":
            self._publish(row)
        elif row.target == "pagerduty":
            self._page(row)
        else:
            self._slack(row)

    def _page(self, row) -> None:
        """PagerDuty Events v2 (bot/pagerduty.py); a 429 holds back that alert's lane."""
        now = self.clock.now()
        out = pagerduty.perform(getattr(self.rules, "pagerduty", None), row, now)
        if out.hold_lane_until is not None:
            lease.push_lane(self.db, row.lane, out.hold_lane_until)
        lease.finish_outcome(self.db, row, out, now)

    def _publish(self, row) -> None:
        now = self.clock.now()
        out = publish.publish(self.db, self.connectors, self.approvers, self.rules, row, now,
                              reconciling=row.state == "reconciling")
        lease.finish_outcome(self.db, row, out, now)

    def _slack(self, row) -> None:
        now = self.clock.now()
        try:
            with self.db.session() as s:
                call = slack_ops.build_call(s, row, now)
        except slack_ops.Skip as e:
            lease.finish(self.db, row, "skipped", now, last_error=str(e))  # not inside that transaction
            return
        if row.state == "reconciling":
            try:
                ts = slack_ops.find_posted(self.slack, call, row.idempotency_key, row.created_at)
            except Exception as e:
                f = classify(e)
                retry_at = now + (f.retry_after if isinstance(f, SlackRateLimited) else 30)
                lease.finish(self.db, row, "unknown", now, run_at=int(retry_at), last_error=f.error)
                return
            if ts:
                self._done(row, call, ts, call.kwargs.get("channel"), now)
            else:
                lease.finish(self.db, row, "pending", now, last_error="not found on Slack; sending again")
            return
        try:
            resp = slack_ops.send(self.slack, call)
        except Exception as e:
            self._slack_failed(row, classify(e), now)
            return
        self._done(row, call, resp.get("ts"), resp.get("channel"), now)
        if self.pace:
            lease.push_lane(self.db, row.lane, now + self.pace)

    def _done(self, row, call, ts: str | None, channel: str | None, now: float) -> None:
        with self.db.session() as s:
            if ts and channel:
                slack_ops.store_ts(s, call, ts, channel)
        lease.finish(self.db, row, "done", now, external_id=ts)

    def _slack_failed(self, row, f, now: float) -> None:
        if isinstance(f, SlackRateLimited):
            # Only this channel waits; the row keeps its place in the lane.
            lease.push_lane(self.db, row.lane, now + f.retry_after)
            lease.finish(self.db, row, "pending", now, attempts=row.attempts - 1, last_error="ratelimited")
        elif isinstance(f, SlackUnknown):
            state = "unknown" if row.op in ("alert_post", "thread_note", "draft_card", "draft_note", "dm", "message") else "pending"
            lease.finish(self.db, row, state, now, run_at=int(now + 5), last_error=f.error)
        else:
            assert isinstance(f, SlackPermanent)
            log.error("Slack refused outbox row %s (%s): %s", row.id, row.op, f.error)
            lease.finish(self.db, row, "failed", now, last_error=f.error)
