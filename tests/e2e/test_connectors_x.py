"""X, end to end: mentions by polling and by the Account Activity webhook (CRC challenge, signed
deliveries), the approved reply in the thread, and one message delivered twice counted once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from tests.fakes.x_server import XServer
from tests.support.connected import CHANNEL, ConnectedVeille, account, reply_and_approve
from tests.support.harness import APPROVER, all_text

CONSUMER_SECRET = "x-consumer-secret-for-tests"
ENV = {"X_USER_TOKEN": "brand-user-token", "X_API_SECRET": CONSUMER_SECRET}


@pytest.fixture
def x(clock):
    with XServer(clock) as server:
        yield server


@pytest.fixture
def alice(x):
    return x.add_user("alice", "Alice Liddell")


@pytest.fixture
def app(db_url, clock, standin, target, x):
    connector = {"type": "x", "api_base": x.base_url, "token_env": "X_USER_TOKEN", "user_id": x.brand["id"],
                 "consumer_secret_env": "X_API_SECRET", "timeout": 0.5}
    v = ConnectedVeille(db_url, clock, standin, target, [account("acme_x", "x", "@brand", connector)], ENV)
    v.settle()
    yield v
    v.close()


def _signed(body: bytes, secret: str = CONSUMER_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {"x-twitter-webhooks-signature": "sha256=" + base64.b64encode(digest).decode(),
            "content-type": "application/json"}


def _activity(x, tweet: dict, user: dict) -> bytes:
    """An Account Activity delivery (v1.1 tweet shape) for a tweet that exists on the fake X."""
    event = {"id_str": tweet["id"], "text": tweet["_text"], "timestamp_ms": str(int(x.clock.now() * 1000)),
             "user": {"id_str": user["id"], "screen_name": user["username"], "name": user["name"]},
             "in_reply_to_status_id_str": None}
    return json.dumps({"for_user_id": x.brand["id"], "tweet_create_events": [event]}).encode()


def test_a_polled_mention_becomes_an_alert_and_the_approved_reply_goes_in_its_thread(app, x, alice):
    mention = x.tweet(alice, "@brand my order never came")
    app.advance(60)
    [alert] = app.alerts(CHANNEL)
    assert "my order never came" in all_text(alert)

    reply_and_approve(app, alert, "Sorry Alice, we are checking.", APPROVER)
    [reply] = x.brand_tweets()
    assert reply["_text"] == "Sorry Alice, we are checking."
    assert reply["referenced_tweets"] == [{"type": "replied_to", "id": mention["id"]}]
    assert "First response met" in all_text(app.standin.message(CHANNEL, alert["ts"]))


def test_the_crc_challenge_is_answered_with_the_consumer_secret(app):
    r = app.http.get("/webhooks/x/acme_x", params={"crc_token": "9b4507b3-9040-4669-9ca3-6b94edb50553"})
    assert r.status_code == 200
    expected = base64.b64encode(hmac.new(CONSUMER_SECRET.encode(), b"9b4507b3-9040-4669-9ca3-6b94edb50553",
                                         hashlib.sha256).digest()).decode()
    assert r.json() == {"response_token": "sha256=" + expected}
    assert app.http.get("/webhooks/x/acme_x").status_code == 400
    assert app.http.get("/webhooks/x/nobody", params={"crc_token": "t"}).status_code == 404


def test_a_forged_delivery_is_refused_and_a_genuine_one_alerts(app, x, alice):
    body = _activity(x, x.tweet(alice, "@brand is the shop open on Sunday?"), alice)
    forged = app.http.post("/webhooks/x/acme_x", content=body, headers=_signed(body, "guessed-secret"))
    assert forged.status_code == 401
    unsigned = app.http.post("/webhooks/x/acme_x", content=body, headers={"content-type": "application/json"})
    assert unsigned.status_code == 401
    app.settle()
    assert app.alerts(CHANNEL) == []

    r = app.http.post("/webhooks/x/acme_x", content=body, headers=_signed(body))
    assert r.status_code == 200
    app.settle()
    [alert] = app.alerts(CHANNEL)
    assert "shop open on Sunday?" in all_text(alert)


def test_the_same_mention_by_webhook_then_by_poll_changes_nothing(app, x, alice):
    tweet = x.tweet(alice, "@brand hello from both sides")
    body = _activity(x, tweet, alice)
    assert app.http.post("/webhooks/x/acme_x", content=body, headers=_signed(body)).status_code == 200
    app.settle()
    [alert] = app.alerts(CHANNEL)
    thread = app.thread(alert, CHANNEL)

    app.advance(60)  # the poll reads the same tweet
    again = app.http.post("/webhooks/x/acme_x", content=body, headers=_signed(body))  # and X retries
    assert again.json()["duplicates"] == [f"x:{tweet['id']}"]
    app.settle()
    assert app.alerts(CHANNEL) == [app.standin.message(CHANNEL, alert["ts"])]
    assert app.thread(alert, CHANNEL) == thread


def test_bad_bodies_are_refused(app):
    big = b"{" + b" " * (1024 * 1024) + b"}"
    assert app.http.post("/webhooks/x/acme_x", content=big, headers=_signed(big)).status_code == 413
    assert app.http.post("/webhooks/x/acme_x", content=b"not json", headers=_signed(b"not json")).status_code == 400


def test_a_direct_message_arrives_by_webhook_and_the_answer_is_sent_privately(app, x, alice):
    event = {"type": "message_create", "id": "7001", "created_timestamp": str(int(x.clock.now() * 1000)),
             "message_create": {"target": {"recipient_id": x.brand["id"]}, "sender_id": alice["id"],
                                "message_data": {"text": "Can I change my delivery address?"}}}
    users = {alice["id"]: {"id": alice["id"], "screen_name": "alice", "name": "Alice Liddell"}}
    body = json.dumps({"for_user_id": x.brand["id"], "users": users, "direct_message_events": [event]}).encode()
    assert app.http.post("/webhooks/x/acme_x", content=body, headers=_signed(body)).status_code == 200
    app.settle()
    [alert] = app.alerts(CHANNEL)
    assert "Can I change my delivery address?" in all_text(alert) and "· DM ·" in all_text(alert)

    reply_and_approve(app, alert, "Yes: reply with the new address.", APPROVER)
    [sent] = [e for e in x.dm_events if e["sender_id"] == x.brand["id"]]
    assert sent["text"] == "Yes: reply with the new address." and sent["_participants"] == {x.brand["id"], alice["id"]}
    assert x.brand_tweets() == []  # nothing public
