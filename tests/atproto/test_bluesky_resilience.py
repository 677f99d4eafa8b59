"""When Bluesky is down or the session goes stale, the team loses nothing: errors are reported
in health with a backoff, and what was posted meanwhile arrives once it is back."""

from __future__ import annotations

import socket

import httpx
import pytest

from bot.connectors.base import ConnectorError, PublishRejected, PublishRequest, PublishUnknown
from tests.atproto.conftest import expired_copy

pytestmark = pytest.mark.atproto


def test_an_outage_is_reported_backed_off_and_nothing_posted_meanwhile_is_lost(
    brand, customer, connect, settle, clock, flaky_pds
):
    conn = connect(brand, service=flaky_pds.url, timeout=5)
    cursor = conn.fetch(None).cursor
    assert conn.health().ok

    flaky_pds.down()
    with pytest.raises(ConnectorError):
        conn.fetch(cursor)
    health = conn.health()
    assert not health.ok and "network error" in health.last_error and health.last_error_at == clock.now()
    assert clock.now() + 1.5 <= health.backoff_until <= clock.now() + 2  # first wait: ~2 s
    with pytest.raises(ConnectorError):
        conn.fetch(cursor)
    assert clock.now() + 3 <= conn.health().backoff_until <= clock.now() + 4  # then twice as long
    with pytest.raises(PublishUnknown):
        conn.publish_post(PublishRequest("during-outage", "acme-bsky", "Bonjour"))

    lost = customer.post(f"@{brand.handle} vous êtes là ?", mentions={brand.handle: brand.did})
    flaky_pds.up()
    clock.set(conn.health().backoff_until)  # the poller waits until the backoff ends
    settle()

    got = conn.fetch(cursor)
    assert [m.id for m in got.messages] == [lost["uri"]]
    health = conn.health()
    assert health.ok and health.backoff_until is None and health.last_success == clock.now()


def test_a_service_that_never_answers_is_an_error_not_a_crash(brand, connect):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    conn = connect(brand, service=closed, timeout=2)

    with pytest.raises(ConnectorError, match="network error"):
        conn.fetch(None)
    with pytest.raises(ConnectorError):
        conn.lookup(PublishRequest("k", "acme-bsky", "x"))
    with pytest.raises(PublishUnknown):
        conn.publish_post(PublishRequest("k", "acme-bsky", "x"))
    assert not conn.health().ok and conn.health().backoff_until


def test_an_expired_access_token_is_refreshed(brand, customer, connect, settle):
    conn = connect(brand)
    conn.fetch(None)
    session = conn.client.session
    old_refresh = session.refresh_jwt
    session.access_jwt = expired_copy(session.access_jwt)
    stale = httpx.get(f"{brand.pds}/xrpc/app.bsky.notification.listNotifications",
                      headers={"authorization": f"Bearer {session.access_jwt}"})
    assert stale.status_code == 400 and stale.json()["error"] == "ExpiredToken"  # what the PDS says
    mention = customer.post(f"@{brand.handle} allô ?", mentions={brand.handle: brand.did})
    settle()

    assert [m.id for m in conn.fetch(None).messages] == [mention["uri"]]
    assert conn.client.session.refresh_jwt != old_refresh  # refreshed (refresh tokens rotate)
    assert conn.health().ok


def test_a_revoked_session_logs_in_again_with_the_app_password(brand, connect):
    conn = connect(brand)
    conn.fetch(None)
    session = conn.client.session
    revoked = httpx.post(f"{brand.pds}/xrpc/com.atproto.server.deleteSession",
                         headers={"authorization": f"Bearer {session.refresh_jwt}"})
    assert revoked.status_code == 200
    session.access_jwt = expired_copy(session.access_jwt)

    result = conn.publish_post(PublishRequest("after-revoke", "acme-bsky", "Toujours là"))

    assert result.external_id.startswith(f"at://{brand.did}/")
    assert conn.client.session is not session and conn.health().ok


def test_a_wrong_or_missing_app_password_is_reported_clearly(brand, atproto_net, clock):
    from bot.connectors import bluesky

    wrong = bluesky.build("acme-bsky", brand.handle, {"service": atproto_net["pds"]},
                          {"VEILLE_BLUESKY_PASSWORD": "not-it"}, clock)
    with pytest.raises(ConnectorError, match="AuthenticationRequired"):
        wrong.fetch(None)
    assert "AuthenticationRequired" in wrong.health().last_error
    with pytest.raises(PublishRejected):
        wrong.publish_post(PublishRequest("k", "acme-bsky", "x"))

    missing = bluesky.build("acme-bsky", brand.handle, {"service": atproto_net["pds"]}, {}, clock)
    with pytest.raises(ConnectorError, match="VEILLE_BLUESKY_PASSWORD"):
        missing.fetch(None)
