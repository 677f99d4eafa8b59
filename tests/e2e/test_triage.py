"""Triage end to end (issue 9): every inbound message gets a language, a sentiment and a bot score
at ingest; the alert shows them; members mute authors (`/veille mute`), and muted authors and
likely bots are labelled and left out of spike counts."""

from __future__ import annotations

from sqlalchemy import select

from bot.domain import traffic
from storage.models import Message, MutedAuthor, TrafficBucket
from tests.support.harness import APPROVER, APPROVER_FR, AUTHOR, OUTSIDER, all_text


def _answer(veille, user, text):
    assert veille.slack.command(user, text).status_code == 200
    veille.settle()
    return veille.ephemeral_texts(user)[-1]


def _post(veille, mid, text, author):
    """A mention whose author carries what the network says of them (followers, bot flag...)."""
    r = veille.post_webhook({"id": mid, "network": "x", "account": "acme", "kind": "mention", "text": text,
                             "author": {"name": "", **author}, "created_at": "2026-11-23T08:59:00Z"})
    assert r.status_code == 202, r.text


def _row(veille, external_id):
    with veille.db.session() as s:
        m = s.scalar(select(Message).where(Message.external_id == external_id))
        return m.language, m.sentiment, m.sentiment_score, m.bot_score, list(m.bot_reasons)


def test_an_angry_french_mention_is_stored_and_shown_as_french_and_negative(veille):
    veille.mention("t-1", "@acme jsuis trop déçu, ma commande n'est toujours pas arrivée, c nul")
    veille.settle()
    language, sentiment, score, bot, _ = _row(veille, "t-1")
    assert (language, sentiment, bot) == ("fr", "negative", 0.0) and score < 0
    [alert] = veille.alerts()
    assert f"French · :rage: negative ({score:+.2f})" in all_text(alert)


def test_a_happy_english_mention_shows_english_and_positive(veille):
    veille.mention("t-1", "Thank you so much, the replacement arrived today and works perfectly 😍")
    veille.settle()
    assert "English · :blush: positive" in all_text(veille.alerts()[0])


def test_an_author_the_network_labels_a_bot_is_shown_as_a_likely_bot_but_not_muted(veille):
    _post(veille, "t-1", "Daily update: 3 new mentions of #acme",
          {"id": "u-9", "handle": "@tracker", "bot": True, "followers": 3})
    veille.settle()
    assert _row(veille, "t-1")[3] >= 0.7
    text = all_text(veille.alerts()[0])
    assert "likely bot (labelled_bot)" in text and "muted" not in text


def test_the_same_text_from_many_authors_is_scored_as_bots_and_a_real_customer_is_not(veille):
    for i in range(7):
        _post(veille, f"b-{i}", f"@acme is the worst company ever, boycott them now!! https://x.co/{i}",
              {"id": f"u-{i}", "handle": f"@sock{i}", "following": 2000, "followers": 1,
               "created_at": "2026-11-22T09:00:00Z"})
    _post(veille, "t-1", "@acme my parcel arrived crushed, see https://pics.example/1",
          {"id": "u-real", "handle": "@real", "created_at": "2026-11-23T08:00:00Z", "followers": 0})
    veille.settle()
    assert "same_text_many_authors" in _row(veille, "b-6")[4] and _row(veille, "b-6")[3] >= 0.7
    score, reasons = _row(veille, "t-1")[3:]
    assert score < 0.7 and "new_account" in reasons


def test_bad_author_facts_in_the_webhook_are_a_400_that_names_them(veille):
    r = veille.post_webhook({"id": "w-1", "network": "x", "account": "acme", "kind": "mention", "text": "hi",
                             "created_at": "2026-11-23T08:59:00Z",
                             "author": {"id": "u-1", "followers": -3, "bot": "yes", "created_at": "last year"}})
    assert r.status_code == 400
    errors = " ".join(r.json()["errors"])
    assert "author.followers: must be a count" in errors and "author.bot: must be true or false" in errors
    assert "author.created_at: not an ISO 8601" in errors


def test_an_approver_mutes_an_author_and_their_alert_says_so_until_unmuted(veille):
    veille.mention("t-1", "c'est nul")
    veille.settle()
    assert "muted" not in all_text(veille.alerts()[0])
    assert "`@jeanne` is muted on x" in _answer(veille, APPROVER, "mute @jeanne")
    assert ":mute: muted author" in all_text(veille.alerts()[0])
    assert "`@jeanne` on x, by <@U0BOB>" in _answer(veille, AUTHOR, "mute list")
    assert "no longer muted on x" in _answer(veille, APPROVER, "unmute @jeanne")
    assert "muted author" not in all_text(veille.alerts()[0])
    assert "No muted author." in _answer(veille, AUTHOR, "mute list")


def test_only_approvers_and_admins_mute_and_the_refusal_is_in_the_members_language(veille):
    veille.mention("t-1", "bonjour")
    veille.settle()
    assert "Only approvers and admins" in _answer(veille, OUTSIDER, "mute @jeanne")
    assert "Only approvers and admins" in _answer(veille, AUTHOR, "unmute @jeanne")
    with veille.db.session() as s:
        assert s.scalars(select(MutedAuthor)).all() == []
    assert "est en sourdine sur x" in _answer(veille, APPROVER_FR, "mute @jeanne")


def test_muting_someone_never_seen_asks_for_the_network_and_bad_input_gets_usage(veille):
    assert "say on which network" in _answer(veille, APPROVER, "mute @nobody")
    assert "`@nobody` is muted on bluesky" in _answer(veille, APPROVER, "mute @nobody bluesky")
    assert "`myspace` is not a network I know" in _answer(veille, APPROVER, "mute @nobody myspace")
    assert "Usage: `/veille mute @author [network]`" in _answer(veille, APPROVER, "mute")
    assert "is not muted" in _answer(veille, APPROVER, "unmute @someone-else")
    assert "précisez le réseau" in _answer(veille, APPROVER_FR, "mute @personne")


def test_muted_authors_and_likely_bots_are_left_out_of_spike_counts(veille):
    veille.mention("t-1", "where is my order?", author="u-1", handle="@jeanne")
    veille.mention("t-2", "where is my order??", author="u-2", handle="@muted")
    _post(veille, "t-3", "Daily update", {"id": "u-3", "handle": "@bot", "bot": True})
    veille.settle()
    _answer(veille, APPROVER, "mute @muted")
    with veille.db.session() as s:
        s.query(TrafficBucket).delete()  # count from scratch, whatever a background roll-up did
        s.query(traffic.TrafficCursor).delete()
    with veille.db.session() as s:
        traffic.roll_up(s, veille.clock.now(), lambda account: [])
    with veille.db.session() as s:
        counts = {b.seconds: b.count for b in s.scalars(select(TrafficBucket).where(
            TrafficBucket.scope == traffic.account_scope("acme")))}
    assert counts[traffic.FINE] == 1 and counts[traffic.HOUR] == 1


def test_an_angry_mention_is_posted_before_calmer_ones_that_arrived_earlier(veille):
    for i in range(3):
        veille.mention(f"calm-{i}", f"Hello, when does the shop open on Sunday? ({i})", author=f"u-{i}", handle=f"@p{i}")
    veille.mention("angry", "This is the worst service ever, I am furious and disgusted!", author="u-x", handle="@angry")
    veille.settle()
    texts = [all_text(a) for a in veille.alerts()]
    assert len(texts) == 4 and "furious" in texts[0]
