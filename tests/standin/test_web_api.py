"""The stand-in answers the real slack_sdk WebClient as Slack does."""

from __future__ import annotations

import threading

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.standin import SlackStandIn


def slack_error(call) -> SlackApiError:
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value


def test_a_post_and_its_replies_form_a_thread(client, standin):
    parent = client.chat_postMessage(channel="C0SOCIAL", text="New mention from @ana")
    reply = client.chat_postMessage(channel="C0SOCIAL", text="Reply published", thread_ts=parent["ts"])

    assert parent["channel"] == "C0SOCIAL"
    assert float(reply["ts"]) > float(parent["ts"])
    thread = client.conversations_replies(channel="C0SOCIAL", ts=parent["ts"])["messages"]
    assert [m["text"] for m in thread] == ["New mention from @ana", "Reply published"]
    assert thread[0]["reply_count"] == 1 and thread[1]["thread_ts"] == parent["ts"]
    history = client.conversations_history(channel="C0SOCIAL")["messages"]
    assert [m["text"] for m in history] == ["New mention from @ana"]  # replies stay in the thread
    assert [m["text"] for m in standin.thread("C0SOCIAL", parent["ts"])] == ["New mention from @ana",
                                                                             "Reply published"]


def test_update_changes_the_message_in_place(client, standin):
    posted = client.chat_postMessage(channel="C0SOCIAL", text="Waiting for approval")
    updated = client.chat_update(channel="C0SOCIAL", ts=posted["ts"], text="Approved by @alice")

    assert updated["ts"] == posted["ts"]
    [message] = standin.messages("C0SOCIAL")
    assert message["text"] == "Approved by @alice" and "edited" in message
    error = slack_error(lambda: client.chat_update(channel="C0SOCIAL", ts="1.000001", text="x"))
    assert error.response["error"] == "message_not_found"


def test_an_ephemeral_reaches_only_its_user(client, standin):
    answer = client.chat_postEphemeral(channel="C0SOCIAL", user="U0ALICE", text="Only you can see this")

    assert answer["message_ts"]
    assert [e["text"] for e in standin.ephemerals("U0ALICE")] == ["Only you can see this"]
    assert standin.ephemerals("U0BOB") == []
    assert standin.messages("C0SOCIAL") == []


def test_metadata_comes_back_only_when_asked_for(client):
    metadata = {"event_type": "veille_outbox", "event_payload": {"idempotency_key": "ob-42"}}
    client.chat_postMessage(channel="C0SOCIAL", text="Published", metadata=metadata)

    plain = client.conversations_history(channel="C0SOCIAL")["messages"][0]
    full = client.conversations_history(channel="C0SOCIAL", include_all_metadata=True)["messages"][0]
    assert "metadata" not in plain
    assert full["metadata"] == metadata


def test_users_info_gives_the_locale_only_with_include_locale(client):
    without = client.users_info(user="U0ALICE")["user"]
    with_locale = client.users_info(user="U0ALICE", include_locale=True)["user"]

    assert "locale" not in without
    assert with_locale["locale"] == "fr-FR"
    assert without["tz"] == "Europe/Paris" and without["tz_offset"] == 7200  # summer time in Sept 2026
    assert slack_error(lambda: client.users_info(user="U0NOBODY")).response["error"] == "user_not_found"


def test_bad_or_missing_token_is_refused_with_http_200(standin):
    wrong = WebClient(token="xoxb-wrong", base_url=standin.api_url, retry_handlers=[])
    error = slack_error(lambda: wrong.chat_postMessage(channel="C0SOCIAL", text="hi"))
    assert (error.response.status_code, error.response["error"]) == (200, "invalid_auth")
    anonymous = WebClient(base_url=standin.api_url, retry_handlers=[])
    assert slack_error(lambda: anonymous.auth_test()).response["error"] == "not_authed"
    assert standin.messages("C0SOCIAL") == []
    assert [c.error for c in standin.calls] == ["invalid_auth", "not_authed"]  # rejected calls are recorded


def test_unknown_and_archived_channels_are_refused(client, standin):
    assert slack_error(lambda: client.chat_postMessage(channel="C0NOPE", text="x")).response["error"] \
        == "channel_not_found"
    standin.archive_channel("C0GENERAL")
    assert slack_error(lambda: client.chat_postMessage(channel="C0GENERAL", text="x")).response["error"] \
        == "is_archived"


def test_unknown_method_answers_404(client):
    error = slack_error(lambda: client.api_call("chat.teleport"))
    assert (error.response.status_code, error.response["error"]) == (404, "unknown_method")


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_empty_and_oversized_text_are_refused(client):
    assert slack_error(lambda: client.chat_postMessage(channel="C0SOCIAL", text="")).response["error"] == "no_text"
    too_long = "x" * 40_001
    assert slack_error(lambda: client.chat_postMessage(channel="C0SOCIAL", text=too_long)).response["error"] \
        == "msg_too_long"


