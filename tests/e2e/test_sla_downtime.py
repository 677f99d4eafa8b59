"""Veille was down while deadlines passed: on its return, overdue clocks are handled in due
order and each channel gets one digest instead of a flood; no warning for a clock already past
due; a message that was already late when it arrived is one breach marked late."""

from __future__ import annotations

import pytest

from tests.conftest import START
from tests.e2e.sla_support import ROTATION, veille_factory
from tests.support.harness import all_text

LADDER = {"policies": [{"name": "p", "first_response": {"target": "1h", "warn": ["80%"], "escalate_after": "10m"}}]}


@pytest.fixture
def sla_veille(db_url, clock, standin, target):
    yield from veille_factory(db_url, clock, standin, target)


def _six_then_down(veille, hours: float = 3) -> list[dict]:
    for i in range(6):
        veille.mention(f"t-{i}", f"message {i}", author=f"u-{i}", handle=f"@p{i}")
        veille.clock.advance(60)
    veille.mention("m-1", "elsewhere", account="acme_fr")
    veille.until_slack_caught_up()  # the alerts are out, then Veille stops: nothing runs while the clock moves
    veille.clock.set(START + hours * 3600)
    veille.until_slack_caught_up()  # back up
    return veille.alerts()


def test_one_digest_per_channel_instead_of_a_flood_of_breaches(sla_veille):
    veille = sla_veille()
    alerts = _six_then_down(veille)
    digests = [a for a in alerts if "happened while Veille was down" in all_text(a)]
    assert len(digests) == 1
    assert "6 breaches happened while Veille was down" in all_text(digests[0])
    listed = all_text(digests[0])
    assert [listed.index(f"`c{i}`") for i in range(1, 7)] == sorted(listed.index(f"`c{i}`") for i in range(1, 7))
    for alert in (a for a in alerts if a not in digests):
        assert veille.thread(alert) == []  # no warning, no breach note: the digest said it
        assert "breached" in veille.parent(alert)  # each parent still shows its own state
    breaches = veille.events("breached")
    assert len(breaches) == 7 and [e.clock_id for e in breaches[:6]] == sorted(e.clock_id for e in breaches[:6])
    assert veille.events("warning") == []
    # A channel with a single overdue clock gets its ordinary breach note.
    [other] = veille.alerts("C0ACMEFR")
    assert len(veille.notes(other, "breached", channel="C0ACMEFR")) == 1


def test_after_downtime_the_ladder_gives_the_team_the_whole_delay(sla_veille):
    veille = sla_veille(sla=LADDER, oncall=ROTATION)
    _six_then_down(veille)
    back = START + 3 * 3600
    assert veille.events("escalated") == []  # (Slack's pacing took a few seconds of the delay)
    veille.advance_to(back + 599)
    assert veille.events("escalated") == []
    veille.advance_to(back + 600)
    assert [e.level for e in veille.events("escalated")] == [2] * 7  # the channels first; no page yet
    assert veille.dms("U0BOB") == []


def test_messages_already_late_when_they_arrive_are_each_one_breach_marked_late(sla_veille):
    veille = sla_veille()
    for i in range(6):
        veille.mention(f"t-{i}", f"sent during an outage {i}", author=f"u-{i}", handle=f"@p{i}",
                       created_at=veille.clock.now() - 2 * 3600)
    veille.until_slack_caught_up()
    for alert in veille.alerts():
        [breach] = veille.thread(alert)
        assert "after its deadline" in all_text(breach)
    assert all(e.detail["late_ingest"] for e in veille.events("breached"))
