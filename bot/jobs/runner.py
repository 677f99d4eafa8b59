"""The background loops of one process: outbox workers and the SLA detector. Every replica runs
the same loops; leases and unique events keep them from doing anything twice."""

from __future__ import annotations

import logging
import threading

from bot.jobs.detector import detect, next_wakeup
from bot.jobs.outbox_worker import OutboxWorker
from bot.services import Services

log = logging.getLogger("veille.loops")
OUTBOX_IDLE = 0.5  # seconds between looks when nothing woke us (other replicas' work)
DETECTOR_IDLE = 1.0


class Runner:
    def __init__(self, svc: Services, outbox_threads: int = 2, pace_seconds: float = 1.0):
        self.svc = svc
        self.stop_event = threading.Event()
        self.worker = OutboxWorker(svc.db, svc.clock, svc.slack, svc.connectors, svc.directory, svc.rules,
                                   pace_seconds=pace_seconds)
        self._threads = [threading.Thread(target=self._outbox_loop, name=f"outbox-{i}", daemon=True)
                         for i in range(outbox_threads)]
        self._threads.append(threading.Thread(target=self._detector_loop, name="detector", daemon=True))

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.stop_event.set()
        self.svc.poke()
        for t in self._threads:
            t.join(timeout)

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
                if detect(self.svc.db, clock.now()):
                    self.svc.wake_outbox.set()
                nxt = next_wakeup(self.svc.db)
            except Exception:
                log.exception("detector loop")
                nxt = None
            until = clock.now() + DETECTOR_IDLE
            if nxt is not None:
                until = min(until, nxt)
            clock.wait(until, self.svc.wake_detector)
