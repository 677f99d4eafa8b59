"""Policies and schedules as a team sees them: which deadline a conversation gets, shown on its
alert as a date token, warned and breached at the right instant across weekends, holidays,
split shifts and both DST changes of Paris and New York."""

from __future__ import annotations

import pytest

from bot.domain.clocks import reapply_all
from tests.conftest import START
from tests.e2e.sla_support import NEW_YORK, PARIS, at, veille_factory


@pytest.fixture
def sla_veille(db_url, clock, standin, target):
    yield from veille_factory(db_url, clock, standin, target)


OFFICE = {"timezone": "Europe/Paris", "hours": {"mon-fri": ["09:00-17:00"]}}


def _business(schedule: dict, target: str, warn: list[str] | None = None) -> dict:
    first = {"target": target, "business": True}
    if warn:
        first["warn"] = warn
    return {"schedules": {"team": schedule},
            "policies": [{"name": "team", "schedule": "team", "first_response": first}]}


def _due_shown(veille, alert) -> int:
    """The first deadline token on the alert: what every viewer sees in their own timezone."""
    text = veille.parent(alert)
    return int(text.split("<!date^")[1].split("^")[0])


def test_a_customer_writing_three_times_before_an_answer_has_one_clock_one_warning_one_breach(sla_veille):
    veille = sla_veille()
    veille.mention("t-1", "Hello?")
    veille.advance(600)
    veille.mention("t-2", "Anyone??", thread_id="t-1", in_reply_to="t-1")
    veille.advance(600)
    veille.mention("t-3", "HELLO???", thread_id="t-1", in_reply_to="t-1")
    veille.advance_to(START + 48 * 60)  # 80% of the hour from the FIRST message
    veille.advance_to(START + 3600)

    [alert] = veille.alerts()
    assert [c.metric for c in veille.clocks()] == ["first_response"]  # no resolution target by default
    [clock] = veille.clocks()
    assert clock.start_at == START and clock.due_at == START + 3600  # the oldest message starts it
    assert len(veille.notes(alert, "First response due")) == 1
    assert len(veille.notes(alert, "breached")) == 1
    veille.advance(3 * 3600)
    assert len(veille.notes(alert, "breached")) == 1


def test_friday_1630_with_one_business_hour_is_due_monday_0930(sla_veille):
    veille = sla_veille(sla=_business(OFFICE, "1h", warn=["80%"]))
    friday = at(PARIS, 2026, 11, 27, 16, 30)
    monday_0930 = at(PARIS, 2026, 11, 30, 9, 30)
    veille.advance_to(friday)
    veille.mention("t-1", "Still waiting for my parcel")
    veille.settle()
    [alert] = veille.alerts()
    assert _due_shown(veille, alert) == monday_0930

    veille.advance_to(at(PARIS, 2026, 11, 30, 9, 17))  # the whole weekend: nothing
    assert veille.thread(alert) == []
    veille.advance_to(at(PARIS, 2026, 11, 30, 9, 18))  # 80% = 48 business minutes
    assert len(veille.notes(alert, "due")) == 1
    veille.advance_to(monday_0930 - 1)
    assert veille.notes(alert, "breached") == []
    veille.advance_to(monday_0930)
    assert len(veille.notes(alert, "breached")) == 1


def test_a_holiday_on_the_due_day_moves_the_deadline_to_the_next_open_day(sla_veille):
    schedule = {**OFFICE, "holidays": [{"date": "2026-12-24", "from": "12:00"}, "2026-12-25"]}
    veille = sla_veille(sla=_business(schedule, "1h"))
    veille.advance_to(at(PARIS, 2026, 12, 24, 11, 30))  # half an hour before the Christmas Eve closing
    veille.mention("t-1", "Joyeux Noël, où est mon colis ?")
    veille.settle()
    [alert] = veille.alerts()
    assert _due_shown(veille, alert) == at(PARIS, 2026, 12, 28, 9, 30)  # after Christmas and the weekend


