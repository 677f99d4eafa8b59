"""The monthly report of `[reports]`: posted by itself on the first working day at 9:00 in the
team's time zone, once across two replicas, and caught up after downtime. Time is moved."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from bot.config import ReportsConfig
from bot.jobs import report_schedule
from storage.db import Database
from tests.conftest import START
from tests.domain.sla.helpers import PARIS, local
from tests.support.harness import Veille, _all_text, team_config

DEC_1_0900 = local(PARIS, 2026, 12, 1, 9)  # Tuesday: the first working day of December


@pytest.fixture
def v(db_url, clock, standin, target):
    veille = Veille(db_url, clock, standin, target, config=team_config(
        target.url, reports={"channel": "C0SOCIAL", "day": "first_working_day", "time": "09:00"}))
    yield veille
    veille.close()


def _reports_in(v) -> list[dict]:
    return [m for m in v.standin.messages("C0SOCIAL") if m.get("blocks")]


def test_last_month_s_report_goes_out_once_at_nine_on_the_first_working_day_across_two_replicas(v, db_url, clock):
    assert report_schedule.run_due(v.db, v.cfg, clock.now()) == 0     # Veille runs since 23 November
    clock.advance(DEC_1_0900 - 1 - START)
    assert report_schedule.run_due(v.db, v.cfg, clock.now()) == 0     # 08:59:59 in Paris: not yet
    clock.advance(1)
    other = Database(db_url)
    counts: list[int] = []
    replicas = [threading.Thread(target=lambda db=db: counts.append(report_schedule.run_due(db, v.cfg, clock.now())))
                for db in (v.db, other)]
    for t in replicas:
        t.start()
    for t in replicas:
        t.join()
    other.dispose()
    assert sorted(counts) == [0, 1]
    v.settle()
    [report] = _reports_in(v)
    assert "Report 2026-11-01 – 2026-11-30" in _all_text(report)
    assert len(v.standin.files("C0SOCIAL")) == 4
    clock.advance(3600)
    assert report_schedule.run_due(v.db, v.cfg, clock.now()) == 0
    v.settle()
    assert len(_reports_in(v)) == 1


def test_a_report_missed_during_downtime_is_sent_when_veille_runs_again(v, clock):
    report_schedule.run_due(v.db, v.cfg, clock.now())                  # running on 23 November...
    clock.advance(local(PARIS, 2026, 12, 3, 14) - START)                # ...down from then until 3 December
    assert report_schedule.run_due(v.db, v.cfg, clock.now()) == 1
    v.settle()
    [report] = _reports_in(v)
    assert "2026-11-01 – 2026-11-30" in _all_text(report)


def test_a_new_install_does_not_post_reports_that_were_due_before_it_ran(v, clock):
    clock.advance(local(PARIS, 2026, 12, 3, 14) - START)
    assert report_schedule.run_due(v.db, v.cfg, clock.now()) == 0
    v.settle()
    assert _reports_in(v) == []


def test_the_first_working_day_skips_weekends_and_the_country_s_public_holidays():
    rc = ReportsConfig(channel="C0SOCIAL", holidays_country="FR")
    # December 2026's report: 1 January 2027 is a holiday (Friday), then a weekend: Monday 4th.
    assert report_schedule.send_time(rc, PARIS, date(2026, 12, 1)) == local(PARIS, 2027, 1, 4, 9)
    # October 2026's report: 1 November is a Sunday (and a holiday): Monday 2nd.
    assert report_schedule.send_time(rc, PARIS, date(2026, 10, 1)) == local(PARIS, 2026, 11, 2, 9)
    fixed = ReportsConfig(channel="C0SOCIAL", day=3, time="08:30")
    assert report_schedule.send_time(fixed, PARIS, date(2026, 11, 1)) == local(PARIS, 2026, 12, 3, 8, 30)
