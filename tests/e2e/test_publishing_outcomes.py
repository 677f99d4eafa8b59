"""Publishing never posts twice: a timeout is "unknown" and is looked up before any retry."""

from __future__ import annotations

from bot.ids import Action
from tests.support.harness import APPROVER, all_text


def _approved(veille):
    alert, card = veille.draft_reply("On s'en occupe")
    veille.slack.click(APPROVER, "C0ACME", card["ts"], Action.APPROVE)
    return alert, card


def _card(veille, card):
    return all_text(veille.standin.message("C0ACME", card["ts"]))


def test_a_timeout_after_the_network_took_the_post_is_reconciled_as_published_not_sent_again(veille):
    veille.target.mode, veille.target.delay = "timeout_after_storing", 3  # longer than the 2 s client timeout
    alert, card = _approved(veille)
    veille.settle()
    assert "Not sure it went out" in _card(veille, card)
    assert len(veille.target.requests) == 1

    veille.target.mode = "ok"
    veille.advance(31)  # the reconcile looks the post up
    assert len(veille.target.requests) == 1  # never re-sent
    assert "Published" in _card(veille, card) and "post-1" in _card(veille, card)


def test_a_timeout_before_the_network_took_it_is_sent_again_after_checking(veille):
    veille.target.mode, veille.target.delay = "timeout_before_storing", 3
    alert, card = _approved(veille)
    veille.settle()
    veille.target.mode = "ok"
    veille.advance(31)
    assert len(veille.target.requests) == 2 and len(veille.target.published) == 1
    assert "Published" in _card(veille, card)


def test_a_refusal_shows_the_failure_with_a_retry_button_that_works(veille):
    veille.target.mode = "reject"
    alert, card = _approved(veille)
    veille.settle()
    text = _card(veille, card)
    assert "Publishing failed" in text and "text refused by the network" in text
    veille.target.mode = "ok"
    veille.slack.click(APPROVER, "C0ACME", card["ts"], Action.RETRY)
    veille.settle()
    assert "Published" in _card(veille, card)
    assert len(veille.target.published) == 1


def test_when_the_network_cannot_be_checked_a_human_is_asked(veille):
    veille.target.mode, veille.target.delay = "timeout_after_storing", 3
    alert, card = _approved(veille)
    veille.settle()
    veille.target.lookup_mode = "error_500"
    for _ in range(6):  # look-ups keep failing
        veille.advance(31)
    text = _card(veille, card)
    assert "Maybe published" in text
    veille.slack.click(APPROVER, "C0ACME", card["ts"], Action.MARK_PUBLISHED)
    veille.settle()
    assert ":rocket: Published" in _card(veille, card)
    assert len(veille.target.requests) == 1
