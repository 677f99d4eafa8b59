"""Routing by language and the reply modal's language warning (issue 9 item 2)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import parse_config
from bot.ids import Action, Block, Input
from tests.support.harness import APPROVER_FR, AUTHOR, Veille, all_text, team_config


@pytest.fixture
def routed(db_url, clock, standin, target):
    cfg = team_config(target.url)
    cfg["accounts"][0]["routes"] = [{"language": "fr", "channel": "C0SOCIAL"}]
    v = Veille(db_url, clock, standin, target, config=cfg)
    yield v
    v.close()


def test_a_french_mention_goes_to_the_french_route_and_others_to_the_accounts_channel(routed):
    routed.mention("t-1", "Bonjour, ma commande n'est toujours pas arrivée, vous pouvez regarder ?", author="u-1")
    routed.mention("t-2", "Hi, my order still hasn't arrived, can you check please?", author="u-2", handle="@sam")
    routed.mention("t-3", "ok", author="u-3", handle="@kim")  # unknown language: the account's channel
    routed.settle()
    assert [all_text(m) for m in routed.alerts("C0SOCIAL")] and len(routed.alerts("C0SOCIAL")) == 1
    assert "toujours pas arrivée" in all_text(routed.alerts("C0SOCIAL")[0])
    assert len(routed.alerts("C0ACME")) == 2


def test_a_route_to_an_unknown_language_or_a_bad_channel_or_twice_the_same_language_is_refused():
    for routes, expected in [([{"language": "klingon", "channel": "C0X1"}], "unknown language 'klingon'"),
                             ([{"language": "fr", "channel": "#general"}], "channel"),
                             ([{"language": "fr", "channel": "C0A1"}, {"language": "fr", "channel": "C0B1"}],
                              "at most once")]:
        cfg = team_config("https://example.com")
        cfg["accounts"][0]["routes"] = routes
        with pytest.raises((ValidationError, ValueError)) as e:
            parse_config(cfg)
        assert expected in str(e.value)


def _open_reply(veille, mention_text, user=AUTHOR):
    veille.mention("t-1", mention_text)
    veille.settle()
    [alert] = veille.alerts()
    veille.slack.click(user, "C0ACME", alert["ts"], Action.REPLY)
    veille.settle()
    [modal] = veille.standin.views(user)
    return modal


def _submit(veille, user, modal_id, text):
    r = veille.slack.submit_view(user, modal_id, values={Block.REPLY_TEXT: {Input.TEXT: text}})
    assert r.status_code == 200
    veille.settle()
    return veille.standin.views(user)


def _drafts(veille):
    return [m for m in veille.thread(veille.alerts()[0]) if "Draft reply" in all_text(m)]


def test_an_english_draft_to_a_french_customer_is_warned_once_and_goes_through_when_sent_again(veille):
    modal = _open_reply(veille, "Bonjour, mon colis n'est toujours pas arrivé, c'est normal ?")
    views = _submit(veille, AUTHOR, modal["id"], "Hi, sorry about that, we are checking your parcel right now.")
    [warned] = views
    assert "The customer wrote in French; this draft looks English." in all_text(warned)
    assert _drafts(veille) == []  # nothing sent for approval yet
    _submit(veille, AUTHOR, warned["id"], "Hi, sorry about that, we are checking your parcel right now.")
    assert len(_drafts(veille)) == 1


def test_a_draft_in_the_customers_language_is_not_warned(veille):
    modal = _open_reply(veille, "Bonjour, mon colis n'est toujours pas arrivé, c'est normal ?")
    _submit(veille, AUTHOR, modal["id"], "Bonjour, désolés pour ce retard, nous regardons votre colis tout de suite.")
    assert len(_drafts(veille)) == 1


def test_the_warning_speaks_the_members_language_and_an_edited_draft_is_checked_again(veille):
    modal = _open_reply(veille, "Bonjour, mon colis n'est toujours pas arrivé, c'est normal ?", user=APPROVER_FR)
    [warned] = _submit(veille, APPROVER_FR, modal["id"], "Hello, we are looking into it right now, sorry!")
    assert "Le client a écrit en français ; ce brouillon semble en anglais." in all_text(warned)
    [again] = _submit(veille, APPROVER_FR, warned["id"], "Hello again, we are checking your parcel with the carrier.")
    assert "ce brouillon semble en anglais" in all_text(again) and _drafts(veille) == []
