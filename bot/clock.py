"""The injectable clock. Every part of Veille asks its clock for the time, so tests move time
instead of sleeping. Instants are UTC epoch seconds (float); storage keeps whole seconds."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...

    def wait(self, until: float, wake: threading.Event | None = None) -> bool:
        """Block until `until` (epoch seconds) or until `wake` is set. True if woken early."""
        ...


class RealClock:
    def now(self) -> float:
        return time.time()

    def wait(self, until: float, wake: threading.Event | None = None) -> bool:
        delay = max(0.0, until - time.time())
        if wake is None:
            time.sleep(delay)
            return False
        woken = wake.wait(delay)
        wake.clear()
        return woken


class ScaledClock(RealClock):
    """Real time running `factor` times faster, changeable on the fly: the demo runs at normal
    speed while people click (Slack's trigger_id lives 3 real seconds), then fast-forwards."""

    def __init__(self, factor: float = 1.0, origin: float | None = None):
        self._lock = threading.Lock()
        self._real0 = time.time()
        self._origin = self._real0 if origin is None else origin
        self.factor = factor

    def now(self) -> float:
        with self._lock:
            return self._origin + (time.time() - self._real0) * self.factor

    def set_factor(self, factor: float) -> None:
        now = self.now()
        with self._lock:
            self._origin, self._real0, self.factor = now, time.time(), factor

    def wait(self, until: float, wake: threading.Event | None = None) -> bool:
        # Short real slices so a change of speed is noticed promptly.
        delay = max(0.0, (until - self.now()) / self.factor)
        return super().wait(time.time() + min(delay, 0.2), wake)


class TestClock:
    """A clock that only moves when told. `wait` returns as soon as time reaches `until`."""

    __test__ = False  # not a pytest test class

    def __init__(self, start: float = 1_790_000_000.0):
        self._t = float(start)
        self._cond = threading.Condition()

    def now(self) -> float:
        with self._cond:
            return self._t

    def set(self, t: float) -> None:
        with self._cond:
            self._t = float(t)
            self._cond.notify_all()

    def advance(self, seconds: float) -> float:
        with self._cond:
            self._t += seconds
            self._cond.notify_all()
            return self._t

    def wait(self, until: float, wake: threading.Event | None = None) -> bool:
        with self._cond:
            while self._t < until:
                if wake is not None and wake.is_set():
                    wake.clear()
                    return True
                # Short real waits so a wake event set from another thread is seen promptly.
                self._cond.wait(0.01)
            return False
