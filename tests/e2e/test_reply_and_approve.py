"""Reply → draft → approval → published exactly once, from buttons and modals."""

from __future__ import annotations

from bot.ids import Action, Block, Input
from tests.support.harness import APPROVER, AUTHOR, OUTSIDER, all_text


def _alert_and_draft(veille, text="Désolés ! Nous regardons votre commande."):
    return veille.draft_reply(text, mention_text="Ma commande n'est jamais arrivée")


def test_reply_opens_a_modal_and_the_draft_waits_in_the_thread_with_approve_and_reject(veille):
    alert, card = _alert_and_draft(veille)
    text = all_text(card)
    assert "Désolés ! Nous regardons votre commande." in text and "<@U0ALICE>" in text
    buttons = [e["action_id"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [Action.APPROVE, Action.REJECT]
    assert veille.target.requests == []  # nothing leaves before approval


def test_an_empty_reply_is_refused_in_the_modal(veille):
    veille.mention("t-1", "Hello")
    veille.settle()
    [alert] = veille.alerts()
    veille.slack.click(AUTHOR, "C0ACME", alert["ts"], Action.REPLY)
    veille.settle()
    [modal] = veille.standin.views(AUTHOR)
    r = veille.slack.submit_view(AUTHOR, modal["id"], values={Block.REPLY_TEXT: {Input.TEXT: "   "}})
    assert r.json()["response_action"] == "errors"
    assert Block.REPLY_TEXT in r.json()["errors"]


def test_an_approver_approves_and_the_exact_text_is_published_once_with_its_link_in_the_thread(veille):
    alert, card = _alert_and_draft(veille, "Bonjour, on s'en occupe <3 & vite")
    veille.slack.click(APPROVER, "C0ACME", card["ts"], Action.APPROVE)
    veille.settle()

    assert len(veille.target.published) == 1
    [sent] = veille.target.published.values()
    assert sent["text"] == "Bonjour, on s'en occupe <3 & vite"
    assert sent["in_reply_to"]["id"] == "t-1" and sent["account"] == "acme"
    card_now = veille.standin.message("C0ACME", card["ts"])
    assert "Published" in all_text(card_now) and "https://social.example/post-1" in all_text(card_now)
    assert "<@U0BOB>" in all_text(card_now)
    parent = veille.standin.message("C0ACME", alert["ts"])
    assert "First response met" in all_text(parent)  # the clock stopped


def test_a_double_click_or_a_replayed_approval_publishes_nothing_twice(veille):
    alert, card = _alert_and_draft(veille)
    veille.slack.click(APPROVER, "C0ACME", card["ts"], Action.APPROVE)
    veille.slack.click(APPROVER, "C0ACME", card["ts"], Action.APPROVE)
    veille.settle()
    veille.slack.click(APPROVER, "C0ACME", card["ts"], Action.APPROVE, value=card["blocks"][-1]["elements"][0]["value"],
                       block_id=Block.ACTIONS)
    veille.settle()

    assert len(veille.target.requests) == 1
    assert any("already" in t for t in veille.ephemeral_texts(APPROVER))


def test_nobody_approves_their_own_draft(veille):
    veille.cfg.team.approvers.append(AUTHOR)
    alert, card = _alert_and_draft(veille)
    veille.slack.click(AUTHOR, "C0ACME", card["ts"], Action.APPROVE)
    veille.settle()

    assert veille.target.requests == []
    assert any("someone else has to approve" in t for t in veille.ephemeral_texts(AUTHOR))


def test_a_member_who_is_not_an_approver_cannot_approve(veille):
    alert, card = _alert_and_draft(veille)
    veille.slack.click(OUTSIDER, "C0ACME", card["ts"], Action.APPROVE)
    veille.settle()

    assert veille.target.requests == []
    assert any("Only approvers" in t for t in veille.ephemeral_texts(OUTSIDER))


def test_members_of_the_approvers_user_group_may_approve(veille):
    alert, card = _alert_and_draft(veille)
    veille.slack.click("U0CAROL", "C0ACME", card["ts"], Action.APPROVE)
    veille.settle()
    assert len(veille.target.published) == 1


def test_reject_asks_for_a_reason_and_the_card_shows_it(veille):
    alert, card = _alert_and_draft(veille)
    veille.slack.click(APPROVER, "C0ACME", card["ts"], Action.REJECT)
    veille.settle()
    [modal] = veille.standin.views(APPROVER)
    r = veille.slack.submit_view(APPROVER, modal["id"], values={Block.REJECT_REASON: {Input.TEXT: ""}})
    assert r.json()["response_action"] == "errors"  # a reason is required
    veille.slack.submit_view(APPROVER, modal["id"], values={Block.REJECT_REASON: {Input.TEXT: "Too formal <b>"}})
    veille.settle()

    card_now = veille.standin.message("C0ACME", card["ts"])
    assert "Rejected by <@U0BOB>: Too formal &lt;b&gt;" in all_text(card_now)
    assert veille.target.requests == []


def test_assign_to_me_shows_the_assignee_on_the_alert(veille):
    veille.mention("t-1", "Hello")
    veille.settle()
    [alert] = veille.alerts()
    veille.slack.click(AUTHOR, "C0ACME", alert["ts"], Action.ASSIGN_ME)
    veille.settle()
    assert "assigned to <@U0ALICE>" in all_text(veille.standin.message("C0ACME", alert["ts"]))


def test_no_reply_needed_resolves_the_conversation_and_stops_its_clock(veille):
    veille.mention("t-1", "Love you guys")
    veille.settle()
    [alert] = veille.alerts()
    veille.slack.click(AUTHOR, "C0ACME", alert["ts"], Action.NO_REPLY)
    veille.advance(2 * 3600)

    parent = veille.standin.message("C0ACME", alert["ts"])
    assert "Resolved" in all_text(parent)
    assert not any("breached" in all_text(m) for m in veille.thread(alert))
