"""Report figures (bot/domain/reports.py) against a direct computation over a hand-made month:
the real SLA engine runs each history (business hours in Paris, a paused resolution clock), then
the report's SQL must find the same times and counts. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import math
from datetime import date

import pytest
from sqlalchemy import select, update

from bot.config import VeilleConfig
from bot.domain import clocks, reports
from bot.domain.reports import Period, Scope
from bot.domain.sla_rules import build_rules
from storage.db import Database
from storage.models import Conversation, Draft, Message, SlaClock
from tests.domain.sla.helpers import PARIS, local, utc

SLA = {
    "first_response": "1h", "next_response": "1h", "resolution": "1d",
    "schedules": {"paris": {"timezone": PARIS, "hours": {"mon-fri": ["09:00-17:00"]}}},
    "policies": [{"name": "fr-business", "match": {"accounts": ["acme_fr"]}, "schedule": "paris",
                  "first_response": {"target": "2h", "business": True},
                  "next_response": {"target": "2h", "business": True}}],
}
NETWORKS = {"acme": "x", "acme_fr": "bluesky"}
NOVEMBER = Period.days(date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def db(db_url):
    d = Database(db_url)
    d.migrate()
    yield d
    d.dispose()


@pytest.fixture
def rules():
    return build_rules(VeilleConfig(sla=SLA), env={})


class History:
    """Writes conversations the way ingest does (rows, then the clock engine) and remembers what
    a person would compute by hand from them."""

    def __init__(self, db, rules):
        self.db, self.rules, self.n = db, rules, 0

    def inbound(self, account: str, kind: str, at: int, conv_id: int | None = None) -> int:
        self.n += 1
        with self.db.session() as s:
            conv = s.get(Conversation, conv_id) if conv_id else None
            if conv is None:
                conv = Conversation(account=account, network=NETWORKS[account], kind=kind, thread_key=f"t{self.n}",
                                    first_inbound_at=at, last_inbound_at=at, created_at=at, updated_at=at)
                s.add(conv)
                s.flush()
            conv.last_inbound_at = at
            msg = Message(conversation_id=conv.id, network=conv.network, external_id=f"m{self.n}", account=account,
                          kind=kind, direction="in", text="hello", meta={}, created_at=at, received_at=at)
            s.add(msg)
            s.flush()
            clocks.on_inbound(s, self.rules, conv, msg, at)
            return conv.id

    def reply(self, conv_id: int, at: int) -> None:
        self.n += 1
        with self.db.session() as s:
            conv = s.get(Conversation, conv_id)
            s.add(Message(conversation_id=conv.id, network=conv.network, external_id=f"m{self.n}", account=conv.account,
                          kind=conv.kind, direction="out", text="answer", meta={}, created_at=at, received_at=at))
            clocks.on_reply(s, self.rules, conv, at=at, now=at, via="veille", actor="U0ALICE")

    def clock(self, conv_id: int, metric: str) -> SlaClock:
        with self.db.session() as s:
            return s.scalar(select(SlaClock).where(SlaClock.conversation_id == conv_id, SlaClock.metric == metric))


def nearest_rank(values: list[int], p: int) -> int:
    ordered = sorted(values)
    return ordered[math.ceil(p / 100 * len(ordered)) - 1]


@pytest.fixture
def month(db, rules):
    """Hand-made November 2026 (and one October conversation for the comparison)."""
    h = History(db, rules)
    c1 = h.inbound("acme", "mention", utc(2026, 11, 2, 10))
    h.reply(c1, utc(2026, 11, 2, 10, 20))                                   # 20 min, met
    with db.session() as s:                                                 # waiting on the customer 2 h
        res = s.scalar(select(SlaClock).where(SlaClock.conversation_id == c1, SlaClock.metric == "resolution"))
        clocks.pause(s, res, utc(2026, 11, 2, 10, 30), "pending")
    with db.session() as s:
        res = s.get(SlaClock, res.id)
        clocks.resume(s, rules, res, utc(2026, 11, 2, 12, 30))
        clocks.fulfil_resolution(s, rules, res, utc(2026, 11, 2, 13), "U0ALICE")   # 3 h - 2 h paused = 1 h
    c2 = h.inbound("acme", "dm", utc(2026, 11, 3, 12))
    h.reply(c2, utc(2026, 11, 3, 14))                                       # 2 h on a 1 h target: breached
    # Business hours (Paris, mon-fri 09-17): Friday 16:30 -> Monday 09:30 is ONE business hour.
    c3 = h.inbound("acme_fr", "mention", local(PARIS, 2026, 11, 6, 16, 30))
    h.reply(c3, local(PARIS, 2026, 11, 9, 9, 30))
    c4 = h.inbound("acme_fr", "mention", local(PARIS, 2026, 11, 10, 10))
    h.reply(c4, local(PARIS, 2026, 11, 10, 10, 30))                         # 30 min
    h.inbound("acme_fr", "mention", local(PARIS, 2026, 11, 10, 11), conv_id=c4)   # next response...
    h.reply(c4, local(PARIS, 2026, 11, 10, 12))                             # ...1 h
    h.inbound("acme", "mention", utc(2026, 11, 20, 9))                      # not answered yet, not due
    c7 = h.inbound("acme", "mention", utc(2026, 11, 25, 9))                 # breached, unanswered
    with db.session() as s:
        s.execute(update(SlaClock).where(SlaClock.conversation_id == c7, SlaClock.metric == "first_response")
                  .values(state="breached", breached_at=utc(2026, 11, 25, 10)))
        clocks.add_event(s, s.scalar(select(SlaClock).where(SlaClock.conversation_id == c7,
                                                            SlaClock.metric == "first_response")),
                         "escalated", 1, utc(2026, 11, 25, 10, 15))
    c6 = h.inbound("acme", "mention", utc(2026, 10, 15, 9))                 # October: the previous period
    h.reply(c6, utc(2026, 10, 15, 9, 10))
    with db.session() as s:
        s.add_all([
            Draft(kind="post", account="acme", text="Our new thing", content_hash="h1", state="published",
                  author="U0ALICE", approved_by="U0BOB", approved_at=utc(2026, 11, 4, 11), external_id="p1",
                  url="https://x.example/p1", created_at=utc(2026, 11, 4, 10), updated_at=utc(2026, 11, 4, 12),
                  published_at=utc(2026, 11, 4, 12)),
            Draft(kind="reply", conversation_id=c1, account="acme", text="answer", content_hash="h2",
                  state="published", author="U0ALICE", approved_by="U0BOB", approved_at=utc(2026, 11, 2, 10, 15),
                  external_id="r1", created_at=utc(2026, 11, 2, 10, 5), updated_at=utc(2026, 11, 2, 10, 20),
                  published_at=utc(2026, 11, 2, 10, 20)),
            Draft(kind="post", account="acme_fr", text="Brouillon", content_hash="h3", state="pending",
                  author="U0CAROL", created_at=utc(2026, 11, 5), updated_at=utc(2026, 11, 5)),
        ])
    return {"first": [1200, 7200, 3600, 1800], "next": [3600], "resolution": [3600], "met": 5, "breached": 2}


def test_first_response_median_and_p90_are_the_engine_s_times_with_business_hours(db, month):
    with db.session() as s:
        r = reports.compute(s, NOVEMBER, account_networks=NETWORKS)
    assert r["first_response"] == {"count": 4, "median_s": nearest_rank(month["first"], 50),
                                   "p90_s": nearest_rank(month["first"], 90)}
    assert r["first_response"]["median_s"] == 1800 and r["first_response"]["p90_s"] == 7200
    assert r["next_response"] == {"count": 1, "median_s": 3600, "p90_s": 3600}


def test_a_paused_resolution_clock_does_not_count_the_time_it_was_paused(db, month):
    with db.session() as s:
        r = reports.compute(s, NOVEMBER)
    assert r["resolution"]["median_s"] == 3600


def test_sla_attainment_counts_met_against_breached_and_leaves_clocks_still_running_out(db, month):
    with db.session() as s:
        r = reports.compute(s, NOVEMBER)
    assert (r["sla"]["met"], r["sla"]["breached"]) == (month["met"], month["breached"])
    assert r["sla"]["attainment"] == round(5 / 7, 4)
    assert r["sla"]["escalations"] == 1
    assert r["sla"]["by_metric"]["first_response"] == {"met": 3, "breached": 2, "attainment": 0.6}


def test_volume_counts_conversations_and_messages_in_and_out_within_the_period(db, month):
    with db.session() as s:
        r = reports.compute(s, NOVEMBER)
    assert r["conversations"] == 6
    assert r["messages"] == {"in": 7, "out": 5, "total": 12}
    assert len(r["volume_by_day"]) == 30
    assert r["volume_by_day"][1] == {"day": "2026-11-02", "conversations": 1, "messages_in": 1, "messages_out": 1}
    assert sum(sum(row) for row in r["hours_of_week"]) == 7
    # Monday 2026-11-02 10:00 UTC: weekday 0, hour 10.
    assert r["hours_of_week"][0][10] == 1


def test_breakdowns_by_account_network_and_kind_add_up(db, month):
    with db.session() as s:
        r = reports.compute(s, NOVEMBER, account_networks=NETWORKS)
    by_account = {a["account"]: a for a in r["by_account"]}
    assert by_account["acme_fr"]["first_response"]["median_s"] == 1800   # 3600 and 1800: nearest rank
    assert by_account["acme_fr"]["sla"] == {"met": 3, "breached": 0, "attainment": 1.0}
    assert by_account["acme"]["conversations"] == 4
    assert {n["network"] for n in r["by_network"]} == {"x", "bluesky"}
    assert sum(k["conversations"] for k in r["by_kind"]) == r["conversations"]


def test_an_account_filter_keeps_only_that_account(db, month):
    with db.session() as s:
        r = reports.compute(s, NOVEMBER, Scope(account="acme_fr"), account_networks=NETWORKS)
        by_net = reports.compute(s, NOVEMBER, Scope(network="bluesky"), account_networks=NETWORKS)
    assert r["conversations"] == 2 and r["first_response"]["count"] == 2
    assert r["top_posts"] == [] and r["publishing"]["posts_published"] == 0
    assert by_net["conversations"] == 2 and by_net["by_member"] == []


def test_members_publishing_and_top_posts_come_from_the_published_drafts(db, month):
    with db.session() as s:
        r = reports.compute(s, NOVEMBER)
    assert r["by_member"] == [{"member": "U0ALICE", "replies": 1, "approvals": 0},
                              {"member": "U0BOB", "replies": 0, "approvals": 2}]
    assert r["publishing"]["posts_published"] == 1 and r["publishing"]["replies_published"] == 1
    assert r["publishing"]["approval_lead_time"]["median_s"] == 600       # 10 min and 1 h: nearest rank
    assert [p["url"] for p in r["top_posts"]][0] == "https://x.example/p1"
    assert all(p["engagement"] is None for p in r["top_posts"])          # engagement_for is a stub for now


def test_the_previous_period_is_there_for_comparison(db, month):
    with db.session() as s:
        r = reports.compute(s, NOVEMBER)
    assert r["previous"]["period"]["from"] == "2026-10-02"                 # 30 days before
    assert r["previous"]["conversations"] == 1 and r["previous"]["first_response"]["median_s"] == 600


def test_the_report_has_the_documented_json_keys(db, month):
    with db.session() as s:
        r = json.loads(json.dumps(reports.compute(s, NOVEMBER)))
    for key in ("conversations", "messages", "by_account", "by_network", "top_posts"):
        assert key in r
    assert {"median_s", "p90_s"} <= set(r["first_response"])
    assert {"met", "breached", "attainment"} <= set(r["sla"])


def test_days_and_hours_follow_the_period_time_zone(db, month):
    paris = Period.days(date(2026, 11, 1), date(2026, 11, 30), PARIS)
    with db.session() as s:
        r = reports.compute(s, paris)
    # Friday 2026-11-06 16:30 Paris: weekday 4, hour 16 in Paris time.
    assert r["hours_of_week"][4][16] == 1
