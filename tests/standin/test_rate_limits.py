"""Slack's rate limits on the stand-in clock: about one post per second per channel after a short
burst, tiers per minute for other methods, 429 with Retry-After when over."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.standin import SlackStandIn


def post(client, channel: str):
    return client.chat_postMessage(channel=channel, text="mention")


def test_a_burst_past_the_channel_rate_gets_429_with_retry_after(client, standin, clock):
    for _ in range(4):  # the default burst
        post(client, "C0SOCIAL")

    with pytest.raises(SlackApiError) as raised:
        post(client, "C0SOCIAL")
    response = raised.value.response
    assert (response.status_code, response["error"]) == (429, "ratelimited")
    assert response.headers["Retry-After"] == "1"

    post(client, "C0GENERAL")  # another channel has its own allowance

    clock.advance(1.0)
    post(client, "C0SOCIAL")  # recovered after Retry-After
    assert len(standin.messages("C0SOCIAL")) == 5
    assert [c.status for c in standin.calls_to("chat.postMessage")] == [200] * 4 + [429, 200, 200]


def test_one_post_per_second_is_sustainable(client, clock):
    for _ in range(10):
        post(client, "C0SOCIAL")
        clock.advance(1.0)


def test_tiered_methods_are_limited_per_minute(client, clock):
    for _ in range(20):  # usergroups.users.list is Tier 2: 20 a minute
        client.usergroups_users_list(usergroup="S0APPROVERS")
    with pytest.raises(SlackApiError) as raised:
        client.usergroups_users_list(usergroup="S0APPROVERS")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "60"

    clock.advance(60)
    client.usergroups_users_list(usergroup="S0APPROVERS")


def test_rate_limits_can_be_switched_off(clock):
    with SlackStandIn(clock=clock, rate_limits=False) as standin:
        client = WebClient(token=standin.token, base_url=standin.api_url, retry_handlers=[])
        for _ in range(8):
            post(client, "C0SOCIAL")
        assert len(standin.messages("C0SOCIAL")) == 8
