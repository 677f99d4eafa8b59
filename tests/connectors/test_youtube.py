"""YouTube connector against a local YouTube Data API v3 and OAuth token endpoint."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import TestClock
from bot.connectors import youtube
from bot.connectors.base import ConnectorError, PublishRejected, PublishRequest, PublishUnknown, RateLimited
from tests.fakes.youtube_server import READONLY, FakeYouTube

PACIFIC = ZoneInfo("America/Los_Angeles")
OURS = "UCourbrand0000000000000"
FAN, CRITIC = ("UCfan", "@fan"), ("UCcritic", "@critic")
ENV = {"YT_CLIENT_ID": "cid", "YT_CLIENT_SECRET": "csecret", "YT_REFRESH": "refresh-1"}
# Tuesday 3 March 2026, 22:00 in Los Angeles (PST): two hours before the quota resets.
START = datetime(2026, 3, 3, 22, 0, tzinfo=PACIFIC).timestamp()
PACIFIC_MIDNIGHT = datetime(2026, 3, 4, 0, 0, tzinfo=PACIFIC).timestamp()


@pytest.fixture
def clock() -> TestClock:
    return TestClock(START)


@pytest.fixture
def yt(clock):
    with FakeYouTube(clock) as fake:
        fake.add_client("cid", "csecret", "refresh-1", channel_id=OURS)
        yield fake


def connect(yt, clock, **options):
    opts = {
        "channel_id": OURS,
        "client_id_env": "YT_CLIENT_ID",
        "client_secret_env": "YT_CLIENT_SECRET",
        "refresh_token_env": "YT_REFRESH",
        "api_url": yt.base_url,
        "token_url": yt.token_url,
        "timeout": 0.3,
        **options,
    }
    return youtube.build("acme-yt", "@ourbrand", opts, ENV, clock)


def thread_lists(yt) -> int:
    return yt.calls("GET", "/youtube/v3/commentThreads")


def reply(text, to, key="k1"):
    return PublishRequest(idempotency_key=key, account="acme-yt", text=text, in_reply_to=to)


def test_comment_threads_are_fetched_once_and_our_replies_are_from_brand(yt, clock):
    top = yt.add_comment(OURS, "vid1", FAN, "Where can I buy this?")
    clock.advance(60)
    ours = yt.add_reply(top, (OURS, "@ourbrand"), "In our shop!")
    clock.advance(60)
    yt.add_reply(top, FAN, "@ourbrand thanks, which size?")
    conn = connect(yt, clock)

    first = conn.fetch(None)
    assert [(m.text, m.from_brand, m.in_reply_to) for m in first.messages] == [
        ("Where can I buy this?", False, None),
        ("In our shop!", True, top),
        ("@ourbrand thanks, which size?", False, top),
    ]
    msg = first.messages[0]
    assert (msg.network, msg.kind, msg.thread_id, msg.author.id, msg.author.handle) == (
        "youtube",
        "comment",
        top,
        "UCfan",
        "@fan",
    )
    assert msg.url == f"https://www.youtube.com/watch?v=vid1&lc={top}"
    assert first.messages[1].id == ours

    assert conn.fetch(first.cursor).messages == []
    clock.advance(60)
    yt.add_comment(OURS, "vid2", CRITIC, "Too expensive")
    assert [m.text for m in conn.fetch(first.cursor).messages] == ["Too expensive"]


def test_paging_reads_every_page_the_first_time_and_stops_at_the_cursor_after(yt, clock):
    for i in range(5):
        yt.add_comment(OURS, "vid1", FAN, f"comment {i}")
        clock.advance(10)
    conn = connect(yt, clock, page_size=2)
    first = conn.fetch(None)
    assert [m.text for m in first.messages] == [f"comment {i}" for i in range(5)]
    assert thread_lists(yt) == 3

    yt.add_comment(OURS, "vid1", FAN, "one more")
    again = conn.fetch(first.cursor)
    assert [m.text for m in again.messages] == ["one more"]
    assert thread_lists(yt) == 4  # the first page already reached the cursor


def test_quota_is_counted_per_pacific_day_and_resets_at_pacific_midnight(yt, clock):
    conn = connect(yt, clock)
    yt.add_comment(OURS, "vid1", FAN, "hi")
    [msg] = conn.fetch(None).messages
    conn.publish_reply(reply("Hello!", msg))
    health = conn.health()
    assert (health.rate_limit_limit, health.rate_limit_remaining) == (10_000, 10_000 - 1 - 50)
    assert health.rate_limit_reset == PACIFIC_MIDNIGHT

    clock.set(PACIFIC_MIDNIGHT - 1)  # 23:59:59 in Los Angeles, already the next day in UTC
    assert conn.health().rate_limit_remaining == 9_949
    clock.set(PACIFIC_MIDNIGHT)
    assert conn.health().rate_limit_remaining == 10_000


def test_polling_stops_when_what_is_left_is_kept_for_replies(yt, clock):
    conn = connect(yt, clock, daily_quota=53, reply_reserve=1)  # 50 units kept for one reply
    yt.add_comment(OURS, "vid1", FAN, "hi")
    [msg] = conn.fetch(None).messages
    conn.fetch(None)
    conn.fetch(None)
    calls = thread_lists(yt)
    with pytest.raises(RateLimited) as exc:
        conn.fetch(None)
    assert thread_lists(yt) == calls  # refused before calling YouTube
    assert exc.value.retry_after == pytest.approx(PACIFIC_MIDNIGHT - clock.now())
    assert "kept for replies" in str(exc.value)

    conn.publish_reply(reply("Hello!", msg))  # the reserve pays for the reply
    assert conn.health().rate_limit_remaining == 0
    with pytest.raises(RateLimited):
        conn.publish_reply(reply("Again", msg, key="k2"))

    clock.set(PACIFIC_MIDNIGHT + 60)
    conn.fetch(None)


def test_quota_exceeded_from_youtube_is_rate_limited_until_the_pacific_reset(clock):
    with FakeYouTube(clock, daily_quota=2) as yt:
        yt.add_client("cid", "csecret", "refresh-1", channel_id=OURS)
        conn = connect(yt, clock)
        conn.fetch(None)
        conn.fetch(None)
        with pytest.raises(RateLimited) as exc:
            conn.fetch(None)
        assert exc.value.retry_after == pytest.approx(PACIFIC_MIDNIGHT - clock.now())
        health = conn.health()
        assert health.rate_limit_remaining == 0 and health.backoff_until == pytest.approx(PACIFIC_MIDNIGHT)
        calls = thread_lists(yt)
        with pytest.raises(RateLimited):
            conn.fetch(None)
        assert thread_lists(yt) == calls
        clock.set(PACIFIC_MIDNIGHT + 1)
        conn.fetch(None)
        assert conn.health().ok


def test_a_reply_is_posted_with_the_top_level_comment_as_parent_id(yt, clock):
    top = yt.add_comment(OURS, "vid1", FAN, "Where can I buy this?")
    clock.advance(5)
    yt.add_reply(top, CRITIC, "@fan nowhere, it is sold out")
    conn = connect(yt, clock)
    critic = conn.fetch(None).messages[-1]
    result = conn.publish_reply(reply("@critic it is back in stock", critic))

    sent = yt.requests[-1]
    assert (sent.method, sent.path, sent.arg("part")) == ("POST", "/youtube/v3/comments", "snippet")
    assert sent.json() == {"snippet": {"parentId": top, "textOriginal": "@critic it is back in stock"}}
    [ours] = yt.replies_by(OURS)
    assert (ours.id, ours.parent_id) == (result.external_id, top)
    assert result.url == f"https://www.youtube.com/watch?v=vid1&lc={ours.id}"


def test_a_timeout_while_replying_is_unknown_and_lookup_finds_the_reply(yt, clock):
    yt.add_comment(OURS, "vid1", FAN, "hi")
    conn = connect(yt, clock)
    [msg] = conn.fetch(None).messages
    req = reply("Hello there!", msg)
    yt.fail("POST", "/youtube/v3/comments", "timeout")
    with pytest.raises(PublishUnknown):
        conn.publish_reply(req)
    assert conn.lookup(req) is None
    yt.fail("POST", "/youtube/v3/comments", "timeout", after=True)
    with pytest.raises(PublishUnknown):
        conn.publish_reply(req)
    [ours] = yt.replies_by(OURS)
    assert conn.lookup(req).external_id == ours.id


def test_posts_are_not_supported(clock):
    conn = youtube.build(
        "acme-yt", "@ourbrand", {"channel_id": OURS, "token_env": "T"}, {"T": "ya29.x"}, clock
    )
    with pytest.raises(PublishRejected, match="uploads"):
        conn.publish_post(PublishRequest("k", "acme-yt", "Hello world"))


def test_access_tokens_are_refreshed_and_a_revoked_grant_is_a_clear_error(yt, clock):
    conn = connect(yt, clock)
    conn.fetch(None)
    clock.advance(3600)  # the first access token has expired
    conn.fetch(None)
    assert yt.calls("POST", "/token") == 2
    yt.revoke("refresh-1")
    with pytest.raises(ConnectorError, match="authorise the app again") as exc:
        conn.fetch(None)
    assert "refresh-1" not in str(exc.value) and "csecret" not in str(exc.value)


def test_a_token_without_the_force_ssl_scope_cannot_reply(clock):
    with FakeYouTube(clock) as yt:
        yt.add_client("cid", "csecret", "refresh-1", channel_id=OURS, scopes=(READONLY,))
        top = yt.add_comment(OURS, "vid1", FAN, "hi")
        conn = connect(yt, clock)
        [msg] = conn.fetch(None).messages
        with pytest.raises(PublishRejected, match="youtube.force-ssl"):
            conn.publish_reply(reply("Hello!", msg))
        assert yt.comments[top].replies == []
