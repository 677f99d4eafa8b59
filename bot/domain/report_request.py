"""What `/veille report [week|month|last month|from … to …] [@account|network] [in #channel]`
asks for, read into a period, a scope and a destination; and the outbox row that sends it.

The report itself is computed and uploaded by the outbox worker (bot/jobs/report_ops.py): never
inside the command's transaction, never inside the handler."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.domain.outbox import Op, enqueue, slack_lane
from bot.domain.reports import Period, Scope

MAX_DAYS = 366
OP = Op.REPORT
_CHANNEL = re.compile(r"\bin\s+<#([CG][A-Z0-9]+)(?:\|[^>]*)?>\s*$", re.I)
_RANGE = re.compile(r"^from\s+(\d{4}-\d{2}-\d{2})\s+to\s+(\d{4}-\d{2}-\d{2})\b\s*", re.I)


class PeriodWord(str, Enum):
    WEEK = "week"
    MONTH = "month"
    LAST_MONTH = "last month"


class RequestError(Exception):
    def __init__(self, code: str, **info):
        super().__init__(code)
        self.code, self.info = code, info


@dataclass(frozen=True)
class ReportRequest:
    period: Period
    scope: Scope
    channel: str | None  # None: to the member, privately


def parse(args: str, now: float, tz: str, account_networks: Mapping[str, str]) -> ReportRequest:
    """`args` after `report`. Raises RequestError with an i18n key. No period: this month so far."""
    text = args.strip()
    channel = None
    m = _CHANNEL.search(text)
    if m:
        channel, text = m.group(1), text[:m.start()].strip()
    today = datetime.fromtimestamp(now, ZoneInfo(tz)).date()
    found = _period(text, today)
    if found is None:
        if text and not _is_scope(text, account_networks):
            raise RequestError("report_bad_period")
        found = (*_word_period(PeriodWord.MONTH, today), text)
    first, last, rest = found
    if last < first:
        raise RequestError("report_bad_period")
    if (last - first).days >= MAX_DAYS:
        raise RequestError("report_period_too_long", days=MAX_DAYS)
    return ReportRequest(Period.days(first, last, tz), _scope(rest, account_networks), channel)


def _period(text: str, today: date) -> tuple[date, date, str] | None:
    m = _RANGE.match(text)
    if m:
        try:
            return date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2)), text[m.end():]
        except ValueError:
            raise RequestError("report_bad_period") from None
    low = text.lower()
    for word in sorted(PeriodWord, key=lambda w: -len(w.value)):  # "last month" before "month"
        if low == word.value or low.startswith(word.value + " "):
            return (*_word_period(word, today), text[len(word.value):])
    return None


def _is_scope(text: str, account_networks: Mapping[str, str]) -> bool:
    what = text.lstrip("@").strip()
    return text.startswith("@") or what in account_networks or what.lower() in set(account_networks.values())


def _word_period(word: PeriodWord, today: date) -> tuple[date, date]:
    if word is PeriodWord.WEEK:
        return today - timedelta(days=today.weekday()), today
    if word is PeriodWord.MONTH:
        return today.replace(day=1), today
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def _scope(rest: str, account_networks: Mapping[str, str]) -> Scope:
    what = rest.strip().lstrip("@").strip()
    if not what:
        return Scope()
    if what in account_networks:
        return Scope(account=what)
    if what.lower() in set(account_networks.values()):
        return Scope(network=what.lower())
    raise RequestError("report_unknown_scope", what=what[:40], accounts=", ".join(account_networks) or "-")


def enqueue_report(s: Session, now: float, req: ReportRequest, user: str, lang: str, key: str | None = None,
            networks: Mapping[str, str] | None = None) -> int | None:
    """One outbox row: the worker computes the figures, posts the summary and uploads the charts
    (to `req.channel`, or to the member's DM). `key` makes a scheduled report unique per period."""
    dest = req.channel or user
    payload = dict(start=req.period.start, end=req.period.end, tz=req.period.tz, account=req.scope.account,
                   network=req.scope.network, channel=req.channel, user=user, lang=lang, networks=dict(networks or {}))
    return enqueue(s, now, target="slack", op=OP, lane=slack_lane(dest),
                   key=key or f"report:{user}:{int(now * 1000)}", payload=payload)
