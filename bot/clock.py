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
    """Real time running `factor` times faster from `origin`: the demo's accelerated clock."""

    def __init__(self, factor: float, origin: float | None = None):
        self.factor = factor
        self._real0 = time.time()
        self._origin = self._real0 if origin is None else origin

    def now(self) -> float:
        return self._origin + (time.time() - self._real0) * self.factor

    def wait(self, until: float, wake: threading.Event | None = None) -> bool:
        real_until = self._real0 + (until - self._origin) / self.factor
        return super().wait(real_until, wake)


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
