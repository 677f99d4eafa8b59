"""The YouTube Data API's daily quota, counted per Pacific day on the injected clock."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock

PACIFIC = ZoneInfo("America/Los_Angeles")  # the quota resets at midnight here
LIST_COST = 1
INSERT_COST = 50


class QuotaBudget:
    """Units spent today, a day being a calendar day in America/Los_Angeles."""

    def __init__(self, clock: Clock, daily: int, reserve_units: int):
        self._clock = clock
        self.daily = daily
        self.reserve = reserve_units
        self._day: date | None = None
        self._spent = 0

    def _today(self) -> date:
        day = datetime.fromtimestamp(self._clock.now(), PACIFIC).date()
        if day != self._day:
            self._day, self._spent = day, 0
        return day

    @property
    def remaining(self) -> int:
        self._today()
        return max(0, self.daily - self._spent)

    def next_reset(self) -> float:
        midnight = datetime.combine(self._today() + timedelta(days=1), time(0), tzinfo=PACIFIC)
        return midnight.timestamp()

    def seconds_to_reset(self) -> float:
        return max(1.0, self.next_reset() - self._clock.now())

    def can_poll(self, cost: int) -> bool:
        return self.remaining - cost >= self.reserve

    def can_publish(self, cost: int) -> bool:
        return self.remaining >= cost

    def spend(self, cost: int) -> None:
        self._today()
        self._spent += cost

    def exhaust(self) -> None:
        self._today()
        self._spent = max(self._spent, self.daily)
