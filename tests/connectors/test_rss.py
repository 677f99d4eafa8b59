"""RSS / Atom monitoring against a local web server."""

from __future__ import annotations

import pytest

from bot.clock import TestClock
from bot.connectors import rss
from bot.connectors.base import ConnectorError, PublishRejected, PublishRequest, RateLimited
from tests.fakes.feed_server import FeedServer


def rss_doc(*items: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Le Journal</title><link>https://journal.example/</link>
{"".join(items)}
</channel></rss>"""


def item(guid: str, title: str, description: str = "", author: str = "Marie Curie") -> str:
    return f"""<item><title>{title}</title><link>https://journal.example/{guid}</link>
<guid isPermaLink="false">{guid}</guid><dc:creator>{author}</dc:creator>
<pubDate>Tue, 03 Mar 2026 09:30:00 +0100</pubDate>
<description><![CDATA[{description}]]></description></item>"""


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Dev blog</title><id>urn:uuid:blog</id><updated>2026-03-03T10:00:00Z</updated>
  <entry>
    <title type="html">Acme &lt;b&gt;ships&lt;/b&gt; v2</title>
    <id>tag:blog.example,2026:/posts/42</id>
    <link rel="alternate" href="https://blog.example/posts/42"/>
    <link rel="edit" href="https://blog.example/api/42"/>
    <published>2026-03-03T10:00:00Z</published>
    <author><name>Ada</name></author>
    <summary type="html">&lt;p&gt;We tried Acme&amp;#8217;s new release.&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;</summary>
  </entry>
</feed>"""


@pytest.fixture
def feeds():
    with FeedServer() as server:
        yield server


def connect(feeds, path="/feed.xml", **options):
    opts = {"url": feeds.base_url + path, "timeout": 0.3, **options}
    return rss.build("press", "Press", opts, {}, TestClock())


def test_rss_items_become_articles(feeds):
    feeds.publish("/feed.xml", rss_doc(item("a1", "Acme opens in Lyon", "<p>Big <b>news</b> &amp; more</p>")))
    [msg] = connect(feeds).fetch(None).messages
    assert (msg.id, msg.network, msg.kind, msg.account) == ("a1", "rss", "article", "press")
    assert msg.text == "Acme opens in Lyon\n\nBig news & more"
    assert (msg.url, msg.author.name) == ("https://journal.example/a1", "Marie Curie")
    assert msg.created_at == 1772526600  # 2026-03-03T08:30:00Z


def test_atom_entries_become_articles(feeds):
    feeds.publish("/atom.xml", ATOM, content_type="application/atom+xml")
    [msg] = connect(feeds, "/atom.xml").fetch(None).messages
    assert msg.id == "tag:blog.example,2026:/posts/42"
    assert msg.text == "Acme ships v2\n\nWe tried Acme\u2019s new release."
    assert (msg.url, msg.author.name, msg.created_at) == ("https://blog.example/posts/42", "Ada", 1772532000)


def test_keywords_match_whole_words_ignoring_case_and_accents(feeds):
    feeds.publish(
        "/feed.xml",
        rss_doc(
            item("1", "Le Café de Flore rouvre"),
            item("2", "CAFETERIA prices are up"),
            item("3", "Recipe", "A perfect creme brulee in 10 minutes"),
            item("4", "The cafe's new menu"),
            item("5", "Nothing to see"),
        ),
    )
    conn = connect(feeds, keywords=["cafe", "Crème Brûlée"])
    assert [m.id for m in conn.fetch(None).messages] == ["1", "3", "4"]


def test_not_modified_feed_costs_nothing_and_changes_nothing(feeds):
    feeds.publish("/feed.xml", rss_doc(item("a1", "Acme opens in Lyon")))
    conn = connect(feeds)
    first = conn.fetch(None)
    second = conn.fetch(first.cursor)
    assert (second.messages, second.cursor) == ([], first.cursor)
    asked = feeds.requests[-1].headers
    assert feeds.not_modified == 1 and asked["if-none-match"] and asked["if-modified-since"]


def test_no_entry_is_reported_twice_across_fetches(feeds):
    feeds.publish("/feed.xml", rss_doc(item("a1", "First"), item("a2", "Second")))
    conn = connect(feeds)
    first = conn.fetch(None)
    feeds.publish("/feed.xml", rss_doc(item("a3", "Third"), item("a1", "First"), item("a2", "Second")))
    second = conn.fetch(first.cursor)
    assert [m.id for m in second.messages] == ["a3"]
    feeds.publish("/feed.xml", rss_doc(item("a4", "Fourth"), item("a3", "Third")))
    assert [m.id for m in conn.fetch(second.cursor).messages] == ["a4"]


def test_a_feed_with_a_dtd_or_entities_is_refused(feeds):
    bomb = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rss version="2.0"><channel><item><title>&lol2;</title><guid>x</guid></item></channel></rss>"""
    feeds.publish("/feed.xml", bomb)
    conn = connect(feeds)
    with pytest.raises(ConnectorError, match="DTD or entities"):
        conn.fetch(None)
    assert not conn.health().ok


def test_a_feed_server_that_times_out_or_throttles(feeds):
    feeds.publish("/feed.xml", rss_doc(item("a1", "First")))
    conn = connect(feeds)
    feeds.fail("GET", "/", "timeout")
    with pytest.raises(ConnectorError, match="ReadTimeout"):
        conn.fetch(None)
    feeds.fail("GET", "/", status=429)
    with pytest.raises(RateLimited) as exc:
        conn.fetch(None)
    assert exc.value.retry_after == 120
    assert [m.id for m in conn.fetch(None).messages] == ["a1"]
    assert conn.health().ok


def test_something_that_is_not_a_feed_is_a_clear_error(feeds):
    feeds.publish("/page.html", "<html><body>hello</body></html>", content_type="text/html")
    with pytest.raises(ConnectorError, match="neither an RSS nor an Atom feed"):
        connect(feeds, "/page.html").fetch(None)


def test_rss_is_monitoring_only(feeds):
    conn = connect(feeds)
    req = PublishRequest(idempotency_key="k", account="press", text="hello")
    with pytest.raises(PublishRejected, match="monitoring only"):
        conn.publish_post(req)
    with pytest.raises(PublishRejected, match="monitoring only"):
        conn.publish_reply(req)
    assert conn.lookup(req) is None
