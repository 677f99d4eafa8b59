"""French channels: `[team] language` and an account's `language` set the language of that
account's channel messages (alert, buttons, notes, draft card), whoever reads them; what one
member is told follows that member's Slack locale."""

from __future__ import annotations

import pytest

from bot.ids import Action, Block, Input
from bot.slack.standin import render_channel, render_message
from tests.conftest import START
from tests.support.harness import APPROVER, AUTHOR, Veille, all_text, team_config

CAROL = "U0CAROL"  # fr-FR, an approver through the S0APPROVERS group
BREACH = START + 3600  # first_response = "1h"


def _veille(db_url, clock, standin, target, team_language: str | None = None, **account_languages) -> Veille:
    cfg = team_config(target.url)
    if team_language:
        cfg["team"]["language"] = team_language
    for account in cfg["accounts"]:
        if account["key"] in account_languages:
            account["language"] = account_languages[account["key"]]
    return Veille(db_url, clock, standin, target, config=cfg)


@pytest.fixture
def bilingual(db_url, clock, standin, target):
    """acme (English channel C0ACME) and acme_fr (French channel C0ACMEFR)."""
    v = _veille(db_url, clock, standin, target, acme_fr="fr")
    yield v
    v.close()


def _draft_card(v: Veille, channel: str, alert: dict, author: str, text: str) -> dict:
    v.slack.click(author, channel, alert["ts"], Action.REPLY)
    v.settle()
    [modal] = v.standin.views(author)
    assert v.slack.submit_view(author, modal["id"], values={Block.REPLY_TEXT: {Input.TEXT: text}}).status_code == 200
    v.settle()
    return v.thread(alert, channel)[-1]


def test_a_french_accounts_alert_buttons_breach_note_and_draft_card_are_in_french(bilingual):
    v = bilingual
    v.mention("m-1", "Ma commande n'est jamais arrivée", account="acme_fr")
    v.settle()
    [alert] = v.alerts("C0ACMEFR")
    text = all_text(alert)
    assert "Ouvrir sur mastodon" in text and "Première réponse : échéance" in text
    assert alert["text"].startswith("mention mastodon de @jeanne")  # the notification, in French too
    assert "Répondre" in text and "M'assigner" in text and "Pas de réponse nécessaire" in text
    assert "Résoudre" in text and "Je m'en occupe" in text  # the status menu
    for english in ("Open on", "Reply", "Assign to me", "No reply needed", " due ", "First response"):
        assert english not in text, english

    v.clock.set(BREACH)
    v.settle()
    shown = render_channel(v.standin, "C0ACMEFR", tz="Europe/Paris", lang="fr")
    assert "Première réponse dépassée il y a 0 minutes (échéance aujourd'hui 11:00)" in shown
    assert "Première réponse dépassée (échéance aujourd'hui 11:00). Personne n'est assigné : utilisez *M'assigner*." \
        in shown

    card = _draft_card(v, "C0ACMEFR", alert, AUTHOR, "Bonjour, nous regardons tout de suite.")
    card_text = all_text(card)
    assert "*Brouillon de réponse* `r1` v1 par <@U0ALICE>" in card_text
    assert "[Approuver] [Rejeter]" in render_channel(v.standin, "C0ACMEFR", lang="fr")
    assert "En attente d'un approbateur" in card_text and "Draft" not in card_text and "Approve" not in card_text

    v.slack.click(APPROVER, "C0ACMEFR", card["ts"], Action.APPROVE)
    v.settle()
    published = all_text(v.standin.message("C0ACMEFR", card["ts"]))
    assert "Publiée (" in published and "approuvée par <@U0BOB>" in published
    assert ":white_check_mark: Première réponse tenue en 1 h 00." in all_text(v.thread(alert, "C0ACMEFR")[-1])


def test_an_english_accounts_alert_buttons_breach_note_and_draft_card_stay_in_english(bilingual):
    v = bilingual
    v.mention("m-1", "My order never arrived")
    v.settle()
    [alert] = v.alerts("C0ACME")
    text = all_text(alert)
    assert "Open on x" in text and "First response due" in text
    assert "Reply" in text and "Assign to me" in text and "No reply needed" in text
    v.clock.set(BREACH)
    v.settle()
    shown = render_channel(v.standin, "C0ACME", tz="Europe/Paris")
    assert "First response breached (due today 11:00). Nobody is assigned: use *Assign to me*." in shown
    card = _draft_card(v, "C0ACME", alert, CAROL, "Hello, we are on it.")  # a French member writes it
    assert "*Draft reply* `r1` v1 by <@U0CAROL>" in all_text(card)
    assert "[Approve] [Reject]" in render_channel(v.standin, "C0ACME")


def test_the_team_language_applies_unless_an_account_says_otherwise(db_url, clock, standin, target):
    v = _veille(db_url, clock, standin, target, team_language="fr", acme="en")
    try:
        v.mention("m-1", "Commande perdue", account="acme_fr")
        v.mention("m-2", "Lost order", account="acme")
        v.settle()
        assert "Répondre" in all_text(v.alerts("C0ACMEFR")[0])
        assert "Reply" in all_text(v.alerts("C0ACME")[0])
    finally:
        v.close()


def test_members_read_their_answers_and_examples_in_their_own_language(bilingual):
    v = bilingual
    v.slack.command(CAROL, "help")
    v.slack.command(AUTHOR, "help")
    v.settle()
    french = render_message(v.standin.ephemerals(CAROL)[-1], v.standin, lang="fr")
    english = render_message(v.standin.ephemerals(AUTHOR)[-1], v.standin)
    assert "/veille reject r7 <raison>" in french and '"vendredi 18h"' in french and "<reason>" not in french
    assert "/veille reject r7 <reason>" in english
    for french_word in ("vendredi", "demain", "jeudi", "Texte", "<raison>"):
        assert french_word not in english, french_word

    v.slack.command(AUTHOR, "oncall override nobody")
    v.slack.command(CAROL, "assign")
    v.slack.command(AUTHOR, "move p1")
    v.settle()
    assert v.standin.ephemerals(AUTHOR)[-2]["text"] == 'Usage: `/veille oncall override @member until "friday 6pm"`'
    assert v.standin.ephemerals(CAROL)[-1]["text"] == "Utilisation : `/veille assign c12 [@membre]`"
    assert v.standin.ephemerals(AUTHOR)[-1]["text"] == 'Usage: `/veille move p12 "thursday 2pm"`'


def test_a_french_members_queue_has_no_english_words(bilingual):
    v = bilingual
    v.mention("m-1", "Commande perdue", account="acme_fr")
    v.settle()
    v.slack.command(CAROL, "queue")
    v.settle()
    [answer] = [e for e in v.standin.ephemerals(CAROL)]
    shown = render_message(answer, v.standin, tz="Europe/Paris", lang="fr")
    assert "échéance aujourd'hui 11:00" in shown and "<raison>" in shown and "@membre" in shown
    for english in (" due ", "today", "reason", "member"):
        assert english not in shown, english


def test_an_ephemeral_reads_as_it_did_when_it_was_sent(bilingual):
    v = bilingual
    v.mention("m-1", "Lost order")
    v.settle()
    v.clock.advance(600)  # 09:10 UTC, 10:10 in Paris
    v.slack.command(APPROVER, "queue")
    v.settle()
    v.clock.set(START + 2 * 86400)  # the transcript is printed two days later
    shown = render_channel(v.standin, "C0SOCIAL", tz="Europe/Paris", include_ephemeral_for=APPROVER)
    assert "10:10 Veille (only visible to you)" in shown
    assert "due today 11:00" in shown
