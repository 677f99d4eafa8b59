"""response_url, as Slack treats what an app sends there: ephemeral by default, in_channel posts,
replace_original / delete_original act on the message whose button was clicked."""

from __future__ import annotations

from slack_sdk.webhook import WebhookClient


def test_a_response_is_ephemeral_unless_in_channel(standin):
    url = standin.new_response_url(user="U0ALICE", channel="C0SOCIAL")

    assert WebhookClient(url).send(text="Only for Alice").status_code == 200
    assert WebhookClient(url).send(text="For everyone", response_type="in_channel").status_code == 200

    assert [e["text"] for e in standin.ephemerals("U0ALICE")] == ["Only for Alice"]
    assert [m["text"] for m in standin.messages("C0SOCIAL")] == ["For everyone"]
    assert [c.method for c in standin.calls] == ["response_url", "response_url"]


def test_replace_and_delete_original(client, standin):
    card = client.chat_postMessage(channel="C0SOCIAL", text="Approve this reply?")
    other = client.chat_postMessage(channel="C0SOCIAL", text="Another card")
    url = standin.new_response_url(user="U0ALICE", channel="C0SOCIAL", message_ts=card["ts"])
    other_url = standin.new_response_url(user="U0ALICE", channel="C0SOCIAL", message_ts=other["ts"])

    WebhookClient(url).send(text="Approved by Alice", replace_original=True)
    WebhookClient(other_url).send(delete_original=True)

    assert [m["text"] for m in standin.messages("C0SOCIAL")] == ["Approved by Alice"]


def test_a_response_url_serves_five_times(standin):
    url = standin.new_response_url(user="U0ALICE", channel="C0SOCIAL")
    statuses = [WebhookClient(url).send(text=f"n{i}").status_code for i in range(6)]
    assert statuses == [200] * 5 + [404]
