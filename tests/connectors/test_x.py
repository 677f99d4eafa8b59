"""The X connector against a local server that behaves like X API v2, and the webhook helpers."""

from __future__ import annotations

import json

import pytest

from bot.clock import TestClock
from bot.connectors import x
from bot.connectors.base import (
    ConnectorError,
    PublishRejected,
    PublishRequest,
    PublishUnknown,
    RateLimited,
)
from bot.connectors.x.oauth1 import signature
from tests.fakes.x_server import XServer

ENV = {"X_USER_TOKEN": "brand-user-token"}


@pytest.fixture
def clock():
    return TestClock()


@pytest.fixture
def server(clock):
    with XServer(clock) as srv:
        yield srv


@pytest.fixture
def alice(server):
    return server.add_user("alice", "Alice Liddell")


def connect(server, clock, env=ENV, **options):
    opts = {"api_base": server.base_url, "token_env": "X_USER_TOKEN", "timeout": 0.5, **options}
    return x.build("brand-x", "brand", opts, env, clock)


def test_each_mention_is_fetched_once_across_fetches(server, clock, alice):
    conn = connect(server, clock)
    server.tweet(alice, "@brand my order never came")
    first = conn.fetch(None)
    (message,) = first.messages
    assert (message.text, message.kind, message.author.handle, message.author.name) == (
        "@brand my order never came", "mention", "alice", "Alice Liddell")
    assert message.url == f"https://x.com/alice/status/{message.id}"
    assert conn.fetch(first.cursor).messages == []

    clock.advance(60)
    server.tweet(alice, "@brand hello?? & <still> waiting")
    (later,) = conn.fetch(first.cursor).messages
    assert later.text == "@brand hello?? & <still> waiting"


def test_a_backlog_spanning_pages_is_read_whole_oldest_first(server, clock, alice):
    conn = connect(server, clock, max_results=5)
    server.tweet(alice, "@brand first")
    cursor = conn.fetch(None).cursor
    for n in range(12):
        clock.advance(1)
        server.tweet(alice, f"@brand number {n}")
    result = conn.fetch(cursor)
    assert [m.text for m in result.messages] == [f"@brand number {n}" for n in range(12)]
    assert server.calls("GET", "/2/users/10000/mentions") == 1 + 3  # first fetch, then three pages
    assert conn.fetch(result.cursor).messages == []


def test_a_first_burst_on_an_account_never_mentioned_arrives_whole_oldest_first_once(server, clock, alice):
    conn = connect(server, clock)  # 100 tweets a page, the most X gives
    quiet = conn.fetch(None)  # never mentioned yet: still a cursor, "from here on"
    assert quiet.messages == [] and quiet.cursor
    burst = [f"@brand question {n}" for n in range(250)]  # 2.5 pages
    for text in burst:
        clock.advance(1)
        server.tweet(alice, text)

    got = conn.fetch(quiet.cursor)

    assert [m.text for m in got.messages] == burst
    assert conn.fetch(got.cursor).messages == []


def test_the_first_fetch_ever_takes_the_newest_backfill_across_pages_and_no_older_history(server, clock, alice):
    conn = connect(server, clock, backfill=220)
    posted = [f"@brand old question {n}" for n in range(250)]  # 2.5 pages, before Veille was set up
    for text in posted:
        clock.advance(1)
        server.tweet(alice, text)

    first = conn.fetch(None)

    assert [m.text for m in first.messages] == posted[-220:]
    assert conn.fetch(first.cursor).messages == []


def test_replies_to_our_tweets_are_comments_in_their_conversation(server, clock, alice):
    conn = connect(server, clock)
    ours = server.tweet(server.brand, "Our spring sale starts today")
    reply = server.tweet(alice, "love it", reply_to=ours)
    (message,) = conn.fetch(None).messages
    assert message.kind == "comment"
    assert message.in_reply_to == ours["id"]
    assert message.thread_id == ours["id"] == reply["conversation_id"]


