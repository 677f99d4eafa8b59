"""The Mastodon connector against a local server that behaves like Mastodon's REST API."""

from __future__ import annotations

import pytest

from bot.clock import TestClock
from bot.connectors import mastodon
from bot.connectors.base import (
    ConnectorError,
    PublishRejected,
    PublishRequest,
    PublishUnknown,
    RateLimited,
)
from tests.fakes.mastodon_server import MastodonServer

ENV = {"MASTODON_TOKEN": "brand-token"}


@pytest.fixture
def clock():
    return TestClock()


@pytest.fixture
def server(clock):
    with MastodonServer(clock) as srv:
        yield srv


def connect(server, clock, env=ENV, **options):
    opts = {"instance": server.base_url, "token_env": "MASTODON_TOKEN", "timeout": 0.5, **options}
    return mastodon.build("brand-masto", "brand@social.example", opts, env, clock)


@pytest.fixture
def alice(server):
    return server.add_account("alice", "Alice Liddell", domain="wonder.example")


def test_each_mention_is_fetched_once_across_fetches(server, clock, alice):
    conn = connect(server, clock)
    server.post_status(alice, "@brand hello there")
    first = conn.fetch(None)
    assert [m.text for m in first.messages] == ["@brand hello there"]
    assert conn.fetch(first.cursor).messages == []

    clock.advance(60)
    server.post_status(alice, "@brand are you there?")
    third = conn.fetch(first.cursor)
    assert [m.text for m in third.messages] == ["@brand are you there?"]
    assert third.messages[0].author.handle == "alice@wonder.example"
    assert third.messages[0].author.name == "Alice Liddell"


def test_a_backlog_is_paged_oldest_first_and_resumed_without_gaps(server, clock, alice):
    conn = connect(server, clock, page_size=2, max_pages=2)
    server.post_status(alice, "@brand zero")
    cursor = conn.fetch(None).cursor
    for n in range(1, 6):
        clock.advance(1)
        server.post_status(alice, f"@brand number {n}")

    first = conn.fetch(cursor)
    assert [m.text for m in first.messages] == [f"@brand number {n}" for n in (1, 2, 3, 4)]
    rest = conn.fetch(first.cursor)
    assert [m.text for m in rest.messages] == ["@brand number 5"]


def test_a_first_burst_on_an_account_never_mentioned_arrives_whole_oldest_first_once(server, clock, alice):
    conn = connect(server, clock)  # 40 notifications a page, as Mastodon's default
    quiet = conn.fetch(None)  # never mentioned yet: still a cursor, "from here on"
    assert quiet.messages == [] and quiet.cursor
    burst = [f"@brand question {n}" for n in range(100)]  # 2.5 pages
    for text in burst:
        clock.advance(1)
        server.post_status(alice, text)

    got = conn.fetch(quiet.cursor)

    assert [m.text for m in got.messages] == burst
    assert conn.fetch(got.cursor).messages == []


def test_the_first_fetch_ever_takes_the_newest_backfill_across_pages_and_no_older_history(server, clock, alice):
    conn = connect(server, clock, backfill=90)
    posted = [f"@brand old question {n}" for n in range(100)]  # 2.5 pages, before Veille was set up
    for text in posted:
        clock.advance(1)
        server.post_status(alice, text)

    first = conn.fetch(None)

    assert [m.text for m in first.messages] == posted[-90:]
    assert conn.fetch(first.cursor).messages == []


def test_direct_messages_replies_and_mentions_get_their_kind(server, clock, alice):
    conn = connect(server, clock)
    ours = server.post_status(server.brand, "We ship on Monday")
    server.post_status(alice, "@brand where is my order?", visibility="direct")
    server.post_status(alice, "@brand great news!", in_reply_to=ours)
    server.post_status(alice, "I love @brand")
    kinds = {m.text: m.kind for m in conn.fetch(None).messages}
    assert kinds == {
        "@brand where is my order?": "dm",
        "@brand great news!": "comment",
        "I love @brand": "mention",
    }


