"""What the brand's team sees arrive from Bluesky: each mention, reply and quote once, oldest
first, and the brand's own native replies flagged as such."""

from __future__ import annotations

import pytest

from bot.connectors.base import ConnectorError

pytestmark = pytest.mark.atproto


def test_a_mention_arrives_once_with_everything_needed_to_answer_it(brand, customer, connect, settle, clock):
    conn = connect(brand)
    post = customer.post(f"Bonjour @{brand.handle}, ma commande est bloquée 😕", mentions={brand.handle: brand.did})
    settle()

    first = conn.fetch(None)

    assert [m.id for m in first.messages] == [post["uri"]]
    m = first.messages[0]
    assert (m.network, m.account, m.kind, m.from_brand) == ("bluesky", "acme-bsky", "mention", False)
    assert m.author.id == customer.did and m.author.handle == customer.handle
    assert m.text == f"Bonjour @{brand.handle}, ma commande est bloquée 😕"
    assert m.url == f"https://bsky.app/profile/{customer.handle}/post/{post['uri'].rsplit('/', 1)[1]}"
    assert m.thread_id == post["uri"] and m.in_reply_to is None
    assert m.meta["uri"] == post["uri"] and m.meta["cid"] == post["cid"]
    assert m.meta["root"] == post and m.meta["parent"] is None
    assert abs(m.created_at - clock.now()) < 120

    again = conn.fetch(first.cursor)
    assert again.messages == []
    # the caller crashed before saving the new cursor and fetches with the old one: still nothing new
    assert conn.fetch(first.cursor).messages == []
    assert conn.fetch(again.cursor).messages == []


def test_replies_and_quotes_arrive_oldest_first_after_the_cursor(brand, customer, connect, settle):
    conn = connect(brand)
    start = conn.fetch(None)  # nothing yet: the cursor marks "from now on"
    assert start.messages == []
    ours = brand.post("Nouvelle collection en ligne !")
    settle()  # customers answer what they have seen (the AppView drops replies to unknown posts)
    reply = customer.post("Elle arrive quand en magasin ?", reply_to={"root": ours, "parent": ours})
    quote = customer.post("Regardez ça", quote=ours)
    mention = customer.post(f"@{brand.handle} vous livrez en Belgique ?", mentions={brand.handle: brand.did})
    settle()

    got = conn.fetch(start.cursor).messages

    assert [m.id for m in got] == [reply["uri"], quote["uri"], mention["uri"]]
    assert [m.kind for m in got] == ["comment", "mention", "mention"]
    assert got[0].thread_id == ours["uri"] and got[0].in_reply_to == ours["uri"]
    assert got[0].meta["root"] == ours and got[0].meta["parent"] == ours


def test_every_new_mention_arrives_even_past_one_page(brand, customer, connect, settle):
    conn = connect(brand)
    start = conn.fetch(None)
    posted = [customer.post(f"@{brand.handle} question {i}", mentions={brand.handle: brand.did})["uri"]
              for i in range(130)]
    settle()

    got = conn.fetch(start.cursor)

    assert [m.id for m in got.messages] == posted  # all of them, once, oldest first
    assert conn.fetch(got.cursor).messages == []


def test_a_native_reply_by_the_brand_comes_back_flagged_from_brand(brand, customer, connect, settle):
    conn = connect(brand)
    question = customer.post(f"@{brand.handle} remboursement ?", mentions={brand.handle: brand.did})
    settle()
    first = conn.fetch(None)
    assert [m.id for m in first.messages] == [question["uri"]]

    # a community manager answers in the Bluesky app, not through Veille
    answer = brand.post("C'est parti, vous serez remboursé sous 5 jours.",
                        reply_to={"root": question, "parent": question})
    brand.post("Une annonce sans rapport")  # not a reply: not reported
    settle()

    got = conn.fetch(first.cursor).messages

    assert [m.id for m in got] == [answer["uri"]]
    assert got[0].from_brand and got[0].in_reply_to == question["uri"] and got[0].author.id == brand.did
    assert got[0].thread_id == question["uri"]


def test_reads_go_through_the_appview_named_in_the_options(brand, customer, connect, settle, atproto_net):
    mention = customer.post(f"@{brand.handle} salut", mentions={brand.handle: brand.did})
    settle()
    assert [m.id for m in connect(brand, appview=atproto_net["appviewDid"]).fetch(None).messages] == [mention["uri"]]

    with pytest.raises(ConnectorError):  # the option is really used: an unknown AppView fails
        connect(brand, appview="did:web:nowhere.invalid").fetch(None)
