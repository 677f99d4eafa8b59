"""The channel builders in French, piece by piece (escalations, digest, status menu, notes),
and the English wording unchanged."""

from __future__ import annotations

from bot.blocks import notes, sla
from bot.slack.standin.render import Reader
from storage.models import Conversation, SlaClock

NOW = 1_795_424_400  # Monday 2026-11-23 09:00 UTC


def _conv(**kw) -> Conversation:
    base = dict(id=7, account="acme_fr", network="mastodon", kind="mention", thread_key="k", status="open",
                priority="normal", author_handle="@lea", author_name="Léa", first_inbound_at=NOW,
                last_inbound_at=NOW, message_count=1, slack_channel="C0ACMEFR", created_at=NOW, updated_at=NOW)
    return Conversation(**{**base, **kw})


def _clock(**kw) -> SlaClock:
    base = dict(id=3, conversation_id=7, metric="first_response", state="breached", start_at=NOW - 3600,
                due_at=NOW - 600, escalation_level=3)
    return SlaClock(**{**base, **kw})


def _read(text: str, lang: str) -> str:
    return Reader(None, "Europe/Paris", lang, now=NOW).mrkdwn(text)


def test_escalation_notes_speak_the_channels_language():
    p = {"level": 3, "targets": [["user", "U0CAMILLE"]], "paged": True}
    text, blocks = sla.escalation_note(_conv(), _clock(), p, lang="fr")
    assert _read(text, "fr") == (":rotating_light: Escaladée à l'astreinte @U0CAMILLE. Première réponse dépassée "
                                 "il y a 10 minutes, personne ne l'a prise en charge. PagerDuty a été alerté.")
    assert blocks[1]["elements"][0]["text"]["text"] == "Je m'en occupe"
    text, _ = sla.escalation_note(_conv(), _clock(), {"level": 2, "targets": [["here", None]]}, lang="en")
    assert _read(text, "en") == (":rotating_light: @here First response breached 10 minutes ago, nobody has "
                                 "acknowledged it. Can someone take `c7`?")


def test_the_downtime_digest_and_the_status_menu_in_french():
    head, blocks = sla.digest_message([(_conv(), _clock()), (_conv(id=8), _clock(id=4))], lang="fr")
    assert head == ":red_circle: 2 dépassements pendant que Veille était arrêtée"
    assert "Première réponse de @lea, échéance" in blocks[1]["text"]["text"]
    menu = [o["text"]["text"] for o in sla.status_menu(_conv(status="pending"), lang="fr")["options"]]
    assert menu == ["Je m'en occupe", "Revenir à ouverte", "En attente d'un tiers", "Résoudre", "Marquer répondue"]
    assert sla.escalation_suffix(_clock(), lang="fr") == " · astreinte alertée"


def test_thread_notes_in_french():
    text, blocks = sla.note("acknowledged", _conv(), _clock(), {"actor": "U0CAMILLE"}, lang="fr")
    assert text == ":raising_hand: <@U0CAMILLE> s'en occupe : escalade arrêtée."
    fallback, blocks = notes.sla_note("warning", _conv(), _clock(state="running", due_at=NOW + 600), lang="fr")
    assert fallback == "Première réponse en risque"
    assert _read(blocks[0]["text"]["text"], "fr") == (":warning: Première réponse : échéance aujourd'hui 10:10. "
                                                      "Personne n'est assigné : utilisez *M'assigner*.")


def test_why_a_publication_failed_is_told_in_the_channels_language_and_a_networks_answer_as_it_said_it():
    from bot.blocks.draft import draft_message
    from bot.domain.reasons import reason
    from storage.models import Draft

    def failed(error: str) -> Draft:
        return Draft(id=4, kind="reply", conversation_id=7, account="acme_fr", text="Bonjour", version=1,
                     content_hash="h", state="failed", author="U0ALICE", last_error=error, created_at=NOW,
                     updated_at=NOW)

    late = failed(reason("missed_time", minutes=120))
    assert "heure dépassée de 120 min" in str(draft_message(late, lang="fr")[1])
    assert "missed its time by 120 min" in str(draft_message(late, lang="en")[1])
    assert "Status is a duplicate &lt;x&gt;" in str(draft_message(failed("Status is a duplicate <x>"), lang="fr")[1])