def test_a_reply_written_natively_by_the_brand_comes_back_as_ours(server, clock, alice):
    conn = connect(server, clock)
    question = server.post_status(alice, "@brand help please")
    cursor = conn.fetch(None).cursor
    clock.advance(30)
    server.post_status(server.brand, "@alice@wonder.example on it!", in_reply_to=question)
    server.post_status(server.brand, "A brand-new post, not a reply")

    messages = conn.fetch(cursor).messages
    assert len(messages) == 1
    reply = messages[0]
    assert reply.from_brand and reply.in_reply_to == question["id"]
    assert reply.thread_id == question["id"]


def test_status_html_becomes_plain_text_with_line_breaks(server, clock, alice):
    conn = connect(server, clock)
    server.post_status(alice, "@brand Fish & chips <3\nsecond line\n\nnew paragraph")
    (message,) = conn.fetch(None).messages
    assert message.text == "@brand Fish & chips <3\nsecond line\n\nnew paragraph"
    assert message.url.startswith("https://wonder.example/@alice/")


def test_replies_carry_their_thread_root(server, clock, alice):
    conn = connect(server, clock)
    bob = server.add_account("bob", "Bob")
    root = server.post_status(alice, "@brand is the shop open?")
    cursor = conn.fetch(None).cursor
    clock.advance(10)
    middle = server.post_status(bob, "no idea", in_reply_to=root)  # mentions nobody: no notification
    clock.advance(10)
    server.post_status(alice, "@brand still waiting", in_reply_to=middle)

    (late,) = conn.fetch(cursor).messages
    assert late.in_reply_to == middle["id"]
    assert late.thread_id == root["id"]  # found through the context endpoint


def test_a_reply_mentions_the_person_and_is_published_once_per_key(server, clock, alice):
    conn = connect(server, clock)
    server.post_status(alice, "@brand my parcel is late")
    (mention,) = conn.fetch(None).messages
    req = PublishRequest("key-1", "brand-masto", "Sorry! We are on it.", in_reply_to=mention)

    first = conn.publish_reply(req)
    again = conn.publish_reply(req)

    assert first == again
    (published,) = server.brand_statuses()
    assert published["id"] == first.external_id
    assert published["in_reply_to_id"] == mention.id
    assert published["_text"] == "@alice@wonder.example Sorry! We are on it."
    assert published["visibility"] == "public"
    assert first.url == published["url"]


def test_an_answer_to_a_direct_message_stays_direct(server, clock, alice):
    conn = connect(server, clock, visibility="unlisted")
    server.post_status(alice, "@brand my address is private", visibility="direct")
    (dm,) = conn.fetch(None).messages
    conn.publish_reply(PublishRequest("key-dm", "brand-masto", "Thanks, noted.", in_reply_to=dm))
    (published,) = server.brand_statuses()
    assert published["visibility"] == "direct"


def test_a_new_post_is_published_with_the_configured_visibility(server, clock):
    conn = connect(server, clock, visibility="unlisted")
    result = conn.publish_post(PublishRequest("post-1", "brand-masto", "Maintenance tonight."))
    (published,) = server.brand_statuses()
    assert (published["id"], published["visibility"], published["in_reply_to_id"]) == (result.external_id, "unlisted", None)


def test_text_over_the_limit_is_refused_before_any_call(server, clock):
    conn = connect(server, clock)
    with pytest.raises(PublishRejected, match="501 characters"):
        conn.publish_post(PublishRequest("long", "brand-masto", "x" * 501))
    assert server.calls("POST") == 0
    # A link counts as 23 characters, as on Mastodon: this one fits.
    conn.publish_post(PublishRequest("link", "brand-masto", "y" * 470 + " https://example.com/" + "z" * 80))
    assert server.calls("POST") == 1


