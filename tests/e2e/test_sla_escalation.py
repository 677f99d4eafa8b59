"""The escalation ladder after a breach nobody acknowledges: assignee, channel (or a user group),
the on-call member by DM (the push on their phone), the on-call's backup; PagerDuty Events v2
where configured, triggered, acknowledged and resolved exactly once."""

from __future__ import annotations

import pytest

from bot.ids import Action
from bot.slack.standin.state import dm_channel_id
from tests.conftest import START
from tests.e2e.sla_support import ROTATION, ROUTING_KEY, veille_factory
from tests.fakes.pagerduty_server import PagerDutyServer
from tests.support.harness import AUTHOR, all_text

LADDER = {"policies": [{"name": "p", "first_response": {"target": "1h", "warn": ["80%"], "escalate_after": "10m"}}]}
BREACH = START + 3600
STEP = 600
KEY = "veille-c1-first_response"


@pytest.fixture
def sla_veille(db_url, clock, standin, target):
    yield from veille_factory(db_url, clock, standin, target)


@pytest.fixture
def pd(monkeypatch):
    monkeypatch.setenv("VEILLE_TEST_PAGERDUTY_KEY", ROUTING_KEY)
    with PagerDutyServer(ROUTING_KEY) as server:
        yield server


def _pagerduty(server: PagerDutyServer) -> dict:
    return {"routing_key_env": "VEILLE_TEST_PAGERDUTY_KEY", "url": server.enqueue_url, "timeout": 2}


def _breached(veille) -> dict:
    veille.mention("t-1", "My account was hacked!!")
    veille.settle()
    [alert] = veille.alerts()
    veille.advance_to(BREACH - 12 * 60)  # the warning
    veille.advance_to(BREACH)
    return alert


def _escalations(veille, alert) -> list[str]:
    return [all_text(m) for m in veille.notes(alert, ":rotating_light:")]


def test_the_ladder_climbs_one_level_per_delay_and_each_step_happens_once(sla_veille):
    veille = sla_veille(sla=LADDER, oncall=ROTATION)
    veille.mention("t-1", "My account was hacked!!")
    veille.advance(300)
    veille.answer(AUTHOR, "assign c1")  # claimed before it was at risk: the breach still climbs
    [alert] = veille.alerts()
    veille.advance_to(BREACH - 12 * 60)
    veille.advance_to(BREACH)

    veille.advance_to(BREACH + STEP - 1)
    assert _escalations(veille, alert) == []
    veille.advance_to(BREACH + STEP)  # 1: the assignee
    [first] = _escalations(veille, alert)
    assert "<@U0ALICE>" in first and "nobody has acknowledged it" in first
    veille.advance_to(BREACH + 2 * STEP)  # 2: the channel, shown in the channel too
    second = _escalations(veille, alert)[1]
    assert "<!here>" in second and "Can someone take `c1`?" in second
    assert any(m.get("subtype") == "thread_broadcast" for m in veille.alerts())
    assert veille.dms("U0BOB") == []
    veille.advance_to(BREACH + 3 * STEP)  # 3: Bob is on call this week: a DM, the push on his phone
    [dm] = veille.dms("U0BOB")
    assert "First response breached" in all_text(dm) and "`c1`" in all_text(dm) and "you are on call" in all_text(dm)
    assert "Escalated to on-call <@U0BOB>" in _escalations(veille, alert)[2]
    veille.advance_to(BREACH + 4 * STEP)  # 4: Dan, the backup
    [backup_dm] = veille.dms("U0DAN")
    assert "the on-call's backup" in all_text(backup_dm)
    veille.advance(24 * 3600)
    assert len(_escalations(veille, alert)) == 4 and len(veille.dms("U0BOB")) == 1 and len(veille.dms("U0DAN")) == 1
    assert sorted(e.level for e in veille.events("escalated")) == [1, 2, 3, 4]


