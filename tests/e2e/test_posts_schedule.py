"""Scheduling a post from Slack: the time a member types is read in their own timezone (French or
English), echoed back as an absolute time (their zone and UTC) they confirm with a click; lengths
are checked per network before anything is scheduled; the post goes out at its minute."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.ids import Action, Block, Input
from tests.e2e.posts_support import (
    advance_to,
    card,
    card_buttons,
    click,
    command,
    draft_row,
    ids_in,
    posts_published,
    schedule,
    tick,
    utc,
)
from tests.support.harness import APPROVER, AUTHOR, OUTSIDER, all_text

CAROL_FR = "U0CAROL"


# ---- reading times -----------------------------------------------------------------------------------

# The clock starts on Monday 2026-11-23 09:00 UTC (10:00 in Paris, 04:00 in New York).
@pytest.mark.parametrize(("user", "when", "local", "at_utc"), [
    (CAROL_FR, "demain 9h", "mardi 24 novembre 2026 à 09:00 (Europe/Paris)", utc(2026, 11, 24, 8, 0)),
    (CAROL_FR, "vendredi 14h30", "vendredi 27 novembre 2026 à 14:30 (Europe/Paris)", utc(2026, 11, 27, 13, 30)),
    (CAROL_FR, "dans 2 heures", "lundi 23 novembre 2026 à 12:00 (Europe/Paris)", utc(2026, 11, 23, 11, 0)),
    (AUTHOR, "tomorrow 9am", "Tuesday, November 24, 2026 at 9:00 AM (Europe/Paris)", utc(2026, 11, 24, 8, 0)),
    (APPROVER, "tomorrow 9am", "Tuesday, November 24, 2026 at 9:00 AM (America/New_York)", utc(2026, 11, 24, 14, 0)),
    (APPROVER, "next friday 2pm", "Friday, November 27, 2026 at 2:00 PM (America/New_York)", utc(2026, 11, 27, 19, 0)),
    (OUTSIDER, "Dec 3 10:00", "Thursday, December 3, 2026 at 10:00 AM (UTC)", utc(2026, 12, 3, 10, 0)),
])
def test_the_time_is_read_in_the_members_zone_and_language_and_echoed_with_utc(veille, user, when, local, at_utc):
    answer = all_text(command(veille, user, f'post @acme "{when}" Nouvelle collection'))

    assert local in answer
    assert datetime.fromtimestamp(at_utc, UTC).strftime("%H:%M UTC") in answer
    assert veille.target.requests == []  # nothing is scheduled before the click


def test_a_dst_week_paris_has_changed_clocks_new_york_not_yet(veille):
    # Friday 2026-10-23 10:00 UTC: Paris leaves summer time on Sunday the 25th, New York on November 1st.
    veille.clock.set(utc(2026, 10, 23, 10, 0))
    carol = all_text(command(veille, CAROL_FR, 'post @acme "lundi 9h" Bonjour'))
    bob = all_text(command(veille, APPROVER, 'post @acme "monday 9am" Hello'))

    assert "lundi 26 octobre 2026 à 09:00 (Europe/Paris) · 08:00 UTC" in carol  # +1 since Sunday
    assert "Monday, October 26, 2026 at 9:00 AM (America/New_York) · 13:00 UTC" in bob  # still -4
    # Friday before the change, the same "9h" was 07:00 UTC.
    friday = all_text(command(veille, CAROL_FR, 'post @acme "samedi 9h" Samedi'))
    assert "samedi 24 octobre 2026 à 09:00 (Europe/Paris) · 07:00 UTC" in friday


def test_the_post_goes_out_at_its_minute_in_the_dst_week(veille):
    veille.clock.set(utc(2026, 10, 23, 10, 0))
    [pid] = schedule(veille, CAROL_FR, '@acme "lundi 9h" Bonjour la semaine')
    click(veille, APPROVER, card(veille, pid), Action.APPROVE, channel="C0ACME")

    advance_to(veille, utc(2026, 10, 26, 7, 59, 59))  # 08:59:59 in Paris
    assert posts_published(veille) == []
    advance_to(veille, utc(2026, 10, 26, 8, 0))
    [sent] = posts_published(veille)
    assert sent["text"] == "Bonjour la semaine" and sent["account"] == "acme"


@pytest.mark.parametrize(("user", "when", "expected"), [
    (CAROL_FR, "hier 9h", "c'est déjà passé"),
    (CAROL_FR, "n'importe quand", "Je n'arrive pas à lire « n'importe quand »"),
    (AUTHOR, "yesterday 9am", "which has already passed"),
    (AUTHOR, "whenever you like", "I couldn't read “whenever you like”"),
])
def test_past_or_unreadable_times_are_refused_with_examples_in_the_members_language(veille, user, when, expected):
    message = command(veille, user, f'post @acme "{when}" Texte')
    answer = all_text(message)

    assert expected in answer
    assert ("demain 9h" if user == CAROL_FR else "tomorrow 9am") in answer  # examples
    assert card_buttons(message) == []
    with veille.db.session() as s:
        from storage.models import Draft

        assert s.query(Draft).count() == 0


def test_an_unquoted_time_is_the_longest_readable_start(veille):
    answer = all_text(command(veille, CAROL_FR, "post @acme demain 9h Soldes d'hiver !"))

    assert "mardi 24 novembre 2026 à 09:00" in answer
    assert "&gt; Soldes d'hiver !" in answer


def test_unknown_account_and_missing_account_say_what_would_work(veille):
    assert "No account `@nope`. Accounts: `@acme`, `@acme_fr`" in all_text(command(veille, AUTHOR, 'post @nope "tomorrow 9am" Hi'))
    assert "Name at least one account" in all_text(command(veille, AUTHOR, 'post "tomorrow 9am" Hi'))


# ---- lengths per network, before anything is scheduled ------------------------------------------------


def test_each_networks_length_is_checked_before_confirming(veille):
    text = "Nouveauté " + "a" * 290  # 300 characters: too long for X (280), fine for Mastodon (500)
    message = command(veille, AUTHOR, f'post @acme @acme_fr "tomorrow 9am" {text}')
    answer = all_text(message)

    assert "Too long for X: 300 / 280 weighted characters, 20 over" in answer
    assert "300 / 500 characters on Mastodon" in answer
    assert "nothing was scheduled" in answer and card_buttons(message) == []

    ok = command(veille, AUTHOR, 'post @acme @acme_fr "tomorrow 9am" Court et bon https://example.com/a')
    assert "36 / 280 weighted characters on X" in all_text(ok)  # "Court et bon " and a link counting 23
    assert "36 / 500 characters on Mastodon" in all_text(ok)
    assert card_buttons(ok) == [Action.POST_CONFIRM, Action.POST_DISCARD]


# ---- confirm, cancel, the card ---------------------------------------------------------------------------


def test_confirm_posts_the_card_in_each_accounts_channel_and_cancel_schedules_nothing(veille):
    answer = command(veille, AUTHOR, 'post @acme @acme_fr "tomorrow 9am" Deux comptes')
    p1, p2 = ids_in(all_text(answer))
    assert veille.alerts("C0ACME") == [] and veille.alerts("C0ACMEFR") == []

    click(veille, AUTHOR, answer, Action.POST_CONFIRM)
    acme, acme_fr = card(veille, p1), card(veille, p2, "C0ACMEFR")
    assert "Deux comptes" in all_text(acme) and "Deux comptes" in all_text(acme_fr)
    assert f"<!date^{utc(2026, 11, 24, 8, 0)}^" in all_text(acme)  # each viewer sees their own zone
    assert card_buttons(acme)[:3] == [Action.APPROVE, Action.REJECT, Action.POST_CHANGES]
    confirmed = all_text(veille.standin.ephemerals(AUTHOR)[-1])
    assert f"`{p1}`" in confirmed and "waiting for approval" in confirmed

    dropped = command(veille, AUTHOR, 'post @acme "tomorrow 10am" Finalement non')
    click(veille, AUTHOR, dropped, Action.POST_DISCARD)
    assert "nothing was scheduled" in all_text(veille.standin.ephemerals(AUTHOR)[-1])
    assert len(veille.alerts("C0ACME")) == 1


def test_someone_else_cannot_confirm_a_members_post(veille):
    answer = command(veille, AUTHOR, 'post @acme "tomorrow 9am" A moi')
    veille.slack.click(OUTSIDER, "C0SOCIAL", answer["ts"], Action.POST_CONFIRM,
                       value=answer["blocks"][-1]["elements"][0]["value"], block_id=Block.ACTIONS)
    veille.settle()
    assert veille.alerts("C0ACME") == []


def test_a_post_approved_then_published_at_its_minute_shows_its_link_on_the_card_and_in_its_thread(veille):
    [pid] = schedule(veille, AUTHOR, '@acme "tomorrow 9am" Lancement !')
    click(veille, APPROVER, card(veille, pid), Action.APPROVE, channel="C0ACME")
    assert "it will be published" not in all_text(card(veille, pid))
    assert "Approved by <@U0BOB>" in all_text(card(veille, pid))

    advance_to(veille, utc(2026, 11, 24, 7, 59))
    assert posts_published(veille) == []
    advance_to(veille, utc(2026, 11, 24, 8, 0))

    [sent] = posts_published(veille)
    assert sent["text"] == "Lancement !" and sent["in_reply_to"] is None
    now = card(veille, pid)
    assert "Published" in all_text(now) and "https://social.example/post-1" in all_text(now)
    thread = veille.thread(now)
    assert any("https://social.example/post-1" in all_text(m) and "<@U0ALICE>" in all_text(m) for m in thread)
    assert draft_row(veille, pid).state == "published"


def test_now_publishes_as_soon_as_approved(veille):
    [pid] = schedule(veille, AUTHOR, "@acme now Tout de suite")
    assert posts_published(veille) == []
    click(veille, APPROVER, card(veille, pid), Action.APPROVE, channel="C0ACME")
    assert [p["text"] for p in posts_published(veille)] == ["Tout de suite"]


# ---- queue slots -----------------------------------------------------------------------------------------


def test_next_takes_the_accounts_next_free_slot(wf):
    # acme's slots: mon-fri 09:30 and 17:00 Paris. Monday 10:00 Paris now: next is today 17:00.
    first = all_text(command(wf, AUTHOR, "post @acme next Premier"))
    assert "Monday, November 23, 2026 at 5:00 PM (Europe/Paris) · 16:00 UTC" in first
    click(wf, AUTHOR, wf.standin.ephemerals(AUTHOR)[-1], Action.POST_CONFIRM)
    second = all_text(command(wf, CAROL_FR, "post @acme prochain Deuxième"))
    assert "mardi 24 novembre 2026 à 09:30 (Europe/Paris)" in second  # 17:00 is taken


def test_next_without_slots_asks_for_a_time(wf):
    answer = all_text(command(wf, AUTHOR, "post @acme_fr next Bonjour"))
    assert "`acme_fr` has no posting slots" in answer


# ---- the form ---------------------------------------------------------------------------------------------


def test_the_form_checks_lengths_as_you_type_then_asks_to_confirm_the_time(veille):
    r = veille.slack.command(AUTHOR, "post")
    assert r.status_code == 200
    veille.settle()
    [modal] = veille.standin.views(AUTHOR)
    veille.slack.click_in_view(AUTHOR, modal["id"], Input.POST_TEXT, value="x" * 300,
                               values={Block.POST_ACCOUNTS: {Input.ACCOUNTS: ["acme", "acme_fr"]},
                                       Block.POST_TEXT: {Input.POST_TEXT: "x" * 300}})
    veille.settle()
    live = all_text(veille.standin.view(modal["id"]))
    assert "Too long for X: 300 / 280" in live and "300 / 500 characters on Mastodon" in live

    bad = veille.slack.submit_view(AUTHOR, modal["id"], values={
        Block.POST_ACCOUNTS: {Input.ACCOUNTS: ["acme_fr"]}, Block.POST_WHEN: {Input.TEXT: "yesterday"},
        Block.POST_TEXT: {Input.POST_TEXT: "Bonjour"}})
    assert "already passed" in bad.json()["errors"][Block.POST_WHEN]

    ok = veille.slack.submit_view(AUTHOR, modal["id"], values={
        Block.POST_ACCOUNTS: {Input.ACCOUNTS: ["acme_fr"]}, Block.POST_WHEN: {Input.TEXT: "tomorrow 9am"},
        Block.POST_TEXT: {Input.POST_TEXT: "Bonjour"}})
    assert ok.json()["response_action"] == "update"
    page = veille.standin.view(modal["id"])
    assert "Tuesday, November 24, 2026 at 9:00 AM (Europe/Paris) · 08:00 UTC" in all_text(page)
    veille.slack.submit_view(AUTHOR, modal["id"])
    veille.settle()
    assert "waiting for approval" in all_text(veille.standin.view(modal["id"]))
    [pid] = ids_in(all_text(veille.standin.view(modal["id"])))
    assert "Bonjour" in all_text(card(veille, pid, "C0ACMEFR"))


def test_closing_the_forms_confirmation_schedules_nothing(veille):
    veille.slack.command(AUTHOR, "post")
    veille.settle()
    [modal] = veille.standin.views(AUTHOR)
    veille.slack.submit_view(AUTHOR, modal["id"], values={
        Block.POST_ACCOUNTS: {Input.ACCOUNTS: ["acme"]}, Block.POST_WHEN: {Input.TEXT: "demain 9h"},
        Block.POST_TEXT: {Input.POST_TEXT: "Peut-être"}})
    veille.slack.close_view(AUTHOR, modal["id"])
    veille.settle()
    tick(veille)
    assert veille.alerts("C0ACME") == []
    with veille.db.session() as s:
        from storage.models import Draft

        assert [d.state for d in s.query(Draft)] == ["cancelled"]


def test_confirm_binds_to_the_version_shown(veille):
    answer = command(veille, AUTHOR, 'post @acme "tomorrow 9am" Première idée')
    [pid] = ids_in(all_text(answer))
    cal = command(veille, AUTHOR, "calendar")
    edit = next(o["value"] for b in cal["blocks"] for o in (b.get("accessory") or {}).get("options", [])
                if o["value"].startswith("edit:"))
    click(veille, AUTHOR, cal, Action.POST_MENU, value=edit)
    [modal] = veille.standin.views(AUTHOR)
    veille.slack.submit_view(AUTHOR, modal["id"], values={Block.POST_TEXT: {Input.TEXT: "Autre idée"}})
    veille.settle()

    click(veille, AUTHOR, answer, Action.POST_CONFIRM)
    assert "edited since (now v2)" in all_text(veille.standin.ephemerals(AUTHOR)[-1])
    assert draft_row(veille, pid).state == "draft" and veille.alerts("C0ACME") == []
