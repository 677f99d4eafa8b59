"""Facebook Page + Instagram connector against a local Graph API."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from bot.clock import TestClock
from bot.connectors import meta
from bot.connectors.base import (
    ConnectorError,
    PublishRejected,
    PublishRequest,
    PublishUnknown,
    RateLimited,
)
from tests.fakes.meta_server import FakeGraph

PAGE, IG, TOKEN, SECRET = "111", "178414", "PAGE-TOKEN-xyz", "app-secret"
CUSTOMER = ("900", "Jo Client")
ENV = {"META_TOKEN": TOKEN, "META_SECRET": SECRET}


@pytest.fixture
def clock() -> TestClock:
    return TestClock(1_790_000_000)


@pytest.fixture
def graph(clock):
    with FakeGraph(clock, app_secret=SECRET) as g:
        g.add_page(PAGE, "Acme", TOKEN)
        g.add_ig_user(IG, "acme", PAGE)
        yield g


def facebook(graph, clock, **options):
    opts = {
        "page_id": PAGE,
        "token_env": "META_TOKEN",
        "app_secret_env": "META_SECRET",
        "graph_url": graph.base_url,
        "timeout": 0.3,
        **options,
    }
    return meta.build("acme-fb", "Acme", opts, ENV, clock)


def instagram(graph, clock, **options):
    return facebook(graph, clock, network="instagram", ig_user_id=IG, **options)


def reply(text, to, key="k1"):
    return PublishRequest(idempotency_key=key, account=to.account, text=text, in_reply_to=to)


# -- webhooks -------------------------------------------------------------------------------------


def test_subscription_handshake_echoes_the_challenge_only_for_our_verify_token():
    params = {"hub.mode": "subscribe", "hub.verify_token": "tok-123", "hub.challenge": "1158201444"}
    assert meta.verify_subscription(params, "tok-123") == "1158201444"
    assert meta.verify_subscription({**params, "hub.verify_token": "guess"}, "tok-123") is None
    assert meta.verify_subscription({**params, "hub.mode": "unsubscribe"}, "tok-123") is None
    assert meta.verify_subscription(params, "") is None


def test_signature_accepts_the_real_body_and_rejects_a_forged_one():
    body = json.dumps({"object": "page", "entry": []}).encode()
    header = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert meta.verify_signature(body, header, SECRET)
    assert not meta.verify_signature(body.replace(b"page", b"user"), header, SECRET)
    assert not meta.verify_signature(body, header, "another-secret")
    assert not meta.verify_signature(body, None, SECRET)
    assert not meta.verify_signature(body, header.replace("sha256=", "sha1="), SECRET)


def _feed_change(value, page=PAGE):
    return {
        "object": "page",
        "entry": [{"id": page, "time": 1_790_000_100, "changes": [{"field": "feed", "value": value}]}],
    }


def test_feed_comment_webhook_becomes_a_comment_and_our_own_reply_is_from_brand():
    accounts = {PAGE: "acme-fb"}
    comment = {
        "from": {"id": "900", "name": "Jo Client"},
        "item": "comment",
        "verb": "add",
        "post_id": f"{PAGE}_5",
        "comment_id": "5_77",
        "parent_id": f"{PAGE}_5",
        "created_time": 1_790_000_050,
        "message": "Where is my order?",
    }
    [msg] = meta.parse_webhook(_feed_change(comment), accounts)
    assert (msg.id, msg.kind, msg.network, msg.account) == ("5_77", "comment", "facebook", "acme-fb")
    assert (msg.author.id, msg.author.name, msg.text) == ("900", "Jo Client", "Where is my order?")
    assert (msg.thread_id, msg.created_at, msg.from_brand) == (f"{PAGE}_5", 1_790_000_050, False)

    ours = {
        **comment,
        "from": {"id": PAGE, "name": "Acme"},
        "comment_id": "5_78",
        "parent_id": "5_77",
        "message": "On its way!",
    }
    [native] = meta.parse_webhook(_feed_change(ours), accounts)
    assert native.from_brand and native.in_reply_to == "5_77"

    visitor_post = {
        "from": {"id": "901", "name": "Al"},
        "item": "status",
        "verb": "add",
        "post_id": f"{PAGE}_9",
        "message": "Hello @Acme",
        "created_time": 1_790_000_060,
    }
    [mention] = meta.parse_webhook(_feed_change(visitor_post), accounts)
    assert (mention.kind, mention.id, mention.text) == ("mention", f"{PAGE}_9", "Hello @Acme")

    edited = {**comment, "verb": "edited"}
    assert meta.parse_webhook(_feed_change(edited), accounts) == []
    assert meta.parse_webhook(_feed_change(comment, page="222"), accounts) == []  # not our Page


def test_messenger_webhook_becomes_a_dm_and_an_echo_is_from_brand():
    payload = {
        "object": "page",
        "entry": [
            {
                "id": PAGE,
                "time": 1_790_000_200_000,
                "messaging": [
                    {
                        "sender": {"id": "PSID-1"},
                        "recipient": {"id": PAGE},
                        "timestamp": 1_790_000_199_000,
                        "message": {"mid": "m_abc", "text": "Hi, my parcel is late"},
                    },
                    {
                        "sender": {"id": PAGE},
                        "recipient": {"id": "PSID-1"},
                        "timestamp": 1_790_000_260_000,
                        "message": {"mid": "m_def", "text": "Sorry! Checking.", "is_echo": True},
                    },
                    {
                        "sender": {"id": "PSID-1"},
                        "recipient": {"id": PAGE},
                        "timestamp": 1_790_000_261_000,
                        "read": {"watermark": 1_790_000_260_000},
                    },
                ],
            }
        ],
    }
    dm, echo = meta.parse_webhook(payload, {PAGE: "acme-fb"})
    assert (dm.id, dm.kind, dm.author.id, dm.text) == ("m_abc", "dm", "PSID-1", "Hi, my parcel is late")
    assert (dm.created_at, dm.thread_id, dm.from_brand) == (1_790_000_199, "dm:PSID-1", False)
    assert echo.from_brand and echo.thread_id == "dm:PSID-1"


def test_instagram_comment_webhooks_become_comments():
    def change(value):
        return {
            "object": "instagram",
            "entry": [{"id": IG, "time": 1_790_000_300, "changes": [{"field": "comments", "value": value}]}],
        }

    accounts = {IG: "acme-ig"}
    top = {
        "from": {"id": "IGSID-7", "username": "jo"},
        "media": {"id": "M1", "media_product_type": "FEED"},
        "id": "C1",
        "text": "Love it, price?",
    }
    [msg] = meta.parse_webhook(change(top), accounts)
    assert (msg.network, msg.kind, msg.id, msg.author.handle, msg.text) == (
        "instagram",
        "comment",
        "C1",
        "jo",
        "Love it, price?",
    )
    assert (msg.thread_id, msg.from_brand) == ("M1", False)

    ours = {**top, "from": {"id": IG, "username": "acme"}, "id": "C2", "parent_id": "C1", "text": "29 EUR"}
    [native] = meta.parse_webhook(change(ours), accounts)
    assert native.from_brand and native.in_reply_to == "C1"


# -- polling fallback -------------------------------------------------------------------------------


def test_fetch_reads_new_comments_and_messages_once(graph, clock):
    post = graph.add_post(PAGE, "Launch day!")
    c1 = graph.add_comment(post, "Where is my order?", CUSTOMER)
    graph.add_message(PAGE, ("PSID-1", "Mia"), "Hello?")
    conn = facebook(graph, clock)

    first = conn.fetch(None)
    assert [(m.kind, m.text) for m in first.messages] == [("comment", "Where is my order?"), ("dm", "Hello?")]
    assert first.messages[0].id == c1 and first.messages[1].thread_id == "dm:PSID-1"

    assert conn.fetch(first.cursor).messages == []  # nothing new, nothing twice
    clock.advance(60)
    graph.add_comment(c1, "Any news?", CUSTOMER)
    again = conn.fetch(first.cursor)
    assert [(m.text, m.in_reply_to) for m in again.messages] == [("Any news?", c1)]


def test_fetch_instagram_media_comments_marks_our_replies(graph, clock):
    media = graph.add_ig_media(IG, "New drop")
    c = graph.add_ig_comment(media, "Price?", ("IGSID-7", "jo"))
    clock.advance(5)
    graph.add_ig_comment(c, "29 EUR", (IG, "acme"))
    result = instagram(graph, clock, poll=["media"]).fetch(None)
    assert [(m.text, m.from_brand, m.in_reply_to) for m in result.messages] == [
        ("Price?", False, media),
        ("29 EUR", True, c),
    ]


# -- publishing -------------------------------------------------------------------------------------


def test_reply_to_a_comment_goes_on_the_comment_and_a_reply_to_a_reply_on_its_top_comment(graph, clock):
    post = graph.add_post(PAGE, "Launch day!")
    top = graph.add_comment(post, "Where is my order?", CUSTOMER)
    conn = facebook(graph, clock)
    [msg] = conn.fetch(None).messages

    result = conn.publish_reply(reply("It ships today.", msg))
    [ours] = graph.comments_by(PAGE)
    assert (ours.id, ours.parent, ours.text) == (result.external_id, top, "It ships today.")
    assert (graph.requests[-1].method, graph.requests[-1].path) == ("POST", f"/v21.0/{top}/comments")

    clock.advance(10)
    graph.add_comment(top, "Thanks, which carrier?", CUSTOMER)
    follow_up = [m for m in conn.fetch(None).messages if m.text == "Thanks, which carrier?"][0]
    conn.publish_reply(reply("DHL.", follow_up, key="k2"))
    assert graph.comments_by(PAGE)[-1].parent == top  # Facebook threads are two levels deep


def test_reply_to_an_instagram_comment_uses_the_replies_edge(graph, clock):
    media = graph.add_ig_media(IG, "New drop")
    c = graph.add_ig_comment(media, "Price?", ("IGSID-7", "jo"))
    conn = instagram(graph, clock, poll=["media"])
    [msg] = conn.fetch(None).messages
    result = conn.publish_reply(reply("29 EUR", msg))
    [ours] = graph.comments_by(IG)
    assert (ours.id, ours.parent) == (result.external_id, c)
    assert (graph.requests[-1].method, graph.requests[-1].path) == ("POST", f"/v21.0/{c}/replies")


def test_reply_to_a_dm_uses_the_send_api_with_messaging_type_response(graph, clock):
    graph.add_message(PAGE, ("PSID-1", "Mia"), "Hello?")
    conn = facebook(graph, clock)
    [dm] = conn.fetch(None).messages
    result = conn.publish_reply(reply("Hi Mia, how can we help?", dm))
    sent_request = graph.requests[-1]
    assert (sent_request.method, sent_request.path) == ("POST", f"/v21.0/{PAGE}/messages")
    assert sent_request.json() == {
        "recipient": {"id": "PSID-1"},
        "messaging_type": "RESPONSE",
        "message": {"text": "Hi Mia, how can we help?"},
    }
    [sent] = graph.messages_sent_by(PAGE)
    assert (sent["id"], sent["text"]) == (result.external_id, "Hi Mia, how can we help?")


def test_a_dm_reply_after_the_24_hour_window_is_rejected_with_the_reason(graph, clock):
    graph.add_message(PAGE, ("PSID-1", "Mia"), "Hello?")
    conn = facebook(graph, clock)
    [dm] = conn.fetch(None).messages
    clock.advance(25 * 3600)
    with pytest.raises(PublishRejected, match="outside of allowed window"):
        conn.publish_reply(reply("Sorry for the delay", dm))
    assert graph.messages_sent_by(PAGE) == []


def test_publish_post_goes_to_the_page_feed_and_lookup_finds_it(graph, clock):
    conn = facebook(graph, clock)
    req = PublishRequest(idempotency_key="p1", account="acme-fb", text="Summer sale starts now")
    result = conn.publish_post(req)
    assert graph.items[result.external_id].text == "Summer sale starts now"
    assert conn.lookup(req).external_id == result.external_id
    with pytest.raises(PublishRejected, match="image or a video"):
        instagram(graph, clock).publish_post(req)


# -- failures -----------------------------------------------------------------------------------------


def test_page_rate_limit_code_32_is_rate_limited_with_headroom_in_health(clock):
    with FakeGraph(clock, app_call_limit=10, page_call_limit=3) as graph:
        graph.add_page(PAGE, "Acme", TOKEN)
        conn = meta.build(
            "acme-fb",
            "Acme",
            {"page_id": PAGE, "token_env": "T", "graph_url": graph.base_url, "poll": ["feed"]},
            {"T": TOKEN},
            clock,
        )
        conn.fetch(None)
        conn.fetch(None)
        health = conn.health()
        assert (health.rate_limit_limit, health.rate_limit_remaining) == (100, 34)  # page at 66%
        conn.fetch(None)
        with pytest.raises(RateLimited) as exc:
            conn.fetch(None)  # the 4th call in the hour
        assert "#32" in str(exc.value) and 0 < exc.value.retry_after <= 3600
        health = conn.health()
        assert not health.ok and health.rate_limit_remaining == 0 and health.backoff_until
        calls = len(graph.requests)
        with pytest.raises(RateLimited):
            conn.fetch(None)  # while backing off, the connector does not call Meta
        assert len(graph.requests) == calls
        clock.advance(exc.value.retry_after + 1)
        conn.fetch(None)
        assert conn.health().ok


def test_app_usage_header_gives_health_headroom(graph, clock):
    graph.app_call_limit = 20
    conn = facebook(graph, clock, poll=["feed"])
    for _ in range(5):
        conn.fetch(None)
    assert conn.health().rate_limit_remaining == 75  # X-App-Usage call_count 25%
    graph.throttle()
    with pytest.raises(RateLimited):
        conn.fetch(None)


def test_an_expired_token_gives_a_clear_error_without_the_token(graph, clock):
    post = graph.add_post(PAGE, "Launch day!")
    graph.add_comment(post, "Where is my order?", CUSTOMER)
    conn = facebook(graph, clock)
    [msg] = conn.fetch(None).messages
    graph.revoke_token(TOKEN)
    with pytest.raises(PublishRejected) as exc:
        conn.publish_reply(reply("It ships today.", msg))
    assert "access token" in str(exc.value) and "$META_TOKEN" in str(exc.value)
    assert TOKEN not in str(exc.value)
    with pytest.raises(ConnectorError, match="code 190"):
        conn.fetch(None)
    assert TOKEN not in (conn.health().last_error or "")


def test_a_timeout_while_replying_is_unknown_and_lookup_finds_the_reply(graph, clock):
    post = graph.add_post(PAGE, "Launch day!")
    graph.add_comment(post, "Where is my order?", CUSTOMER)
    conn = facebook(graph, clock)
    [msg] = conn.fetch(None).messages
    req = reply("It ships today.", msg)

    graph.fail("POST", "/", "timeout")  # nothing done, no answer
    with pytest.raises(PublishUnknown):
        conn.publish_reply(req)
    assert conn.lookup(req) is None

    graph.fail("POST", "/", "timeout", after=True)  # done, but the answer is lost
    with pytest.raises(PublishUnknown):
        conn.publish_reply(req)
    [ours] = graph.comments_by(PAGE)
    assert conn.lookup(req).external_id == ours.id


def test_a_5xx_while_sending_a_dm_is_unknown_and_lookup_reads_the_conversation(graph, clock):
    graph.add_message(PAGE, ("PSID-1", "Mia"), "Hello?")
    conn = facebook(graph, clock)
    [dm] = conn.fetch(None).messages
    req = reply("Hi Mia!", dm)
    graph.fail("POST", "/", status=500)
    with pytest.raises(PublishUnknown):
        conn.publish_reply(req)
    assert conn.lookup(req) is None
    sent = conn.publish_reply(req)
    assert conn.lookup(req).external_id == sent.external_id


def test_missing_token_is_refused_at_build_with_the_variable_name(graph, clock):
    with pytest.raises(ConnectorError, match="token_env"):
        meta.build(
            "acme-fb", "Acme", {"page_id": PAGE, "token_env": "NOPE", "graph_url": graph.base_url}, {}, clock
        )
