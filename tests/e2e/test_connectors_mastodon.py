"""Mastodon, end to end: a mention on the (local) network becomes a Slack alert after a poll, the
approved reply is published in its thread and stops the clock; an outage backs off, shows in
`/veille sources` and loses nothing."""

from __future__ import annotations

import threading

import pytest

from bot.connectors.registry import Connectors
from bot.jobs.poller import Poller
from storage.db import Database
from tests.conftest import PG_URL
from tests.fakes.mastodon_server import MastodonServer
from tests.support.connected import CHANNEL, ConnectedVeille, account, reply_and_approve
from tests.support.harness import APPROVER, all_text

ENV = {"MASTODON_TOKEN": "brand-token"}


@pytest.fixture
def masto(clock):
    with MastodonServer(clock) as server:
        yield server


@pytest.fixture
def jeanne(masto):
    return masto.add_account("jeanne", "Jeanne Martin", domain="wonder.example")


@pytest.fixture
def app(db_url, clock, standin, target, masto):
    connector = {"type": "mastodon", "instance": masto.base_url, "token_env": "MASTODON_TOKEN",
                 "account_id": masto.brand["id"], "timeout": 0.5}
    v = ConnectedVeille(db_url, clock, standin, target,
                        [account("acme_masto", "mastodon", "brand@social.example", connector, poll_seconds=60)], ENV)
    v.settle()  # the first poll: nothing yet
    yield v
    v.close()


def test_a_mention_becomes_an_alert_at_the_next_poll_and_the_approved_reply_is_published_in_its_thread(
        app, masto, jeanne):
    mention = masto.post_status(jeanne, "@brand my parcel never arrived")
    app.settle()
    assert app.alerts(CHANNEL) == []  # not polled yet: the cadence is 60 s

    app.advance(60)
    [alert] = app.alerts(CHANNEL)
    assert "my parcel never arrived" in all_text(alert) and "jeanne@wonder.example" in all_text(alert)

    card = reply_and_approve(app, alert, "Sorry Jeanne, we are on it!", APPROVER)
    [reply] = masto.brand_statuses()
    assert reply["in_reply_to_id"] == mention["id"]
    assert reply["_text"] == "@jeanne@wonder.example Sorry Jeanne, we are on it!"
    assert "Published" in all_text(card)
    assert "First response met" in all_text(app.standin.message(CHANNEL, alert["ts"]))  # the clock stopped

    # Our reply comes back in the next poll (our own statuses): already known, nothing new.
    before = len(app.thread(alert, CHANNEL))
    app.advance(60)
    assert len(app.thread(alert, CHANNEL)) == before
    assert len(app.alerts(CHANNEL)) == 1


def test_a_network_that_times_out_backs_off_shows_in_sources_and_loses_nothing(app, masto, jeanne):
    masto.fail("GET", "/api/v1/notifications", "timeout", times=1)
    masto.post_status(jeanne, "@brand hello? anyone?")
    app.advance(60)
    assert app.alerts(CHANNEL) == []

    out = app.sources()
    assert "acme_masto" in out and "failing (the last poll failed)" in out
    assert "no answer within 0.5s" in out and "backing off: next try" in out

    app.advance(60)  # the network is back: the mention sent during the outage arrives
    [alert] = app.alerts(CHANNEL)
    assert "hello? anyone?" in all_text(alert)
    out = app.sources()
    assert "working" in out and "last success <!date^" in out and "cursor 0 s old" in out
    assert "rate limit:" in out and "of 300 calls left" in out
    app.advance(120)  # two quiet polls: the cursor has not moved since
    assert "cursor 2 min old" in app.sources()


def test_repeated_failures_back_off_longer_each_time(app, masto, jeanne):
    masto.fail("GET", "/api/v1/notifications", "status", status=503, times=3)
    calls = lambda: masto.calls("GET", "/api/v1/notifications")  # noqa: E731
    start = calls()
    app.advance(60)  # 1st failure: next try 60 s later
    app.advance(60)  # 2nd failure: next try 120 s later
    assert calls() == start + 2
    app.advance(60)
    assert calls() == start + 2  # still backing off
    app.advance(60)  # 3rd failure: next try 240 s later
    assert calls() == start + 3
    assert "failing (3 failed polls in a row)" in app.sources()
    masto.post_status(jeanne, "@brand still there?")
    app.advance(240)
    assert [a for a in app.alerts(CHANNEL) if "still there?" in all_text(a)]


def test_a_429_waits_for_the_window_the_network_gives(app, masto, jeanne):
    # Mastodon answers 429 with X-RateLimit-Reset: the end of its 5-minute window (here 240 s away).
    masto.fail("GET", "/api/v1/notifications", "status", status=429)
    masto.post_status(jeanne, "@brand ping")
    app.advance(60)
    assert "rate limited by the network" in app.sources()
    calls = masto.calls("GET", "/api/v1/notifications")
    app.advance(200)
    assert masto.calls("GET", "/api/v1/notifications") == calls  # never before the reset
    app.advance(60)
    assert masto.calls("GET", "/api/v1/notifications") == calls + 1
    assert [a for a in app.alerts(CHANNEL) if "ping" in all_text(a)]


def test_sources_speaks_french_to_a_french_member(app, masto):
    out = app.sources("U0CAROL")
    assert "l'état du connecteur" in out and "fonctionne" in out and "dernier succès" in out


@pytest.mark.skipif(not PG_URL, reason="replicas share a PostgreSQL database")
def test_two_replicas_poll_an_account_once_per_cadence(app, masto, jeanne, db_url, clock):
    db = Database(db_url)  # the second replica: its own connections and its own connectors
    other = Poller(db, app.cfg, app.svc.rules, Connectors(app.cfg, clock, ENV), clock, owner="replica-2")
    try:
        for n in range(3):
            masto.post_status(jeanne, f"@brand question {n}")
            clock.advance(60)
            before = masto.calls("GET", "/api/v1/notifications")
            start, polls = threading.Barrier(2), []

            def replica(poller, start=start, polls=polls):
                start.wait()
                polls.extend(poller.run_once())

            threads = [threading.Thread(target=replica, args=(p,)) for p in (app.poller, other)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(10)
            assert len(polls) == 1 and polls[0].ok
            assert masto.calls("GET", "/api/v1/notifications") == before + 1
        app.settle()
        assert len(app.alerts(CHANNEL)) == 3
    finally:
        db.dispose()
