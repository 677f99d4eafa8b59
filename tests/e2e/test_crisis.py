"""Spike detection and crisis mode, end to end: a burst opens one incident (a message in the
account's channel, the on-call member's DM, a PagerDuty `critical` page) exactly once even with
two detector replicas; `/veille crisis start|status|stop`; scheduled posts held while it lasts
("Publish anyway", "Reschedule"); a stricter SLA policy for new conversations; a summary at the end."""

from __future__ import annotations

import threading

import pytest

from bot.ids import Action, Block, Input
from bot.jobs.crisis import CrisisDetector
from bot.slack.standin.state import dm_channel_id
from storage.db import Database
from tests.conftest import START
from tests.e2e.crisis_support import POLICIES, CrisisVeille, crisis_config
from tests.e2e.posts_support import approve, card, click, draft_row, posts_published, schedule
from tests.e2e.sla_support import ROUTING_KEY
from tests.fakes.pagerduty_server import PagerDutyServer
from tests.support.harness import APPROVER, AUTHOR, OUTSIDER, all_text

CAROL_FR = "U0CAROL"  # an approver (through the S0APPROVERS group) who reads French


@pytest.fixture
def pd(monkeypatch):
    monkeypatch.setenv("VEILLE_TEST_PAGERDUTY_KEY", ROUTING_KEY)
    with PagerDutyServer(ROUTING_KEY) as server:
        yield server


@pytest.fixture
def make(db_url, clock, standin, target, pd):
    made: list[CrisisVeille] = []

    def build(**overrides) -> CrisisVeille:
        v = CrisisVeille(db_url, clock, standin, target, config=crisis_config(target.url, pd.enqueue_url, **overrides))
        made.append(v)
        return v

    yield build
    for v in made:
        v.close()


def _triggers(pd: PagerDutyServer) -> list[dict]:
    return [e for e in pd.events if e["event_action"] == "trigger"]


# ---- detection ---------------------------------------------------------------------------------------


def test_ordinary_traffic_opens_no_incident(make):
    veille = make()
    for i in range(60):  # a mention every two minutes for two hours
        veille.mention(f"t-{i}", "Bonjour, une question sur ma commande")
        veille.advance(120)
    assert veille.incidents() == [] and veille.incident_messages() == []


def test_a_burst_of_fifty_mentions_a_second_is_detected_within_a_minute_and_pages_once(make, pd):
    veille = make()
    started = veille.clock.now()
    while veille.open_incident() is None:
        assert veille.clock.now() - started <= 60, "no incident a minute into the burst"
        veille.burst(50)
        veille.advance(1)
    detected = veille.clock.now() - started
    assert detected <= 60
    for _ in range(5):  # the burst goes on: nothing more is opened or paged
        veille.burst(50)
        veille.advance(1)

    [inc] = veille.incidents()
    [message] = veille.incident_messages()
    text = all_text(message)
    assert "Incident on acme" in text and "messages in 1 min" in text and "normal at this hour" in text
    assert "photos" in text and "deleted" in text  # the top words
    assert "Your app deleted all my photos" in text  # samples, quoted
    [dm] = veille.dms(APPROVER)  # Bob is on call this week (tests/e2e/sla_support.py ROTATION)
    assert "You are on call: incident on acme" in all_text(dm)
    [trigger] = _triggers(pd)
    assert trigger["payload"]["severity"] == "critical" and trigger["dedup_key"] == f"veille-incident-{inc.id}"


def test_customer_text_in_the_incident_message_is_escaped(make):
    veille = make()
    veille.burst(30, text="<!channel> <@U0BOB> *hack* & co")
    veille.advance(1)
    text = all_text(veille.incident_messages()[0])
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text and "&amp;" in text