def test_a_reply_written_natively_by_the_brand_comes_back_as_ours(server, clock, alice):
    conn = connect(server, clock)
    question = server.tweet(alice, "@brand is the store open?")
    cursor = conn.fetch(None).cursor
    clock.advance(30)
    server.tweet(server.brand, "@alice yes until 8pm!", reply_to=question)
    server.tweet(server.brand, "New post, not a reply")
    (message,) = conn.fetch(cursor).messages
    assert message.from_brand and message.in_reply_to == question["id"] and message.thread_id == question["id"]


def test_a_reply_is_published_in_the_thread(server, clock, alice):
    conn = connect(server, clock)
    server.tweet(alice, "@brand refund please")
    (mention,) = conn.fetch(None).messages
    result = conn.publish_reply(PublishRequest("k1", "brand-x", "Done & dusted!", in_reply_to=mention))
    (tweet,) = server.brand_tweets()
    assert tweet["id"] == result.external_id
    assert tweet["referenced_tweets"] == [{"type": "replied_to", "id": mention.id}]
    assert tweet["_text"] == "Done & dusted!"
    assert result.url == f"https://x.com/brand/status/{tweet['id']}"


def test_the_same_key_twice_makes_one_tweet(server, clock, alice):
    conn = connect(server, clock)
    server.tweet(alice, "@brand refund please")
    (mention,) = conn.fetch(None).messages
    req = PublishRequest("k1", "brand-x", "On its way: https://example.com/track/123", in_reply_to=mention)
    first = conn.publish_reply(req)
    again = conn.publish_reply(req)  # X answers 403 duplicate: reconciled to the first tweet
    assert again.external_id == first.external_id
    assert len(server.brand_tweets()) == 1


def test_duplicate_content_of_a_tweet_elsewhere_is_rejected(server, clock, alice):
    conn = connect(server, clock)
    server.tweet(server.brand, "Thanks for reaching out!")
    server.tweet(alice, "@brand hi")
    (mention,) = conn.fetch(None).messages
    with pytest.raises(PublishRejected, match="duplicate content"):
        conn.publish_reply(PublishRequest("k2", "brand-x", "Thanks for reaching out!", in_reply_to=mention))


def test_a_new_post_carries_the_reply_settings(server, clock):
    conn = connect(server, clock, reply_settings="mentionedUsers")
    result = conn.publish_post(PublishRequest("p1", "brand-x", "We are live"))
    (tweet,) = server.brand_tweets()
    assert (tweet["id"], tweet["reply_settings"], "referenced_tweets" in tweet) == (result.external_id, "mentionedUsers", False)


def test_over_length_is_refused_before_any_call_with_twitter_weights(server, clock):
    conn = connect(server, clock)
    for text in ("a" * 281, "你" * 141, "🎉" * 141):
        with pytest.raises(PublishRejected, match="of 280"):
            conn.publish_post(PublishRequest(text[:3], "brand-x", text))
    assert server.calls("POST") == 0
    # A link weighs 23 however long: 250 + 1 + 23 = 274 fits.
    conn.publish_post(PublishRequest("ok", "brand-x", "b" * 250 + " https://example.com/" + "c" * 200))
    conn.publish_post(PublishRequest("cjk", "brand-x", "你" * 140))
    assert server.calls("POST") == 2


def test_rate_limit_gives_the_servers_reset_and_health_shows_headroom(clock):
    with XServer(clock, limits={"mentions": 2}) as server:
        conn = connect(server, clock, user_id=server.brand["id"], own_replies=False)
        start = int(clock.now())
        cursor = conn.fetch(None).cursor
        health = conn.health()
        assert (health.rate_limit_limit, health.rate_limit_remaining, health.rate_limit_reset) == (2, 1, start + 900)
        conn.fetch(cursor)
        clock.advance(60)
        with pytest.raises(RateLimited) as limited:
            conn.fetch(cursor)
        assert limited.value.retry_after == pytest.approx(840)
        assert conn.health().backoff_until == pytest.approx(start + 900)

        clock.advance(840)
        conn.fetch(cursor)
        health = conn.health()
        assert health.ok and health.rate_limit_remaining == 1 and health.backoff_until is None


