"""Instants written the way people read them: a wall time in a zone, or UTC."""

from datetime import datetime
from zoneinfo import ZoneInfo

PARIS = "Europe/Paris"
NEW_YORK = "America/New_York"


def local(tz: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0) -> int:
    """UTC epoch of a wall time that exists in `tz` (fold=1: the second of a repeated hour)."""
    return int(datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz), fold=fold).timestamp())


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    return local("UTC", year, month, day, hour, minute)


def wall(tz: str, epoch: int) -> str:
    """How a clock in `tz` shows `epoch`, e.g. "Mon 2026-11-09 09:30 CET"."""
    return datetime.fromtimestamp(epoch, ZoneInfo(tz)).strftime("%a %Y-%m-%d %H:%M %Z")
