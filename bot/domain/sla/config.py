"""The `[sla]` part of veille.toml, parsed and validated into schedules and policies.

`parse_sla_config` takes the whole TOML document as a dict and reads its `sla` table. Every
mistake raises `SlaConfigError` whose message starts with the key path, e.g.
`sla.policies[1].first_response.target: "15 minutes" is not a duration like 15m, 1h30m, 2d`.
List indexes in paths count from 0.

    [sla]
    vip_authors = ["@bigfan", "did:plc:abc"]      # author handle (with or without @) or id

    [sla.schedules.paris]
    timezone = "Europe/Paris"
    hours = { mon-fri = ["09:00-12:00", "14:00-18:00"], sat = ["10:00-13:00"] }   # missing day: closed
    holidays = ["2026-12-25", { date = "2026-12-24", from = "14:00" }]
    holidays_country = "FR"                        # + holidays_subdivision = "57"

    [[sla.policies]]
    name = "vip-dm"
    match = { kinds = ["dm"], vip = true }         # accounts networks kinds priorities vip keywords
    schedule = "paris"                             # default: "always" (24x7)
    pause_on_hold = false
    first_response = { target = "15m", warn = ["50%", "5m before"], escalate_after = "10m" }
    resolution = { target = "2d", business = true }

A schedule without `hours` is open all day every day (holidays still apply). `business`
defaults to false (calendar time).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.reasons import reason
from bot.domain.sla.policy import Match, Metric, Policy, Target, TargetWarning
from bot.domain.sla.schedule import Holiday, Schedule

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KINDS = ("mention", "dm", "comment", "article")
ALWAYS = "always"

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_DURATION_HINT = "is not a duration like 15m, 1h30m, 2d"


class SlaConfigError(ValueError):
    def __init__(self, path: str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class SlaConfig:
    schedules: dict[str, Schedule]  # always holds "always" (24x7)
    policies: list[Policy]
    vip_authors: frozenset[str] = frozenset()  # casefolded, without a leading @
    notices: list[str] = field(default_factory=list)  # not errors, but worth telling the admin

    def is_vip(self, author_id: str = "", author_handle: str = "") -> bool:
        names = {_author_key(author_id), _author_key(author_handle)} - {""}
        return not names.isdisjoint(self.vip_authors)

    def schedule_for(self, policy: Policy) -> Schedule:
        return self.schedules[policy.schedule_name]


def parse_sla_config(data: Mapping[str, Any]) -> SlaConfig:
    """Schedules, policies and VIP authors from the `sla` table of the TOML document `data`."""
    sla = data.get("sla", {})
    _require_table(sla, "sla")
    _reject_unknown(sla, "sla", ("schedules", "policies", "vip_authors"))
    notices: list[str] = []

    raw_schedules = sla.get("schedules", {})
    _require_table(raw_schedules, "sla.schedules")
    schedules: dict[str, Schedule] = {ALWAYS: Schedule.always()}
    for name, raw in raw_schedules.items():
        path = f"sla.schedules.{name}"
        if name == ALWAYS:
            raise SlaConfigError(path, f'"{ALWAYS}" is the built-in 24x7 schedule; pick another name')
        schedules[name] = parse_schedule(raw, path, name)
        if not schedules[name].has_weekly_hours:
            notices.append(reason("schedule_no_hours", path=path))

    raw_policies = sla.get("policies", [])
    if not isinstance(raw_policies, list):
        raise SlaConfigError("sla.policies", "must be a list of tables ([[sla.policies]])")
    policies: list[Policy] = []
    for index, raw in enumerate(raw_policies):
        path = f"sla.policies[{index}]"
        policy = _parse_policy(raw, path, schedules, raw_schedules)
        if any(p.name == policy.name for p in policies):
            raise SlaConfigError(f"{path}.name", f"{policy.name!r} is already used by another policy")
        if policy.schedule_name != ALWAYS and not any(t.business for t in policy.targets.values()):
            notices.append(reason("schedule_unused", path=path, schedule=policy.schedule_name))
        policies.append(policy)

    vip_authors = frozenset(
        _author_key(_string(v, f"sla.vip_authors[{i}]"))
        for i, v in enumerate(_list(sla.get("vip_authors", []), "sla.vip_authors"))
    )
    return SlaConfig(schedules, policies, vip_authors, notices)


# -- schedules ---------------------------------------------------------------------------------


def parse_schedule(raw: Any, path: str, name: str = "") -> Schedule:
    _require_table(raw, path)
    _reject_unknown(raw, path, ("timezone", "hours", "holidays", "holidays_country", "holidays_subdivision"))
    if "timezone" not in raw:
        raise SlaConfigError(f"{path}.timezone", 'is required, e.g. timezone = "Europe/Paris"')
    tz = _string(raw["timezone"], f"{path}.timezone")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise SlaConfigError(
            f"{path}.timezone", f"{tz!r} is not an IANA timezone like Europe/Paris"
        ) from None

    if "hours" in raw:
        intervals = _parse_hours(raw["hours"], f"{path}.hours")
    else:
        intervals = {wd: [(time(0), time(0))] for wd in range(7)}
    holidays = [
        _parse_holiday(item, f"{path}.holidays[{i}]")
        for i, item in enumerate(_list(raw.get("holidays", []), f"{path}.holidays"))
    ]
    country, subdivision = _parse_country(raw, path)
    return Schedule(tz, intervals, holidays, country, subdivision, name=name)


def _parse_hours(raw: Any, path: str) -> dict[int, list[tuple[time, time]]]:
    _require_table(raw, path)
    intervals: dict[int, list[tuple[time, time]]] = {}
    for key, spans in raw.items():
        days = _parse_day_key(key, f"{path}.{key}")
        if isinstance(spans, str):
            spans = [spans]
        parsed = [_parse_span(s, f"{path}.{key}[{i}]") for i, s in enumerate(_list(spans, f"{path}.{key}"))]
        for day in days:
            if day in intervals:
                raise SlaConfigError(f"{path}.{key}", f"{DAYS[day]} is already given by another key")
            intervals[day] = parsed
    return intervals


def _parse_day_key(key: str, path: str) -> list[int]:
    first, _, last = key.lower().partition("-")
    if first not in DAYS or (last and last not in DAYS):
        raise SlaConfigError(path, f"{key!r} is not a day ({', '.join(DAYS)}) or a range like mon-fri")
    start, end = DAYS.index(first), DAYS.index(last or first)
    if end < start:
        raise SlaConfigError(path, f"{key!r} runs backwards; write it as {DAYS[end]}-{DAYS[start]}")
    return list(range(start, end + 1))


def _parse_span(raw: Any, path: str) -> tuple[time, time]:
    text = _string(raw, path)
    opening, sep, closing = text.replace(" ", "").partition("-")
    if not sep:
        raise SlaConfigError(path, f"{text!r} is not a span like 09:00-17:00")
    start = parse_clock(opening, path)
    end = parse_clock(closing, path, allow_24=True)
    if start == end and start != time(0):
        raise SlaConfigError(
            path, f"{text!r} opens and closes at the same time; write 00:00-24:00 for all day"
        )
    return start, end


def parse_clock(
    text: str, path: str, *, allow_24: bool = False, error: type[ValueError] | None = None
) -> time:
    """ "09:00" -> time(9, 0); "24:00" (end of day) -> time(0, 0) when `allow_24`."""
    match = _CLOCK.match(text.strip())
    if match:
        hour, minute = int(match[1]), int(match[2])
        if allow_24 and (hour, minute) == (24, 0):
            return time(0)
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise (error or SlaConfigError)(path, f"{text!r} is not a time like 09:00")


def _parse_holiday(raw: Any, path: str) -> Holiday:
    if isinstance(raw, str | date):
        return Holiday(_parse_date(raw, path))
    _require_table(raw, path, 'a date like "2026-12-25" or { date = ..., from = "14:00" }')
    _reject_unknown(raw, path, ("date", "from", "to", "name"))
    if "date" not in raw:
        raise SlaConfigError(f"{path}.date", "is required")
    day = _parse_date(raw["date"], f"{path}.date")
    start = _parse_time_value(raw["from"], f"{path}.from") if "from" in raw else None
    end = _parse_time_value(raw["to"], f"{path}.to", allow_24=True) if "to" in raw else None
    if end == time(0):
        end = None  # "to = 24:00" is the end of the day
    if start is not None and end is not None and end <= start:
        raise SlaConfigError(path, "closes (from) after it reopens (to)")
    name = _string(raw.get("name", ""), f"{path}.name")
    return Holiday(day, start, end, name)


def _parse_time_value(raw: Any, path: str, *, allow_24: bool = False) -> time:
    if isinstance(raw, time):  # a TOML local time (14:00:00)
        return raw.replace(second=0, microsecond=0)
    return parse_clock(_string(raw, path), path, allow_24=allow_24)


def _parse_date(raw: Any, path: str) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(_string(raw, path))
    except ValueError:
        raise SlaConfigError(path, f"{raw!r} is not a date like 2026-12-25") from None


def _parse_country(raw: Mapping[str, Any], path: str) -> tuple[str | None, str | None]:
    if "holidays_country" not in raw:
        if "holidays_subdivision" in raw:
            raise SlaConfigError(f"{path}.holidays_subdivision", "needs holidays_country")
        return None, None
    import holidays  # imported here: only schedules with public holidays need it

    country = _string(raw["holidays_country"], f"{path}.holidays_country").upper()
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise SlaConfigError(f"{path}.holidays_country", f"{country!r} is not a country code like FR, US, BE")
    subdivision = None
    if "holidays_subdivision" in raw:
        subdivision = _string(raw["holidays_subdivision"], f"{path}.holidays_subdivision")
        if subdivision not in supported[country]:
            known = ", ".join(supported[country][:12]) or "none"
            raise SlaConfigError(
                f"{path}.holidays_subdivision", f"{subdivision!r} is not a subdivision of {country} ({known})"
            )
    return country, subdivision


# -- policies ----------------------------------------------------------------------------------


def _parse_policy(
    raw: Any, path: str, schedules: Mapping[str, Schedule], raw_schedules: Mapping[str, Any]
) -> Policy:
    _require_table(raw, path)
    metrics = tuple(m.value for m in Metric)
    _reject_unknown(raw, path, ("name", "match", "schedule", "pause_on_hold", *metrics))
    if "name" not in raw:
        raise SlaConfigError(f"{path}.name", "is required")
    name = _string(raw["name"], f"{path}.name").strip()
    if not name:
        raise SlaConfigError(f"{path}.name", "cannot be empty")
    schedule_name = _string(raw.get("schedule", ALWAYS), f"{path}.schedule")
    if schedule_name not in schedules:
        known = ", ".join(sorted(schedules))
        raise SlaConfigError(f"{path}.schedule", f"no schedule named {schedule_name!r} (known: {known})")
    pause_on_hold = _bool(raw.get("pause_on_hold", False), f"{path}.pause_on_hold")
    match = _parse_match(raw.get("match", {}), f"{path}.match")
    targets = {Metric(m): _parse_target(raw[m], f"{path}.{m}") for m in metrics if m in raw}
    if not targets:
        raise SlaConfigError(path, f"sets no target (give at least one of {', '.join(metrics)})")
    # The version changes with anything that moves a deadline: the policy or its schedule.
    fingerprint = json.dumps([raw, raw_schedules.get(schedule_name)], sort_keys=True, default=str)
    version = hashlib.sha256(fingerprint.encode()).hexdigest()[:12]
    return Policy(name, match, targets, schedule_name, pause_on_hold, version)


def _parse_match(raw: Any, path: str) -> Match:
    _require_table(raw, path)
    _reject_unknown(raw, path, ("accounts", "networks", "kinds", "priorities", "vip", "keywords"))

    def strings(key: str) -> list[str]:
        value = raw.get(key, [])
        if isinstance(value, str):
            value = [value]
        items = [_string(v, f"{path}.{key}[{i}]") for i, v in enumerate(_list(value, f"{path}.{key}"))]
        for i, item in enumerate(items):
            if not item.strip():
                raise SlaConfigError(f"{path}.{key}[{i}]", "cannot be empty")
        return items

    kinds = strings("kinds")
    for i, kind in enumerate(kinds):
        if kind.lower() not in KINDS:
            raise SlaConfigError(f"{path}.kinds[{i}]", f"{kind!r} is not one of {', '.join(KINDS)}")
    vip = _bool(raw.get("vip", False), f"{path}.vip")
    if "vip" in raw and not vip:
        raise SlaConfigError(f"{path}.vip", "only vip = true is supported; leave it out to match everyone")
    return Match(
        accounts=frozenset(strings("accounts")),
        networks=frozenset(strings("networks")),
        kinds=frozenset(kinds),
        priorities=frozenset(strings("priorities")),
        vip_only=vip,
        keywords=tuple(strings("keywords")),
    )


def _parse_target(raw: Any, path: str) -> Target:
    _require_table(raw, path, 'a table like { target = "1h", business = true }')
    _reject_unknown(raw, path, ("target", "business", "warn", "escalate_after"))
    if "target" not in raw:
        raise SlaConfigError(f"{path}.target", 'is required, e.g. target = "1h"')
    seconds = parse_duration(raw["target"], f"{path}.target")
    business = _bool(raw.get("business", False), f"{path}.business")
    warns = raw.get("warn", [])
    if isinstance(warns, str | float):
        warns = [warns]
    warnings = tuple(
        _parse_warning(w, f"{path}.warn[{i}]", seconds) for i, w in enumerate(_list(warns, f"{path}.warn"))
    )
    escalate_after = None
    if "escalate_after" in raw:
        escalate_after = parse_duration(raw["escalate_after"], f"{path}.escalate_after", allow_zero=True)
    return Target(seconds, business, warnings, escalate_after)


def _parse_warning(raw: Any, path: str, target_seconds: int) -> TargetWarning:
    if isinstance(raw, float):
        fraction = raw
    elif isinstance(raw, str) and raw.strip().endswith("%"):
        try:
            fraction = float(raw.strip()[:-1]) / 100
        except ValueError:
            raise SlaConfigError(path, f"{raw!r} is not a percentage like 80%") from None
    elif isinstance(raw, str) and raw.strip().endswith("before"):
        before = parse_duration(raw.strip()[: -len("before")].strip(), path)
        if before >= target_seconds:
            raise SlaConfigError(path, f"{raw!r} is not before a target of {format_duration(target_seconds)}")
        return TargetWarning.before_due(before)
    else:
        raise SlaConfigError(path, f'{raw!r} is not a warning like "80%" or "15m before"')
    if not 0 < fraction < 1:
        raise SlaConfigError(path, f"{raw!r} must be between 0% and 100% of the target (both excluded)")
    return TargetWarning.at_fraction(fraction)


# -- durations ---------------------------------------------------------------------------------


def parse_duration(raw: Any, path: str, *, allow_zero: bool = False) -> int:
    """ "15m" -> 900, "1h30m" -> 5400, "2d" -> 172800, "90s" -> 90 (days are 24 hours)."""
    text = raw.replace(" ", "").lower() if isinstance(raw, str) else ""
    match = _DURATION.match(text)
    if not text or not match:
        shown = f'"{raw}"' if isinstance(raw, str) else repr(raw)
        raise SlaConfigError(path, f"{shown} {_DURATION_HINT}")
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    total = days * 86400 + hours * 3600 + minutes * 60 + seconds
    if total == 0 and not allow_zero:
        raise SlaConfigError(path, f'"{raw}" must be longer than zero')
    return total


def format_duration(seconds: int) -> str:
    """The inverse of parse_duration: 5400 -> "1h30m"."""
    if seconds == 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


# -- small validators --------------------------------------------------------------------------


def _author_key(value: str) -> str:
    return value.strip().removeprefix("@").casefold()


def _require_table(value: Any, path: str, shape: str = "a table") -> None:
    if not isinstance(value, Mapping):
        raise SlaConfigError(path, f"must be {shape}, not {value!r}")


def _reject_unknown(table: Mapping[str, Any], path: str, known: tuple[str, ...]) -> None:
    import difflib

    for key in table:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]}? " if close else ""
            raise SlaConfigError(f"{path}.{key}", f"unknown key; {hint}(valid keys: {', '.join(known)})")


reject_unknown = _reject_unknown  # sla_rules checks the whole [sla] table, short keys included


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise SlaConfigError(path, f"must be a list, not {value!r}")
    return value


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise SlaConfigError(path, f"must be a string, not {value!r}")
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise SlaConfigError(path, f"must be true or false, not {value!r}")
    return value
