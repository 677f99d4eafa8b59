"""Block Kit limits: Slack refuses the whole message with invalid_blocks and says where."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError


def section(text: str, block_id: str | None = None) -> dict:
    block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


def button(label: str, action_id: str, value: str = "v") -> dict:
    return {"type": "button", "text": {"type": "plain_text", "text": label}, "action_id": action_id, "value": value}


def refused(client, blocks) -> dict:
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0SOCIAL", text="fallback", blocks=blocks)
    return raised.value.response.data


def test_fifty_blocks_pass_and_fifty_one_are_refused(client, standin):
    client.chat_postMessage(channel="C0SOCIAL", text="fallback", blocks=[section(f"line {i}") for i in range(50)])

    body = refused(client, [section(f"line {i}") for i in range(51)])
    assert body["error"] == "invalid_blocks"
    assert body["response_metadata"]["messages"] == ["[ERROR] no more than 50 items allowed [json-pointer:/blocks]"]
    assert len(standin.messages("C0SOCIAL")) == 1


def test_section_text_is_limited_to_3000_characters(client):
    client.chat_postMessage(channel="C0SOCIAL", text="fallback", blocks=[section("x" * 3000)])

    body = refused(client, [section("ok"), section("x" * 3001)])
    assert body["response_metadata"]["messages"] == [
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/1/text/text]"
    ]


def test_header_button_and_id_limits(client):
    header = {"type": "header", "text": {"type": "plain_text", "text": "H" * 151}}
    actions = {"type": "actions", "elements": [button("B" * 76, "a" * 256, "v" * 2001)]}

    messages = refused(client, [header, actions])["response_metadata"]["messages"]
    assert "[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]" in messages
    assert "[ERROR] must be less than 76 characters [json-pointer:/blocks/1/elements/0/text/text]" in messages
    assert "[ERROR] must be less than 256 characters [json-pointer:/blocks/1/elements/0/action_id]" in messages
    assert "[ERROR] must be less than 2001 characters [json-pointer:/blocks/1/elements/0/value]" in messages


def test_duplicate_action_ids_in_a_block_and_mrkdwn_button_text_are_refused(client):
    actions = {"type": "actions", "elements": [button("Reply", "reply"), button("Again", "reply")]}
    mrkdwn_button = {"type": "actions", "elements": [
        {"type": "button", "text": {"type": "mrkdwn", "text": "*Bold*"}, "action_id": "x"}]}

    assert refused(client, [actions])["error"] == "invalid_blocks"
    assert refused(client, [mrkdwn_button])["response_metadata"]["messages"] == [
        "[ERROR] must be a valid enum value [json-pointer:/blocks/0/elements/0/text/type]"
    ]


def test_a_modal_title_longer_than_24_is_refused(client, standin):
    trigger = standin.new_trigger("U0ALICE")
    view = {"type": "modal", "title": {"type": "plain_text", "text": "T" * 25}, "blocks": []}

    with pytest.raises(SlackApiError) as raised:
        client.views_open(trigger_id=trigger, view=view)
    assert raised.value.response["error"] == "invalid_arguments"
    assert raised.value.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
    ]
