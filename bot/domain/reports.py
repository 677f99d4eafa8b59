"""The report's figures for a period (issue 10): plain Python over storage, no Slack.

Every figure is an aggregation in the database (counts, GROUP BY, and percentiles with window
functions, which SQLite and PostgreSQL both have), so a month out of a year of history reads only
that month through the `ix_report_*` indexes (storage/models.py).

Times are the SLA engine's own: a response time is the clock's `elapsed_s`, written when the
clock stopped, in business seconds on a business-hours target and without paused time (see
bot/domain/clocks.counted_seconds). Percentiles are nearest-rank: the median of 1, 2, 3, 4 is 2.

The result is a plain dict whose keys are documented in docs/reports.md (`SCHEMA` bumps when
one changes meaning): the JSON export is that dict as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from storage.models import Conversation, Draft, Message, SlaClock, SlaEvent

SCHEMA = 1
FIRST, NEXT, RESOLUTION = "first_response", "next_response", "resolution"
MET_STATES = ("met",)
BREACHED_STATES = ("breached", "fulfilled_late")
STOPPED_STATES = ("met", "fulfilled_late")
# Response-time histogram bins (seconds): what a team reads at a glance, up to "more than a day".
HISTOGRAM_EDGES = (0, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400)
TOP_POSTS = 10
BUSIEST = 5
DAY, HOUR = 86400, 3600


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC epoch seconds, read in `tz` (days, weeks and hours of the week)."""

    start: int
    end: int
    tz: str = "UTC"

    @classmethod
    def days(cls, first: date, last: date, tz: str = "UTC") -> Period:
        """From `first` to `last`, both whole days included, in `tz`."""
        zone = ZoneInfo(tz)
        start = datetime(first.year, first.month, first.day, tzinfo=zone)
        end = datetime(last.year, last.month, last.day, tzinfo=zone) + timedelta(days=1)
        return cls(int(start.timestamp()), int(end.timestamp()), tz)

    def previous(self) -> Period:
        """The period of the same length just before: what figures are compared with."""
        return Period(2 * self.start - self.end, self.start, self.tz)

    @property
    def offset(self) -> int:
        # One UTC offset for the whole period (the one at its start): day buckets stay plain
        # integer arithmetic in SQL; a DST change shifts its night's hour by one, no more.
        return int(datetime.fromtimestamp(self.start, ZoneInfo(self.tz)).utcoffset().total_seconds())

    def first_day(self) -> date:
        return datetime.fromtimestamp(self.start, ZoneInfo(self.tz)).date()

    def last_day(self) -> date:
        return datetime.fromtimestamp(self.end - 1, ZoneInfo(self.tz)).date()


@dataclass(frozen=True)
class Scope:
    """Which conversations: all, one account (its key) or one network."""

    account: str | None = None
    network: str | None = None


def engagement_for(post_ids: list[int]) -> dict[int, dict[str, int]]:
    """Engagement figures per published draft id (likes, reposts, replies, quotes, views).

    STUB until engagement history polling (issue 10 item 1) exists: it returns nothing, so the
    report lists top posts by publication time and shows no engagement. A later session fills
    this in from the stored time series; the report sorts by `total` when figures come back."""
    return {}


# -- the report --------------------------------------------------------------------------------


def compute(s: Session, period: Period, scope: Scope = Scope(), *, account_networks: Mapping[str, str] | None = None,
            compare: bool = True) -> dict:
    """Every figure of the report for `period` and `scope`. `account_networks` (account key ->
    network, from veille.toml) lets drafts, which only know their account, follow a network filter."""
    nets = dict(account_networks or {})
    q = _Queries(s, period, scope, nets)
    first, nxt = q.percentiles(FIRST), q.percentiles(NEXT)
    sla = q.sla_total()
    report = {
        "schema": SCHEMA,
        "period": {"from": period.first_day().isoformat(), "to": period.last_day().isoformat(),
                   "start": period.start, "end": period.end, "timezone": period.tz},
        "filter": {"account": scope.account, "network": scope.network},
        "conversations": q.conversations(),
        "messages": q.messages(),
        "first_response": first.get("", _EMPTY_P),
        "next_response": nxt.get("", _EMPTY_P),
        "resolution": q.percentiles(RESOLUTION).get("", _EMPTY_P),
        "sla": sla | {"escalations": q.escalations(), "by_metric": q.sla_by_metric()},
        "by_account": q.breakdown("account"),
        "by_network": q.breakdown("network"),
        "by_kind": q.breakdown("kind"),
        "by_member": q.members(),
        "volume_by_day": q.volume_by_day(),
        "hours_of_week": q.hours_of_week(),
        "response_histogram": q.histogram(FIRST),
        "sla_by_week": q.sla_by_week(),
        "publishing": q.publishing(),
        "top_posts": q.top_posts(),
        "previous": None,
    }
    report["busiest_hours"] = busiest_hours(report["hours_of_week"])
    if compare:
        report["previous"] = headline(s, period.previous(), scope, nets)
    return report


