"""Burst cards (issue 8, item 2): when a channel receives more new conversations than it can show
one by one, ordinary ones fold into one live card per account; priority ones keep their alert;
Triage works through the folded ones; nothing is hidden and every count is exact."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.domain import bursts
from bot.ids import Action, Block, Input
from storage.models import Conversation, Outbox
from tests.support.harness import AUTHOR, Veille, all_text, team_config

VIP = "@bigfan"


@pytest.fixture
def veille(db_url, clock, standin, target):
    cfg = team_config(target.url, sla={"first_response": "1h", "next_response": "2h", "vip_authors": [VIP]})
    cfg["accounts"][1]["language"] = "fr"
    v = Veille(db_url, clock, standin, target, config=cfg)
    yield v
    v.close()


def _mention(i: int, account: str = "acme", text: str | None = None, **extra) -> dict:
    handle = extra.pop("handle", f"@fan{i}")
    return {"id": f"m-{account}-{i}", "network": "x" if account == "acme" else "mastodon", "account": account,
            "kind": extra.pop("kind", "mention"), "author": {"id": f"a-{i}", "handle": handle, "name": f"Fan {i}"},
            "text": text or f"Colis {i} jamais livré, service client injoignable", "url": f"https://x.example/s/{i}",
            "created_at": "2026-11-23T09:00:00Z", **extra}


def _flood(v: Veille, n: int, account: str = "acme", special: dict[int, dict] | None = None) -> None:
    """n mentions arriving at once (webhook batches of 100), some of them special (VIP, DM)."""
    items = [_mention(i, account, **(special or {}).get(i, {})) for i in range(n)]
    for start in range(0, n, 100):
        r = v.post_webhook(items[start:start + 100])
        assert r.status_code == 202, r.text


def _let_slack_catch_up(v: Veille, seconds: int = 30) -> None:
    """Slack's per-channel limit (about one post a second) is on: let the moved clock run."""
    for _ in range(seconds):
        v.advance(1)


def _card(v: Veille, channel: str = "C0ACME") -> dict:
    [card] = [m for m in v.alerts(channel) if any(b.get("type") == "header" for b in m.get("blocks") or [])]
    return card


def _posted(v: Veille) -> list:
    return [c for c in v.standin.calls_to("chat.postMessage") if c.ok]


def _count(v: Veille, **where) -> int:
    with v.db.session() as s:
        q = select(func.count()).select_from(Conversation)
        for k, val in where.items():
            q = q.where(getattr(Conversation, k) == val)
        return s.scalar(q)


