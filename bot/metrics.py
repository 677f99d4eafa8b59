"""GET /metrics in Prometheus' text format. Everything is read at scrape time: queue depth, oldest
pending age, breaches, publish outcomes and poll failures from the database (so every replica
reports the same shared figures for those), and Slack calls and 429s from this process's Slack
client (bot/slack/client.py), which counts them as they happen."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select

from bot.health import OUTBOX_DEAD
from bot.slack.client import Reachability, SlackStats
from storage.models import ConnectorState, Outbox, SlaClock, SlaEvent

CONTENT_TYPE = CONTENT_TYPE_LATEST
QUEUED = ("pending", "unknown", "sending", "reconciling", "blocked")  # not yet out of the outbox
# Network publications that are over, and the word /metrics uses for each outbox state.
PUBLISH_OUTCOMES = {"done": "published", "failed": "failed", "cancelled": "cancelled",
                    "needs_human": "needs_human", OUTBOX_DEAD: "dead"}


class VeilleCollector:
    def __init__(self, db, now: float, slack: SlackStats | None, accounts: list[str] | None = None):
        self.db, self.now, self.slack, self.accounts = db, now, slack, accounts

    def collect(self):
        yield from self._outbox()
        yield from self._sla_and_connectors()
        yield from self._slack()

    def _outbox(self):
        depth = GaugeMetricFamily("veille_outbox_queue_depth", "Outbox rows not yet performed, per lane "
                                  "(a Slack channel or a brand account)", labels=["lane"])
        oldest = GaugeMetricFamily("veille_outbox_oldest_pending_age_seconds",
                                   "Age of the oldest outbox row not yet performed, per lane", labels=["lane"])
        dead = GaugeMetricFamily("veille_outbox_dead_letters", "Outbox rows given up after their retries")
        outcomes = CounterMetricFamily("veille_publish_outcomes", "Network publications (replies and posts) "
                                       "that are over, by outcome", labels=["outcome"])
        with self.db.session() as s:
            lanes = s.execute(select(Outbox.lane, func.count(Outbox.id), func.min(Outbox.created_at))
                              .where(Outbox.state.in_(QUEUED)).group_by(Outbox.lane).order_by(Outbox.lane)).all()
            dead_n = s.scalar(select(func.count(Outbox.id)).where(Outbox.state == OUTBOX_DEAD)) or 0
            published = dict(s.execute(select(Outbox.state, func.count(Outbox.id))
                                       .where(Outbox.target == "network", Outbox.state.in_(PUBLISH_OUTCOMES))
                                       .group_by(Outbox.state)).all())
        for lane, n, first in lanes:
            depth.add_metric([lane], n)
            oldest.add_metric([lane], max(0.0, self.now - first))
        dead.add_metric([], dead_n)
        for state, word in PUBLISH_OUTCOMES.items():
            outcomes.add_metric([word], published.get(state, 0))
        return depth, oldest, dead, outcomes

    def _sla_and_connectors(self):
        breaches = CounterMetricFamily("veille_sla_breaches", "SLA deadlines breached, by metric", labels=["metric"])
        failures = GaugeMetricFamily("veille_connector_poll_failures",
                                     "Consecutive failed polls of an account's connector (0 when the last one worked)",
                                     labels=["account"])
        up = GaugeMetricFamily("veille_connector_up", "1 if the account's last poll worked, else 0", labels=["account"])
        with self.db.session() as s:
            by_metric = dict(s.execute(select(SlaClock.metric, func.count(SlaEvent.id))
                                       .join(SlaClock, SlaClock.id == SlaEvent.clock_id)
                                       .where(SlaEvent.type == "breached").group_by(SlaClock.metric)).all())
            states = s.execute(select(ConnectorState.account, ConnectorState.health)
                               .order_by(ConnectorState.account)).all()
        for metric in ("first_response", "next_response", "resolution"):
            breaches.add_metric([metric], by_metric.pop(metric, 0))
        for metric, n in sorted(by_metric.items()):
            breaches.add_metric([metric], n)
        for account, h in states:
            if self.accounts is not None and account not in self.accounts:
                continue
            h = h or {}
            ok = bool(h.get("ok", True))
            failures.add_metric([account], 0 if ok else int(h.get("failures") or 0))
            up.add_metric([account], 1 if ok else 0)
        return breaches, failures, up

    def _slack(self):
        calls = CounterMetricFamily("veille_slack_api_calls", "Slack Web API calls made by this process",
                                    labels=["method"])
        limited = CounterMetricFamily("veille_slack_api_rate_limited", "Slack Web API calls answered 429",
                                      labels=["method"])
        lost = CounterMetricFamily("veille_slack_api_unreachable", "Slack Web API calls with no answer or a 5xx",
                                   labels=["method"])
        reachable = GaugeMetricFamily("veille_slack_reachable", "1 if Slack answered this process's last call")
        if self.slack is not None:
            c, r, u = self.slack.snapshot()
            for family, counts in ((calls, c), (limited, r), (lost, u)):
                for method, n in sorted(counts.items()):
                    family.add_metric([method], n)
            reachable.add_metric([], 0 if self.slack.reachability is Reachability.UNREACHABLE else 1)
        return calls, limited, lost, reachable


def render(db, now: float, slack: SlackStats | None, accounts: list[str] | None = None) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(VeilleCollector(db, now, slack, accounts))
    return generate_latest(registry)