def headline(s: Session, period: Period, scope: Scope = Scope(), nets: Mapping[str, str] | None = None) -> dict:
    """The figures the previous period is compared on (no breakdowns: half the work)."""
    q = _Queries(s, period, scope, dict(nets or {}))
    return {"period": {"from": period.first_day().isoformat(), "to": period.last_day().isoformat(),
                       "start": period.start, "end": period.end, "timezone": period.tz},
            "conversations": q.conversations(), "messages": q.messages(),
            "first_response": q.percentiles(FIRST).get("", _EMPTY_P),
            "next_response": q.percentiles(NEXT).get("", _EMPTY_P),
            "sla": q.sla_total() | {"escalations": q.escalations()}}


def busiest_hours(grid: list[list[int]], n: int = BUSIEST) -> list[dict]:
    cells = sorted(((grid[d][h], d, h) for d in range(7) for h in range(24) if grid[d][h]), key=lambda c: (-c[0], c[1], c[2]))
    return [{"weekday": d, "hour": h, "messages_in": c} for c, d, h in cells[:n]]


def week_dashboard(s: Session, now: int, tz: str, accounts: list[str]) -> list[dict]:
    """App Home: this week (Monday 00:00 in `tz` until now) per account: open conversations,
    breached clocks and median first response."""
    zone = ZoneInfo(tz)
    today = datetime.fromtimestamp(now, zone).date()
    monday = today - timedelta(days=today.weekday())
    period = Period(int(datetime(monday.year, monday.month, monday.day, tzinfo=zone).timestamp()), now + 1, tz)
    q = _Queries(s, period, Scope(), {})
    medians = q.percentiles(FIRST, SlaClock.account)
    breached = q.sla(SlaClock.account)
    open_ = dict(s.execute(select(Conversation.account, func.count()).where(Conversation.status == "open")
                           .group_by(Conversation.account)).all())
    return [{"account": a, "open": open_.get(a, 0), "breached": breached.get(a, {}).get("breached", 0),
             "first_response_median_s": medians.get(a, _EMPTY_P)["median_s"]} for a in accounts]


# -- queries -----------------------------------------------------------------------------------

_EMPTY_P = {"count": 0, "median_s": None, "p90_s": None}


