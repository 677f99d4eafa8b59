"""`veille demo` tells the whole story offline: an English and a French channel, a French
member's answers, an escalation to the on-call member's DM and to PagerDuty; and it leaves no
`veille-demo-*` folder behind."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bot.demo import SCENES, run_demo


def _demo_folders() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("veille-demo-*"))


def test_the_demo_shows_a_french_channel_a_french_member_and_an_escalation_to_the_oncall_dm_and_pagerduty(
        capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # a temp directory of its own (the machine is shared)
    assert run_demo(quiet=True) == 0
    out = capsys.readouterr().out
    english, _, rest = out.partition("What Camille reads in #acme-fr")
    french, _, rest = rest.partition("Camille's direct messages from Veille")
    dms, _, rest = rest.partition("Alice's ephemeral answer")
    camille = rest.partition("Camille's ephemeral answers")[2].partition("PagerDuty (local stand-in)")[0]
    pagerduty = rest.partition("PagerDuty (local stand-in) received:")[2]

    assert "[Reply] [Assign to me] [No reply needed]" in english and "Escalated to on-call @Camille" in english
    assert "[Répondre] [M'assigner] [Pas de réponse nécessaire]" in french
    assert "*Brouillon de réponse* `r2` v1 par @Camille" in french and "approuvée par @Bob" in french
    for english_word in ("Reply", "Draft", "First response", "approved by", "Open on"):
        assert english_word not in french, english_word
    assert "*Première réponse dépassée* sur `c2`" in dms and "vous êtes d'astreinte" in dms and "[Je m'en occupe]" in dms
    assert "Seuls les approbateurs" in camille and "*Conversations ouvertes*" in camille
    assert "vous vous en occupez" in camille and " due " not in camille
    assert "trigger" in pagerduty and "acknowledge" in pagerduty
    assert "2 replies, each exactly once" in out
    assert _demo_folders() == set()  # nothing left in the temp directory


def test_the_demo_is_a_list_of_scenes_one_can_add_to():
    assert [scene.__name__ for scene in SCENES] == ["mentions_arrive", "english_reply_approved",
                                                    "french_member_replies", "breach_escalates_to_oncall"]
