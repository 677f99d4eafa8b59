"""The background loops of one process: outbox workers and the SLA detector. Every replica runs
the same loops; leases and unique events keep them from doing anything twice."""

from __future__ import annotations

import logging
import threading

from bot.domain import bursts
from bot.jobs.crisis import CrisisDetector
from bot.jobs.detector import detect, next_wakeup
from bot.jobs.outbox_worker import LEASE_SECONDS, OutboxWorker
from bot.jobs.poller import Poller
from bot.jobs.scheduler import (
    LOOKAHEAD,
    PUBLISHER_GRACE,
    ScheduledPublisher,
    next_expiry,
    next_publication,
    tick,
)
from bot.services import Services

log = logging.getLogger("veille.loops")
OUTBOX_IDLE = 0.5  # seconds between looks when nothing woke us (other replicas' work)
DETECTOR_IDLE = 1.0
POLLER_IDLE = 5.0  # seconds between looks at connector_state (other replicas, config)
SCHEDULER_IDLE = 1.0  # seconds between looks for newly queued posts
REPORTS_IDLE = 60.0  # seconds between looks for a monthly report due (config, other replicas)
CRISIS_TICK = 1.0  # seconds between two spike checks (a burst is seen within a few seconds)


class Runner:
    def __init__(self, svc: Services, outbox_threads: int = 2, pace_seconds: float = 1.0,
                 lease_seconds: int = LEASE_SECONDS):
        # lease_seconds is in clock seconds: `veille demo` (clock x720) passes a longer one so a
        # lease still lasts a minute of real time there; production keeps LEASE_SECONDS.
        self.svc = svc
        self.stop_event = threading.Event()
        svc.connectors.warm()  # an HTTP client each, built now rather than during the first burst of posts
        self.worker = OutboxWorker(svc.db, svc.clock, svc.slack, svc.connectors, svc.directory, svc.rules,
                                   pace_seconds=pace_seconds, lease_seconds=lease_seconds, cfg=svc.cfg,
                                   publisher_grace=PUBLISHER_GRACE)
        self._threads = [threading.Thread(target=self._outbox_loop, name=f"outbox-{i}", daemon=True)
                         for i in range(outbox_threads)]
        self._threads.append(threading.Thread(target=self._detector_loop, name="detector", daemon=True))
        self.poller = Poller(svc.db, svc.cfg, svc.rules, svc.connectors, svc.clock, on_ingest=lambda _r: svc.poke())
        self._wake_poller = threading.Event()
        self._threads.append(threading.Thread(target=self._poller_loop, name="poller", daemon=True))
        self._threads.append(threading.Thread(target=self._scheduler_loop, name="scheduler", daemon=True))
        self.publisher = ScheduledPublisher(svc.db, svc.clock, svc.connectors, svc.directory, svc.rules,
                                            owner=f"{self.worker.owner}:publisher", lease_seconds=lease_seconds)
        self._threads.append(threading.Thread(target=self._publisher_loop, name="publisher", daemon=True))
        self.crisis = CrisisDetector(svc.db, svc.cfg, svc.rules)
        self._threads.append(threading.Thread(target=self._crisis_loop, name="crisis", daemon=True))
        self._threads.append(threading.Thread(target=self._reports_loop, name="reports", daemon=True))

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.stop_event.set()
        self.svc.poke()
        self._wake_poller.set()
        for t in self._threads:
            t.join(timeout)
        self.publisher.close()

    def _outbox_loop(self) -> None:
        clock = self.svc.clock
        while not self.stop_event.is_set():
            try:
                n = self.worker.run_once()
            except Exception:
                log.exception("outbox loop")
                n = 0
            if n == 0:
                clock.wait(clock.now() + OUTBOX_IDLE, self.svc.wake_outbox)

    def _detector_loop(self) -> None:
        clock = self.svc.clock
        while not self.stop_event.is_set():
            try:
                if detect(self.svc.db, clock.now(), rules=self.svc.rules, cfg=self.svc.cfg):
                    self.svc.wake_outbox.set()
                if bursts.tick(self.svc.db, clock.now()):  # burst cards: refresh, end quiet bursts
                    self.svc.wake_outbox.set()
                nxt = next_wakeup(self.svc.db)
            except Exception:
                log.exception("detector loop")
                nxt = None
            until = clock.now() + DETECTOR_IDLE
            if nxt is not None:
                until = min(until, nxt)
            clock.wait(until, self.svc.wake_detector)

    def _poller_loop(self) -> None:
        clock = self.svc.clock
        while not self.stop_event.is_set():
            try:
                self.poller.run_once()
                nxt = self.poller.next_due()
            except Exception:
                log.exception("poller loop")
                nxt = None
            until = clock.now() + POLLER_IDLE
            if nxt is not None:
                until = min(until, max(nxt, clock.now() + 0.2))  # never a busy loop
            clock.wait(until, self._wake_poller)

    def _scheduler_loop(self) -> None:
        """Expire approvals at their post's time; wake the outbox the second a post falls due."""
        clock = self.svc.clock
        while not self.stop_event.is_set():
            now = clock.now()
            try:
                if tick(self.svc.db, now):
                    self.svc.wake_outbox.set()
                due = [t for t in (next_expiry(self.svc.db, now), next_publication(self.svc.db, now)) if t]
            except Exception:
                log.exception("scheduler loop")
                due = []
            until = min([now + SCHEDULER_IDLE, *due])
            clock.wait(until)
            if due and clock.now() >= min(due):
                self.svc.wake_outbox.set()

    def _publisher_loop(self) -> None:
        """Scheduled posts: leased and prepared LOOKAHEAD seconds early, sent at their second."""
        clock = self.svc.clock
        while not self.stop_event.is_set():
            try:
                if self.publisher.run_once():
                    continue
                nxt = next_publication(self.svc.db, clock.now())
            except Exception:
                log.exception("publisher loop")
                nxt = None
            until = clock.now() + SCHEDULER_IDLE
            if nxt is not None:
                until = min(until, max(nxt - LOOKAHEAD, clock.now() + 0.05))
            clock.wait(until)

    def _crisis_loop(self) -> None:
        """Spike detection and crisis mode (bot/jobs/crisis.py): one tick a second."""
        clock = self.svc.clock
        while not self.stop_event.is_set():
            try:
                if self.crisis.run_once(clock.now()):
                    self.svc.wake_outbox.set()
            except Exception:
                log.exception("crisis loop")
            clock.wait(clock.now() + CRISIS_TICK)

    def _reports_loop(self) -> None:
        """The monthly report of [reports] (bot/jobs/report_schedule.py): at its time, or at the
        next look after downtime; a report_run row per period keeps it to one across replicas."""
        from bot.jobs import report_schedule

        clock = self.svc.clock
        while not self.stop_event.is_set():
            try:
                if report_schedule.run_due(self.svc.db, self.svc.cfg, clock.now()):
                    self.svc.wake_outbox.set()
                nxt = report_schedule.next_due(self.svc.cfg, clock.now())
            except Exception:
                log.exception("reports loop")
                nxt = None
            clock.wait(min(clock.now() + REPORTS_IDLE, nxt or float("inf")))
