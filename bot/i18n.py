"""What Veille says to members, in English and French. A member's Slack locale picks the
language of ephemeral answers; channel messages use the team's language."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "unknown_command": {
        "en": "I don't know `{cmd}`. Try `/veille help` for what I can do.",
        "fr": "Je ne connais pas `{cmd}`. Essayez `/veille help` pour voir ce que je sais faire.",
    },
    "usage": {"en": "Usage: `{usage}`", "fr": "Utilisation : `{usage}`"},
    "bad_id": {
        "en": "`{id}` is not an id I know. Ids look like `c12` (conversation) or `r7` (draft): see `/veille queue`.",
        "fr": "`{id}` n'est pas un identifiant connu. Ils ressemblent à `c12` (conversation) ou `r7` (brouillon) : voir `/veille queue`.",
    },
    "draft_not_found": {"en": "No draft `r{id}`: see `/veille queue`.", "fr": "Aucun brouillon `r{id}` : voir `/veille queue`."},
    "conversation_not_found": {"en": "No conversation `c{id}`: see `/veille queue`.",
                               "fr": "Aucune conversation `c{id}` : voir `/veille queue`."},
    "not_approver": {"en": "Only approvers can do that. Ask an admin to add you to the approvers in veille.toml.",
                     "fr": "Seuls les approbateurs peuvent faire cela. Demandez à un admin de vous ajouter dans veille.toml."},
    "own_draft": {"en": "You wrote this draft: someone else has to approve it.",
                  "fr": "Vous avez écrit ce brouillon : quelqu'un d'autre doit l'approuver."},
    "already_decided": {"en": "This draft is already {state}; nothing changed.",
                        "fr": "Ce brouillon est déjà {state} ; rien n'a changé."},
    "stale_version": {"en": "This draft was edited since (now v{current}); look at the new version first.",
                      "fr": "Ce brouillon a été modifié depuis (maintenant v{current}) ; relisez la nouvelle version."},
    "reason_required": {"en": "Say why you reject it: `/veille reject r7 too formal`.",
                        "fr": "Dites pourquoi vous le rejetez : `/veille reject r7 trop formel`."},
    "empty_text": {"en": "The reply is empty.", "fr": "La réponse est vide."},
    "text_too_long": {"en": "The reply is longer than {limit} characters.", "fr": "La réponse dépasse {limit} caractères."},
    "not_retryable": {"en": "This publication is {state}: nothing to retry.", "fr": "Cette publication est {state} : rien à relancer."},
    "approved": {"en": "Approved `{id}`: publishing now.", "fr": "`{id}` approuvé : publication en cours."},
    "rejected": {"en": "Rejected `{id}`; the author is told why.", "fr": "`{id}` rejeté ; l'auteur sait pourquoi."},
    "assigned": {"en": "`c{id}` is now assigned to <@{user}>.", "fr": "`c{id}` est maintenant assignée à <@{user}>."},
    "draft_submitted": {"en": "Draft `{id}` is waiting for approval in the thread.",
                        "fr": "Le brouillon `{id}` attend une approbation dans le fil."},
    "queue_empty": {"en": "Nothing waiting: no open conversation, no draft to approve. :tada:",
                    "fr": "Rien en attente : aucune conversation ouverte, aucun brouillon à approuver. :tada:"},
    "queue_conversations": {"en": "*Open conversations* (soonest deadline first)",
                            "fr": "*Conversations ouvertes* (échéance la plus proche d'abord)"},
    "queue_drafts": {"en": "*Drafts waiting for approval*", "fr": "*Brouillons en attente d'approbation*"},
    "retry_queued": {"en": "Publishing `{id}` again.", "fr": "Nouvelle tentative de publication de `{id}`."},
    "marked_published": {"en": "`{id}` marked as published.", "fr": "`{id}` marqué comme publié."},
    "no_reply_done": {"en": "`c{id}` closed without reply.", "fr": "`c{id}` fermée sans réponse."},
    "error": {"en": "Something went wrong on our side; nothing was lost. Try again in a moment.",
              "fr": "Un problème est survenu de notre côté ; rien n'est perdu. Réessayez dans un instant."},
}

STATES = {
    "fr": {"approved": "approuvé", "rejected": "rejeté", "published": "publié", "publishing": "en publication",
           "failed": "en échec", "unknown": "incertain", "needs_human": "à vérifier", "pending_approval": "en attente",
           "cancelled": "annulé", "expired": "expiré"},
}


def lang_of(locale: str | None) -> str:
    return "fr" if (locale or "").lower().startswith("fr") else "en"


def t(lang: str, key: str, **kw) -> str:
    table = MESSAGES[key]
    if "state" in kw:
        kw["state"] = STATES.get(lang, {}).get(kw["state"], kw["state"])
    return table.get(lang, table["en"]).format(**kw)