def test_two_detector_replicas_open_the_incident_and_page_exactly_once(make, pd):
    veille = make()
    veille.burst(60)
    replicas = [CrisisDetector(Database(veille.settings.database_url), veille.cfg, veille.svc.rules)
                for _ in range(2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(detector):
        try:
            barrier.wait()
            for _ in range(3):
                detector.run_once(veille.clock.now())
        except BaseException as e:  # the test fails on any error a replica meets
            errors.append(e)

    threads = [threading.Thread(target=run, args=(d,)) for d in replicas]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    veille.advance(1)
    for d in replicas:
        d.db.dispose()

    assert errors == []
    assert len(veille.incidents()) == 1
    assert len(veille.incident_messages()) == 1 and len(veille.dms(APPROVER)) == 1 and len(_triggers(pd)) == 1


def test_the_incident_ends_after_calm_minutes_with_a_summary_in_its_thread(make, pd):
    veille = make()
    alert, _card = veille.draft_reply("We are on it, sorry!", mention_text="Where are my photos?")
    veille.burst(40)
    veille.advance(1)
    [message] = veille.incident_messages()
    click(veille, APPROVER, _card_of(veille, alert), Action.APPROVE, channel="C0ACME")  # Alice's reply goes out
    for _ in range(10):  # the burst leaves the 10-minute window, then 5 calm minutes (calm_minutes)
        veille.advance(60)
    assert veille.open_incident() is not None
    for _ in range(6):
        veille.advance(60)

    [inc] = veille.incidents()
    assert inc.state == "closed" and inc.ended_by == "veille"
    [summary] = [m for m in veille.thread(message) if "over" in all_text(m)]
    text = all_text(summary)
    assert "Incident on acme over" in text and "volume normal for 5 min" in text
    assert "41 messages" in text and "1 replies" in text and f"<@{AUTHOR}>" in text
    assert [e["event_action"] for e in pd.events] == ["trigger", "resolve"]


def _card_of(veille, alert: dict) -> dict:
    return next(m for m in veille.thread(alert) if "Draft reply" in all_text(m))


# ---- by hand ------------------------------------------------------------------------------------------


def test_crisis_start_status_stop_by_an_approver(make, pd):
    veille = make()
    assert "No incident is open" in veille.answer(APPROVER, "crisis status")
    assert "Incident opened on acme" in veille.answer(APPROVER, "crisis start @acme")
    assert "already open on acme" in veille.answer(APPROVER, "crisis start @acme")
    [message] = veille.incident_messages()
    assert f"declared by <@{APPROVER}>" in all_text(message)
    assert len(veille.dms(APPROVER)) == 1 and len(_triggers(pd)) == 1
    veille.advance(3600)  # an incident declared by hand is ended by hand
    assert "acme: open since" in veille.answer(APPROVER, "crisis status")

    assert "Incident on acme ended" in veille.answer(APPROVER, "crisis stop @acme")
    [summary] = veille.thread(message)
    assert f"ended by <@{APPROVER}>" in all_text(summary) and "Duration 1 h 00 min" in all_text(summary)
    assert "No incident is open on acme" in veille.answer(APPROVER, "crisis stop @acme")


def test_crisis_start_and_stop_are_refused_to_a_non_approver_in_their_language(make, standin):
    standin.add_user("U0ELOI", "eloi", real_name="Éloi Petit", tz="Europe/Paris", locale="fr-FR")
    veille = make()
    assert "Only approvers and admins" in veille.answer(OUTSIDER, "crisis start @acme")
    assert "Seuls les approbateurs et les admins" in veille.answer("U0ELOI", "crisis start @acme")
    assert veille.incidents() == []
    assert "Incident ouvert sur acme" in veille.answer(CAROL_FR, "crisis start @acme")
    assert "Only approvers and admins" in veille.answer(AUTHOR, "crisis stop @acme")
    assert veille.open_incident() is not None
    assert "acme : en cours depuis" in veille.answer(CAROL_FR, "crisis status")  # anyone may look


def test_crisis_asks_which_account_and_names_an_unknown_one(make):
    veille = make()
    assert "Which account?" in veille.answer(APPROVER, "crisis start")
    assert "No account `nope`" in veille.answer(APPROVER, "crisis start @nope")
    assert "Usage" in veille.answer(APPROVER, "crisis explode")


# ---- scheduled posts while an incident is open ---------------------------------------------------------


def _scheduled_and_approved(veille, text: str = "Our new summer collection!") -> str:
    [pid] = schedule(veille, AUTHOR, f'@acme "in 2 hours" {text}')
    approve(veille, APPROVER, pid)
    return pid


def test_a_post_due_during_an_incident_is_held_and_publish_anyway_sends_it_once(make):
    veille = make()
    pid = _scheduled_and_approved(veille)
    veille.answer(APPROVER, "crisis start @acme")
    veille.advance(2 * 3600)

    assert posts_published(veille) == []
    assert draft_row(veille, pid).state == "approved"
    post_card = card(veille, pid)
    [note] = [m for m in veille.thread(post_card) if "was not published" in all_text(m)]
    assert "an incident is open on acme" in all_text(note)
    [bob_dm] = [m for m in veille.dms(APPROVER) if "was not published" in all_text(m)]
    assert f"`{pid}` (by <@{AUTHOR}>)" in all_text(bob_dm)

    click(veille, AUTHOR, note, Action.CRISIS_PUBLISH_ANYWAY, channel="C0ACME")  # the author is no approver
    assert "Only approvers can do that" in veille.ephemeral_texts(AUTHOR)[-1]
    assert posts_published(veille) == []
    click(veille, APPROVER, bob_dm, Action.CRISIS_PUBLISH_ANYWAY, channel=dm_channel_id(APPROVER))
    click(veille, APPROVER, bob_dm, Action.CRISIS_PUBLISH_ANYWAY, channel=dm_channel_id(APPROVER))
    veille.advance(5)
    assert [p["text"] for p in posts_published(veille)] == ["Our new summer collection!"]
    assert draft_row(veille, pid).state == "published"
    assert "no longer held" in veille.ephemeral_texts(APPROVER)[-1]


def test_reschedule_on_a_held_post_moves_it_and_it_goes_out_at_its_new_time(make):
    veille = make()
    pid = _scheduled_and_approved(veille, "Later, then")
    veille.answer(APPROVER, "crisis start @acme")
    veille.advance(2 * 3600)
    [note] = [m for m in veille.thread(card(veille, pid)) if "was not published" in all_text(m)]

    click(veille, AUTHOR, note, Action.POST_RESCHEDULE, channel="C0ACME")
    [modal] = veille.standin.views(AUTHOR)
    r = veille.slack.submit_view(AUTHOR, modal["id"], values={Block.POST_WHEN: {Input.TEXT: "tomorrow 9am"}})
    assert r.json()["response_action"] == "update"
    veille.slack.submit_view(AUTHOR, modal["id"])
    veille.settle()
    veille.answer(APPROVER, "crisis stop @acme")
    at = draft_row(veille, pid).scheduled_at
    assert at > START + 2 * 3600

    veille.clock.set(at - 1)
    veille.settle()
    assert posts_published(veille) == []
    veille.clock.set(at)
    veille.settle()
    assert [p["text"] for p in posts_published(veille)] == ["Later, then"]


def test_posts_held_during_an_incident_wait_for_a_decision_after_it_ends(make):
    veille = make()
    pid = _scheduled_and_approved(veille, "Held then forgotten")
    veille.answer(APPROVER, "crisis start @acme")
    veille.advance(2 * 3600)
    veille.answer(APPROVER, "crisis stop @acme")
    veille.advance(3600)
    assert posts_published(veille) == []  # nothing fires on its own once the incident is over
    [summary] = [m for m in veille.thread(veille.incident_messages()[0]) if "over" in all_text(m)]
    assert "1 scheduled posts were held" in all_text(summary)
    [bob_dm] = [m for m in veille.dms(APPROVER) if "was not published" in all_text(m)]
    click(veille, APPROVER, bob_dm, Action.CRISIS_PUBLISH_ANYWAY, channel=dm_channel_id(APPROVER))
    veille.advance(5)
    assert [p["text"] for p in posts_published(veille)] == ["Held then forgotten"]
    assert draft_row(veille, pid).state == "published"


# ---- SLA ----------------------------------------------------------------------------------------------


def test_conversations_created_during_an_incident_get_the_crisis_sla_policy(make):
    veille = make(sla=POLICIES, crisis={"min_count": 20, "calm_minutes": 5, "sla_policy": "crisis"})
    veille.mention("before", "A question")
    veille.settle()
    veille.answer(APPROVER, "crisis start @acme")
    veille.mention("during", "Another question")
    veille.settle()
    veille.answer(APPROVER, "crisis stop @acme")
    veille.mention("after", "A third question")
    veille.settle()

    firsts = [next(c for c in veille.clocks(i) if c.metric == "first_response") for i in (1, 2, 3)]
    assert [c.policy for c in firsts] == ["standard", "crisis", "standard"]
    assert firsts[1].due_at - firsts[1].start_at == 15 * 60


def test_a_crisis_sla_policy_that_does_not_exist_stops_start_up_naming_the_key():
    from bot.config import ConfigError, parse_config

    with pytest.raises(ConfigError, match="crisis.sla_policy: no SLA policy named 'urgent'"):
        parse_config({"sla": POLICIES, "crisis": {"sla_policy": "urgent"}})
    with pytest.raises(ConfigError, match="crisis.windows"):
        parse_config({"crisis": {"windows": [5]}})


def test_the_leased_scheduled_publisher_holds_a_post_too(make):
    from bot.jobs.scheduler import ScheduledPublisher

    veille = make()
    pid = _scheduled_and_approved(veille, "From the publisher")
    veille.answer(APPROVER, "crisis start @acme")
    due = draft_row(veille, pid).scheduled_at
    publisher = ScheduledPublisher(veille.db, veille.clock, veille.svc.connectors, veille.svc.directory,
                                   veille.svc.rules, owner="replica-publisher")
    try:
        veille.clock.set(due - 2)  # the publisher leases and prepares a few seconds ahead
        assert publisher.run_once() == 1
    finally:
        publisher.close()
    veille.clock.set(due + 60)
    veille.settle()
    assert posts_published(veille) == []
    assert any("was not published" in all_text(m) for m in veille.dms(APPROVER))
