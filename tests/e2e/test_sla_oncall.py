"""`/veille oncall`: who is on call now and next (date tokens: each viewer reads their own
time), and overrides typed in French or English, read in the typing member's timezone and
echoed back as an absolute time."""

from __future__ import annotations

import pytest

from tests.e2e.sla_support import PARIS, ROTATION, at, veille_factory
from tests.support.harness import AUTHOR, all_text

LADDER = {"policies": [{"name": "p", "first_response": {"target": "1h", "escalate_after": "10m"}}]}


@pytest.fixture
def sla_veille(db_url, clock, standin, target):
    yield from veille_factory(db_url, clock, standin, target)


def test_oncall_says_who_is_on_call_now_and_next_with_their_backup(sla_veille):
    veille = sla_veille(oncall=ROTATION)
    out = veille.answer(AUTHOR, "oncall")
    handoff = at(PARIS, 2026, 11, 30, 9, 0)
    assert f"*On call now:* <@U0BOB> until <!date^{handoff}^" in out
    assert "Backup: <@U0DAN>" in out
    assert f"*Next:* <@U0CAROL> from <!date^{handoff}^" in out


def test_a_french_member_hands_the_on_call_over_until_vendredi_18h(sla_veille):
    veille = sla_veille(oncall=ROTATION)
    out = veille.answer("U0CAROL", 'oncall override <@U0DAN> until "vendredi 18h"').split("\n")[0]
    assert out == ("<@U0DAN> est d'astreinte jusqu'au vendredi 27 novembre 2026 à 18:00 (Europe/Paris) · "
                   "17:00 UTC.")
    now = veille.answer("U0CAROL", "oncall")
    assert f"*D'astreinte :* <@U0DAN> jusqu'à <!date^{at(PARIS, 2026, 11, 27, 18, 0)}^" in now
    assert "*Remplacements*" in now and "<@U0DAN>" in now


def test_an_english_member_in_new_york_means_six_pm_in_new_york(sla_veille):
    veille = sla_veille(oncall=ROTATION)
    out = veille.answer("U0BOB", "oncall override <@U0ALICE> until friday 6pm").split("\n")[0]
    assert out == "<@U0ALICE> is on call until Friday, November 27, 2026 at 6:00 PM (America/New_York) · 23:00 UTC."
    assert "*On call now:* <@U0ALICE>" in veille.answer("U0BOB", "oncall")


def test_a_backup_override(sla_veille):
    veille = sla_veille(oncall=ROTATION)
    out = veille.answer("U0BOB", 'oncall override <@U0ALICE> backup until "tomorrow 9am"')
    assert out.startswith("<@U0ALICE> is on call as backup until Tuesday, November 24, 2026 at 9:00 AM")
    assert "Backup: <@U0ALICE>" in veille.answer("U0BOB", "oncall")


def test_a_time_that_cannot_be_read_or_is_past_is_refused_with_examples(sla_veille):
    veille = sla_veille(oncall=ROTATION)
    assert "couldn't read “someday maybe”" in veille.answer("U0BOB", "oncall override <@U0ALICE> until someday maybe")
    assert "Je n'arrive pas à lire « un de ces jours »" in veille.answer(
        "U0CAROL", 'oncall override <@U0ALICE> until "un de ces jours"')
    assert "already passed" in veille.answer("U0BOB", 'oncall override <@U0ALICE> until "2020-01-01 10:00"')
    assert "Usage" in veille.answer("U0BOB", "oncall override nobody until friday")
    assert "<@U0ALICE>" not in veille.answer("U0BOB", "oncall").split("Overrides")[0]


def test_only_admins_and_the_rotation_may_change_the_on_call_once_admins_are_named(sla_veille):
    veille = sla_veille(oncall=ROTATION, team={"timezone": "Europe/Paris", "approvers": ["U0BOB"],
                                               "admins": ["U0BOB"]})
    assert "Only admins and members of the rotation" in veille.answer(AUTHOR, 'oncall override <@U0BOB> until "friday 6pm"')
    assert "is on call until" in veille.answer(AUTHOR, 'oncall override <@U0ALICE> until "friday 6pm"')  # herself
    assert "est d'astreinte" in veille.answer("U0CAROL", 'oncall override <@U0ALICE> until "vendredi 18h"')


def test_a_user_group_rotation_is_shown_and_paged_as_the_group(sla_veille):
    veille = sla_veille(sla=LADDER, oncall={"usergroup": "S0ONCALL"})
    assert "the members of <!subteam^S0ONCALL>" in veille.answer(AUTHOR, "oncall")
    veille.mention("t-1", "Help")
    veille.settle()
    [alert] = veille.alerts()
    for minutes in (60, 70, 80):
        veille.advance_to(veille.clock_of("first_response").start_at + minutes * 60)
    texts = [all_text(m) for m in veille.notes(alert, "Escalated to on-call")]
    assert len(texts) == 1 and "<!subteam^S0ONCALL>" in texts[0]


def test_without_a_rotation_nobody_is_on_call_until_an_override(sla_veille):
    veille = sla_veille()
    assert "Nobody is on call" in veille.answer(AUTHOR, "oncall")
    veille.answer(AUTHOR, 'oncall override <@U0ALICE> until "friday 6pm"')
    assert "*On call now:* <@U0ALICE>" in veille.answer(AUTHOR, "oncall")


def test_an_override_is_capped_and_the_displaced_member_and_admins_are_told(sla_veille):
    veille = sla_veille(oncall=ROTATION, team={"timezone": "Europe/Paris", "approvers": ["U0BOB"],
                                               "admins": ["U0CAROL"]})
    too_long = veille.answer(AUTHOR, 'oncall override <@U0ALICE> until "2027-09-19 09:00"')  # ~300 days
    assert "at most 7d" in too_long
    assert "*On call now:* <@U0BOB>" in veille.answer(AUTHOR, "oncall")  # nothing changed

    assert "is on call until" in veille.answer(AUTHOR, 'oncall override <@U0ALICE> until "friday 6pm"')
    veille.settle()
    bob = [all_text(m) for m in veille.standin.messages("U0BOB")]  # Bob was on call: he is told
    assert any("<@U0ALICE> made <@U0ALICE> on call until" in m and "instead of <@U0BOB>" in m for m in bob), bob
    carol = [all_text(m) for m in veille.standin.messages("U0CAROL")]  # the admin, in French
    assert any("Changement d'astreinte" in m for m in carol), carol


def test_max_override_is_read_from_the_config(sla_veille):
    veille = sla_veille(oncall={**ROTATION, "max_override": "2d"})
    assert "at most 2d" in veille.answer(AUTHOR, 'oncall override <@U0ALICE> until "friday 6pm"')
    assert "is on call until" in veille.answer(AUTHOR, 'oncall override <@U0ALICE> until "tomorrow 6pm"')
