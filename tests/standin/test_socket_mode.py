"""The stand-in speaks Slack's Socket Mode: apps.connections.open takes only the app-level token,
the websocket greets with hello, carries envelopes the real slack_sdk client acks, and ends with
disconnect like Slack (a refresh is survived by reconnecting; link_disabled turns the link off)."""

from __future__ import annotations

import json

import httpx
import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.standin import SlackDriver
from bot.slack.standin.socket_mode import DisconnectReason, EnvelopeType

from .test_driver import answers_a_command_a_modal_and_a_click, make_bolt_app


@pytest.fixture
def socket_app(standin):
    """A real Bolt app connected to the stand-in through slack_sdk's Socket Mode client."""
    handlers = []

    def connect(app: App) -> SocketModeHandler:
        handler = SocketModeHandler(app, standin.app_token, ping_interval=0.2)
        handler.connect()
        handlers.append(handler)
        assert standin.socket_mode.wait_connected()
        return handler

    yield connect
    for handler in handlers:
        handler.close()


def test_apps_connections_open_gives_a_websocket_url_for_the_app_level_token_only(standin):
    app_level = WebClient(token=standin.app_token, base_url=standin.api_url, retry_handlers=[])
    url = app_level.apps_connections_open(app_token=standin.app_token)["url"]
    assert url.startswith("ws://127.0.0.1:") and "/link/?ticket=" in url

    for token, error in [(standin.token, "not_allowed_token_type"), ("xapp-1-forged", "invalid_auth")]:
        with pytest.raises(SlackApiError) as refused:
            app_level.apps_connections_open(app_token=token)
        assert refused.value.response["error"] == error
    answer = httpx.post(standin.api_url + "apps.connections.open").json()
    assert answer == {"ok": False, "error": "not_authed"}
    with pytest.raises(SlackApiError) as refused:
        app_level.chat_postMessage(channel="C0SOCIAL", text="an app-level token cannot post")
    assert refused.value.response["error"] == "not_allowed_token_type"


def test_a_socket_url_opens_one_link_only(standin, socket_app):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    url = standin.socket_mode.open_url()
    with connect(url) as link:
        hello = json.loads(link.recv(timeout=5))
    assert hello["type"] == "hello" and hello["connection_info"] == {"app_id": standin.app_id}
    with pytest.raises(InvalidStatus):
        connect(url)  # the ticket was used


def test_a_real_bolt_app_answers_commands_clicks_and_modals_through_the_socket(client, standin, socket_app):
    socket_app(make_bolt_app(standin))
    driver = SlackDriver.over_socket(standin)

    answers_a_command_a_modal_and_a_click(driver, client, standin)

    kinds = [(e.type, e.accepts_response_payload) for e in standin.socket_mode.envelopes]
    assert kinds == [(EnvelopeType.SLASH_COMMANDS, True), (EnvelopeType.SLASH_COMMANDS, True),
                     (EnvelopeType.INTERACTIVE, True), (EnvelopeType.INTERACTIVE, True),
                     (EnvelopeType.INTERACTIVE, False)]
    assert all(e.ack is not None for e in standin.socket_mode.envelopes)


def test_events_arrive_as_events_api_envelopes_and_a_redelivery_says_so(standin, socket_app):
    seen = []
    app = App(client=WebClient(token=standin.token, base_url=standin.api_url), signing_secret="unused")

    @app.event("app_mention")
    def mention(event, context):
        seen.append((event["text"], context.get("retry_num")))

    socket_app(app)
    driver = SlackDriver.over_socket(standin)
    event = {"type": "app_mention", "user": "U0ALICE", "channel": "C0SOCIAL", "text": "hi", "ts": "1.000100"}
    assert driver.event(event, event_id="Ev1").status_code == 200
    assert driver.event(event, event_id="Ev1", retry_num=1).status_code == 200

    first, retry = standin.socket_mode.envelopes
    assert first.type is EnvelopeType.EVENTS_API and first.payload["event_id"] == "Ev1"
    assert (first.ack, retry.ack) == ({"envelope_id": first.envelope_id, "payload": None},
                                      {"envelope_id": retry.envelope_id, "payload": None})


@pytest.mark.parametrize("reason", [DisconnectReason.REFRESH_REQUESTED, DisconnectReason.WARNING])
def test_the_app_reconnects_on_a_refresh_and_keeps_answering(standin, socket_app, reason):
    socket_app(make_bolt_app(standin))
    driver = SlackDriver.over_socket(standin)

    assert standin.socket_mode.disconnect(reason)
    assert standin.socket_mode.hellos == 2
    assert len([c for c in standin.calls_to("apps.connections.open") if c.ok]) == 2
    assert driver.command("U0ALICE", "hi").status_code == 200
    assert standin.ephemerals("U0ALICE")[-1]["text"] == "Hello <@U0ALICE>"


def test_link_disabled_closes_the_link_and_refuses_new_ones_until_socket_mode_is_on_again(standin, socket_app):
    socket_app(make_bolt_app(standin))
    driver = SlackDriver.over_socket(standin, timeout=0.5)

    standin.socket_mode.disconnect(DisconnectReason.LINK_DISABLED)
    with pytest.raises(ConnectionError):
        driver.command("U0ALICE", "hi")

    standin.socket_mode.enable()
    assert standin.socket_mode.wait_connected(hellos=2)
    driver.timeout = 10
    assert driver.command("U0ALICE", "hi").status_code == 200


def test_http_only_tools_say_so_in_socket_mode(standin):
    driver = SlackDriver.over_socket(standin)
    with pytest.raises(RuntimeError, match="HTTP-only"):
        driver.post(b"x", "text/plain")


def test_an_envelope_the_app_never_acks_is_answered_like_a_timed_out_request(standin, socket_app):
    socket_app(make_bolt_app(standin))  # it has no listener for /other: Bolt sends no ack
    driver = SlackDriver.over_socket(standin, timeout=0.5)

    assert driver.command("U0ALICE", "hi", command="/other").status_code == 504
    [envelope] = standin.socket_mode.envelopes
    assert envelope.ack is None
