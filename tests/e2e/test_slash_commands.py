"""`/veille` from a phone or a desk: every subcommand, its errors, in the member's language."""

from __future__ import annotations

from bot.ids import Action, Block, Input
from tests.support.harness import APPROVER, AUTHOR, OUTSIDER, all_text

CAROL_FR = "U0CAROL"


def _answer(veille, user, text):
    r = veille.slack.command(user, text)
    assert r.status_code == 200
    veille.settle()
    return veille.ephemeral_texts(user)[-1]


def _draft(veille, text="Merci, on regarde !"):
    alert, _ = veille.draft_reply(text)
    return alert


def test_help_lists_every_subcommand_with_an_example(veille):
    out = _answer(veille, AUTHOR, "help")
    for example in ("/veille queue", "/veille approve r7", "/veille reject r7 &lt;reason&gt;", "/veille assign c12"):
        assert example in out


def test_an_empty_command_shows_help(veille):
    assert "/veille queue" in _answer(veille, AUTHOR, "")


def test_help_answers_in_french_to_a_french_member(veille):
    out = _answer(veille, CAROL_FR, "help")
    assert "commandes" in out and "brouillons à approuver" in out


def test_an_unknown_subcommand_says_what_would_work(veille):
    assert "I don't know `frobnicate`. Try `/veille help`" in _answer(veille, AUTHOR, "frobnicate now")
    assert "Je ne connais pas `<b>`" not in _answer(veille, CAROL_FR, "<b>")
    assert "Je ne connais pas `&lt;b&gt;`" in veille.ephemeral_texts(CAROL_FR)[-1]


def test_queue_lists_open_conversations_by_deadline_and_drafts_waiting(veille):
    veille.mention("t-1", "first")
    veille.clock.advance(600)
    veille.mention("t-2", "second", author="u-2", handle="@paul")
    veille.settle()
    [older, newer] = sorted(veille.alerts(), key=lambda a: float(a["ts"]))
    veille.slack.click(AUTHOR, "C0ACME", older["ts"], Action.REPLY)
    veille.settle()
    [modal] = veille.standin.views(AUTHOR)
    veille.slack.submit_view(AUTHOR, modal["id"], values={Block.REPLY_TEXT: {Input.TEXT: "On it"}})
    out = _answer(veille, APPROVER, "queue")

    assert out.index("`c1`") < out.index("`c2`")  # soonest deadline first
    assert "@jeanne" in out and "@paul" in out
    assert "`r1` v1 by <@U0ALICE>" in out and "On it" in out


def test_queue_when_nothing_waits(veille):
    assert "Nothing waiting" in _answer(veille, AUTHOR, "queue")


def test_approve_by_command_shows_the_exact_version_then_publishes_on_the_click(veille):
    _draft(veille)
    assert "Approve `r1` *version 1* for *acme*" in _answer(veille, APPROVER, "approve r1")
    assert "Merci, on regarde" in _answer(veille, APPROVER, "approve r1")
    assert veille.target.requests == []  # nothing before the click
    [shown] = [e for e in veille.standin.ephemerals(APPROVER) if "version 1" in all_text(e)][-1:]
    veille.slack.click(APPROVER, "C0SOCIAL", shown["ts"], Action.APPROVE_CONFIRM)
    veille.settle()
    assert "Approved `r1`" in veille.ephemeral_texts(APPROVER)[-1]
    assert len(veille.target.published) == 1
    assert "already" in _answer(veille, APPROVER, "approve r1")
    assert len(veille.target.requests) == 1


def test_approve_refuses_bad_ids_outsiders_and_authors(veille):
    _draft(veille)
    assert "Usage: `/veille approve r7`" in _answer(veille, APPROVER, "approve")
    assert "`zz9` is not an id I know" in _answer(veille, APPROVER, "approve zz9")
    assert "No draft `r42`" in _answer(veille, APPROVER, "approve r42")
    assert "Only approvers" in _answer(veille, OUTSIDER, "approve r1")
    veille.cfg.team.approvers.append(AUTHOR)
    assert "someone else has to approve" in _answer(veille, AUTHOR, "approve r1")
    assert veille.target.requests == []


def test_reject_by_command_needs_a_reason_and_shows_it_on_the_card(veille):
    alert = _draft(veille)
    assert "Say why" in _answer(veille, APPROVER, "reject r1")
    assert "Rejected `r1`" in _answer(veille, APPROVER, "reject r1 ton trop familier")
    veille.settle()
    card = next(m for m in veille.thread(alert) if "Draft reply" in all_text(m))
    assert "Rejected by <@U0BOB>: ton trop familier" in all_text(card)


def test_assign_to_self_or_to_a_mentioned_member(veille):
    veille.mention("t-1", "Hello")
    veille.settle()
    assert "assigned to <@U0ALICE>" in _answer(veille, AUTHOR, "assign c1")
    assert "assigned to <@U0BOB>" in _answer(veille, AUTHOR, "assign c1 <@U0BOB|bob>")
    veille.settle()
    [alert] = veille.alerts()
    assert "assigned to <@U0BOB>" in all_text(veille.standin.message("C0ACME", alert["ts"]))
    assert "No conversation `c99`" in _answer(veille, AUTHOR, "assign c99")
    assert "Usage" in _answer(veille, AUTHOR, "assign c1 bob")


def test_errors_answer_in_french_to_a_french_member(veille):
    assert "n'est pas un identifiant connu" in _answer(veille, CAROL_FR, "approve zz9")
