"""`veille demo` tells the whole story offline: an English and a French channel, a French
member's answers, an escalation to the on-call member's DM and to PagerDuty, a bad buzz (spike,
incident, page, burst card, VIP alert, held post); it never posts a note twice and leaves no
`veille-demo-*` folder behind. The demo runs once for the whole module (it takes ~20 s)."""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
import time
from pathlib import Path

import pytest

from bot import demo
from bot.demo import BUZZ_SIZE, SCENES, SPEED, run_demo
from bot.domain.bursts import FOLD_BACKLOG
from bot.slack.standin.api import WebApi
from bot.slack.standin.state import dm_channel_id


def _demo_folders() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("veille-demo-*"))


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> str:
    before = tempfile.tempdir
    tempfile.tempdir = str(tmp_path_factory.mktemp("demo"))  # a temp directory of its own (the machine is shared)
    try:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            assert run_demo(quiet=True) == 0
        assert _demo_folders() == set()  # nothing left in the temp directory
    finally:
        tempfile.tempdir = before
    return printed.getvalue()


def _sections(out: str) -> dict[str, str]:
    english, _, rest = out.partition("What Camille reads in #acme-fr")
    french, _, rest = rest.partition("Camille's direct messages from Veille")
    dms, _, rest = rest.partition("Alice's ephemeral answer")
    camille = rest.partition("Camille's ephemeral answers")[2].partition("PagerDuty (local stand-in)")[0]
    pagerduty, _, buzz = rest.partition("PagerDuty (local stand-in) received:")[2].partition("The bad buzz:")
    channel, _, rest = buzz.partition("Alice's Triage list")
    triage, _, bob = rest.partition("Bob's direct message from Veille")
    return dict(english=english, french=french, dms=dms, camille=camille, pagerduty=pagerduty, buzz=channel,
                triage=triage, bob=bob)


def test_the_demo_shows_a_french_channel_a_french_member_and_an_escalation_to_the_oncall_dm_and_pagerduty(out):
    p = _sections(out)
    english, french, dms, camille, pagerduty = p["english"], p["french"], p["dms"], p["camille"], p["pagerduty"]
    assert "[Reply] [Assign to me] [No reply needed]" in english and "Escalated to on-call @Camille" in english
    assert "[Répondre] [M'assigner] [Pas de réponse nécessaire]" in french
    assert "*Brouillon de réponse* `r2` v1 par @Camille" in french and "approuvée par @Bob" in french
    for english_word in ("Reply", "Draft", "First response", "approved by", "Open on"):
        assert english_word not in french, english_word
    assert "*Première réponse dépassée* sur `c2`" in dms and "vous êtes d'astreinte" in dms and "[Je m'en occupe]" in dms
    assert "Seuls les approbateurs" in camille and "*Conversations ouvertes*" in camille
    assert "vous vous en occupez" in camille and " due " not in camille
    assert "trigger      veille-c2-first_response" in pagerduty and "acknowledge  veille-c2-first_response" in pagerduty
    assert "2 replies, each exactly once" in out


def test_the_bad_buzz_opens_an_incident_in_the_channel_with_its_thread(out):
    buzz = _sections(out)["buzz"]
    assert "*Incident on acme_help*" in buzz and "normal at this hour" in buzz
    assert "Coordinate in this thread" in buzz and f"Camille (community, on call): {demo.INCIDENT_REPLY}" in buzz
    assert "Scheduled posts on this account are held until the incident ends." in buzz


def test_the_bad_buzz_pages_the_oncall_member_by_dm_and_pagerduty_critical_once(out):
    p = _sections(out)
    assert "Vous êtes d'astreinte : incident sur acme_help" in p["dms"]  # Camille reads Slack in French
    triggers = re.findall(r"trigger +veille-incident-\d+ +\[(\w+)\] Veille: incident on acme_help", p["pagerduty"])
    assert triggers == ["critical"]