@pytest.mark.parametrize(("arrives", "due"), [((11, 30), (14, 30)), ((12, 30), (15, 0))])
def test_a_split_shift_pauses_the_clock_over_lunch(sla_veille, arrives, due):
    veille = sla_veille(sla=_business({"timezone": "Europe/Paris",
                                       "hours": {"mon-fri": ["09:00-12:00", "14:00-18:00"]}}, "1h"))
    veille.advance_to(at(PARIS, 2026, 11, 23, *arrives))
    veille.mention("t-1", "Bonjour")
    veille.settle()
    [alert] = veille.alerts()
    assert _due_shown(veille, alert) == at(PARIS, 2026, 11, 23, *due)


DST_CASES = {
    # Paris springs forward at 02:00 on 2027-03-28: an opening at 02:30 moves to 03:00 CEST.
    "paris spring, opening in the gap": (
        {"timezone": "Europe/Paris", "hours": {"sun": ["02:30-05:00"]}}, "30m",
        at(PARIS, 2027, 3, 28, 0, 30), at(PARIS, 2027, 3, 28, 3, 30)),
    # Paris falls back at 03:00 on 2027-10-31: 02:00-03:00 happens twice and is open both times.
    "paris autumn, the doubled hour counts twice": (
        {"timezone": "Europe/Paris", "hours": {"sun": ["02:00-03:00"]}}, "1h30m",
        at(PARIS, 2027, 10, 31, 1, 0), at(PARIS, 2027, 10, 31, 2, 30, fold=1)),
    # New York springs forward at 02:00 on 2027-03-14 (a Sunday): Monday opens at 09:00 EDT.
    "new york spring, over the weekend": (
        {"timezone": "America/New_York", "hours": {"mon-fri": ["09:00-17:00"]}}, "2h",
        at(NEW_YORK, 2027, 3, 12, 16, 0), at(NEW_YORK, 2027, 3, 15, 10, 0)),
    # New York falls back at 02:00 on 2027-11-07: 01:00-01:45 opens at the first 01:00, closes at the second 01:45.
    "new york autumn, open across the repeated hour": (
        {"timezone": "America/New_York", "hours": {"sun": ["01:00-01:45"]}}, "1h30m",
        at(NEW_YORK, 2027, 11, 7, 0, 30), at(NEW_YORK, 2027, 11, 7, 1, 30, fold=1)),
}


@pytest.mark.parametrize("case", DST_CASES)
def test_business_deadlines_across_both_dst_changes_of_paris_and_new_york(sla_veille, case):
    schedule, target, arrives, due = DST_CASES[case]
    veille = sla_veille(sla=_business(schedule, target))
    veille.advance_to(arrives)
    veille.mention("t-1", "Hello")
    veille.settle()
    [alert] = veille.alerts()
    assert _due_shown(veille, alert) == due
    veille.advance_to(due - 1)
    assert veille.notes(alert, "breached") == []
    veille.advance_to(due)
    assert len(veille.notes(alert, "breached")) == 1


def test_a_calendar_day_across_the_spring_change_is_24_real_hours(sla_veille):
    veille = sla_veille(sla={"first_response": "1d"})
    saturday_noon = at(PARIS, 2027, 3, 27, 12, 0)
    veille.advance_to(saturday_noon)
    veille.mention("t-1", "Hello")
    veille.settle()
    [alert] = veille.alerts()
    assert _due_shown(veille, alert) == saturday_noon + 86400 == at(PARIS, 2027, 3, 28, 13, 0)


MATCHING = {
    "vip_authors": ["@bigfan"],
    "policies": [
        {"name": "vip-dm", "match": {"kinds": ["dm"], "vip": True}, "first_response": {"target": "5m"}},
        {"name": "refunds", "match": {"keywords": ["remboursement", "refund"]}, "first_response": {"target": "15m"}},
        {"name": "fediverse", "match": {"networks": ["mastodon"]}, "first_response": {"target": "4h"}},
        {"name": "urgent", "match": {"priorities": ["urgent"]}, "first_response": {"target": "10m"}},
    ],
    "first_response": "1h",  # the short form: a last, catch-all policy
}


