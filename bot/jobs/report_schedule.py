"""The monthly report on time by itself (`[reports]` in veille.toml): last month's report goes to
the channel on the first working day (or a set day) at the set time, in the team's time zone.

Exactly once across replicas: a `report_run` row per period (primary key "monthly:YYYY-MM:C…")
is inserted in the same transaction as the outbox row; whoever inserts it sends. Missed runs are
caught up: every period due since Veille first saw this `[reports]` channel (itself a
`report_run` row, "since:C…"), at most CATCH_UP_MONTHS back, goes out once Veille runs again.
Periods due before that first sight are not sent: a new install does not post old reports."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from bot.config import ReportsConfig, VeilleConfig
from bot.domain import report_request
from bot.domain.reports import Period, Scope
from storage.models import ReportRun

CATCH_UP_MONTHS = 12
OWNER = "veille"  # who asked, in the outbox payload: nobody, the schedule


def send_time(rc: ReportsConfig, tz: str, month: date) -> int:
    """When the report of `month` (its first day) is due: in the month after it."""
    nxt = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    day = nxt.replace(day=rc.day) if isinstance(rc.day, int) else _first_working_day(nxt, rc.holidays_country)
    hh, mm = (int(x) for x in rc.time.split(":"))
    return int(datetime.combine(day, time(hh, mm), ZoneInfo(tz)).timestamp())


def _first_working_day(first: date, country: str | None) -> date:
    off = _holidays(country, first.year) if country else frozenset()
    day = first
    while day.weekday() >= 5 or day in off:
        day += timedelta(days=1)
    return day


@lru_cache(maxsize=16)
def _holidays(country: str, year: int) -> frozenset[date]:
    import holidays  # only when [reports] names a country

    return frozenset(holidays.country_holidays(country, years=year))


def due_months(rc: ReportsConfig, tz: str, since: int, now: float) -> list[date]:
    """Months (first days) whose report is due in (since, now], oldest first."""
    today = datetime.fromtimestamp(now, ZoneInfo(tz)).date().replace(day=1)
    months = []
    m = today
    for _ in range(CATCH_UP_MONTHS + 1):
        m = (m - timedelta(days=1)).replace(day=1)
        at = send_time(rc, tz, m)
        if since < at <= now:
            months.append(m)
    return sorted(months)


def _claim(s, key: str, channel: str, now: float) -> bool:
    """Insert the report_run row unless it exists: True for the one caller that inserted it."""
    dialect = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(ReportRun).values(period_key=key, channel=channel, owner=OWNER, created_at=int(now)) \
        .on_conflict_do_nothing().returning(ReportRun.period_key)
    return s.execute(stmt).scalar_one_or_none() is not None


def run_due(db, cfg: VeilleConfig, now: float) -> int:
    """Queue every monthly report now due and not yet queued; returns how many this call queued."""
    rc = cfg.reports
    if not rc.channel:
        return 0
    tz = cfg.team.timezone
    with db.session() as s:
        _claim(s, f"since:{rc.channel}", rc.channel, now)
        since = s.scalar(select(ReportRun.created_at).where(ReportRun.period_key == f"since:{rc.channel}"))
    nets = {a.key: a.network for a in cfg.accounts}
    queued = 0
    for month in due_months(rc, tz, since, now):
        last = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        key = f"monthly:{month:%Y-%m}:{rc.channel}"
        req = report_request.ReportRequest(Period.days(month, last, tz), Scope(), rc.channel)
        with db.session() as s:
            if _claim(s, key, rc.channel, now):
                report_request.enqueue_report(s, now, req, OWNER, rc.language, key=f"report:{key}", networks=nets)
                queued += 1
    return queued


def next_due(cfg: VeilleConfig, now: float) -> int | None:
    """When the next monthly report falls due (the loop sleeps until then, or its idle tick)."""
    rc = cfg.reports
    if not rc.channel:
        return None
    this_month = datetime.fromtimestamp(now, ZoneInfo(cfg.team.timezone)).date().replace(day=1)
    prev = (this_month - timedelta(days=1)).replace(day=1)
    return min(at for at in (send_time(rc, cfg.team.timezone, prev), send_time(rc, cfg.team.timezone, this_month))
               if at > now)