def test_rate_limit_gives_the_servers_reset_and_health_shows_headroom(server, clock, alice):
    server.rate_limit = 4
    clock.set(1_790_000_100)  # window 1_790_000_100 .. 1_790_000_400 (5-minute windows)
    conn = connect(server, clock, account_id=server.brand["id"])
    cursor = conn.fetch(None).cursor  # 2 requests: notifications, own statuses
    health = conn.health()
    assert (health.rate_limit_limit, health.rate_limit_remaining) == (4, 2)
    assert health.rate_limit_reset == 1_790_000_400

    conn.fetch(cursor)  # requests 3 and 4
    with pytest.raises(RateLimited) as limited:
        conn.fetch(cursor)
    assert limited.value.retry_after == pytest.approx(300)
    assert conn.health().backoff_until == pytest.approx(1_790_000_400)
    assert conn.health().rate_limit_remaining == 0

    sent = len(server.requests)
    clock.advance(100)
    with pytest.raises(RateLimited) as waiting:
        conn.fetch(cursor)  # still inside the window: nothing is sent
    assert waiting.value.retry_after == pytest.approx(200)
    assert len(server.requests) == sent

    clock.advance(200)
    server.post_status(alice, "@brand back again")
    assert [m.text for m in conn.fetch(cursor).messages] == ["@brand back again"]
    health = conn.health()
    assert health.ok and health.rate_limit_remaining == 2 and health.backoff_until is None


def test_a_timeout_after_the_post_was_made_is_unknown_and_lookup_finds_it(server, clock, alice):
    conn = connect(server, clock, timeout=0.2)
    server.post_status(alice, "@brand refund?")
    (mention,) = conn.fetch(None).messages
    req = PublishRequest("key-t", "brand-masto", "Refund sent & confirmed.", in_reply_to=mention)
    server.fail("POST", "/api/v1/statuses", "timeout", after=True)

    with pytest.raises(PublishUnknown, match="may exist"):
        conn.publish_reply(req)
    server.release()
    (published,) = server.brand_statuses()
    assert conn.lookup(req).external_id == published["id"]
    # Retrying with the same key after reconciling cannot double-post either.
    assert conn.publish_reply(req).external_id == published["id"]
    assert len(server.brand_statuses()) == 1


def test_a_dropped_publish_that_never_happened_is_not_found(server, clock, alice):
    conn = connect(server, clock)
    server.post_status(alice, "@brand refund?")
    (mention,) = conn.fetch(None).messages
    req = PublishRequest("key-d", "brand-masto", "Refund sent.", in_reply_to=mention)
    server.fail("POST", "/api/v1/statuses", "drop")
    with pytest.raises(PublishUnknown):
        conn.publish_reply(req)
    assert conn.lookup(req) is None
    # A different text in the same thread is not mistaken for it.
    conn.publish_reply(PublishRequest("other", "brand-masto", "Something else.", in_reply_to=mention))
    assert conn.lookup(req) is None


def test_a_server_error_while_publishing_is_unknown_not_failed(server, clock):
    conn = connect(server, clock)
    server.fail("POST", "/api/v1/statuses", status=503)
    with pytest.raises(PublishUnknown):
        conn.publish_post(PublishRequest("k", "brand-masto", "hello"))
    assert conn.health().backoff_until is not None


def test_a_bad_token_is_reported_clearly_and_never_shown(server, clock):
    conn = connect(server, clock, env={"MASTODON_TOKEN": "revoked-secret"})
    with pytest.raises(ConnectorError, match="credentials rejected.*access token is invalid") as err:
        conn.fetch(None)
    assert "revoked-secret" not in str(err.value)
    with pytest.raises(PublishRejected, match="401"):
        conn.publish_post(PublishRequest("k", "brand-masto", "hello"))
    assert not conn.health().ok

    with pytest.raises(ConnectorError, match="MASTODON_TOKEN"):
        connect(server, clock, env={})


def test_a_token_without_write_scope_cannot_publish(clock):
    with MastodonServer(clock, scopes="read") as srv:
        conn = connect(srv, clock)
        with pytest.raises(PublishRejected, match="outside the authorized scopes"):
            conn.publish_post(PublishRequest("k", "brand-masto", "hello"))


def test_plain_text_of_mastodon_html():
    html = ('<p><span class="h-card"><a href="https://x.example/@a" class="u-url mention">@<span>a</span></a></span>'
            ' caf&eacute; &amp; &lt;b&gt;</p><p>line<br />two</p>')
    assert mastodon.html_to_text(html) == "@a café & <b>\n\nline\ntwo"
