"""The Bluesky connector's answers to a PDS that is busy, refuses or breaks (fast, no real network:
the happy paths run against a real AT Protocol network in tests/atproto)."""

from __future__ import annotations

import logging

import pytest

from bot.clock import TestClock
from bot.connectors import bluesky
from bot.connectors.base import (
    ConnectorError,
    PublishRejected,
    PublishRequest,
    PublishUnknown,
    RateLimited,
)
from bot.connectors.bluesky.records import is_tid, make_tid, rkey_for
from tests.fakes import FakeServer, Reply, Request

PASSWORD = "app-pass-abcd-efgh"
DID = "did:plc:brand"


class BusyPds(FakeServer):
    """Just enough of a PDS to log in, list nothing, and answer what a test scripts per method.
    Every answer carries Bluesky's rate-limit headers."""

    def __init__(self, clock):
        super().__init__(clock)
        self.scripted: dict[str, list[Reply]] = {}
        self.remaining = 2999
        self.sessions = 0

    def script(self, nsid: str, *replies: Reply) -> None:
        self.scripted.setdefault(nsid, []).extend(replies)

    def handle(self, request: Request) -> Reply:
        nsid = request.path.removeprefix("/xrpc/")
        if self.scripted.get(nsid):
            reply = self.scripted[nsid].pop(0)
        else:
            reply = self._default(nsid, request)
        headers = {"ratelimit-limit": "3000", "ratelimit-remaining": str(self.remaining),
                   "ratelimit-reset": str(int(self.clock.now()) + 300), "ratelimit-policy": "3000;w=300",
                   **reply.headers}
        return Reply(reply.status, reply.body, headers)

    def _default(self, nsid: str, request: Request) -> Reply:
        if nsid == "com.atproto.server.createSession":
            if request.json()["password"] != PASSWORD:
                return Reply(401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"})
            self.sessions += 1
            return Reply(200, {"did": DID, "handle": "acme.test", "accessJwt": f"access-{self.sessions}",
                               "refreshJwt": f"refresh-{self.sessions}"})
        if nsid == "com.atproto.server.refreshSession":
            if request.headers.get("authorization") != f"Bearer refresh-{self.sessions}":
                return Reply(400, {"error": "ExpiredToken", "message": "Token has been revoked"})
            self.sessions += 1
            return Reply(200, {"did": DID, "handle": "acme.test", "accessJwt": f"access-{self.sessions}",
                               "refreshJwt": f"refresh-{self.sessions}"})
        if nsid == "app.bsky.notification.listNotifications":
            return Reply(200, {"notifications": []})
        if nsid == "app.bsky.feed.getAuthorFeed":
            return Reply(200, {"feed": []})
        if nsid == "com.atproto.repo.getRecord":
            return Reply(400, {"error": "RecordNotFound", "message": "Could not locate record"})
        if nsid == "com.atproto.repo.createRecord":
            body = request.json()
            uri = f"at://{DID}/app.bsky.feed.post/{body['rkey']}"
            return Reply(200, {"uri": uri, "cid": "bafyreia", "validationStatus": "valid"})
        return Reply(501, {"error": "MethodNotImplemented"})


@pytest.fixture
def clock():
    return TestClock()


@pytest.fixture
def pds(clock):
    with BusyPds(clock) as server:
        yield server


def connect(pds, clock, env=None, **options):
    opts = {"service": pds.base_url, "timeout": 0.3, **options}
    return bluesky.build("acme-bsky", "acme.test", opts, env or {"VEILLE_BLUESKY_PASSWORD": PASSWORD}, clock)


def too_many(reset_in: float | None, clock) -> Reply:
    headers = {"ratelimit-remaining": "0"}
    if reset_in is not None:
        headers["ratelimit-reset"] = str(int(clock.now() + reset_in))
    return Reply(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, headers)


def test_a_rate_limited_fetch_waits_until_the_reset_the_pds_gave(pds, clock):
    conn = connect(pds, clock)
    pds.script("app.bsky.notification.listNotifications", too_many(240, clock))

    with pytest.raises(RateLimited) as caught:
        conn.fetch(None)

    assert caught.value.retry_after == 240
    health = conn.health()
    assert not health.ok and health.backoff_until == clock.now() + 240
    assert (health.rate_limit_limit, health.rate_limit_remaining) == (3000, 0)
    assert health.rate_limit_reset == int(clock.now() + 240)


def test_healthy_fetches_report_the_rate_limit_headroom(pds, clock):
    conn = connect(pds, clock)
    pds.remaining = 1234
    conn.fetch(None)
    health = conn.health()
    assert health.ok and health.last_success == clock.now() and health.backoff_until is None
    assert (health.rate_limit_limit, health.rate_limit_remaining) == (3000, 1234)
    assert health.rate_limit_reset == int(clock.now()) + 300


def test_a_rate_limit_without_reset_still_backs_off(pds, clock):
    conn = connect(pds, clock)
    pds.script("com.atproto.repo.createRecord", too_many(None, clock))
    with pytest.raises(RateLimited) as caught:
        conn.publish_post(PublishRequest("k1", "acme-bsky", "Bonjour"))
    assert caught.value.retry_after > 0
    assert conn.health().backoff_until == clock.now() + caught.value.retry_after


def test_a_refused_post_is_rejected_and_nothing_is_published(pds, clock):
    conn = connect(pds, clock)
    pds.script("com.atproto.repo.createRecord",
               Reply(400, {"error": "InvalidRequest", "message": "Invalid app.bsky.feed.post record"}))
    with pytest.raises(PublishRejected, match="InvalidRequest"):
        conn.publish_post(PublishRequest("k1", "acme-bsky", "Bonjour"))
    assert conn.health().ok  # a refusal says nothing about the service's health


@pytest.mark.parametrize("failure", ["timeout", "drop", "status"])
def test_a_publish_that_may_have_happened_is_unknown(pds, clock, failure):
    conn = connect(pds, clock)
    conn.fetch(None)
    pds.fail("POST", "/xrpc/com.atproto.repo.createRecord", failure, status=502, after=True)

    with pytest.raises(PublishUnknown):
        conn.publish_post(PublishRequest("k1", "acme-bsky", "Bonjour"))

    health = conn.health()
    assert not health.ok and health.last_error and health.backoff_until > clock.now()
    pds.release()


def test_text_over_300_characters_is_refused_before_calling_bluesky(pds, clock):
    conn = connect(pds, clock)
    with pytest.raises(PublishRejected, match="301"):
        conn.publish_post(PublishRequest("k1", "acme-bsky", "😀" * 301))
    with pytest.raises(PublishRejected):
        conn.publish_post(PublishRequest("k2", "acme-bsky", "   "))
    assert pds.requests == []


def test_the_post_goes_to_the_record_key_of_its_idempotency_key(pds, clock):
    conn = connect(pds, clock, langs=["fr"])
    result = conn.publish_post(PublishRequest("approval-9-v2", "acme-bsky", "Bonjour"))

    body = next(r.json() for r in pds.requests if r.path.endswith("createRecord"))
    assert body["rkey"] == rkey_for("approval-9-v2") and is_tid(body["rkey"])
    assert body["record"]["langs"] == ["fr"] and body["record"]["createdAt"].endswith("Z")
    assert result.external_id.endswith("/" + body["rkey"])
    assert result.url == f"https://bsky.app/profile/acme.test/post/{body['rkey']}"


def test_record_keys_are_stable_distinct_and_valid_tids():
    assert rkey_for("approval-9-v2") == rkey_for("approval-9-v2")
    assert rkey_for("approval-9-v2") != rkey_for("approval-9-v3")
    assert all(is_tid(rkey_for(f"key-{i}")) for i in range(200))
    tid = make_tid(1_790_000_000_000_000, 5)
    assert is_tid(tid) and rkey_for(tid) == tid  # a key minted as a TID is used as is
    assert make_tid(1_790_000_000_000_001) > make_tid(1_790_000_000_000_000)  # TIDs sort by time


def test_credentials_never_reach_the_logs(pds, clock, caplog):
    conn = connect(pds, clock)
    pds.script("app.bsky.notification.listNotifications",
               Reply(400, {"error": "ExpiredToken", "message": "Token has expired"}))
    with caplog.at_level(logging.DEBUG):
        conn.fetch(None)  # logs in, is told the token expired, refreshes, fetches
    sent = [r.headers.get("authorization", "") for r in pds.requests]
    assert "Bearer access-1" in sent and "Bearer refresh-1" in sent  # the secrets were in play
    logged = caplog.text + repr(conn.client.session) + repr(conn.health())
    for secret in (PASSWORD, "access-1", "refresh-1"):
        assert secret not in logged


def test_a_wrong_app_password_fails_fetch_and_rejects_publish(pds, clock):
    conn = connect(pds, clock, env={"VEILLE_BLUESKY_PASSWORD": "wrong"})
    with pytest.raises(ConnectorError, match="Invalid identifier or password"):
        conn.fetch(None)
    with pytest.raises(PublishRejected):
        conn.publish_post(PublishRequest("k1", "acme-bsky", "Bonjour"))


def test_one_unreadable_notification_does_not_hide_the_others(pds, clock):
    good = {"uri": "at://did:plc:cust/app.bsky.feed.post/3kgood2222222", "cid": "bafyreib", "reason": "mention",
            "author": {"did": "did:plc:cust", "handle": "cust.test", "displayName": "Cust"},
            "record": {"$type": "app.bsky.feed.post", "text": "@acme.test bonjour",
                       "createdAt": "2026-09-21T10:00:00.000Z"},
            "indexedAt": "2026-09-21T10:00:01.000Z"}
    odd = {**good, "uri": "not-an-at-uri", "cid": "bafyreic"}
    pds.script("app.bsky.notification.listNotifications", Reply(200, {"notifications": [odd, good]}))

    got = connect(pds, clock).fetch(None).messages

    assert [(m.id, m.author.name, m.created_at) for m in got] == [(good["uri"], "Cust", 1_789_984_800)]
