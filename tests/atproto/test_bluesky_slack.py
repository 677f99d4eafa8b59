"""Bluesky end to end through Slack, against the real local AT Protocol network: a mention
becomes an alert at the next poll, the approved reply lands in the thread on the network, the
clock stops, re-deliveries change nothing, and an outage backs off, shows in `/veille sources` and
loses nothing.

Two times run side by side: the network stamps posts with real time, the app runs on the
TestClock (started at real "now" by tests/atproto/conftest.py) that only these tests move, a few
minutes at most. The SLA (1 h from the mention's real createdAt) and the connector's backoff are
both measured on that clock, so neither depends on how long the network takes."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from storage.models import ConnectorState
from tests.support.connected import CHANNEL, ConnectedVeille, account, reply_and_approve
from tests.support.harness import APPROVER, all_text

pytestmark = pytest.mark.atproto

KEY = "acme-bsky"
POLL = 60


@pytest.fixture
def app(db_url, clock, standin, target, brand, flaky_pds):
    # The connector reaches the PDS through a proxy the outage test can break; the customers post
    # to the PDS directly, as they would from their own apps.
    connector = {"type": "bluesky", "service": flaky_pds.url, "password_env": "BRAND_APP_PASSWORD", "timeout": 2}
    v = ConnectedVeille(db_url, clock, standin, target, [account(KEY, "bluesky", brand.handle, connector, POLL)],
                        {"BRAND_APP_PASSWORD": brand.password})
    v.settle()  # the first poll: nothing yet; from now on everything is new
    yield v
    v.close()


def saved_cursor(app) -> str | None:
    with app.db.session() as s:
        return s.scalar(select(ConnectorState.cursor).where(ConnectorState.account == KEY))


def poll(app, seconds: float = POLL) -> list:
    """Move the app's clock and run the polls then due; what each poll did (the app then settles)."""
    app.clock.advance(seconds)
    outcomes = app.poller.run_once()
    app.settle()
    return outcomes


def brand_replies(appview, brand) -> list[dict]:
    feed = appview("app.bsky.feed.getAuthorFeed", actor=brand.did, filter="posts_with_replies")["feed"]
    return [item["post"] for item in feed if item["post"]["record"].get("reply")]


def test_a_mention_in_a_thread_becomes_an_alert_and_the_approved_reply_lands_under_it_with_the_right_refs(
        app, brand, customer, make_account, settle, appview):
    start = saved_cursor(app)
    root = customer.post("Anyone else unable to log in to the Acme app since this morning?")
    settle()  # the friend answers what they have seen
    friend = make_account("friend")
    mention = friend.post(f"Same here. @{brand.handle} is it down?", mentions={brand.handle: brand.did},
                          reply_to={"root": root, "parent": root})
    settle()
    app.settle()
    assert app.alerts(CHANNEL) == []  # not polled yet: the cadence is 60 s

    [outcome] = poll(app)
    assert outcome.ok and outcome.stored == 1
    [alert] = app.alerts(CHANNEL)
    assert "is it down?" in all_text(alert) and friend.handle in all_text(alert)

    card = reply_and_approve(app, alert, "Sorry! A fix is rolling out, it should work again within the hour.",
                             APPROVER)
    settle()
    [reply] = brand_replies(appview, brand)
    assert reply["record"]["text"] == "Sorry! A fix is rolling out, it should work again within the hour."
    assert reply["record"]["reply"] == {"root": root, "parent": mention}  # uri + cid of each
    thread = appview("app.bsky.feed.getPostThread", uri=mention["uri"], depth=1)["thread"]
    assert [r["post"]["uri"] for r in thread["replies"]] == [reply["uri"]]  # shown under the mention
    rkey = reply["uri"].rsplit("/", 1)[1]
    assert "Published" in all_text(card)
    assert f"https://bsky.app/profile/{brand.handle}/post/{rkey}" in all_text(card)
    assert "First response met" in all_text(app.standin.message(CHANNEL, alert["ts"]))  # the clock stopped

    # Our own reply comes back from the author feed (from_brand): already known, nothing new.
    thread_before = [m["ts"] for m in app.thread(alert, CHANNEL)]
    [outcome] = poll(app)
    assert outcome.ok and (outcome.stored, outcome.duplicates) == (0, 1)

    # A duplicate delivery: the poll that brought the mention is replayed from its old cursor (as
    # after a crash before the cursor was saved). Both posts come again; nothing changes.
    with app.db.session() as s:
        s.execute(update(ConnectorState).where(ConnectorState.account == KEY).values(cursor=start))
    [outcome] = poll(app)
    assert outcome.ok and (outcome.stored, outcome.duplicates) == (0, 2)

    assert len(app.alerts(CHANNEL)) == 1
    assert [m["ts"] for m in app.thread(alert, CHANNEL)] == thread_before
    assert "First response met" in all_text(app.standin.message(CHANNEL, alert["ts"]))
    settle()
    assert len(brand_replies(appview, brand)) == 1  # published once


def test_an_outage_backs_off_shows_in_sources_and_what_was_posted_meanwhile_arrives_when_it_is_back(
        app, brand, customer, settle, flaky_pds):
    flaky_pds.down()
    lost = customer.post(f"@{brand.handle} my order #4521 never arrived", mentions={brand.handle: brand.did})
    settle()

    [outcome] = poll(app)  # connection refused: a failed poll, not a crash
    assert not outcome.ok and "network error" in outcome.error
    assert app.alerts(CHANNEL) == []
    out = app.sources()
    assert KEY in out and "failing (the last poll failed)" in out
    assert "network error" in out and "backing off: next try" in out

    [outcome] = poll(app)  # still down: the second failure waits twice as long
    assert not outcome.ok and outcome.next_poll_at == int(app.clock.now()) + 2 * POLL
    assert poll(app) == []  # backing off: no call at all
    assert "failing (2 failed polls in a row)" in app.sources()

    flaky_pds.up()
    [outcome] = poll(app)
    assert outcome.ok and outcome.stored == 1
    [alert] = app.alerts(CHANNEL)
    assert "my order #4521 never arrived" in all_text(alert) and customer.handle in all_text(alert)
    assert lost["uri"].rsplit("/", 1)[1] in str(alert)  # its link points at the post
    out = app.sources()
    assert "working" in out and "last success <!date^" in out and "cursor 0 s old" in out
    assert "failing" not in out
