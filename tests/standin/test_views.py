"""Modals and the home tab: trigger_ids live 3 s and serve once; updates respect the hash."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

MODAL = {
    "type": "modal",
    "callback_id": "reply_draft",
    "private_metadata": "conv-12",
    "title": {"type": "plain_text", "text": "Reply"},
    "submit": {"type": "plain_text", "text": "Send for approval"},
    "blocks": [{"type": "input", "block_id": "draft", "label": {"type": "plain_text", "text": "Reply"},
                "element": {"type": "plain_text_input", "action_id": "text", "multiline": True}}],
}


def error_of(call) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value.response["error"]


def test_a_fresh_trigger_opens_a_modal_once(client, standin, clock):
    trigger = standin.new_trigger("U0ALICE")
    clock.advance(2.9)

    view = client.views_open(trigger_id=trigger, view=MODAL)["view"]
    assert view["id"].startswith("V") and view["hash"]
    assert (view["callback_id"], view["private_metadata"], view["state"]) == ("reply_draft", "conv-12",
                                                                                {"values": {}})
    assert [v["id"] for v in standin.views("U0ALICE")] == [view["id"]]
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=MODAL)) == "exchanged_trigger_id"


def test_an_old_or_unknown_trigger_is_refused(client, standin, clock):
    trigger = standin.new_trigger("U0ALICE")
    clock.advance(3.5)

    assert error_of(lambda: client.views_open(trigger_id=trigger, view=MODAL)) == "expired_trigger_id"
    assert error_of(lambda: client.views_open(trigger_id="123.456.abc", view=MODAL)) == "invalid_trigger_id"
    assert standin.views("U0ALICE") == []


def test_views_update_with_a_stale_hash_conflicts(client, standin):
    view = client.views_open(trigger_id=standin.new_trigger("U0ALICE"), view=MODAL)["view"]
    changed = dict(MODAL, private_metadata="conv-13")

    updated = client.views_update(view_id=view["id"], hash=view["hash"], view=changed)["view"]
    assert updated["id"] == view["id"] and updated["hash"] != view["hash"]
    assert error_of(lambda: client.views_update(view_id=view["id"], hash=view["hash"], view=MODAL)) \
        == "hash_conflict"
    assert standin.views("U0ALICE")[0]["private_metadata"] == "conv-13"


def test_views_publish_sets_each_users_home(client, standin):
    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "3 open"}}]}
    client.views_publish(user_id="U0ALICE", view=home)

    assert standin.home("U0ALICE")["blocks"][0]["text"]["text"] == "3 open"
    assert standin.home("U0BOB") is None