def test_the_first_matching_policy_sets_the_deadline(sla_veille):
    veille = sla_veille(sla=MATCHING)
    veille.mention("d-1", "psst", kind="dm", author="u-vip", handle="@BigFan")
    veille.mention("t-2", "Je veux un Remboursément !", author="u-2", handle="@paul")
    veille.mention("m-3", "Bonjour", account="acme_fr", author="u-3", handle="@zoe")
    veille.mention("t-4", "Just saying hi", author="u-4", handle="@max")
    veille.settle()

    by_id = {c.conversation_id: c for c in (veille.clocks(i)[0] for i in range(1, 5))}
    assert {i: (c.policy, c.due_at - START) for i, c in by_id.items()} == {
        1: ("vip-dm", 300), 2: ("refunds", 900), 3: ("fediverse", 4 * 3600), 4: ("default", 3600)}


def test_raising_the_priority_recomputes_from_the_start_and_may_breach_at_once(sla_veille):
    veille = sla_veille(sla=MATCHING)
    veille.mention("t-1", "Our store is down")
    veille.advance(20 * 60)
    [alert] = veille.alerts()
    assert veille.notes(alert, "breached") == []

    assert "urgent" in veille.answer("U0ALICE", "priority c1 urgent")
    clock = veille.clock_of("first_response")
    assert (clock.policy, clock.due_at, clock.state) == ("urgent", START + 600, "breached")
    assert len(veille.notes(alert, "breached")) == 1
    assert "priority urgent" in veille.parent(alert)


def test_an_edited_policy_applies_at_start_up_from_each_clock_original_start(sla_veille):
    before = sla_veille(sla={"first_response": "1h"})
    before.mention("t-1", "first")
    before.advance(20 * 60)
    before.mention("t-2", "second", author="u-2", handle="@paul")
    before.advance_to(START + 65 * 60)  # t-1 breached at +60 min; t-2 due at +80 min
    before.close()

    after = sla_veille(sla={"first_response": "30m"})  # the team tightened its target, then restarted
    assert reapply_all(after.db, after.svc.rules, after.clock.now()) == 2
    after.settle()
    first, second = after.clock_of("first_response", 1), after.clock_of("first_response", 2)
    assert (first.state, first.breached_at) == ("breached", START + 3600)  # stays breached, as it was
    assert (second.state, second.due_at) == ("breached", START + 50 * 60)  # 30 min from ITS start: at once
    assert [len(after.notes(a, "breached")) for a in after.alerts()] == [1, 1]
    assert reapply_all(after.db, after.svc.rules, after.clock.now()) == 0  # same policies: nothing to do
    assert {e.level for e in after.events("reapplied")} == {2}


def test_sla_lists_policies_and_hours_in_the_member_language_and_tells_admins_what_to_fix(sla_veille):
    sla = {
        "schedules": {"office": OFFICE, "nowhere": {"timezone": "Europe/Paris", "hours": {}}},
        "policies": [
            {"name": "vip", "match": {"vip": True}, "first_response": {"target": "15m", "warn": ["50%", "5m before"],
                                                                       "escalate_after": "10m"}},
            {"name": "office", "schedule": "office", "first_response": {"target": "4h", "business": True},
             "resolution": {"target": "2d", "business": True}},
            {"name": "broken", "schedule": "nowhere", "match": {"networks": ["mastodon"]},
             "first_response": {"target": "1h", "business": True}},
        ],
    }
    veille = sla_veille(sla=sla, team={"timezone": "Europe/Paris", "approvers": ["U0BOB"], "admins": ["U0BOB"]})

    english = veille.answer("U0ALICE", "sla")
    assert "vip" in english and "First response: 15m (calendar time) · warns at 50%, 5m before" in english
    assert "escalates 10m after a breach" in english
    assert "Hours (office): Europe/Paris: Mon 09:00-17:00" in english
    assert "no open hours" not in english  # only admins are told
    french = veille.answer("U0CAROL", "sla")
    assert "Première réponse : 4h (heures ouvrées)" in french
    assert "Résolution" in french and "heures ouvrées" in french
    admin = veille.answer("U0BOB", "sla")
    assert "sla.schedules.nowhere has no open hours" in admin


def test_a_schedule_with_no_open_time_falls_back_to_calendar_time(sla_veille):
    sla = {"schedules": {"nowhere": {"timezone": "Europe/Paris", "hours": {}}},
           "policies": [{"name": "broken", "schedule": "nowhere", "first_response": {"target": "1h", "business": True}}]}
    veille = sla_veille(sla=sla)
    veille.mention("t-1", "Hello")
    veille.settle()
    assert veille.clock_of("first_response").due_at == START + 3600