def test_the_burst_folds_into_one_card_with_exact_counts_and_a_triage_list(out):
    p = _sections(out)
    folded = BUZZ_SIZE - FOLD_BACKLOG  # the first alerts were queued before the channel's backlog was full
    assert p["buzz"].count("[Triage]") == 1
    assert f"BURST ON ACME_HELP: {folded} NEW CONVERSATIONS FOLDED" in p["buzz"]
    assert f"*{folded}* waiting for someone · 0 assigned · 0 handled" in p["buzz"]
    assert p["buzz"].count("(@angry_") == FOLD_BACKLOG  # own alerts; the rest are on the card, not 300 alerts
    assert f"*{folded}* folded conversations waiting · acme_help" in p["triage"]
    assert "`c9` · :bird: X · mention · *@angry_6*" in p["triage"]


def test_the_vip_of_the_bad_buzz_gets_her_own_alert(out):
    buzz = _sections(out)["buzz"]
    vip = re.split(r"\n\d\d:\d\d ", buzz.partition("*Chef Marie* (@chef_marie) → *acme_help*")[2])[0]
    assert "12 years of recipes lost in your update" in vip and "[Reply] [Assign to me] [No reply needed]" in vip
    assert "NEW CONVERSATIONS FOLDED" in buzz and "Chef Marie" not in buzz.partition("NEW CONVERSATIONS FOLDED")[2] \
        .partition("[Triage]")[0]  # not among the card's samples: she is not folded


def test_a_scheduled_post_due_during_the_incident_is_held_with_publish_anyway_and_reschedule(out):
    p = _sections(out)
    post = demo.SCHEDULED_POST
    assert re.search(r"`p\d+` was not published at .*: an incident is open on acme_help", p["buzz"])
    assert f"> {post}\n      [Publish anyway] [Reschedule]" in p["buzz"]  # in the post card's thread (Alice)
    assert "(by @Alice (community)) was not published" in p["bob"] and "[Publish anyway] [Reschedule]" in p["bob"]
    assert "2 replies, each exactly once" in out  # held: not published


def test_no_note_is_printed_twice(out):
    english = _sections(out)["english"]
    assert english.count(":red_circle: First response breached (due") == 1
    assert english.count("Escalated to on-call @Camille") == 1
    notes = [line for line in out.splitlines() if line.lstrip().startswith("↳")]
    assert len(notes) == len(set(notes)), [n for n in notes if notes.count(n) > 1]


def test_the_demo_workers_keep_their_lease_for_a_real_minute_on_the_accelerated_clock(tmp_path):
    """At x720 the production 60 s lease lasted 83 ms of real time: one slow Slack call and a
    second worker took the row over and posted the breach note again."""
    with demo._stage(tmp_path, lambda _msg: None) as stage:
        assert stage.runner.worker.lease_seconds / SPEED >= 60
        assert stage.runner.publisher.lease_seconds / SPEED >= 60


def test_the_demo_is_a_list_of_scenes_one_can_add_to():
    assert [scene.__name__ for scene in SCENES] == ["mentions_arrive", "english_reply_approved",
                                                    "french_member_replies", "breach_escalates_to_oncall",
                                                    "bad_buzz"]


def test_with_a_slow_slack_on_the_accelerated_clock_every_note_of_the_escalation_is_posted_once(tmp_path, monkeypatch):
    """The failure itself: chat.postMessage takes 250 ms (a busy Slack), longer than a 60 s lease
    lasts at x720. Each note, DM and alert of the escalation still reaches Slack once."""
    with demo._stage(tmp_path, lambda _msg: None) as stage:
        for scene in (demo.mentions_arrive, demo.english_reply_approved, demo.french_member_replies):
            scene(stage)  # only Tom is left to breach
        run = WebApi._run

        def slow(self, method, params):
            if method == "chat.postMessage":
                time.sleep(0.25)  # before the message exists: a takeover would find nothing and resend
            return run(self, method, params)

        monkeypatch.setattr(WebApi, "_run", slow)
        demo.breach_escalates_to_oncall(stage)
        tom = stage.alert(demo.EN_CHANNEL, "1002")
        posted = [m["text"] for m in stage.standin.thread(demo.EN_CHANNEL, tom["ts"])[1:]]  # the notes
        posted += [m["text"] for m in stage.standin.messages(dm_channel_id(demo.CAMILLE))]
        alerts = [m for m in stage.standin.top_level(demo.EN_CHANNEL) if "1002" in str(m.get("blocks"))]
    assert len(alerts) == 1 and any("breached" in text for text in posted)
    assert sorted(posted) == sorted(set(posted)), [t for t in posted if posted.count(t) > 1]
