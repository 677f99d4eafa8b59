"""Business hours: when the team is open, as UTC instants.

A `Schedule` is a timezone, weekly open intervals in local wall time (several a day for split
shifts; an interval whose close is at or before its open ends the next day, e.g. 22:00-02:00)
and holidays (whole or partial days, listed or from the `holidays` package). Every function
here takes and returns UTC epoch seconds.

Local wall times become UTC like this:
- a wall time inside a DST gap (02:30 on the spring-forward night) moves to the first valid
  instant after the gap (the transition itself);
- a wall time that happens twice (01:30 on the fall-back night in New York) opens at its FIRST
  occurrence and closes at its SECOND, so the ambiguous hour is counted as open.

Performance: the SLA detector recomputes thousands of deadlines, so nothing loops per minute.
A walk converts each local day to its UTC open intervals once (a handful of datetime calls),
caches that per schedule and date, then consumes whole intervals with integer arithmetic; a
24x7 schedule without holidays short-cuts to plain addition. A deadline a few days out costs a
few microseconds once the days are cached.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

# A walk that meets this many days in a row without open time gives up (calendar fallback).
MAX_IDLE_DAYS = 366
_DAY_CACHE_LIMIT = 20_000
_MIDNIGHT = time(0, 0)

Interval = tuple[int, int]


class ScheduleWarning(UserWarning):
    """A schedule could not be used as business time (no open time): calendar time was used."""


@dataclass(frozen=True)
class Holiday:
    """A closed day, or closed between `start` and `end` on that day (None = day start / end)."""

    date: date
    start: time | None = None
    end: time | None = None
    name: str = ""

    @property
    def whole_day(self) -> bool:
        return self.start is None and self.end is None


@dataclass(frozen=True)
class Schedule:
    """Weekly open hours in `tz`. `intervals` maps weekday (0 = Monday) to (open, close) pairs;
    a missing weekday is closed. `holidays_country` ("FR", optional `holidays_subdivision`)
    adds that country's public holidays as whole closed days."""

    tz: str = "UTC"
    intervals: Mapping[int, Sequence[tuple[time, time]]] = field(default_factory=dict)
    holidays: Sequence[Holiday] = ()
    holidays_country: str | None = None
    holidays_subdivision: str | None = None
    name: str = ""
    _days: dict[date, tuple[Interval, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        weekly = {wd: tuple(sorted(self.intervals.get(wd, ()))) for wd in range(7)}
        object.__setattr__(self, "intervals", weekly)
        object.__setattr__(self, "holidays", tuple(self.holidays))
        object.__setattr__(self, "_zone", ZoneInfo(self.tz))
        by_date: dict[date, list[Holiday]] = {}
        for holiday in self.holidays:
            by_date.setdefault(holiday.date, []).append(holiday)
        object.__setattr__(self, "_holidays_by_date", by_date)

    @classmethod
    def always(cls) -> Schedule:
        """Open 24 hours a day, 7 days a week: the default schedule."""
        return cls("UTC", {wd: [(_MIDNIGHT, _MIDNIGHT)] for wd in range(7)}, name="always")

    @property
    def zone(self) -> ZoneInfo:
        return self._zone  # type: ignore[attr-defined]

    @property
    def has_weekly_hours(self) -> bool:
        return any(self.intervals.values())

    @property
    def is_continuous(self) -> bool:
        """Open all day every day with no holiday: business time equals calendar time."""
        full_day = ((_MIDNIGHT, _MIDNIGHT),)
        return (
            all(self.intervals[wd][:1] == full_day for wd in range(7))
            and not self.holidays
            and not self.holidays_country
        )

    # -- building one local day ------------------------------------------------------------

    def day_intervals(self, day: date) -> tuple[Interval, ...]:
        """UTC intervals opening on local `day` (they may end the next day), holidays removed,
        sorted by start. Cached per schedule."""
        cached = self._days.get(day)
        if cached is not None:
            return cached
        opened: list[Interval] = []
        for open_at, close_at in self.intervals[day.weekday()]:
            start = wall_to_utc(self.zone, day, open_at, closing=False)
            close_day = day if close_at > open_at else day + timedelta(days=1)
            end = wall_to_utc(self.zone, close_day, close_at, closing=True)
            if end > start:
                opened.append((start, end))
        if opened:
            closures = self._closures(day) + self._closures(day + timedelta(days=1))
            opened = _subtract(opened, closures)
        result = tuple(sorted(opened))
        if len(self._days) >= _DAY_CACHE_LIMIT:
            self._days.clear()
        self._days[day] = result
        return result

    def _closures(self, day: date) -> list[Interval]:
        """Closed UTC windows of the holidays falling on local `day`."""
        windows = []
        listed = self._holidays_by_date.get(day, ())  # type: ignore[attr-defined]
        for holiday in listed:
            start = wall_to_utc(self.zone, day, holiday.start or _MIDNIGHT, closing=False)
            if holiday.end is None:
                end = wall_to_utc(self.zone, day + timedelta(days=1), _MIDNIGHT, closing=True)
            else:
                end = wall_to_utc(self.zone, day, holiday.end, closing=True)
            windows.append((start, end))
        if self.holidays_country and day in _country_holidays(
            self.holidays_country, self.holidays_subdivision, day.year
        ):
            start = wall_to_utc(self.zone, day, _MIDNIGHT, closing=False)
            end = wall_to_utc(self.zone, day + timedelta(days=1), _MIDNIGHT, closing=True)
            windows.append((start, end))
        return windows

    def local_date(self, at: int) -> date:
        return datetime.fromtimestamp(at, self.zone).date()

    # -- walking ------------------------------------------------------------------------------

    def walk(self, from_epoch: int, until: int | None = None) -> Iterator[Interval]:
        """Disjoint open intervals in time order, clipped to start at `from_epoch`. Adjacent
        pieces are not merged (callers only add them up). With `until`, stops after it;
        without, stops after MAX_IDLE_DAYS days in a row without open time."""
        day = self.local_date(from_epoch) - timedelta(days=1)  # yesterday's night shift
        last_day = self.local_date(until) if until is not None else None
        covered = from_epoch
        idle = 0
        while last_day is None or day <= last_day:
            found = False
            for start, end in self.day_intervals(day):
                start = max(start, covered)
                if end <= start:
                    continue
                found = True
                covered = end
                yield start, end
            if last_day is None:
                idle = 0 if found else idle + 1
                if idle > MAX_IDLE_DAYS:
                    return
            day += timedelta(days=1)


@dataclass(frozen=True)
class Advanced:
    """Where a business-time walk landed; `fallback_warning` says calendar time was used."""

    at: int
    fallback_warning: str | None = None


def advance_business_time(schedule: Schedule, start: int, seconds: int) -> Advanced:
    """`start` plus `seconds` of open time. Counting begins at the next opening when `start` is
    closed; a positive amount lands inside an open interval or exactly on its close. A schedule
    with no open time for MAX_IDLE_DAYS days falls back to calendar time, with a warning."""
    if seconds < 0:
        raise ValueError(f"cannot add a negative duration ({seconds} s)")
    if seconds == 0 or schedule.is_continuous:
        return Advanced(start + seconds)
    remaining = seconds
    for open_at, close_at in schedule.walk(start):
        available = close_at - open_at
        if remaining <= available:
            return Advanced(open_at + remaining)
        remaining -= available
    label = f"schedule {schedule.name!r}" if schedule.name else "the schedule"
    return Advanced(
        start + seconds,
        f"{label} has no open time within {MAX_IDLE_DAYS} days: calendar time was used instead",
    )


def add_business_seconds(schedule: Schedule, start: int, seconds: int) -> int:
    """`advance_business_time(...).at`; a calendar fallback also emits a ScheduleWarning."""
    result = advance_business_time(schedule, start, seconds)
    if result.fallback_warning:
        warnings.warn(result.fallback_warning, ScheduleWarning, stacklevel=2)
    return result.at


def business_seconds_between(schedule: Schedule, a: int, b: int) -> int:
    """Open seconds in [a, b); negative when b is before a."""
    if b < a:
        return -business_seconds_between(schedule, b, a)
    if schedule.is_continuous:
        return b - a
    total = 0
    for open_at, close_at in schedule.walk(a, until=b):
        if open_at >= b:
            break
        total += min(close_at, b) - open_at
    return total


def open_intervals(schedule: Schedule, from_epoch: int, to_epoch: int) -> Iterator[Interval]:
    """Open time within [from_epoch, to_epoch) as merged (start, end) UTC intervals."""
    pending: list[int] | None = None
    for open_at, close_at in schedule.walk(from_epoch, until=to_epoch):
        if open_at >= to_epoch:
            break
        close_at = min(close_at, to_epoch)
        if pending is not None and open_at <= pending[1]:
            pending[1] = max(pending[1], close_at)
            continue
        if pending is not None:
            yield pending[0], pending[1]
        pending = [open_at, close_at]
    if pending is not None:
        yield pending[0], pending[1]


def is_open(schedule: Schedule, at: int) -> bool:
    """True when `at` falls inside open time (open instant included, close instant excluded)."""
    day = schedule.local_date(at)
    for candidate in (day - timedelta(days=1), day):
        if any(start <= at < end for start, end in schedule.day_intervals(candidate)):
            return True
    return False


def next_open(schedule: Schedule, at: int) -> int | None:
    """`at` itself when open, else the next opening; None without open time within a year."""
    for open_at, _close_at in schedule.walk(at):
        return open_at
    return None


# -- wall time to UTC --------------------------------------------------------------------------


def wall_to_utc(zone: ZoneInfo, day: date, at: time, *, closing: bool) -> int:
    """UTC epoch of local wall time `at` on `day`, with the gap/fold rules of the module doc."""
    naive = datetime.combine(day, at)
    first = int(naive.replace(tzinfo=zone, fold=0).timestamp())
    second = int(naive.replace(tzinfo=zone, fold=1).timestamp())
    if first == second:
        return first
    if first < second:  # fall back: the wall time happens twice
        return second if closing else first
    # Spring forward: fold=1 reads the time with the later offset (an instant before the jump),
    # fold=0 with the earlier one (an instant after it); the jump lies between them.
    return _transition_after(zone, second, first)


def _transition_after(zone: ZoneInfo, before: int, after: int) -> int:
    """The first instant in (before, after] whose UTC offset differs from `before`'s."""
    offset = datetime.fromtimestamp(before, zone).utcoffset()
    while after - before > 1:
        middle = (before + after) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == offset:
            before = middle
        else:
            after = middle
    return after


def _subtract(intervals: list[Interval], closures: list[Interval]) -> list[Interval]:
    for close_start, close_end in closures:
        if close_end <= close_start:
            continue
        kept = []
        for start, end in intervals:
            if close_end <= start or end <= close_start:
                kept.append((start, end))
                continue
            if start < close_start:
                kept.append((start, close_start))
            if close_end < end:
                kept.append((close_end, end))
        intervals = kept
    return intervals


@lru_cache(maxsize=256)
def _country_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    import holidays  # imported lazily: only schedules that name a country need it

    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))