def test_im_on_it_in_the_on_call_dm_stops_the_ladder(sla_veille):
    veille = sla_veille(sla=LADDER, oncall=ROTATION)
    alert = _breached(veille)
    veille.advance_to(BREACH + STEP)  # no assignee: level 1 is skipped, the channel hears at once
    assert "<!here>" in _escalations(veille, alert)[0]
    veille.advance_to(BREACH + 2 * STEP)
    [dm] = veille.dms("U0BOB")
    veille.slack.click("U0BOB", dm_channel_id("U0BOB"), dm["ts"], Action.ACKNOWLEDGE)
    veille.settle()
    assert "you're on it" in veille.ephemeral_texts("U0BOB")[-1]
    assert "<@U0BOB> is on it: escalation stopped" in all_text(veille.notes(alert, "is on it")[0])
    assert "assigned to <@U0BOB>" in veille.parent(alert)
    veille.advance_to(BREACH + 10 * STEP)
    assert veille.dms("U0DAN") == []


def test_acknowledging_the_breach_from_the_alert_means_no_escalation(sla_veille):
    veille = sla_veille(sla=LADDER, oncall=ROTATION)
    alert = _breached(veille)
    veille.advance(120)
    veille.slack.click(AUTHOR, "C0ACME", alert["ts"], Action.STATUS, value="ack:1")
    veille.advance_to(BREACH + 10 * STEP)
    assert _escalations(veille, alert) == [] and veille.dms("U0BOB") == []


def test_level_two_mentions_the_configured_user_group(sla_veille):
    veille = sla_veille(sla={**LADDER, "escalation": {"usergroup": "S0SUPPORT"}}, oncall=ROTATION)
    alert = _breached(veille)
    veille.advance_to(BREACH + STEP)
    assert "<!subteam^S0SUPPORT>" in _escalations(veille, alert)[0]


def test_the_on_call_dm_speaks_the_member_language(sla_veille):
    veille = sla_veille(sla=LADDER, oncall=ROTATION)
    veille.advance_to(START + 7 * 86400)  # week 2 of the rotation: Carol (fr-FR) is on call
    START2 = veille.clock.now()
    veille.mention("t-1", "Hello")
    veille.advance_to(START2 + 3600)
    veille.advance_to(START2 + 3600 + STEP)
    veille.advance_to(START2 + 3600 + 2 * STEP)
    [dm] = veille.dms("U0CAROL")
    assert "Première réponse dépassée" in all_text(dm) and "vous êtes d'astreinte" in all_text(dm)
    assert "Je m'en occupe" in all_text(dm)


def test_an_override_made_in_slack_gets_the_page(sla_veille):
    veille = sla_veille(sla=LADDER, oncall=ROTATION)
    assert "is on call until" in veille.answer("U0BOB", 'oncall override <@U0DAN> until "tomorrow 6pm"')
    alert = _breached(veille)
    veille.advance_to(BREACH + STEP)
    veille.advance_to(BREACH + 2 * STEP)
    assert len(veille.dms("U0DAN")) == 1 and veille.dms("U0BOB") == []
    assert "Escalated to on-call <@U0DAN>" in _escalations(veille, alert)[1]
    veille.advance_to(BREACH + 5 * STEP)
    assert len(veille.dms("U0DAN")) == 1  # Dan is also the backup: told once


def test_without_on_call_the_ladder_stops_at_the_channel(sla_veille):
    veille = sla_veille(sla=LADDER)
    alert = _breached(veille)
    veille.advance_to(BREACH + 10 * STEP)
    assert len(_escalations(veille, alert)) == 1


def test_pagerduty_is_triggered_on_escalation_acknowledged_when_claimed_and_resolved_when_replied(sla_veille, pd):
    veille = sla_veille(sla=LADDER, oncall=ROTATION, pagerduty=_pagerduty(pd))
    alert = _breached(veille)
    veille.advance_to(BREACH + STEP)
    assert pd.events == []  # the channel first
    veille.advance_to(BREACH + 2 * STEP)
    assert pd.actions(KEY) == ["trigger"]
    trigger = pd.events[0]
    assert trigger["payload"]["severity"] == "critical" and "c1" in trigger["payload"]["summary"]
    assert trigger["payload"]["custom_details"]["channel"] == "C0ACME"
    assert "PagerDuty was paged" in _escalations(veille, alert)[1]

    [dm] = veille.dms("U0BOB")
    veille.slack.click("U0BOB", dm_channel_id("U0BOB"), dm["ts"], Action.ACKNOWLEDGE)
    veille.settle()
    assert pd.alerts[KEY]["status"] == "acknowledged"
    veille.answer("U0BOB", "replied c1")
    assert pd.alerts[KEY]["status"] == "resolved"
    veille.advance(3600)
    assert pd.actions(KEY) == ["trigger", "acknowledge", "resolve"]  # each once


