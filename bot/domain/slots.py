"""Queue slots: an account's usual posting times (Postiz-style), so "next" means the next free one.

A slot is "<days> <time>" in the account's zone: "mon-fri 09:30", "sat,sun 11:00", "daily 18h",
"lun-ven 9h30", "weekdays 12:00". A slot is free when no live post of that account is scheduled
at that exact instant. Wall times that do not exist (the spring-forward gap) are skipped; one that
happens twice (autumn) is the first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

_DAYS = {
    "mon": 0, "monday": 0, "lun": 0, "lundi": 0,
    "tue": 1, "tuesday": 1, "mar": 1, "mardi": 1,
    "wed": 2, "wednesday": 2, "mer": 2, "mercredi": 2,
    "thu": 3, "thursday": 3, "jeu": 3, "jeudi": 3,
    "fri": 4, "friday": 4, "ven": 4, "vendredi": 4,
    "sat": 5, "saturday": 5, "sam": 5, "samedi": 5,
    "sun": 6, "sunday": 6, "dim": 6, "dimanche": 6,
}
_GROUPS = {
    "daily": range(7), "everyday": range(7), "*": range(7), "tous-les-jours": range(7),
    "weekdays": range(5), "semaine": range(5), "weekend": (5, 6), "week-end": (5, 6),
}
_TIME = re.compile(r"^(\d{1,2})(?::|h)?(\d{2})?$")
HORIZON_DAYS = 62  # how far ahead "next" looks before saying there is no free slot


class SlotError(ValueError):
    pass


@dataclass(frozen=True)
class Slot:
    weekdays: frozenset[int]  # 0 = Monday
    at: time


def parse_slot(spec: str) -> Slot:
    text = " ".join(spec.strip().lower().replace("every day", "daily").replace("tous les jours", "tous-les-jours")
                    .split())
    days_part, _, time_part = text.rpartition(" ")
    if not days_part:
        raise SlotError(f"slot {spec!r}: write days then a time, like \"mon-fri 09:30\"")
    return Slot(_parse_days(days_part, spec), _parse_time(time_part, spec))


def _parse_days(text: str, spec: str) -> frozenset[int]:
    days: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if part in _GROUPS:
            days.update(_GROUPS[part])
            continue
        first, dash, last = part.partition("-")
        if first not in _DAYS or (dash and last not in _DAYS):
            raise SlotError(f"slot {spec!r}: unknown day {part!r} (use mon, tue... or lun, mar...)")
        a, b = _DAYS[first], _DAYS[last] if dash else _DAYS[first]
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return frozenset(days)


def _parse_time(text: str, spec: str) -> time:
    m = _TIME.match(text)
    if not m or int(m.group(1)) > 23 or int(m.group(2) or 0) > 59:
        raise SlotError(f"slot {spec!r}: the time must look like 09:30 or 9h30")
    return time(int(m.group(1)), int(m.group(2) or 0))


def upcoming(slots: Iterable[Slot], tz: str, now: float, days: int = HORIZON_DAYS) -> Iterable[int]:
    """Slot instants strictly after `now`, in order (UTC epoch seconds)."""
    zone = ZoneInfo(tz)
    slots = list(slots)
    today = datetime.fromtimestamp(now, zone).date()
    for offset in range(days + 1):
        day = today + timedelta(days=offset)
        instants = set()
        for slot in slots:
            if day.weekday() not in slot.weekdays:
                continue
            wall = datetime.combine(day, slot.at, zone)
            if _exists(wall):
                instants.add(int(wall.timestamp()))
        for at in sorted(instants):
            if at > now:
                yield at


def next_free(specs: Iterable[str], tz: str, now: float, taken: Iterable[int], after: float | None = None) -> int | None:
    """The first slot after `after` (default `now`) that no live post already holds; None if none."""
    busy = set(taken)
    for at in upcoming([parse_slot(s) for s in specs], tz, max(now, after or now)):
        if at not in busy:
            return at
    return None


def _exists(wall: datetime) -> bool:
    """False for a wall time inside a DST gap (it does not survive a round trip through UTC)."""
    back = datetime.fromtimestamp(wall.timestamp(), wall.tzinfo)
    return back.replace(tzinfo=None) == wall.replace(tzinfo=None)
