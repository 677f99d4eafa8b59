"""The driver sends what Slack sends: signed like Slack, shaped like Slack, and a real Bolt app
accepts it and can answer through the stand-in."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.slack.standin import SlackDriver

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def form(body: bytes) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(body.decode()).items()}


def test_every_request_is_signed_as_slack_signs(client, standin, recorder):
    driver = SlackDriver(standin, recorder.url, SECRET)
    card = client.chat_postMessage(channel="C0SOCIAL", text="card", blocks=[{"type": "actions", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": "Assign"}, "action_id": "assign"}]}])
    driver.command("U0ALICE", "help")
    driver.event({"type": "app_home_opened", "user": "U0ALICE", "tab": "home"})
    driver.click("U0ALICE", "C0SOCIAL", card["ts"], "assign")

    verifier = SignatureVerifier(SECRET)
    assert len(recorder.requests) == 3
    for body, headers in recorder.requests:
        assert verifier.is_valid_request(body, headers)
        assert abs(int(headers["X-Slack-Request-Timestamp"]) - time.time()) < 60  # real time, not the test clock
    body, headers = recorder.requests[0]
    assert not verifier.is_valid_request(body + b"&text=admin", headers)
    assert not SignatureVerifier("another-secret").is_valid_request(body, headers)


def test_a_slash_command_is_a_signed_form_with_slacks_fields(standin, recorder):
    SlackDriver(standin, recorder.url, SECRET).command("U0ALICE", "assign @bob", channel="C0SOCIAL")

    body, headers = recorder.requests[0]
    fields = form(body)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert {k: fields[k] for k in ("team_id", "channel_id", "channel_name", "user_id", "user_name", "command",
                                   "text", "api_app_id")} == {
        "team_id": "T0VEILLE", "channel_id": "C0SOCIAL", "channel_name": "social-inbox", "user_id": "U0ALICE",
        "user_name": "alice", "command": "/veille", "text": "assign @bob", "api_app_id": standin.app_id}
    assert fields["response_url"].startswith(standin.base_url + "response/")
    assert fields["trigger_id"] in standin.state.triggers


def test_a_click_carries_the_button_found_in_the_stored_message(client, standin, recorder):
    blocks = [{"type": "actions", "block_id": "card-7", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": "Reply"}, "action_id": "reply", "value": "c7"}]}]
    posted = client.chat_postMessage(channel="C0SOCIAL", text="card", blocks=blocks)

    SlackDriver(standin, recorder.url, SECRET).click("U0BOB", "C0SOCIAL", posted["ts"], "reply")

    payload = json.loads(form(recorder.requests[0][0])["payload"])
    assert payload["type"] == "block_actions"
    assert payload["container"] == {"type": "message", "message_ts": posted["ts"], "channel_id": "C0SOCIAL",
                                    "is_ephemeral": False}
    [action] = payload["actions"]
    assert (action["action_id"], action["block_id"], action["value"], action["type"]) == ("reply", "card-7", "c7",
                                                                                          "button")
    assert payload["message"]["blocks"] == blocks and payload["user"]["id"] == "U0BOB"


def test_events_come_in_an_envelope_and_retries_say_so(standin, recorder):
    driver = SlackDriver(standin, recorder.url, SECRET)
    driver.event({"type": "app_mention", "user": "U0BOB", "text": "hi", "channel": "C0SOCIAL"}, event_id="Ev1")
    driver.event({"type": "app_mention", "user": "U0BOB", "text": "hi", "channel": "C0SOCIAL"}, event_id="Ev1",
                 retry_num=1)

    (first, first_headers), (retry, retry_headers) = recorder.requests
    envelope = json.loads(first)
    assert (envelope["type"], envelope["event_id"], envelope["team_id"]) == ("event_callback", "Ev1", "T0VEILLE")
    assert envelope["authorizations"][0]["user_id"] == standin.bot_user_id
    assert "X-Slack-Retry-Num" not in first_headers
    assert (retry_headers["X-Slack-Retry-Num"], retry_headers["X-Slack-Retry-Reason"]) == ("1", "http_timeout")
    assert json.loads(retry)["event_id"] == "Ev1"


def test_a_view_submission_carries_state_values_in_slacks_shapes(client, standin, recorder):
    view = client.views_open(trigger_id=standin.new_trigger("U0ALICE"), view={
        "type": "modal", "callback_id": "schedule", "private_metadata": "post-3",
        "title": {"type": "plain_text", "text": "Schedule"}, "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {"type": "input", "block_id": "text", "label": {"type": "plain_text", "text": "Text"},
             "element": {"type": "plain_text_input", "action_id": "value"}},
            {"type": "input", "block_id": "network", "label": {"type": "plain_text", "text": "Network"},
             "element": {"type": "static_select", "action_id": "pick", "options": [
                 {"text": {"type": "plain_text", "text": "Bluesky"}, "value": "bluesky"}]}},
            {"type": "input", "block_id": "day", "label": {"type": "plain_text", "text": "Day"},
             "element": {"type": "datepicker", "action_id": "date"}},
            {"type": "input", "block_id": "note", "optional": True, "label": {"type": "plain_text", "text": "Note"},
             "element": {"type": "plain_text_input", "action_id": "value"}},
        ]})["view"]

    SlackDriver(standin, recorder.url, SECRET).submit_view(
        "U0ALICE", values={"text": {"value": "Hello"}, "network": {"pick": "bluesky"}, "day": {"date": "2026-10-01"}})

    payload = json.loads(form(recorder.requests[0][0])["payload"])
    assert payload["type"] == "view_submission"
    assert (payload["view"]["id"], payload["view"]["hash"], payload["view"]["private_metadata"]) == (
        view["id"], view["hash"], "post-3")
    assert payload["view"]["state"]["values"] == {
        "text": {"value": {"type": "plain_text_input", "value": "Hello"}},
        "network": {"pick": {"type": "static_select", "selected_option": {
            "text": {"type": "plain_text", "text": "Bluesky"}, "value": "bluesky"}}},
        "day": {"date": {"type": "datepicker", "selected_date": "2026-10-01"}},
        "note": {"value": {"type": "plain_text_input", "value": None}},
    }
    assert standin.views("U0ALICE") == []  # an empty 200 closes the modal


def test_a_person_mentioning_the_bot_yields_message_and_app_mention(standin, recorder):
    driver = SlackDriver(standin, recorder.url, SECRET)
    post = driver.post_message_as_user("U0BOB", "C0SOCIAL", f"<@{standin.bot_user_id}> status?")

    kinds = [json.loads(body)["event"]["type"] for body, _ in recorder.requests]
    assert kinds == ["message", "app_mention"]
    assert standin.messages("C0SOCIAL")[0]["user"] == "U0BOB"
    assert json.loads(recorder.requests[1][0])["event"]["ts"] == post.ts


def make_bolt_app(standin) -> App:
    client = WebClient(token=standin.token, base_url=standin.api_url, retry_handlers=[])
    app = App(client=client, signing_secret=SECRET, process_before_response=True)

    @app.command("/veille")
    def veille(ack, body, client, command):
        if command["text"] == "reply":
            ack()
            client.views_open(trigger_id=body["trigger_id"], view={
                "type": "modal", "callback_id": "draft", "title": {"type": "plain_text", "text": "Reply"},
                "submit": {"type": "plain_text", "text": "Send"},
                "blocks": [{"type": "input", "block_id": "draft", "label": {"type": "plain_text", "text": "Text"},
                            "element": {"type": "plain_text_input", "action_id": "text"}}]})
        else:
            ack(f"Hello <@{command['user_id']}>")

    @app.view("draft")
    def draft(ack, view, client, body):
        text = view["state"]["values"]["draft"]["text"]["value"]
        if not text:
            ack(response_action="errors", errors={"draft": "Write something"})
            return
        ack()
        client.chat_postMessage(channel="C0SOCIAL", text=f"Draft from <@{body['user']['id']}>: {text}")

    @app.action("assign")
    def assign(ack, action, respond):
        ack()
        respond(replace_original=True, text=f"Assigned ({action['value']})")

    return app


def answers_a_command_a_modal_and_a_click(driver, client, standin) -> dict:
    """The same scenario whichever way the driver reaches the app (HTTP or Socket Mode)."""
    assert driver.command("U0ALICE", "hi").status_code == 200
    assert [e["text"] for e in standin.ephemerals("U0ALICE")] == ["Hello <@U0ALICE>"]

    driver.command("U0ALICE", "reply")
    [modal] = standin.views("U0ALICE")
    rejected = driver.submit_view("U0ALICE", values={"draft": {"text": ""}})
    assert rejected.json() == {"response_action": "errors", "errors": {"draft": "Write something"}}
    assert standin.views("U0ALICE")[0]["errors"] == {"draft": "Write something"}
    driver.submit_view("U0ALICE", values={"draft": {"text": "On it!"}})
    assert standin.views("U0ALICE") == []
    assert standin.messages("C0SOCIAL")[-1]["text"] == "Draft from <@U0ALICE>: On it!"

    card = client.chat_postMessage(channel="C0SOCIAL", text="card", blocks=[{"type": "actions", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": "Assign"}, "action_id": "assign", "value": "c9"}]}])
    driver.click("U0BOB", "C0SOCIAL", card["ts"], "assign")
    assert standin.message("C0SOCIAL", card["ts"])["text"] == "Assigned (c9)"
    return modal


def test_a_real_bolt_app_accepts_and_answers_through_the_stand_in(client, standin, bolt_host):
    host = bolt_host(make_bolt_app(standin))
    driver = SlackDriver(standin, host.url, SECRET)

    modal = answers_a_command_a_modal_and_a_click(driver, client, standin)
    assert modal["callback_id"] == "draft"
