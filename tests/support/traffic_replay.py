"""Synthetic but realistic inbound traffic for spike tests and bench/spikes.py: an hour-of-week
shape (quiet nights, a Monday-morning rush, a lunch dip, quieter weekends), day-to-day level
noise and Poisson arrivals inside each 10-second bucket. Seeded: every run replays the same."""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Iterator

from bot.domain import spikes
from bot.domain.spikes import HOUR, WEEK, SpikeParams

FINE = 10


def hourly_rate(at: int, peak: float) -> float:
    """Messages per hour at epoch `at` (UTC) for an account whose busiest hour is `peak`."""
    day, hour = (at // 86400 + 3) % 7, (at // HOUR) % 24  # 1970-01-01 was a Thursday: day 0 = Monday
    shape = [0.05, 0.03, 0.02, 0.02, 0.03, 0.06, 0.15, 0.35, 0.7, 1.0, 0.9, 0.8,
             0.6, 0.7, 0.8, 0.75, 0.7, 0.65, 0.6, 0.5, 0.4, 0.3, 0.15, 0.08][hour]
    if day == 0 and 8 <= hour <= 11:
        shape *= 1.4  # the Monday-morning rush: the weekend's mail arrives at once
    if day >= 5:
        shape *= 0.35
    return peak * shape


def poisson(rng: random.Random, lam: float) -> int:
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


class Account:
    """One account's traffic: 10-second bucket counts from `start` on, generated lazily."""

    def __init__(self, name: str, peak: float, seed: int, day_noise: float = 0.25):
        self.name, self.peak = name, peak
        self.rng = random.Random(seed)
        self.day_noise = day_noise
        self._day_level: dict[int, float] = {}

    def level(self, at: int) -> float:
        day = at // 86400
        if day not in self._day_level:  # a busy day or a quiet one: +-25 % typical
            self._day_level[day] = math.exp(self.rng.gauss(0, self.day_noise))
        return self._day_level[day]

    def bucket(self, start: int, extra_per_second: float = 0.0, seconds: int = FINE) -> int:
        lam = hourly_rate(start, self.peak) * self.level(start) * seconds / HOUR + extra_per_second * seconds
        return poisson(self.rng, lam)


def history(account: Account, start: int, weeks: int) -> dict[int, int]:
    """Hourly counts for the `weeks` weeks before `start` (what the traffic table would hold): a
    sum of Poisson arrivals is Poisson, so one draw per hour."""
    return {t: account.bucket(t, seconds=HOUR) for t in range(start - weeks * WEEK, start, HOUR)}


class Replay:
    """Feeds buckets second by second and asks the detector, as bot/jobs/crisis.py does."""

    def __init__(self, account: Account, hourly: dict[int, int], params: SpikeParams = SpikeParams()):
        self.account, self.hourly, self.params = account, dict(hourly), params
        self.fine: deque[int] = deque(maxlen=max(params.windows) // FINE)  # the latest buckets, newest last
        self._base: tuple[int, spikes.Baseline] | None = None

    def counts(self, now: int) -> dict[int, int]:
        """Window sums over the buckets that closed by `now` (the check runs as one closes)."""
        recent = list(self.fine)
        return {w: sum(recent[-(w // FINE):]) for w in self.params.windows}

    def step(self, t: int, extra_per_second: float = 0.0) -> None:
        """The bucket starting at `t` has arrived."""
        n = self.account.bucket(t, extra_per_second)
        self.fine.append(n)
        self.hourly[t // HOUR * HOUR] = self.hourly.get(t // HOUR * HOUR, 0) + n

    def verdict(self, now: int) -> spikes.Verdict:
        hour = now // HOUR
        if self._base is None or self._base[0] != hour:
            self._base = (hour, spikes.baseline(self.hourly, now, self.params))
        return spikes.evaluate(self.counts(now), self._base[1], self.params)

    def run(self, start: int, seconds: int, burst_at: int | None = None, burst_per_second: float = 0.0,
            every: int = FINE) -> Iterator[tuple[int, spikes.Verdict]]:
        for t in range(start, start + seconds, every):
            extra = burst_per_second if burst_at is not None and t >= burst_at else 0.0
            if t % FINE == 0:
                self.step(t, extra)
            yield t, self.verdict(t + FINE)  # the check right after the bucket closes
