"""Two and three replicas on one PostgreSQL, each with its own Database, detector and outbox
worker running at the same time: every warning, breach, escalation DM and PagerDuty page
happens exactly once, even when one replica dies holding work."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from bot.app import build_services
from bot.jobs import lease
from bot.jobs.detector import detect
from bot.jobs.outbox_worker import OutboxWorker
from storage.db import Database
from storage.models import Outbox, SlaClock
from tests.conftest import PG_URL, START
from tests.e2e.sla_support import ROTATION, ROUTING_KEY, veille_factory
from tests.fakes.pagerduty_server import PagerDutyServer
from tests.support.harness import PUBLISH_SECRET, all_text

pytestmark = pytest.mark.skipif(not PG_URL, reason="several replicas need PostgreSQL")

LADDER = {"policies": [{"name": "p", "first_response": {"target": "1h", "warn": ["80%"], "escalate_after": "10m"}}]}
BREACH = START + 3600
CONVERSATIONS = 6


@pytest.fixture
def sla_veille(db_url, clock, standin, target):
    yield from veille_factory(db_url, clock, standin, target)


class Replica:
    """One more Veille process: its own engine and pool, its own loops, the same database."""

    def __init__(self, name: str, veille):
        self.name = name
        self.db = Database(veille.settings.database_url)
        self.svc = build_services(veille.settings, veille.cfg, veille.clock, db=self.db,
                                  env={"ACME_PUBLISH_SECRET": PUBLISH_SECRET})
        self.worker = OutboxWorker(self.db, veille.clock, self.svc.slack, self.svc.connectors, self.svc.directory,
                                   self.svc.rules, pace_seconds=0, owner=name)
        self.stop = threading.Event()
        self.running = threading.Event()
        self.running.set()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def _loop(self) -> None:
        while not self.stop.is_set():
            if not self.running.wait(0.01):
                continue  # paused: a slow replica
            try:
                detect(self.db, self.svc.now(), rules=self.svc.rules)
                if not self.worker.run_once(limit=5):
                    time.sleep(0.002)
            except BaseException as e:  # the test fails on any error a replica meets
                self.errors.append(e)
                return

    def start(self) -> Replica:
        self.thread.start()
        return self

    def kill_holding_work(self) -> int:
        """Die like a killed process right after its detector committed and its worker took
        leases on outbox rows it will never finish. Returns how many rows it left behind."""
        self.stop.set()
        self.thread.join(10)
        detect(self.db, self.svc.now(), rules=self.svc.rules)
        taken = lease.claim_outbox(self.db, self.name, self.svc.now(), limit=50)
        self.db.dispose()
        return len(taken)

    def lock_due_clocks(self):
        """The start of a detector pass that will never finish: due clocks locked, not updated."""
        session = self.db._sessions()
        session.begin()
        locked = list(session.scalars(select(SlaClock).where(SlaClock.next_check_at <= int(self.svc.now()))
                                      .with_for_update(skip_locked=True)))
        return session, len(locked)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(10)
        self.db.dispose()


def _quiet(veille, replicas, timeout: float = 30.0) -> None:
    """Wait (real time, briefly) until nothing is due: no clock to look at, no row to send."""
    deadline = time.time() + timeout
    calm = 0
    while time.time() < deadline:
        for r in replicas:
            assert not r.errors, r.errors
        now = int(veille.clock.now())
        with veille.db.session() as s:
            # Lanes where a dead replica holds a lease wait for it to run out: not due yet.
            held = select(Outbox.lane).where(Outbox.lease_owner.like("dead-%"), Outbox.lease_until >= now)
            rows = s.scalar(select(func.count(Outbox.id)).where(
                Outbox.state.in_(("pending", "sending", "unknown", "reconciling")), Outbox.run_at <= now,
                Outbox.lane.not_in(held)))
            clocks = s.scalar(select(func.count(SlaClock.id)).where(
                SlaClock.state.in_(("running", "breached")), SlaClock.next_check_at <= now))
        calm = calm + 1 if rows == 0 and clocks == 0 else 0
        if calm >= 3:
            return
        time.sleep(0.02)
    raise AssertionError("the replicas never went quiet")


def _step(veille, replicas, at: float) -> None:
    veille.clock.set(at)
    _quiet(veille, replicas)


@pytest.mark.parametrize("count", [2, 3])
def test_each_warning_breach_dm_and_page_happens_once_across_replicas(sla_veille, standin, monkeypatch, count):
    standin.limiter.enabled = False  # this pins exactly-once, not Slack's pacing
    monkeypatch.setenv("VEILLE_TEST_PAGERDUTY_KEY", ROUTING_KEY)
    with PagerDutyServer(ROUTING_KEY) as pd:
        veille = sla_veille(sla=LADDER, oncall=ROTATION, pagerduty={"routing_key_env": "VEILLE_TEST_PAGERDUTY_KEY",
                                                                    "url": pd.enqueue_url, "timeout": 2})
        replicas = [Replica(f"replica-{i}", veille).start() for i in range(count)]
        try:
            for i in range(CONVERSATIONS):
                veille.mention(f"t-{i}", f"urgent {i}", author=f"u-{i}", handle=f"@p{i}")
            _quiet(veille, replicas)
            _step(veille, replicas, BREACH - 12 * 60)  # warnings
            if count == 3:  # a replica dies in the middle of a detector pass: its locks go with it
                survivors, doomed = replicas[:2], replicas[2]
                for r in survivors:
                    r.running.clear()
                doomed.running.clear()
                veille.clock.set(BREACH)
                session, locked = doomed.lock_due_clocks()
                assert locked == CONVERSATIONS
                for r in survivors:
                    r.running.set()
                time.sleep(0.2)  # the others skip the locked clocks meanwhile
                assert veille.events("breached") == []
                session.close()  # the process is gone: its transaction rolls back
                doomed.running.set()
            _step(veille, replicas, BREACH)  # breaches
            _step(veille, replicas, BREACH + 600)  # level 2: the channel (nobody is assigned)
            if count == 3:  # a replica dies holding leases on rows it never sent
                for r in replicas[:2]:
                    r.running.clear()
                veille.clock.set(BREACH + 1200)
                replicas[2].name = replicas[2].worker.owner = "dead-replica-2"
                assert replicas[2].kill_holding_work() > 0
                replicas = replicas[:2]
                for r in replicas:
                    r.running.set()
            _step(veille, replicas, BREACH + 1200)  # level 3: Bob by DM, and PagerDuty
            _step(veille, replicas, BREACH + 1200 + 61)  # past the dead replica's leases
            _step(veille, replicas, BREACH + 1800)  # level 4: Dan, the backup
            _step(veille, replicas, BREACH + 7200)
        finally:
            for r in replicas:
                r.close()

        alerts = [a for a in veille.alerts() if a.get("subtype") != "thread_broadcast"]
        assert len(alerts) == CONVERSATIONS
        for alert in alerts:
            texts = [all_text(m) for m in veille.thread(alert)]
            assert sum("First response due" in t for t in texts) == 1
            assert sum("First response breached (due" in t for t in texts) == 1
            assert sum(":rotating_light:" in t for t in texts) == 3  # channel, on-call, backup
        assert len(veille.dms("U0BOB")) == CONVERSATIONS and len(veille.dms("U0DAN")) == CONVERSATIONS
        triggers = [e["dedup_key"] for e in pd.events if e["event_action"] == "trigger"]
        assert sorted(triggers) == sorted(f"veille-c{i}-first_response" for i in range(1, CONVERSATIONS + 1))
        assert [e.type for e in veille.events("warning")] == ["warning"] * CONVERSATIONS
        assert len(veille.events("breached")) == CONVERSATIONS