def test_three_hundred_mentions_at_once_become_a_handful_of_messages_and_one_card_with_exact_counts(veille):
    _flood(veille, 300, special={150: {"handle": VIP, "text": "Je suis VIP et furieux"},
                                 200: {"kind": "dm", "text": "En MP : remboursez-moi"}})
    _let_slack_catch_up(veille)

    alerts = veille.alerts()
    card = _card(veille)
    own = [a for a in alerts if a["ts"] != card["ts"]]
    # The channel's first few ordinary alerts, then everything ordinary folds; VIP and DM keep theirs.
    assert len(own) == bursts.FOLD_BACKLOG + 2
    assert any("Je suis VIP et furieux" in all_text(a) for a in own)
    assert any("remboursez-moi" in all_text(a) for a in own)
    folded = 300 - bursts.FOLD_BACKLOG - 2
    assert _count(veille, folded=True) == folded
    text = all_text(veille.standin.message("C0ACME", card["ts"]))
    assert f"Burst on acme: {folded} new conversations folded" in text
    assert f"*{folded}* waiting for someone" in text
    assert f":bird: X {folded}" in text and f"mention {folded}" in text
    assert "`colis`" in text and "`livré`" in text  # the top words
    assert "&gt; Colis" in text  # samples, quoted
    buttons = [e["text"]["text"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["Triage"]
    assert len(_posted(veille)) == len(alerts)  # no alert per folded mention


def test_a_vip_mention_in_the_middle_of_a_burst_gets_its_own_alert_at_once(veille):
    _flood(veille, 120)
    veille.mention("vip-1", "Votre produit m'a brûlé", handle=VIP, author="vip")
    _let_slack_catch_up(veille, 12)

    vip = [a for a in veille.alerts() if "Votre produit m'a brûlé" in all_text(a)]
    assert len(vip) == 1


def test_a_folded_conversation_is_listed_in_the_queue_and_its_follow_ups_are_not_posted(veille):
    _flood(veille, 20)
    veille.post_webhook(_mention(99, text="Toujours rien ???", thread_id="m-acme-19", in_reply_to="m-acme-19"))
    _let_slack_catch_up(veille, 15)

    assert _count(veille, folded=True) == 20 - bursts.FOLD_BACKLOG
    posts = [c.params.get("text", "") for c in _posted(veille)]
    assert not any("Toujours rien" in p for p in posts)
    veille.slack.command(AUTHOR, "queue")
    veille.settle()
    assert any("`c10`" in t and "on a burst card" in t for t in veille.ephemeral_texts(AUTHOR))


def _open_triage(v: Veille, user: str = AUTHOR) -> dict:
    card = _card(v)
    v.slack.click(user, "C0ACME", card["ts"], Action.TRIAGE)
    v.settle()
    return v.standin.views(user)[-1]


def test_triage_lists_the_folded_conversations_ten_a_page(veille):
    _flood(veille, 40)
    _let_slack_catch_up(veille, 15)

    view = _open_triage(veille)
    text = all_text(view)
    folded = 40 - bursts.FOLD_BACKLOG
    assert f"*{folded}* folded conversations waiting" in text and "Showing 1–10" in text
    rows = [b for b in view["blocks"] if (b.get("block_id") or "").startswith("triage_c")]
    assert len(rows) == 10
    assert "Colis" in text and "@fan" in text and "<!date^" in text

    veille.slack.click_in_view(AUTHOR, view["id"], Action.TRIAGE_PAGE)
    veille.settle()
    page2 = veille.standin.view(view["id"])
    assert "Showing 11–20" in all_text(page2)
    assert "Next (15 more)" in all_text(page2)


def test_bulk_assign_from_triage_assigns_each_selected_conversation_and_the_card_counts_them(veille):
    _flood(veille, 30)
    _let_slack_catch_up(veille, 15)
    view = _open_triage(veille)
    pick = next(b for b in view["blocks"] if b.get("block_id") == Block.TRIAGE_PICK)
    ids = [o["value"] for o in pick["element"]["options"][:3]]

    r = veille.slack.submit_view(AUTHOR, view["id"], values={Block.TRIAGE_PICK: {Input.TRIAGE_PICK: ids},
                                                             Block.TRIAGE_BULK: {Input.TRIAGE_BULK: "assign"}})
    assert r.status_code == 200
    _let_slack_catch_up(veille, 8)

    assert _count(veille, assignee=AUTHOR) == 3
    card = veille.standin.message("C0ACME", _card(veille)["ts"])
    assert "3 assigned" in all_text(card)
    assert f"*{30 - bursts.FOLD_BACKLOG - 3}* waiting for someone" in all_text(card)


def test_bulk_apply_without_a_selection_says_what_is_missing(veille):
    _flood(veille, 12)
    _let_slack_catch_up(veille, 10)
    view = _open_triage(veille)

    r = veille.slack.submit_view(AUTHOR, view["id"], values={})
    assert r.status_code == 200
    assert r.json()["response_action"] == "errors"


def test_opening_a_folded_conversation_gives_it_its_own_alert_and_thread(veille):
    _flood(veille, 12)
    veille.post_webhook(_mention(50, text="Et maintenant ?", thread_id="m-acme-11", in_reply_to="m-acme-11"))
    _let_slack_catch_up(veille, 10)
    view = _open_triage(veille)
    with veille.db.session() as s:
        conv_id = s.scalar(select(Conversation.id).where(Conversation.thread_key == "m-acme-11"))
    before = len(veille.alerts())

    veille.slack.click_in_view(AUTHOR, view["id"], Action.TRIAGE_ROW, value=f"open:{conv_id}",
                               block_id=f"triage_c{conv_id}")
    _let_slack_catch_up(veille, 5)

    alerts = veille.alerts()
    assert len(alerts) == before + 1
    card = _card(veille)
    [alert] = [a for a in alerts if "Colis 11 " in all_text(a) and a["ts"] != card["ts"]]
    assert any("Et maintenant ?" in all_text(n) for n in veille.thread(alert))  # its follow-up, in its thread
    rows = [b.get("block_id") for b in veille.standin.view(view["id"])["blocks"]]
    assert f"triage_c{conv_id}" not in rows  # no longer listed as folded


def test_when_the_burst_is_over_the_card_says_so_and_new_mentions_get_their_own_alert(veille):
    _flood(veille, 20)
    _let_slack_catch_up(veille, 10)
    veille.advance(bursts.QUIET_SECONDS)
    _let_slack_catch_up(veille, 6)

    card = veille.standin.message("C0ACME", _card(veille)["ts"])
    assert "Burst over" in all_text(card)
    assert _count(veille, folded=True) == 20 - bursts.FOLD_BACKLOG  # still listed on the card, not 15 alerts
    veille.mention("after", "Une question simple")
    _let_slack_catch_up(veille, 3)
    assert any("Une question simple" in all_text(a) for a in veille.alerts())


def test_a_small_remainder_gets_its_own_alerts_when_the_burst_ends(veille):
    _flood(veille, 8)
    _let_slack_catch_up(veille, 10)
    assert _count(veille, folded=True) == 3
    veille.advance(bursts.QUIET_SECONDS)
    _let_slack_catch_up(veille, 6)

    assert _count(veille, folded=True) == 0
    card = _card(veille)
    assert len([a for a in veille.alerts() if "Colis" in all_text(a) and a["ts"] != card["ts"]]) == 8


def test_a_folded_conversation_that_becomes_priority_gets_its_own_alert(veille):
    _flood(veille, 10)
    _let_slack_catch_up(veille, 10)
    veille.slack.command(AUTHOR, "priority c10 urgent")
    _let_slack_catch_up(veille, 3)

    card = _card(veille)
    assert any("Colis 9 " in all_text(a) for a in veille.alerts() if a["ts"] != card["ts"])


def test_folded_conversations_breaching_together_get_one_note_on_the_card_not_one_alert_each(veille):
    _flood(veille, 60)
    _let_slack_catch_up(veille, 15)
    posts_before = len(_posted(veille))

    veille.advance(3600)
    _let_slack_catch_up(veille, 15)

    card = _card(veille)
    notes = veille.thread(card)
    assert any("past their deadline" in all_text(n) for n in notes)
    posts = len(_posted(veille)) - posts_before
    assert posts < 35  # the five posted alerts' breach notes, ten unfolded ones and one note, not 55 more
    assert ":red_circle:" in all_text(veille.standin.message("C0ACME", card["ts"]))


def test_the_card_speaks_french_on_a_french_account(veille):
    _flood(veille, 12, account="acme_fr")
    _let_slack_catch_up(veille, 10)

    text = all_text(_card(veille, "C0ACMEFR"))
    assert "Afflux sur acme_fr : 7 nouvelles conversations regroupées" in text
    assert "sans personne" in text
    assert "Trier" in text


def test_folding_never_leaves_a_queued_alert_for_a_folded_conversation(veille):
    _flood(veille, 50)
    with veille.db.session() as s:
        alert_rows = s.scalar(select(func.count()).select_from(Outbox).where(Outbox.op == "alert_post"))
    assert alert_rows == bursts.FOLD_BACKLOG


def test_veille_triage_opens_the_list_for_one_account_and_refuses_an_unknown_one(veille):
    _flood(veille, 12)
    _let_slack_catch_up(veille, 10)

    veille.slack.command(AUTHOR, "triage @acme")
    veille.settle()
    [view] = veille.standin.views(AUTHOR)
    assert f"*{12 - bursts.FOLD_BACKLOG}* folded conversations waiting · acme" in all_text(view)

    veille.slack.command(AUTHOR, "triage @nope")
    veille.settle()
    assert any("No account `nope`" in t for t in veille.ephemeral_texts(AUTHOR))


def test_answering_from_triage_opens_the_conversation_and_the_reply_modal(veille):
    _flood(veille, 8)
    _let_slack_catch_up(veille, 10)
    view = _open_triage(veille)
    with veille.db.session() as s:
        conv_id = s.scalar(select(Conversation.id).where(Conversation.folded).limit(1))

    veille.slack.click_in_view(AUTHOR, view["id"], Action.TRIAGE_ROW, value=f"reply:{conv_id}",
                               block_id=f"triage_c{conv_id}")
    _let_slack_catch_up(veille, 3)

    top = veille.standin.views(AUTHOR)[-1]
    assert top["callback_id"] == "reply_modal" and top["private_metadata"] == str(conv_id)
    assert _count(veille, id=conv_id, folded=False) == 1