def test_posting_to_a_user_id_lands_in_the_dm_conversations_open_returns(client, standin):
    posted = client.chat_postMessage(channel="U0BOB", text="You are on call")
    opened = client.conversations_open(users="U0BOB")

    assert posted["channel"] == opened["channel"]["id"] and posted["channel"].startswith("D")
    assert standin.messages(posted["channel"])[0]["text"] == "You are on call"


def test_form_encoded_calls_carry_blocks_as_json(standin):
    # Old clients and curl send form bodies with blocks as a JSON string: recorded decoded.
    client = WebClient(token=standin.token, base_url=standin.api_url, retry_handlers=[])
    client.api_call("chat.postMessage", data={"channel": "C0SOCIAL", "text": "t",
                                              "blocks": '[{"type": "divider"}]'})
    assert standin.calls[-1].params["blocks"] == [{"type": "divider"}]
    assert standin.messages("C0SOCIAL")[0]["blocks"] == [{"type": "divider"}]


def test_usergroup_members(client):
    assert client.usergroups_users_list(usergroup="S0APPROVERS")["users"] == ["U0ALICE"]
    assert slack_error(lambda: client.usergroups_users_list(usergroup="S0NONE")).response["error"] \
        == "no_such_subteam"


def test_an_injected_500_is_seen_once(client, standin):
    standin.fail_next("chat.postMessage", "internal_error", status=500)

    error = slack_error(lambda: client.chat_postMessage(channel="C0SOCIAL", text="first try"))
    assert (error.response.status_code, error.response["error"]) == (500, "internal_error")
    client.chat_postMessage(channel="C0SOCIAL", text="second try")
    assert [m["text"] for m in standin.messages("C0SOCIAL")] == ["second try"]


def test_a_timeout_can_hide_a_post_that_did_happen(standin):
    # The client gives up, yet the message exists: only its metadata tells Veille it was posted.
    client = WebClient(token=standin.token, base_url=standin.api_url, timeout=0.3, retry_handlers=[])
    standin.fail_next("chat.postMessage", "timeout", delay=0.5, apply=True)
    metadata = {"event_type": "veille_outbox", "event_payload": {"idempotency_key": "ob-7"}}

    with pytest.raises(TimeoutError):
        client.chat_postMessage(channel="C0SOCIAL", text="maybe posted", metadata=metadata)

    history = client.conversations_history(channel="C0SOCIAL", include_all_metadata=True)["messages"]
    assert [m["metadata"]["event_payload"]["idempotency_key"] for m in history] == ["ob-7"]


def test_concurrent_posters_get_distinct_increasing_timestamps(clock):
    standin = SlackStandIn(clock=clock, rate_limits=False).start()
    client = WebClient(token=standin.token, base_url=standin.api_url, retry_handlers=[])
    results: list[str] = []

    def poster(channel: str) -> None:
        for _ in range(10):
            results.append(client.chat_postMessage(channel=channel, text="x")["ts"])

    threads = [threading.Thread(target=poster, args=(c,)) for c in ("C0SOCIAL", "C0GENERAL", "U0BOB", "U0ALICE")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    in_channel = [float(m["ts"]) for m in standin.messages("C0SOCIAL")]
    standin.stop()
    assert len(set(results)) == 40
    assert in_channel == sorted(in_channel) and len(in_channel) == 10


def test_conversations_members_pages_with_cursors_and_refuses_bad_ones(client, standin):
    people = [f"U0P{i:03d}" for i in range(7)]
    for u in people:
        standin.add_user(u, u.lower())
    standin.add_channel("C0CLUB", members=people)
    seen, cursor, pages = [], None, 0
    while True:
        page = client.conversations_members(channel="C0CLUB", limit=3, cursor=cursor)
        seen += page["members"]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert seen == people and pages == 3
    assert client.conversations_members(channel="C0CLUB")["members"] == people  # default page of 100
    assert slack_error(lambda: client.conversations_members(channel="C0CLUB", cursor="bm9wZQ==")) \
        .response["error"] == "invalid_cursor"
    assert slack_error(lambda: client.conversations_members(channel="C0CLUB", limit=1001)) \
        .response["error"] == "invalid_limit"
    assert slack_error(lambda: client.conversations_members(channel="C0NOPE")).response["error"] == "channel_not_found"
    standin.add_channel("G0SECRET", is_private=True, members=people)  # the bot was never invited
    assert slack_error(lambda: client.conversations_members(channel="G0SECRET")) \
        .response["error"] == "channel_not_found"
