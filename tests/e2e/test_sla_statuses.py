"""What stops, pauses and re-opens a clock: replies (through Veille, natively on the network, by
linked DM, marked by hand), auto-acknowledgements that must not count, and the statuses a member
sets from the alert's menu or `/veille`."""

from __future__ import annotations

import pytest

from bot.ids import Action
from tests.conftest import START
from tests.e2e.sla_support import veille_factory
from tests.support.harness import AUTHOR, all_text

WITH_RESOLUTION = {"first_response": "1h", "next_response": "2h", "resolution": "1d"}


@pytest.fixture
def sla_veille(db_url, clock, standin, target):
    yield from veille_factory(db_url, clock, standin, target)


def _menu(veille, alert, choice: str, user: str = AUTHOR, conv_id: int = 1):
    veille.slack.click(user, "C0ACME", alert["ts"], Action.STATUS, value=f"{choice}:{conv_id}")
    veille.settle()


def _our_reply(veille, mid: str, to: str, **extra):
    return veille.mention(mid, "On s'en occupe !", kind="comment", author="acme-id", handle="@acme", name="ACME",
                          from_brand=True, in_reply_to=to, thread_id="t-1", **extra)


def test_a_reply_made_natively_on_the_network_meets_the_clock_when_our_post_is_ingested(sla_veille):
    veille = sla_veille()
    veille.mention("t-1", "Hello?")
    veille.advance(25 * 60)
    _our_reply(veille, "r-1", "t-1")
    veille.settle()
    [alert] = veille.alerts()
    clock = veille.clock_of("first_response")
    assert (clock.state, clock.fulfilled_at) == ("met", START + 25 * 60)
    assert "First response met (25 min)" in veille.parent(alert)
    assert len(veille.notes(alert, "replied directly on the network")) == 1
    veille.advance(2 * 3600)
    assert veille.notes(alert, "breached") == []


def test_an_auto_acknowledgement_does_not_stop_the_clock(sla_veille):
    veille = sla_veille()
    veille.mention("t-1", "Hello?")
    veille.advance(60)
    _our_reply(veille, "auto-1", "t-1", automated=True)  # "Thanks! We'll get back to you soon."
    veille.advance_to(START + 3600)
    [alert] = veille.alerts()
    assert veille.clock_of("first_response").state == "breached"
    assert len(veille.notes(alert, "breached")) == 1


def test_a_reply_deleted_after_sending_stays_met_with_an_audit_note(sla_veille):
    veille = sla_veille()
    veille.mention("t-1", "Hello?")
    veille.advance(10 * 60)
    _our_reply(veille, "r-1", "t-1")
    veille.advance(5 * 60)
    r = _our_reply(veille, "r-1", "t-1", deleted=True)
    veille.settle()
    assert r["duplicates"] == ["x:r-1"]
    [alert] = veille.alerts()
    assert veille.clock_of("first_response").state == "met"
    assert len(veille.notes(alert, "deleted on the network")) == 1
    [entry] = veille.audit("reply_deleted")
    assert entry.detail["external_id"] == "r-1"
    _our_reply(veille, "r-1", "t-1", deleted=True)  # told twice: said once
    veille.settle()
    assert len(veille.notes(alert, "deleted on the network")) == 1


def test_a_public_mention_answered_by_dm_is_met(sla_veille):
    veille = sla_veille()
    veille.mention("t-1", "My order is late", author="u-1", handle="@jeanne")
    veille.advance(5 * 60)
    veille.mention("d-1", "Here is my order number: 1234", kind="dm", author="u-1", handle="@jeanne")
    veille.advance(5 * 60)
    veille.mention("d-2", "Thanks, it ships tomorrow.", kind="dm", author="acme-id", handle="@acme", from_brand=True,
                   thread_id="u-1")
    veille.settle()
    public = next(a for a in veille.alerts() if "My order is late" in all_text(a))
    assert veille.clock_of("first_response", 1).state == "met"  # the public mention
    assert veille.clock_of("first_response", 2).state == "met"  # the DM itself
    assert len(veille.notes(public, "answered by DM in `c2`")) == 1


def test_mark_replied_stops_the_response_clock_and_is_audited(sla_veille):
    veille = sla_veille()
    veille.mention("t-1", "Hello?")
    veille.advance(30 * 60)
    answer = veille.answer(AUTHOR, "replied c1 called her on the phone")
    assert "marked as replied outside Veille" in answer
    [alert] = veille.alerts()
    assert veille.clock_of("first_response").state == "met"
    [entry] = veille.audit("mark_replied")
    assert (entry.actor, entry.detail["text"]) == (AUTHOR, "called her on the phone")
    [note] = veille.notes(alert, "replied outside Veille")
    assert "<@U0ALICE>" in all_text(note) and "called her on the phone" in all_text(note)
    assert "no response clock running" in veille.answer(AUTHOR, "replied c1")


