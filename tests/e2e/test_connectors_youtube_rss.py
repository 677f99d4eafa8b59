"""YouTube comment threads by polling, with the approved reply under the comment; RSS entries that
match the account's keywords as `article` conversations, with no reply clock unless a policy
names articles."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import Conversation, SlaClock
from tests.fakes.feed_server import FeedServer
from tests.fakes.youtube_server import FakeYouTube
from tests.support.connected import CHANNEL, ConnectedVeille, account, reply_and_approve
from tests.support.harness import APPROVER, all_text

OURS = "UCourbrand0000000000000"
YT_ENV = {"YT_CLIENT_ID": "cid", "YT_CLIENT_SECRET": "csecret", "YT_REFRESH": "refresh-1"}


@pytest.fixture
def yt(clock):
    with FakeYouTube(clock) as fake:
        fake.add_client("cid", "csecret", "refresh-1", channel_id=OURS)
        yield fake


@pytest.fixture
def feeds(clock):
    with FeedServer(clock) as server:
        yield server


def _rss(*items: tuple[str, str, str]) -> str:
    entries = "".join(f"<item><title>{title}</title><link>https://news.example/{guid}</link><guid>{guid}</guid>"
                      f"<description>{summary}</description><pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate></item>"
                      for guid, title, summary in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>{entries}</channel></rss>'


def test_a_youtube_comment_is_polled_into_an_alert_and_answered_under_it(db_url, clock, standin, target, yt):
    connector = {"type": "youtube", "channel_id": OURS, "client_id_env": "YT_CLIENT_ID",
                 "client_secret_env": "YT_CLIENT_SECRET", "refresh_token_env": "YT_REFRESH",
                 "api_url": yt.base_url, "token_url": yt.token_url, "timeout": 0.5}
    app = ConnectedVeille(db_url, clock, standin, target, [account("acme_yt", "youtube", "@ourbrand", connector)],
                          YT_ENV)
    try:
        app.settle()
        comment = yt.add_comment(OURS, "vid1", ("UCfan", "@fan"), "Which size is the model wearing?")
        app.advance(60)
        [alert] = app.alerts(CHANNEL)
        assert "Which size is the model wearing?" in all_text(alert) and "YouTube" in all_text(alert)

        reply_and_approve(app, alert, "She wears a medium!", APPROVER)
        [reply] = yt.replies_by(OURS)
        assert (reply.parent_id, reply.text) == (comment, "She wears a medium!")
        assert "First response met" in all_text(app.standin.message(CHANNEL, alert["ts"]))
        thread = app.thread(alert, CHANNEL)
        app.advance(60)  # our reply read back by the next poll: already known
        assert app.thread(alert, CHANNEL) == thread
    finally:
        app.close()


def _rss_app(db_url, clock, standin, target, feeds, **config):
    connector = {"type": "rss", "url": feeds.base_url + "/news.xml", "keywords": ["Acme"], "timeout": 0.5}
    return ConnectedVeille(db_url, clock, standin, target,
                           [account("press", "rss", "news.example", connector, poll_seconds=300)], **config)


def test_an_rss_entry_matching_the_keywords_becomes_an_article_with_no_reply_clock(
        db_url, clock, standin, target, feeds):
    feeds.publish("/news.xml", _rss(("a1", "Acme opens a shop in Lyon", "Big news."),
                                    ("a2", "Weather: rain", "Nothing about us.")))
    app = _rss_app(db_url, clock, standin, target, feeds)
    try:
        app.settle()
        [alert] = app.alerts(CHANNEL)
        text = all_text(alert)
        assert "Acme opens a shop in Lyon" in text and "article" in text and "Weather" not in text
        assert "due" not in text

        app.advance(3 * 3600)  # hours later: no deadline, so nothing breached
        assert "breached" not in all_text(app.standin.message(CHANNEL, alert["ts"]))
        assert app.thread(alert, CHANNEL) == []
        with app.db.session() as s:
            assert [c.kind for c in s.scalars(select(Conversation))] == ["article"]
            assert s.scalars(select(SlaClock)).all() == []

        feeds.publish("/news.xml", _rss(("a1", "Acme opens a shop in Lyon", "Big news."),
                                        ("a3", "ACME recalls a kettle", "Safety first.")))
        app.advance(300)
        assert len(app.alerts(CHANNEL)) == 2  # only the new entry; a1 is not alerted twice
    finally:
        app.close()


def test_a_policy_that_names_articles_gives_them_a_clock(db_url, clock, standin, target, feeds):
    feeds.publish("/news.xml", _rss(("a1", "Acme in the press", "Read all about it.")))
    policies = [{"name": "press", "match": {"kinds": ["article"]}, "first_response": {"target": "4h"}}]
    app = _rss_app(db_url, clock, standin, target, feeds, sla={"policies": policies})
    try:
        app.settle()
        [alert] = app.alerts(CHANNEL)
        assert "due" in all_text(alert)
    finally:
        app.close()


def test_an_rss_account_offers_no_reply_and_refuses_posts(db_url, clock, standin, target, feeds):
    from bot.ids import Action
    from tests.support.harness import AUTHOR

    feeds.publish("/news.xml", _rss(("a1", "Acme opens a shop in Lyon", "Big news.")))
    app = _rss_app(db_url, clock, standin, target, feeds)
    try:
        app.settle()
        [alert] = app.alerts(CHANNEL)
        buttons = [e["action_id"] for b in alert["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert Action.REPLY not in buttons and Action.ASSIGN_ME in buttons
        app.slack.click(AUTHOR, CHANNEL, alert["ts"], Action.REPLY, value="1", block_id="actions")  # an old alert's button
        app.settle()
        assert app.standin.views(AUTHOR) == [] and "only listens" in app.ephemeral_texts(AUTHOR)[-1]
        r = app.slack.command(AUTHOR, 'post @press "demain 9h" Hello')
        assert r.status_code == 200
        app.settle()
        assert "cannot publish a text post" in app.ephemeral_texts(AUTHOR)[-1]
        app.slack.command(AUTHOR, "post")  # the form does not offer it either
        app.settle()
        [form] = app.standin.views(AUTHOR)
        assert "press" not in str([b for b in form["blocks"] if b.get("block_id") == "post_accounts"])
    finally:
        app.close()