class _Queries:
    def __init__(self, s: Session, period: Period, scope: Scope, nets: dict[str, str]):
        self.s, self.p, self.scope, self.nets = s, period, scope, nets

    # filters ------------------------------------------------------------------------------

    def _conv_filter(self) -> list:
        f = []
        if self.scope.account:
            f.append(Conversation.account == self.scope.account)
        if self.scope.network:
            f.append(Conversation.network == self.scope.network)
        return f

    def _msg_filter(self) -> list:
        f = [Message.created_at >= self.p.start, Message.created_at < self.p.end]
        if self.scope.account:
            f.append(Message.account == self.scope.account)
        if self.scope.network:
            f.append(Message.network == self.scope.network)
        return f

    def _draft_filter(self) -> list:
        f = []
        if self.scope.account:
            f.append(Draft.account == self.scope.account)
        if self.scope.network:
            f.append(Draft.account.in_([a for a, n in self.nets.items() if n == self.scope.network] or [""]))
        return f

    def _clocks(self, *cols):
        """SELECT cols FROM sla_clock, clocks started in the period: the clock carries its
        conversation's account, network and kind, so this is one index range scan."""
        f = [SlaClock.start_at >= self.p.start, SlaClock.start_at < self.p.end]
        if self.scope.account:
            f.append(SlaClock.account == self.scope.account)
        if self.scope.network:
            f.append(SlaClock.network == self.scope.network)
        return select(*cols).select_from(SlaClock).where(*f)

    def _day(self, col):
        return (col + literal(self.p.offset)) // DAY

    # figures ------------------------------------------------------------------------------

    # One GROUP BY per table at the finest grain the report shows (account, network, kind):
    # the totals and every breakdown are sums over these few rows.

    _DIMS = ("account", "network", "kind")

    def _conv_facts(self) -> list:
        if not hasattr(self, "_cf"):
            cols = [getattr(Conversation, d) for d in self._DIMS]
            self._cf = self.s.execute(select(*cols, func.count()).where(
                Conversation.first_inbound_at >= self.p.start, Conversation.first_inbound_at < self.p.end,
                *self._conv_filter()).group_by(*cols)).all()
        return self._cf

    def _msg_facts(self) -> list:
        if not hasattr(self, "_mf"):
            cols = [getattr(Message, d) for d in self._DIMS]
            self._mf = self.s.execute(select(*cols, Message.direction, func.count()).where(*self._msg_filter())
                                      .group_by(*cols, Message.direction)).all()
        return self._mf

    def _clock_facts(self) -> list:
        if not hasattr(self, "_kf"):
            cols = [getattr(SlaClock, d) for d in self._DIMS]
            met = func.sum(case((SlaClock.state.in_(MET_STATES), 1), else_=0))
            breached = func.sum(case((SlaClock.state.in_(BREACHED_STATES), 1), else_=0))
            self._kf = self.s.execute(self._clocks(*cols, SlaClock.metric, met, breached)
                                      .group_by(*cols, SlaClock.metric)).all()
        return self._kf

    def conversations(self) -> int:
        return sum(r[3] for r in self._conv_facts())

    def messages(self) -> dict:
        got = {"in": 0, "out": 0}
        for r in self._msg_facts():
            got[r[3]] = got.get(r[3], 0) + r[4]
        return {"in": got["in"], "out": got["out"], "total": sum(got.values())}

    def _elapsed(self):
        return SlaClock.elapsed_s

    def percentiles(self, metric: str, group=None) -> dict:
        """{group value (or "" for all): {count, median_s, p90_s}} of a metric's stopped clocks."""
        return _percentiles(self.s, self._elapsed(), group, self._clocks().where(
            SlaClock.metric == metric, SlaClock.state.in_(STOPPED_STATES), SlaClock.elapsed_s.is_not(None)))

    def sla(self, group=None) -> dict:
        met = func.sum(case((SlaClock.state.in_(MET_STATES), 1), else_=0))
        breached = func.sum(case((SlaClock.state.in_(BREACHED_STATES), 1), else_=0))
        if group is None:
            m, b = self.s.execute(self._clocks(met, breached)).one()
            return {"": _attainment(m or 0, b or 0)}
        rows = self.s.execute(self._clocks(group, met, breached).group_by(group)).all()
        return {g: _attainment(m or 0, b or 0) for g, m, b in rows}

    def sla_total(self) -> dict:
        return _attainment(sum(r[4] or 0 for r in self._clock_facts()), sum(r[5] or 0 for r in self._clock_facts()))

    def sla_by_metric(self) -> dict:
        return {m: _attainment(sum(r[4] or 0 for r in self._clock_facts() if r[3] == m),
                               sum(r[5] or 0 for r in self._clock_facts() if r[3] == m)) for m in (FIRST, NEXT, RESOLUTION)}

    def escalations(self) -> int:
        return self.s.scalar(select(func.count()).select_from(SlaEvent)
                             .join(Conversation, Conversation.id == SlaEvent.conversation_id)
                             .where(SlaEvent.type == "escalated", SlaEvent.at >= self.p.start, SlaEvent.at < self.p.end,
                                    *self._conv_filter())) or 0

    def breakdown(self, name: str) -> list[dict]:
        i = self._DIMS.index(name)
        convs: dict[str, int] = {}
        for r in self._conv_facts():
            convs[r[i]] = convs.get(r[i], 0) + r[3]
        msgs: dict[str, dict[str, int]] = {}
        for r in self._msg_facts():
            d = msgs.setdefault(r[i], {})
            d[r[3]] = d.get(r[3], 0) + r[4]
        counts: dict[str, list[int]] = {}
        for r in self._clock_facts():
            c = counts.setdefault(r[i], [0, 0])
            c[0] += r[4] or 0
            c[1] += r[5] or 0
        sla = {k: _attainment(m, b) for k, (m, b) in counts.items()}
        first = self.percentiles(FIRST, getattr(SlaClock, name))
        keys = sorted(set(convs) | set(msgs) | set(first) | set(sla))
        return [{name: k, "conversations": convs.get(k, 0),
                 "messages": {"in": msgs.get(k, {}).get("in", 0), "out": msgs.get(k, {}).get("out", 0)},
                 "first_response": first.get(k, _EMPTY_P), "sla": sla.get(k, _attainment(0, 0))} for k in keys]

    def members(self) -> list[dict]:
        """Who replied (authored a published reply) and who approved, in the period."""
        in_period = and_(Draft.published_at >= self.p.start, Draft.published_at < self.p.end, *self._draft_filter())
        replies = dict(self.s.execute(select(Draft.author, func.count()).where(
            Draft.kind == "reply", Draft.state == "published", in_period).group_by(Draft.author)).all())
        approvals = dict(self.s.execute(select(Draft.approved_by, func.count()).where(
            Draft.approved_by.is_not(None), Draft.state == "published", in_period).group_by(Draft.approved_by)).all())
        return [{"member": m, "replies": replies.get(m, 0), "approvals": approvals.get(m, 0)}
                for m in sorted(set(replies) | set(approvals))]

    def volume_by_day(self) -> list[dict]:
        day_c = self._day(Conversation.first_inbound_at)
        convs = dict(self.s.execute(select(day_c, func.count()).where(
            Conversation.first_inbound_at >= self.p.start, Conversation.first_inbound_at < self.p.end,
            *self._conv_filter()).group_by(day_c)).all())
        day_m = self._day(Message.created_at)
        msgs: dict[int, dict[str, int]] = {}
        for d, direction, n in self.s.execute(select(day_m, Message.direction, func.count())
                                              .where(*self._msg_filter()).group_by(day_m, Message.direction)):
            msgs.setdefault(int(d), {})[direction] = n
        out, day = [], self.p.first_day()
        while day <= self.p.last_day():
            idx = (day - date(1970, 1, 1)).days
            out.append({"day": day.isoformat(), "conversations": convs.get(idx, 0),
                        "messages_in": msgs.get(idx, {}).get("in", 0), "messages_out": msgs.get(idx, {}).get("out", 0)})
            day += timedelta(days=1)
        return out

    def hours_of_week(self) -> list[list[int]]:
        """7 x 24 inbound messages, Monday first, hours in the period's time zone."""
        local = Message.created_at + literal(self.p.offset)
        weekday = (local // DAY + 3) % 7  # 1970-01-01 was a Thursday
        hour = (local % DAY) // HOUR
        grid = [[0] * 24 for _ in range(7)]
        for d, h, n in self.s.execute(select(weekday, hour, func.count()).where(
                *self._msg_filter(), Message.direction == "in").group_by(weekday, hour)):
            grid[int(d)][int(h)] = n
        return grid

    def histogram(self, metric: str) -> list[dict]:
        value = self._elapsed()
        edges = HISTOGRAM_EDGES
        bucket = case(*[(value < edges[i + 1], i) for i in range(len(edges) - 1)], else_=len(edges) - 1)
        got = dict(self.s.execute(self._clocks(bucket, func.count()).where(
            SlaClock.metric == metric, SlaClock.state.in_(STOPPED_STATES), SlaClock.elapsed_s.is_not(None))
            .group_by(bucket)).all())
        return [{"from_s": edges[i], "to_s": edges[i + 1] if i + 1 < len(edges) else None, "count": got.get(i, 0)}
                for i in range(len(edges))]

    def sla_by_week(self) -> list[dict]:
        week = (self._day(SlaClock.start_at) + 3) // 7  # Monday-based weeks since the epoch
        met = func.sum(case((SlaClock.state.in_(MET_STATES), 1), else_=0))
        breached = func.sum(case((SlaClock.state.in_(BREACHED_STATES), 1), else_=0))
        rows = self.s.execute(self._clocks(week, met, breached).group_by(week).order_by(week)).all()
        return [{"week_of": (date(1970, 1, 1) + timedelta(days=int(w) * 7 - 3)).isoformat()}
                | _attainment(m or 0, b or 0) for w, m, b in rows]

    def publishing(self) -> dict:
        in_period = and_(Draft.published_at >= self.p.start, Draft.published_at < self.p.end, *self._draft_filter())
        counts = dict(self.s.execute(select(Draft.kind, func.count()).where(
            Draft.state == "published", in_period).group_by(Draft.kind)).all())
        lead = _percentiles(self.s, Draft.approved_at - Draft.created_at, None, select().select_from(Draft).where(
            Draft.approved_at.is_not(None), Draft.approved_at >= self.p.start, Draft.approved_at < self.p.end,
            *self._draft_filter()))
        return {"posts_published": counts.get("post", 0), "replies_published": counts.get("reply", 0),
                "approval_lead_time": lead.get("", _EMPTY_P)}

    def top_posts(self) -> list[dict]:
        """What Veille published in the period, best engagement first once `engagement_for` has
        figures; until then the latest first, with `engagement` null."""
        rows = self.s.execute(select(Draft.id, Draft.kind, Draft.account, Draft.url, Draft.external_id,
                                     Draft.published_at, Draft.text).where(
            Draft.kind.in_(("post", "reply")), Draft.state == "published",
            Draft.published_at >= self.p.start, Draft.published_at < self.p.end,
            (Draft.url.is_not(None)) | (Draft.external_id.is_not(None)), *self._draft_filter())
            .order_by(Draft.published_at.desc(), Draft.id.desc()).limit(500)).all()
        figures = engagement_for([r.id for r in rows])
        posts = [{"draft_id": r.id, "kind": r.kind, "account": r.account, "url": r.url, "external_id": r.external_id,
                  "published_at": r.published_at, "text": (r.text or "")[:280], "engagement": figures.get(r.id)}
                 for r in rows]
        posts.sort(key=lambda p: -(p["engagement"] or {}).get("total", -1))  # stable: ties keep latest first
        return posts[:TOP_POSTS]


def _attainment(met: int, breached: int) -> dict:
    total = met + breached
    return {"met": met, "breached": breached, "attainment": round(met / total, 4) if total else None}


def _percentiles(s: Session, value, group, base) -> dict:
    """Nearest-rank median and p90 per group in one query. PostgreSQL has the aggregate itself
    (percentile_disc: the smallest value whose rank reaches p% of the count); SQLite numbers the
    values in each group with ROW_NUMBER() and keeps the same one."""
    if s.get_bind().dialect.name == "postgresql":
        key = group if group is not None else literal("")
        sub = base.add_columns(key.label("g"), value.label("v")).subquery()
        q = select(sub.c.g, func.count(), func.percentile_disc(0.5).within_group(sub.c.v),
                   func.percentile_disc(0.9).within_group(sub.c.v)).group_by(sub.c.g)
        return {g: {"count": int(n), "median_s": _int(p50), "p90_s": _int(p90)} for g, n, p50, p90 in s.execute(q)}
    if group is None:
        rn, n, key = func.row_number().over(order_by=value), func.count().over(), literal("")
    else:
        rn, n, key = func.row_number().over(partition_by=group, order_by=value), func.count().over(partition_by=group), group
    sub = base.add_columns(key.label("g"), value.label("v"), rn.label("rn"), n.label("n")).subquery()
    q = select(sub.c.g, func.max(sub.c.n), func.min(case((sub.c.rn * 100 >= sub.c.n * 50, sub.c.v))),
               func.min(case((sub.c.rn * 100 >= sub.c.n * 90, sub.c.v)))).group_by(sub.c.g)
    return {g: {"count": int(n), "median_s": _int(p50), "p90_s": _int(p90)} for g, n, p50, p90 in s.execute(q)}


def _int(v) -> int | None:
    return None if v is None else int(v)