def test_each_reply_opens_a_next_response_cycle_started_by_the_oldest_unanswered_message(sla_veille):
    veille = sla_veille()
    veille.mention("t-1", "Hello?")
    veille.advance(600)
    veille.answer(AUTHOR, "replied c1")
    veille.advance(600)
    veille.mention("t-2", "Thanks, and what about the refund?", thread_id="t-1", in_reply_to="t-1")
    veille.advance(600)
    veille.mention("t-3", "??", thread_id="t-1", in_reply_to="t-1")
    veille.settle()
    cycle1 = veille.clock_of("next_response", cycle=1)
    assert (cycle1.start_at, cycle1.due_at) == (START + 1200, START + 1200 + 7200)
    veille.advance(600)
    veille.answer(AUTHOR, "replied c1")
    veille.mention("t-4", "ok", thread_id="t-1", in_reply_to="t-1")
    veille.settle()
    assert veille.clock_of("next_response", cycle=1).state == "met"
    assert veille.clock_of("next_response", cycle=2).start_at == START + 2400


def test_waiting_on_the_customer_pauses_resolution_until_they_write(sla_veille):
    veille = sla_veille(sla=WITH_RESOLUTION)
    veille.mention("t-1", "Hello?")
    veille.advance(600)
    [alert] = veille.alerts()
    _menu(veille, alert, "snooze")
    assert "Waiting on the customer" in veille.parent(alert)
    assert veille.clock_of("resolution").state == "paused"
    veille.advance(5 * 3600)
    veille.mention("t-2", "Here are the photos", thread_id="t-1", in_reply_to="t-1")  # re-opens
    veille.settle()
    resolution = veille.clock_of("resolution")
    assert resolution.state == "running" and resolution.due_at == START + 86400 + 5 * 3600
    assert "Waiting on the customer" not in veille.parent(alert)


def test_resolve_then_reopen_continues_the_total(sla_veille):
    veille = sla_veille(sla=WITH_RESOLUTION)
    veille.mention("t-1", "Hello?")
    veille.advance(600)
    veille.answer(AUTHOR, "replied c1")
    veille.advance(2 * 3600)
    [alert] = veille.alerts()
    _menu(veille, alert, "resolve")
    assert veille.clock_of("resolution").state == "met"
    assert "Resolved" in veille.parent(alert)
    veille.advance(10 * 3600)
    assert "open again" in veille.answer(AUTHOR, "reopen c1")
    resolution = veille.clock_of("resolution")
    assert resolution.state == "running" and resolution.due_at == START + 86400 + 10 * 3600
    veille.advance_to(resolution.due_at)
    assert len(veille.notes(alert, "Resolution breached")) == 1


@pytest.mark.parametrize("pauses", [True, False])
def test_on_hold_pauses_resolution_only_when_the_policy_says_so(sla_veille, pauses):
    sla = {"policies": [{"name": "p", "pause_on_hold": pauses, "first_response": {"target": "1h"},
                         "resolution": {"target": "1d"}}]}
    veille = sla_veille(sla=sla)
    veille.mention("t-1", "Hello?")
    veille.advance(600)
    assert "on hold" in veille.answer(AUTHOR, "hold c1")
    assert veille.clock_of("resolution").state == ("paused" if pauses else "running")
    [alert] = veille.alerts()
    assert "On hold" in veille.parent(alert)


def test_im_on_it_from_the_menu_claims_the_conversation(sla_veille):
    veille = sla_veille()
    veille.mention("t-1", "Hello?")
    veille.settle()
    [alert] = veille.alerts()
    menu = alert["blocks"][0]["accessory"]
    assert [o["text"]["text"] for o in menu["options"]] == [
        "I'm on it", "Waiting on customer", "On hold (third party)", "Resolve", "Mark replied"]
    _menu(veille, alert, "ack")
    assert "assigned to <@U0ALICE>" in veille.parent(alert)
    assert "you're on it" in veille.ephemeral_texts(AUTHOR)[-1]


def test_a_status_already_set_is_said_in_the_member_language(sla_veille):
    veille = sla_veille()
    veille.mention("t-1", "Hello?")
    veille.settle()
    veille.answer(AUTHOR, "snooze c1")
    assert "already waiting on the customer" in veille.answer(AUTHOR, "snooze c1")
    assert "déjà en attente du client" in veille.answer("U0CAROL", "snooze c1")
    assert "`c99`" in veille.answer(AUTHOR, "resolve c99")


def test_a_customer_message_takes_a_conversation_off_hold_and_its_resolution_clock_runs_again(sla_veille):
    sla = {"policies": [{"name": "p", "pause_on_hold": True, "first_response": {"target": "1h"},
                         "resolution": {"target": "1d"}}]}
    veille = sla_veille(sla=sla)
    veille.mention("t-1", "Hello?")
    veille.advance(600)
    veille.answer(AUTHOR, "hold c1")
    assert veille.clock_of("resolution").state == "paused"
    veille.mention("t-2", "Any news from the carrier?", thread_id="t-1", in_reply_to="t-1")
    veille.settle()
    assert veille.clock_of("resolution").state == "running"
