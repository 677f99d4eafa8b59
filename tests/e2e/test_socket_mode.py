"""Veille in Socket Mode (SLACK_APP_TOKEN set): Slack reaches it only through the websocket, a
refresh loses nothing, and /slack/events is not served at all. The rest of the end-to-end suite
runs in Socket Mode too when VEILLE_TEST_SLACK_MODE=socket (scripts/test.sh does it once)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from bot.ids import Action
from bot.slack.standin.socket_mode import DisconnectReason, EnvelopeType
from tests.standin.app_hosts import RecordingApp
from tests.support.harness import APPROVER, AUTHOR, SlackMode, Veille, all_text


@pytest.fixture
def socket_veille(db_url, clock, standin, target):
    v = Veille(db_url, clock, standin, target, slack_mode=SlackMode.SOCKET)
    yield v
    v.close()


@pytest.fixture
def attacker():
    with RecordingApp() as app:
        yield app


def test_in_socket_mode_slack_events_is_not_served_and_a_forged_request_posts_nowhere(socket_veille, attacker):
    forged = urlencode({"command": "/veille", "text": "help", "user_id": AUTHOR, "channel_id": "C0ACME",
                        "team_id": socket_veille.standin.team_id, "response_url": attacker.url,
                        "trigger_id": "1.2.3"}).encode()

    r = socket_veille.http.post("/slack/events", content=forged,
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
    socket_veille.settle()

    assert attacker.requests == []
    assert r.status_code == 404


def test_a_slash_command_is_answered_through_the_websocket(socket_veille):
    r = socket_veille.slack.command(AUTHOR, "help")
    socket_veille.settle()

    assert r.status_code == 200
    assert "/veille queue" in socket_veille.ephemeral_texts(AUTHOR)[-1]
    [envelope] = socket_veille.standin.socket_mode.envelopes
    assert envelope.type is EnvelopeType.SLASH_COMMANDS and envelope.ack is not None


def test_a_refresh_between_draft_and_approval_loses_nothing_and_publishes_once(socket_veille):
    alert, card = socket_veille.draft_reply("On regarde tout de suite !")

    assert socket_veille.standin.socket_mode.disconnect(DisconnectReason.REFRESH_REQUESTED)
    r = socket_veille.slack.click(APPROVER, "C0ACME", card["ts"], Action.APPROVE)
    socket_veille.settle()

    assert r.status_code == 200
    assert socket_veille.standin.socket_mode.hellos == 2
    assert [p["text"] for p in socket_veille.target.published.values()] == ["On regarde tout de suite !"]
    assert any("Published" in all_text(m) for m in socket_veille.thread(alert))