def test_a_timeout_after_the_tweet_was_made_is_unknown_and_lookup_finds_it(server, clock, alice):
    conn = connect(server, clock, timeout=0.2)
    server.tweet(alice, "@brand where is my parcel")
    (mention,) = conn.fetch(None).messages
    req = PublishRequest("kt", "brand-x", "Tracking: https://example.com/t/9 <- here", in_reply_to=mention)
    server.fail("POST", "/2/tweets", "timeout", after=True)
    with pytest.raises(PublishUnknown):
        conn.publish_reply(req)
    server.release()
    (tweet,) = server.brand_tweets()
    assert conn.lookup(req).external_id == tweet["id"]


def test_a_dropped_publish_that_never_happened_is_not_found(server, clock, alice):
    conn = connect(server, clock)
    server.tweet(alice, "@brand where is my parcel")
    (mention,) = conn.fetch(None).messages
    req = PublishRequest("kd", "brand-x", "On its way.", in_reply_to=mention)
    server.fail("POST", "/2/tweets", "drop")
    with pytest.raises(PublishUnknown):
        conn.publish_reply(req)
    assert conn.lookup(req) is None
    assert conn.publish_reply(req).external_id == server.brand_tweets()[0]["id"]


def test_a_bad_token_is_reported_clearly_and_never_shown(server, clock):
    conn = connect(server, clock, env={"X_USER_TOKEN": "expired-secret"})
    with pytest.raises(ConnectorError, match="credentials rejected") as err:
        conn.fetch(None)
    assert "expired-secret" not in str(err.value)
    with pytest.raises(PublishRejected, match="401"):
        conn.publish_post(PublishRequest("k", "brand-x", "hello"))
    with pytest.raises(ConnectorError, match="X_USER_TOKEN"):
        connect(server, clock, env={})


def test_a_direct_message_is_answered_privately_and_can_be_looked_up(server, clock, alice):
    conn = connect(server, clock)
    payload = {"for_user_id": server.brand["id"], "users": {alice["id"]: {"id": alice["id"], "screen_name": "alice", "name": "Alice"}},
               "direct_message_events": [{"type": "message_create", "id": "555", "created_timestamp": "1790000000000",
                                          "message_create": {"target": {"recipient_id": server.brand["id"]}, "sender_id": alice["id"],
                                                             "message_data": {"text": "my email is a@b.example"}}}]}
    (dm,) = x.parse_account_activity(payload, "brand-x", server.brand["id"])
    req = PublishRequest("kdm", "brand-x", "Thanks, we will write to you.", in_reply_to=dm)
    result = conn.publish_reply(req)
    (event,) = server.dm_events
    assert (event["id"], event["sender_id"], event["_participants"]) == (result.external_id, server.brand["id"], {alice["id"], server.brand["id"]})
    assert server.brand_tweets() == []
    assert conn.lookup(req).external_id == result.external_id


def test_oauth1_signed_requests_are_accepted(clock):
    keys = {"consumer_key": "ck", "consumer_secret": "cs", "token": "at", "token_secret": "ats"}
    with XServer(clock, oauth1=keys) as server:
        alice = server.add_user("alice")
        server.tweet(alice, "@brand signed hello")
        env = {"K": "ck", "S": "cs", "T": "at", "TS": "ats"}
        conn = connect(server, clock, env=env, auth="oauth1", consumer_key_env="K", consumer_secret_env="S",
                       access_token_env="T", access_token_secret_env="TS")
        assert [m.text for m in conn.fetch(None).messages] == ["@brand signed hello"]
        env["TS"] = "wrong"
        forged = connect(server, clock, env=env, auth="oauth1", consumer_key_env="K", consumer_secret_env="S",
                         access_token_env="T", access_token_secret_env="TS")
        with pytest.raises(ConnectorError, match="401"):
            forged.fetch(None)


def test_oauth1_signature_matches_the_documented_example():
    params = [("status", "Hello Ladies + Gentlemen, a signed OAuth request!"), ("include_entities", "true"),
              ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"), ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
              ("oauth_signature_method", "HMAC-SHA1"), ("oauth_timestamp", "1318622958"),
              ("oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"), ("oauth_version", "1.0")]
    secrets = ("kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw", "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE")
    assert signature("POST", "https://api.x.com/1.1/statuses/update.json", params, *secrets) == "Ls93hJiZbQ3akF3HF3x1Bz8/zU4="
    assert signature("POST", "https://api.twitter.com/1.1/statuses/update.json", params, *secrets) == "hCtSmYh+iHYCEqBWrE7C7hYmtUk="


