"""Bad input never answers 500: the webhook names the bad field with a 400 and stores nothing (so
a sender that retries on 5xx never loops), and a slash command with an odd id says so."""

from __future__ import annotations

import json

from bot.signing import sign_v1
from tests.support.harness import APPROVER, INGEST_SECRET, all_text

CAROL_FR = "U0CAROL"


def _msg(**over):
    m = {"id": "w-1", "network": "x", "account": "acme", "kind": "mention",
         "author": {"id": "u-1", "handle": "@jeanne", "name": "Jeanne"}, "text": "Hello",
         "url": "https://x.example/w-1", "created_at": "2026-11-23T08:59:00Z"}
    m.update(over)
    return m


def _stored_nothing(veille):
    r = veille.post_webhook([_msg(id="probe")])
    assert r.json()["stored"] == ["x:probe"]  # the refused batch left nothing behind


def test_a_lone_surrogate_in_the_text_refuses_the_batch_naming_the_item_and_field(veille):
    r = veille.post_webhook([_msg(), _msg(id="w-2", text="colis perdu \ud83d")])
    assert r.status_code == 400, r.text
    assert any(e.startswith("[1].text:") and "surrogate" in e for e in r.json()["errors"])
    _stored_nothing(veille)
    assert veille.post_webhook([_msg(), _msg(id="w-2", text="colis perdu \ud83d")]).status_code == 400  # every retry


def test_a_lone_surrogate_in_the_author_name_is_a_400_naming_it(veille):
    r = veille.post_webhook([_msg(author={"id": "u-1", "handle": "@j", "name": "Je\ud83danne"})])
    assert r.status_code == 400
    assert any(e.startswith("[0].author.name:") for e in r.json()["errors"])
    _stored_nothing(veille)


def test_a_nul_character_is_a_400_on_every_database(veille):
    r = veille.post_webhook(_msg(text="hello\u0000world"))
    assert r.status_code == 400 and "text: contains a NUL character" in r.text
    r = veille.post_webhook(_msg(author={"id": "u\u0000", "handle": "@j", "name": "J"}))
    assert r.status_code == 400 and "author.id: contains a NUL character" in r.text


def test_deep_nesting_is_a_400_not_a_crash(veille):
    deep = b'{"id": "w-1", "extra": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    r = veille.post_webhook(None, raw=deep)
    assert r.status_code == 400 and "body: nested deeper than" in r.text
    moderate = json.dumps(_msg(extra=[[[[[[[[["deep"]]]]]]]]])).encode()
    assert veille.post_webhook(None, raw=moderate).status_code == 400


def test_a_five_thousand_digit_number_is_a_400_naming_the_field(veille):
    body = json.dumps(_msg()).replace('"w-1"', "9" * 5000, 1).encode()
    r = veille.post_webhook(None, raw=body)
    assert r.status_code == 400 and "id: must be a string" in r.text


def test_a_date_in_year_one_or_1969_or_tomorrow_is_refused(veille):
    for when in ("0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z"):
        r = veille.post_webhook(_msg(created_at=when))
        assert r.status_code == 400 and "created_at: before 2006-01-01" in r.text
    r = veille.post_webhook(_msg(created_at="2026-11-24T09:00:00Z"))  # the clock says 2026-11-23 09:00
    assert r.status_code == 400 and "created_at: more than 5 minutes in the future" in r.text
    assert veille.post_webhook(_msg(created_at="2026-11-23T09:04:00Z")).status_code == 202  # small skew is fine


def test_a_network_contradicting_the_account_is_refused(veille):
    r = veille.post_webhook(_msg(id="5022", network="mastodon"))  # acme is an X account
    assert r.status_code == 400 and "network: account 'acme' is on x, not 'mastodon'" in r.text
    _stored_nothing(veille)


def test_a_timestamp_with_a_sign_or_an_underscore_is_not_unix_seconds(veille):
    body = json.dumps(_msg()).encode()
    ts = str(int(veille.clock.now()))
    for odd in ("+" + ts, ts[:4] + "_" + ts[4:], "0" + ts):
        headers = {"Content-Type": "application/json", "X-Veille-Timestamp": odd,
                   "X-Veille-Signature": sign_v1(INGEST_SECRET, int(odd.replace("_", "")), body)}
        assert veille.http.post("/ingest/webhook", content=body, headers=headers).status_code == 401, odd


def _answer(veille, user, text):
    r = veille.slack.command(user, text)
    assert r.status_code == 200
    veille.settle()
    return veille.ephemeral_texts(user)[-1]


def test_odd_ids_in_slash_commands_are_answered_not_an_id_i_know(veille):
    for cmd in ("approve r²", "assign c²", "resolve c1234567890123456789012345", "audit p9999999999999999999999999",
                "cancel p²", "move p² demain", "priority c² high", "reject r1234567890123456789012345 non"):
        out = _answer(veille, APPROVER, cmd)
        assert "is not an id I know" in out, (cmd, out)
    assert "n'est pas un identifiant connu" in _answer(veille, CAROL_FR, "snooze c²")


def test_the_alerts_notification_text_loses_bidi_and_zero_width_characters_like_its_blocks(veille):
    veille.mention("t-1", "Pay\u202eatad\u200b here", name="Ev\u202eil")
    veille.settle()
    [alert] = veille.alerts()
    assert "\u202e" not in alert["text"] and "\u200b" not in alert["text"]
    assert "Payatad here" in alert["text"]


def test_a_reply_too_long_for_x_is_refused_at_draft_time(veille):
    from bot.ids import Action, Block, Input
    from tests.support.harness import AUTHOR

    veille.mention("t-1", "Colis perdu")
    veille.settle()
    [alert] = veille.alerts()
    veille.slack.click(AUTHOR, "C0ACME", alert["ts"], Action.REPLY)
    veille.settle()
    [modal] = veille.standin.views(AUTHOR)
    r = veille.slack.submit_view(AUTHOR, modal["id"], values={Block.REPLY_TEXT: {Input.TEXT: "a" * 400}})
    assert r.json()["response_action"] == "errors"
    assert "Too long for X" in r.json()["errors"][Block.REPLY_TEXT] and "400 / 280" in r.json()["errors"][Block.REPLY_TEXT]
    veille.settle()
    assert not any("Draft reply" in all_text(m) for m in veille.thread(alert))
