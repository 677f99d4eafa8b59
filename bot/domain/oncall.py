"""Who is on call: a rotation from veille.toml plus overrides, as pure arithmetic on instants.

    [oncall]
    timezone = "Europe/Paris"
    handoff = "mon 09:00"          # weekly layers hand off on that day; daily layers every day at 09:00
    layers = [
      { name = "primary", members = ["U01", "U02"], rotation = "weekly", start = "2026-11-02" },
      { name = "backup", members = ["U03", "U04"], rotation = "weekly", start = "2026-11-02" },
    ]
    # or, instead of layers: usergroup = "S0123" (Slack resolves the members)

The first layer is the primary; the optional second is its backup. Without a backup layer the
backup is the next member of the primary rotation. A layer's first member starts at the first
handoff on or after `start`; the rotation also runs backwards before it, so someone is always
on call. Handoffs are local wall times: a weekly shift across a DST change lasts 167 or 169
hours. Overrides (made in Slack, kept by storage) are passed in: the most recent one covering
an instant wins over the rotation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.sla.config import DAYS, parse_clock
from bot.domain.sla.schedule import wall_to_utc

_MEMBER = re.compile(r"^[UW][A-Z0-9]+$")
_USERGROUP = re.compile(r"^S[A-Z0-9]+$")
_PERIOD_DAYS = {"weekly": 7, "daily": 1}

LayerRole = Literal["primary", "backup"]


class OnCallConfigError(ValueError):
    def __init__(self, path: str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class Layer:
    name: str
    members: tuple[str, ...]
    rotation: Literal["weekly", "daily"]
    start: date


@dataclass(frozen=True)
class Override:
    """`member` is on call for `layer` during [start, end). Ties go to the latest `created_at`,
    then to the later position in the list handed to `who_at`."""

    member: str
    start: int
    end: int
    layer: LayerRole = "primary"
    created_at: int = 0

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"override for {self.member} ends before it starts")

    def covers(self, at: int) -> bool:
        return self.start <= at < self.end


@dataclass(frozen=True)
class OnCall:
    """The answer at one instant, unchanged during [since, until) (None: no known bound).
    With a user group and no override, primary is None and Slack resolves `usergroup`."""

    primary: str | None
    backup: str | None
    since: int | None
    until: int | None
    usergroup: str | None = None


@dataclass(frozen=True)
class Rotation:
    tz: str = "UTC"
    handoff_weekday: int = 0  # 0 = Monday; weekly layers only
    handoff_time: time = time(9)
    primary: Layer | None = None
    backup: Layer | None = None
    usergroup: str | None = None

    def who_at(self, at: int, overrides: Sequence[Override] = ()) -> OnCall:
        since: int | None = None
        until: int | None = None
        primary = backup = None
        if self.primary is not None:
            index, since, until = self._shift(self.primary, at)
            primary = self.primary.members[index % len(self.primary.members)]
            if self.backup is not None:
                b_index, b_since, b_until = self._shift(self.backup, at)
                backup = self.backup.members[b_index % len(self.backup.members)]
                since, until = max(since, b_since), min(until, b_until)
            elif len(self.primary.members) > 1:
                backup = self.primary.members[(index + 1) % len(self.primary.members)]
        primary = _winner(overrides, "primary", at) or primary
        backup = _winner(overrides, "backup", at) or backup
        for override in overrides:  # any override boundary may change the answer
            if override.end <= at:
                since = override.end if since is None else max(since, override.end)
            elif override.start <= at:
                since = override.start if since is None else max(since, override.start)
            if at < override.start:
                until = override.start if until is None else min(until, override.start)
            elif at < override.end:
                until = override.end if until is None else min(until, override.end)
        return OnCall(primary, backup, since, until, self.usergroup)

    def next_shift(self, at: int, overrides: Sequence[Override] = ()) -> OnCall | None:
        """Who takes over when the current answer ends; None when it never ends."""
        current = self.who_at(at, overrides)
        return None if current.until is None else self.who_at(current.until, overrides)

    def _shift(self, layer: Layer, at: int) -> tuple[int, int, int]:
        """(shift number since the layer's first shift, shift start, shift end)."""
        zone = ZoneInfo(self.tz)
        period = _PERIOD_DAYS[layer.rotation]
        first = layer.start
        if layer.rotation == "weekly":
            first += timedelta(days=(self.handoff_weekday - first.weekday()) % 7)
        today = datetime.fromtimestamp(at, zone).date()
        index = (today - first).days // period
        day = first + timedelta(days=index * period)
        since = wall_to_utc(zone, day, self.handoff_time, closing=False)
        if since > at:  # before today's handoff: still the previous shift
            index -= 1
            day -= timedelta(days=period)
            since = wall_to_utc(zone, day, self.handoff_time, closing=False)
        until = wall_to_utc(zone, day + timedelta(days=period), self.handoff_time, closing=False)
        return index, since, until


def _winner(overrides: Sequence[Override], layer: LayerRole, at: int) -> str | None:
    covering = [(o.created_at, i, o) for i, o in enumerate(overrides) if o.layer == layer and o.covers(at)]
    return max(covering, key=lambda item: item[:2])[2].member if covering else None


# -- config --------------------------------------------------------------------------------------


def parse_oncall_config(data: Mapping[str, Any]) -> Rotation | None:
    """The `oncall` table of the TOML document `data`; None when there is none."""
    if "oncall" not in data:
        return None
    raw = data["oncall"]
    if not isinstance(raw, Mapping):
        raise OnCallConfigError("oncall", "must be a table")
    known = ("timezone", "handoff", "layers", "usergroup", "max_override")
    for key in raw:
        if key not in known:
            raise OnCallConfigError(f"oncall.{key}", f"unknown key (expected one of {', '.join(known)})")
    max_override_seconds(raw)
    if "max_override" in raw and "layers" not in raw and "usergroup" not in raw:
        return None  # only the cap on overrides made from Slack: no rotation
    if ("layers" in raw) == ("usergroup" in raw):
        raise OnCallConfigError(
            "oncall", "give either layers (a rotation) or usergroup, not both nor neither"
        )

    if "usergroup" in raw:
        group = raw["usergroup"]
        if not isinstance(group, str) or not _USERGROUP.match(group):
            raise OnCallConfigError(
                "oncall.usergroup", f"{group!r} is not a Slack user group id like S0123ABCD"
            )
        return Rotation(usergroup=group)

    tz = _string(raw.get("timezone"), "oncall.timezone", 'is required, e.g. timezone = "Europe/Paris"')
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise OnCallConfigError(
            "oncall.timezone", f"{tz!r} is not an IANA timezone like Europe/Paris"
        ) from None
    weekday, handoff = _parse_handoff(raw.get("handoff", "mon 09:00"))

    layers = raw["layers"]
    if not isinstance(layers, list) or not 1 <= len(layers) <= 2:
        raise OnCallConfigError("oncall.layers", "must list one or two layers: the primary, then its backup")
    parsed = [_parse_layer(layer, f"oncall.layers[{i}]", i) for i, layer in enumerate(layers)]
    if weekday is None and any(layer.rotation == "weekly" for layer in parsed):
        raise OnCallConfigError("oncall.handoff", 'a weekly rotation needs a day, like "mon 09:00"')
    return Rotation(tz, weekday or 0, handoff, parsed[0], parsed[1] if len(parsed) > 1 else None)


DEFAULT_MAX_OVERRIDE = 7 * 86400


def max_override_seconds(raw: Mapping[str, Any] | None) -> int:
    """`[oncall] max_override` ("7d" by default): how far ahead an override made from Slack may
    end, so nobody hands themselves (or anyone) the pager for 300 days by a typo or on purpose."""
    from bot.domain.sla.config import SlaConfigError, parse_duration

    value = (raw or {}).get("max_override") if isinstance(raw, Mapping) else None
    if value is None:
        return DEFAULT_MAX_OVERRIDE
    try:
        return parse_duration(value, "oncall.max_override")
    except SlaConfigError as e:
        raise OnCallConfigError(e.path, e.problem) from None


def _parse_handoff(raw: Any) -> tuple[int | None, time]:
    text = _string(raw, "oncall.handoff", "")
    day, _, clock = text.strip().lower().rpartition(" ")
    if day and day not in DAYS:
        raise OnCallConfigError(
            "oncall.handoff", f'{text!r} is not like "mon 09:00" (days: {", ".join(DAYS)})'
        )
    at = parse_clock(clock, "oncall.handoff", error=OnCallConfigError)
    return (DAYS.index(day) if day else None), at


def _parse_layer(raw: Any, path: str, position: int) -> Layer:
    if not isinstance(raw, Mapping):
        raise OnCallConfigError(path, "must be a table like { members = [...], rotation = ..., start = ... }")
    known = ("name", "members", "rotation", "start")
    for key in raw:
        if key not in known:
            raise OnCallConfigError(f"{path}.{key}", f"unknown key (expected one of {', '.join(known)})")
    name = _string(raw.get("name", ("primary", "backup")[position]), f"{path}.name", "")
    members = raw.get("members")
    if not isinstance(members, list) or not members:
        raise OnCallConfigError(f"{path}.members", 'must list Slack user ids, like ["U0123", "U0456"]')
    for i, member in enumerate(members):
        if not isinstance(member, str) or not _MEMBER.match(member):
            raise OnCallConfigError(
                f"{path}.members[{i}]", f"{member!r} is not a Slack user id like U0123ABCD"
            )
    rotation = raw.get("rotation", "weekly")
    if rotation not in _PERIOD_DAYS:
        raise OnCallConfigError(f"{path}.rotation", f"{rotation!r} is not weekly or daily")
    if "start" not in raw:
        raise OnCallConfigError(
            f"{path}.start", 'is required: the date the first member starts, e.g. "2026-11-02"'
        )
    start = raw["start"]
    if isinstance(start, datetime):  # a TOML date-time: only its date counts
        start = start.date()
    if not isinstance(start, date):
        try:
            start = date.fromisoformat(_string(start, f"{path}.start", ""))
        except ValueError:
            raise OnCallConfigError(f"{path}.start", f"{start!r} is not a date like 2026-11-02") from None
    return Layer(name, tuple(members), rotation, start)


def _string(value: Any, path: str, missing: str) -> str:
    if value is None and missing:
        raise OnCallConfigError(path, missing)
    if not isinstance(value, str):
        raise OnCallConfigError(path, f"must be a string, not {value!r}")
    return value