# -- Account Activity webhook helpers -------------------------------------------------------------

SECRET = "z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu"  # the example secret of X's docs


def test_crc_response_matches_the_documented_example():
    assert x.crc_response("9b4507b3-9040-4669-9ca3-6b94edb50553", SECRET) == {
        "response_token": "sha256=Cytd4Sq+NvEcV3MMrXxWJGJx5A+y/lXzzU2Maartkx8="}


def test_signature_verification_accepts_the_genuine_body_and_rejects_a_forged_one():
    body = json.dumps({"for_user_id": "1", "tweet_create_events": []}).encode()
    header = x.crc_response(body.decode(), SECRET)["response_token"]  # same HMAC, over the body
    assert x.verify_signature(body, header, SECRET)
    assert not x.verify_signature(body.replace(b'"1"', b'"2"'), header, SECRET)
    assert not x.verify_signature(body, header, "another-secret")
    assert not x.verify_signature(body, None, SECRET)
    assert not x.verify_signature(body, "sha256=", SECRET)


def test_account_activity_turns_tweets_and_dms_into_messages():
    brand = "100"
    payload = {
        "for_user_id": brand,
        "tweet_create_events": [
            {"id_str": "1", "text": "@brand fish &amp; chips?", "created_at": "Wed Oct 10 20:19:24 +0000 2018",
             "user": {"id_str": "7", "screen_name": "alice", "name": "Alice"}, "in_reply_to_status_id_str": None},
            {"id_str": "2", "text": "short", "truncated": True, "extended_tweet": {"full_text": "a long reply to you"},
             "timestamp_ms": "1790000000123", "user": {"id_str": "7", "screen_name": "alice", "name": "Alice"},
             "in_reply_to_status_id_str": "50", "in_reply_to_user_id_str": brand},
            {"id_str": "3", "text": "@alice sure!", "timestamp_ms": "1790000001000",
             "user": {"id_str": brand, "screen_name": "brand", "name": "Brand"},
             "in_reply_to_status_id_str": "1", "in_reply_to_user_id_str": "7"},
            {"id_str": "4", "text": "RT @brand: news", "retweeted_status": {"id_str": "9"},
             "user": {"id_str": "8", "screen_name": "bob", "name": "Bob"}},
        ],
        "users": {"7": {"id": "7", "screen_name": "alice", "name": "Alice"}, brand: {"id": brand, "screen_name": "brand", "name": "Brand"}},
        "direct_message_events": [
            {"type": "message_create", "id": "900", "created_timestamp": "1790000002000",
             "message_create": {"target": {"recipient_id": brand}, "sender_id": "7", "message_data": {"text": "psst"}}},
            {"type": "message_create", "id": "901", "created_timestamp": "1790000003000",
             "message_create": {"target": {"recipient_id": "7"}, "sender_id": brand, "message_data": {"text": "hi!"}}},
        ],
    }
    got = {m.id: m for m in x.parse_account_activity(payload, "brand-x", brand)}
    assert sorted(got) == ["1", "2", "3", "900", "901"]
    assert (got["1"].kind, got["1"].text, got["1"].created_at, got["1"].thread_id) == ("mention", "@brand fish & chips?", 1539202764, "1")
    assert (got["2"].kind, got["2"].text, got["2"].in_reply_to) == ("comment", "a long reply to you", "50")
    assert got["3"].from_brand and got["3"].in_reply_to == "1"
    assert (got["900"].kind, got["900"].author.handle, got["900"].from_brand, got["900"].thread_id) == ("dm", "alice", False, "dm:7")
    assert got["901"].from_brand and got["901"].thread_id == "dm:7"
    assert x.parse_account_activity({**payload, "for_user_id": "999"}, "brand-x", brand) == []


def test_weighted_length_follows_twitter_text():
    assert x.weighted_length("a" * 280) == 280
    assert x.weighted_length("日本語") == 6
    assert x.weighted_length("👨‍👩‍👧 🇫🇷") == 5  # a family and a flag are one emoji each
    assert x.weighted_length("see https://example.com/a/very/long/path?with=query") == 27