def test_pagerduty_throttling_is_retried_after_the_delay_it_asks_for(sla_veille, pd):
    veille = sla_veille(sla=LADDER, oncall=ROTATION, pagerduty=_pagerduty(pd))
    pd.fail_next(429, retry_after=30)
    _breached(veille)
    veille.advance_to(BREACH + STEP)
    veille.advance_to(BREACH + 2 * STEP)
    assert pd.responses == [429] and pd.events == []
    veille.advance(29)
    assert pd.responses == [429]
    veille.advance(1)
    assert pd.responses == [429, 202] and pd.actions(KEY) == ["trigger"]


def test_a_pagerduty_server_error_is_retried_with_backoff(sla_veille, pd):
    veille = sla_veille(sla=LADDER, oncall=ROTATION, pagerduty=_pagerduty(pd))
    pd.fail_next(500, times=2)
    _breached(veille)
    veille.advance_to(BREACH + STEP)
    veille.advance_to(BREACH + 2 * STEP)
    assert pd.responses == [500]
    veille.advance(2)
    assert pd.responses == [500, 500]
    veille.advance(3)
    assert pd.responses == [500, 500]  # the delay grows
    veille.advance(1)
    assert pd.responses == [500, 500, 202] and pd.actions(KEY) == ["trigger"]


def test_an_invalid_event_is_not_retried_and_the_slack_ladder_still_works(sla_veille, monkeypatch):
    monkeypatch.setenv("VEILLE_TEST_PAGERDUTY_KEY", "f" * 32)  # not this service's key
    with PagerDutyServer(ROUTING_KEY) as server:
        veille = sla_veille(sla=LADDER, oncall=ROTATION, pagerduty=_pagerduty(server))
        _breached(veille)
        veille.advance_to(BREACH + STEP)
        veille.advance_to(BREACH + 2 * STEP)
        veille.advance(3600)
        assert server.responses == [400] and server.events == []
    assert len(veille.dms("U0BOB")) == 1
    with veille.db.session() as s:
        from storage.models import Outbox

        [row] = s.query(Outbox).filter(Outbox.target == "pagerduty").all()
        assert row.state == "failed" and "Invalid routing key" in row.last_error


def test_a_missing_routing_key_stops_start_up_with_a_clear_error(sla_veille, monkeypatch):
    from bot.config import ConfigError

    monkeypatch.delenv("VEILLE_TEST_PAGERDUTY_KEY", raising=False)
    with pytest.raises(ConfigError, match="VEILLE_TEST_PAGERDUTY_KEY is not set"):
        sla_veille(pagerduty={"routing_key_env": "VEILLE_TEST_PAGERDUTY_KEY"})


def test_the_on_call_paged_by_dm_may_say_im_on_it_without_being_in_the_channel(sla_veille, standin):
    standin.add_channel("C0ACME", members=[standin.bot_user_id, AUTHOR])  # Bob is on call, not a member
    veille = sla_veille(sla=LADDER, oncall=ROTATION)
    alert = _breached(veille)
    assert "only its members" in veille.answer("U0BOB", "ack c1")  # not paged yet: not his
    veille.advance_to(BREACH + STEP)
    veille.advance_to(BREACH + 2 * STEP)
    [dm] = veille.dms("U0BOB")
    veille.slack.click("U0BOB", dm_channel_id("U0BOB"), dm["ts"], Action.ACKNOWLEDGE)
    veille.settle()
    assert "you're on it" in veille.ephemeral_texts("U0BOB")[-1]
    assert "assigned to <@U0BOB>" in veille.parent(alert)
    assert "only its members" in veille.answer("U0BOB", "resolve c1")  # paged: he may claim it, nothing more
