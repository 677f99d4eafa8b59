"""What the customer sees when the brand answers through Veille: the reply in the right thread,
mentions and links clickable, and never two copies of one approved reply."""

from __future__ import annotations

import httpx
import pytest

from bot.connectors.base import PublishRejected, PublishRequest, PublishUnknown
from bot.connectors.bluesky.records import parse_time
from bot.connectors.facets import facet_text

pytestmark = pytest.mark.atproto


def _posts_in_repo(account) -> list[dict]:
    r = httpx.get(f"{account.pds}/xrpc/com.atproto.repo.listRecords",
                  params={"repo": account.did, "collection": "app.bsky.feed.post", "limit": 100})
    r.raise_for_status()
    return r.json()["records"]


def test_a_reply_lands_in_the_thread_with_clickable_mention_and_link(
    brand, customer, connect, settle, appview, clock
):
    conn = connect(brand)
    question = customer.post(f"@{brand.handle} où est ma commande ?", mentions={brand.handle: brand.did})
    answer = brand.post("On regarde !", reply_to={"root": question, "parent": question})
    settle()  # the customer answers what they have seen
    follow_up = customer.post("Toujours rien…", reply_to={"root": question, "parent": answer})
    settle()
    incoming = [m for m in conn.fetch(None).messages if m.id == follow_up["uri"]]
    assert incoming and incoming[0].kind == "comment"

    url = "https://acme.example/aide?q=livraison"
    text = f"Désolé @{customer.handle} 🙏 suivez ici : {url}. Merci @nobody-here.test"
    result = conn.publish_reply(PublishRequest("reply-1", "acme-bsky", text, in_reply_to=incoming[0]))
    settle()

    assert result.url == f"https://bsky.app/profile/{brand.handle}/post/{result.external_id.rsplit('/', 1)[1]}"
    thread = appview("app.bsky.feed.getPostThread", uri=result.external_id)["thread"]
    record = thread["post"]["record"]
    assert record["text"] == text
    assert record["reply"]["root"] == question  # uri + cid of the thread's first post
    assert record["reply"]["parent"] == follow_up
    assert thread["parent"]["post"]["uri"] == follow_up["uri"]
    mention, link = record["facets"]  # the unknown handle stays plain text
    raw = text.encode("utf-8")
    assert mention["index"] == {"byteStart": raw.index(b"@" + customer.handle.encode()),
                                "byteEnd": raw.index(b"@" + customer.handle.encode()) + 1 + len(customer.handle)}
    assert mention["features"] == [{"$type": "app.bsky.richtext.facet#mention", "did": customer.did}]
    assert facet_text(text, link) == url and link["features"][0]["uri"] == url
    assert link["index"]["byteStart"] == raw.index(url.encode()) > text.index(url)  # bytes, not chars
    assert abs(clock.now() - (parse_time(record["createdAt"]) or 0)) < 5


def test_publishing_twice_with_one_key_makes_one_post_and_lookup_finds_it(brand, connect):
    conn = connect(brand)
    req = PublishRequest("approval-42-v1", "acme-bsky", "Nos boutiques ouvrent dimanche ☀️")
    assert conn.lookup(req) is None

    first = conn.publish_post(req)
    second = conn.publish_post(req)  # e.g. the outbox retried after a crash

    assert second == first
    assert [r["uri"] for r in _posts_in_repo(brand)] == [first.external_id]
    assert conn.lookup(req) == first
    assert conn.lookup(PublishRequest("approval-43-v1", "acme-bsky", "autre")) is None


def test_a_lost_response_is_unknown_then_reconciled_without_a_second_post(brand, connect, flaky_pds):
    conn = connect(brand, service=flaky_pds.url, timeout=5)
    conn.fetch(None)  # logged in through the proxy
    req = PublishRequest("approval-7-v1", "acme-bsky", "Réponse approuvée")

    flaky_pds.lose_responses()
    with pytest.raises(PublishUnknown):
        conn.publish_post(req)
    assert not conn.health().ok and conn.health().backoff_until is not None
    flaky_pds.lose_responses(False)

    found = conn.lookup(req)  # what the outbox does with an unknown outcome
    assert found is not None
    assert conn.publish_post(req) == found  # a blind retry would still not duplicate it
    assert [r["uri"] for r in _posts_in_repo(brand)] == [found.external_id]


def test_text_is_measured_in_graphemes_like_bluesky_does(brand, connect):
    conn = connect(brand)
    decomposed_e = "e\u0301"  # one character on screen, two code points
    ok = conn.publish_post(PublishRequest("long-ok", "acme-bsky", decomposed_e * 300))
    assert ok.external_id

    with pytest.raises(PublishRejected, match="300"):
        conn.publish_post(PublishRequest("long-ko", "acme-bsky", "é" * 301))
    assert conn.lookup(PublishRequest("long-ko", "acme-bsky", "")) is None
    assert len(_posts_in_repo(brand)) == 1
