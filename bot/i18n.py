"""What Veille says to members, in English and French. A member's Slack locale picks the
language of ephemeral answers; channel messages use the team's language."""

from __future__ import annotations

from typing import Literal

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
    # Burst cards and Triage (issue 8 item 2: bot/blocks/burst.py, bot/blocks/triage.py, handlers/triage.py)
    "burst_header": {"en": "Burst on {account}: {n} new conversations folded",
                     "fr": "Afflux sur {account} : {n} nouvelles conversations regroupées"},
    "burst_live": {"en": ":rotating_light: More new conversations than this channel can show one by one: ordinary ones "
                         "are counted here, priority ones (DMs, VIPs) still get their own alert. Since {start}, latest {last}.",
                   "fr": ":rotating_light: Plus de nouvelles conversations que ce canal ne peut en montrer une à une : les "
                         "ordinaires sont comptées ici, les prioritaires (MP, VIP) gardent leur alerte. Depuis {start}, "
                         "dernière {last}."},
    "burst_ended": {"en": ":white_check_mark: Burst over at {end} (no new conversation for {quiet} min). Window: {start} to "
                          "{last}. What is still open stays listed here.",
                    "fr": ":white_check_mark: Afflux terminé à {end} (aucune nouvelle conversation depuis {quiet} min). "
                          "Période : {start} à {last}. Ce qui reste ouvert reste listé ici."},
    "burst_counts": {"en": "*{waiting}* waiting for someone · {assigned} assigned · {handled} handled · "
                           "{unfolded} in their own thread · :warning: {at_risk} at risk · :red_circle: {breached} breached",
                     "fr": "*{waiting}* sans personne · {assigned} assignées · {handled} traitées · "
                           "{unfolded} dans leur propre fil · :warning: {at_risk} à risque · :red_circle: {breached} en retard"},
    "burst_networks": {"en": "Networks: {mix}", "fr": "Réseaux : {mix}"},
    "burst_kinds": {"en": "Kinds: {mix}", "fr": "Types : {mix}"},
    "burst_words": {"en": "*Top words*: {words}", "fr": "*Mots les plus fréquents* : {words}"},
    "burst_words_over": {"en": "top words over the latest {n} conversations; counts are exact",
                         "fr": "mots comptés sur les {n} dernières conversations ; les totaux sont exacts"},
    "burst_samples": {"en": "*Latest*", "fr": "*Dernières*"},
    "burst_triage": {"en": "Triage", "fr": "Trier"},
    "burst_breaches": {"en": ":red_circle: {n} folded conversations are past their deadline with nobody on them: {ids}{more}.",
                       "fr": ":red_circle: {n} conversations regroupées ont dépassé leur échéance sans personne dessus : "
                             "{ids}{more}."},
    "burst_breaches_more": {"en": " and {n} more", "fr": " et {n} de plus"},
    "burst_fallback": {"en": "Burst on {account}: {n} new conversations, {waiting} waiting",
                       "fr": "Afflux sur {account} : {n} nouvelles conversations, {waiting} en attente"},
    "triage_title": {"en": "Triage", "fr": "Tri"},
    "triage_apply": {"en": "Apply", "fr": "Appliquer"},
    "triage_close": {"en": "Close", "fr": "Fermer"},
    "triage_head": {"en": "*{total}* folded conversations waiting{where}. Showing {first}–{last}, soonest deadline first.",
                    "fr": "*{total}* conversations regroupées en attente{where}. {first} à {last}, échéance la plus proche d'abord."},
    "triage_empty": {"en": "Nothing left to triage here. :tada:", "fr": "Plus rien à trier ici. :tada:"},
    "triage_due": {"en": "due {date}", "fr": "échéance {date}"},
    "triage_no_deadline": {"en": "no deadline", "fr": "sans échéance"},
    "triage_assigned_to": {"en": "assigned to <@{user}>", "fr": "assignée à <@{user}>"},
    "triage_received": {"en": "received {date}", "fr": "reçue {date}"},
    "triage_assign_me": {"en": "Assign to me", "fr": "Me l'assigner"},
    "triage_reply": {"en": "Reply", "fr": "Répondre"},
    "triage_no_reply": {"en": "No reply needed", "fr": "Pas de réponse nécessaire"},
    "triage_open": {"en": "Open in the channel", "fr": "Ouvrir dans le canal"},
    "triage_select": {"en": "Select for a bulk action", "fr": "Sélection pour une action groupée"},
    "triage_bulk": {"en": "Do this to the selected ones", "fr": "Appliquer aux conversations choisies"},
    "triage_pick_one": {"en": "Select at least one conversation.", "fr": "Choisissez au moins une conversation."},
    "triage_pick_action": {"en": "Choose what to do.", "fr": "Choisissez quoi faire."},
    "triage_prev": {"en": "Previous", "fr": "Précédentes"},
    "triage_next": {"en": "Next ({n} more)", "fr": "Suivantes ({n} de plus)"},
    "triage_done": {"en": "{action}: {ids}.", "fr": "{action} : {ids}."},
    "triage_none_folded": {"en": "No folded conversation waiting{where}: every conversation has its own alert.",
                           "fr": "Aucune conversation regroupée en attente{where} : chacune a sa propre alerte."},
    "triage_unknown_account": {"en": "No account `{account}` in veille.toml.", "fr": "Aucun compte `{account}` dans veille.toml."},
    # SLA statuses, /veille sla, /veille oncall (handlers/commands_sla.py, bot/blocks/sla.py)
    "sla_acknowledged": {"en": "`c{id}`: you're on it. Any escalation stops.",
                         "fr": "`c{id}` : vous vous en occupez. L'escalade s'arrête."},
    "sla_snoozed": {"en": "`c{id}` is waiting on the customer: its resolution time is paused until they write.",
                    "fr": "`c{id}` attend le client : le délai de résolution est en pause jusqu'à sa réponse."},
    "sla_on_hold": {"en": "`c{id}` is on hold, waiting on a third party.",
                    "fr": "`c{id}` est en attente d'un tiers."},
    "sla_resolved": {"en": "`c{id}` resolved.", "fr": "`c{id}` résolue."},
    "sla_reopened": {"en": "`c{id}` is open again: its resolution time continues where it stopped.",
                     "fr": "`c{id}` est rouverte : le délai de résolution reprend là où il s'était arrêté."},
    "sla_replied": {"en": "`c{id}` marked as replied outside Veille: the response clock is stopped (audited).",
                    "fr": "`c{id}` marquée comme répondue hors de Veille : le délai de réponse est arrêté (tracé)."},
    "sla_nothing_to_reply": {"en": "`c{id}` has no response clock running: nothing to mark.",
                             "fr": "`c{id}` n'a aucun délai de réponse en cours : rien à marquer."},
    "sla_already": {"en": "`c{id}` is already {status}: nothing changed.",
                    "fr": "`c{id}` est déjà {status} : rien n'a changé."},
    "sla_priority": {"en": "`c{id}` is now priority *{priority}*: its deadlines were recomputed from the start.",
                     "fr": "`c{id}` est maintenant en priorité *{priority}* : ses échéances sont recalculées depuis le début."},
    "sla_im_on_it": {"en": "I'm on it", "fr": "Je m'en occupe"},
    "sla_dm": {"en": ":rotating_light: *{label} breached* on `c{id}` in {where} ({network}, from {who}), due {due}. "
                     "Nobody has acknowledged it and you are {role}.",
               "fr": ":rotating_light: *{label} dépassée* sur `c{id}` dans {where} ({network}, de {who}), échéance "
                     "{due}. Personne ne l'a prise en charge et vous êtes {role}."},
    "sla_dm_role_oncall": {"en": "on call", "fr": "d'astreinte"},
    "sla_dm_role_backup": {"en": "the on-call's backup", "fr": "en renfort de l'astreinte"},
    "sla_title": {"en": "*SLA policies*, the first that matches a conversation applies",
                  "fr": "*Politiques de SLA* : la première qui correspond à une conversation s'applique"},
    "sla_none": {"en": "No policy: conversations have no deadline.", "fr": "Aucune politique : pas d'échéance."},
    "sla_business": {"en": "business hours", "fr": "heures ouvrées"},
    "sla_calendar": {"en": "calendar time", "fr": "temps calendaire"},
    "sla_before": {"en": "{d} before", "fr": "{d} avant"},
    "sla_warn": {"en": "warns at {at}", "fr": "alerte à {at}"},
    "sla_escalate": {"en": "escalates {d} after a breach", "fr": "escalade {d} après le dépassement"},
    "sla_schedule": {"en": "Hours ({name}): {hours}", "fr": "Horaires ({name}) : {hours}"},
    "sla_holidays": {"en": "closed on {n} listed days{country}", "fr": "fermé {n} jours listés{country}"},
    "sla_pause_on_hold": {"en": "Resolution pauses while on hold", "fr": "La résolution est en pause pendant l'attente d'un tiers"},
    "sla_notices": {"en": "*For admins*, worth a look in veille.toml:", "fr": "*Pour les admins*, à vérifier dans veille.toml :"},
    "sla_footer": {"en": "Statuses: `/veille ack|snooze|hold|resolve|reopen|replied c12`",
                   "fr": "Statuts : `/veille ack|snooze|hold|resolve|reopen|replied c12`"},
    "oncall_none": {"en": "Nobody is on call: there is no `[oncall]` rotation in veille.toml and no override.",
                    "fr": "Personne n'est d'astreinte : pas de rotation `[oncall]` dans veille.toml ni de remplacement."},
    "oncall_now": {"en": "*On call now:* {who} until {until}", "fr": "*D'astreinte :* {who} jusqu'à {until}"},
    "oncall_backup": {"en": "Backup: {who}", "fr": "En renfort : {who}"},
    "oncall_next": {"en": "*Next:* {who} from {since}", "fr": "*Ensuite :* {who} à partir de {since}"},
    "oncall_group": {"en": "the members of {group}", "fr": "les membres de {group}"},
    "oncall_overrides": {"en": "*Overrides*", "fr": "*Remplacements*"},
    "oncall_footer": {"en": "Swap: `/veille oncall override @member until \"friday 6pm\"`",
                      "fr": "Remplacer : `/veille oncall override @membre until \"vendredi 18h\"`"},
    "oncall_override_set": {"en": "<@{user}> is on call{layer} until {when}.",
                            "fr": "<@{user}> est d'astreinte{layer} jusqu'au {when}."},
    "oncall_backup_layer": {"en": " as backup", "fr": " en renfort"},
    "oncall_not_allowed": {"en": "Only admins and members of the rotation can change who is on call.",
                           "fr": "Seuls les admins et les membres de la rotation peuvent changer l'astreinte."},
    # /veille sources (handlers/commands_sources.py, bot/blocks/sources.py)
    "sources_title": {"en": "*Sources*: how each account's connector is doing",
                      "fr": "*Sources* : l'état du connecteur de chaque compte"},
    "sources_none": {"en": "No account is configured in veille.toml.", "fr": "Aucun compte n'est configuré dans veille.toml."},
    "sources_more": {"en": "…and {n} more accounts.", "fr": "…et {n} autres comptes."},
    "sources_push": {"en": ":satellite: receives by webhook: nothing to poll",
                     "fr": ":satellite: reçoit par webhook : rien à relever"},
    "sources_not_yet": {"en": ":hourglass_flowing_sand: not polled yet", "fr": ":hourglass_flowing_sand: pas encore relevé"},
    "sources_ok": {"en": ":white_check_mark: working", "fr": ":white_check_mark: fonctionne"},
    "sources_rate_limited": {"en": ":warning: rate limited by the network", "fr": ":warning: limité par le réseau"},
    "sources_failing_once": {"en": ":warning: failing (the last poll failed)",
                             "fr": ":warning: en échec (le dernier relevé a échoué)"},
    "sources_failing": {"en": ":warning: failing ({n} failed polls in a row)",
                        "fr": ":warning: en échec ({n} relevés ratés d'affilée)"},
    "sources_last_success": {"en": "last success {date}", "fr": "dernier succès {date}"},
    "sources_never_succeeded": {"en": "no success yet", "fr": "aucun succès pour l'instant"},
    "sources_cursor_age": {"en": "cursor {age} old", "fr": "curseur vieux de {age}"},
    "sources_headroom": {"en": "rate limit: {remaining} of {limit} calls left",
                         "fr": "limite : {remaining} appels restants sur {limit}"},
    "sources_headroom_reset": {"en": ", resets {date}", "fr": ", remise à zéro {date}"},
    "sources_backoff": {"en": "backing off: next try {date}", "fr": "en pause : prochain essai {date}"},
    "sources_next_poll": {"en": "next poll {date}", "fr": "prochain relevé {date}"},
    "sources_last_error": {"en": "Last error ({date}): {error}", "fr": "Dernière erreur ({date}) : {error}"},
}

STATES = {
    "fr": {"approved": "approuvé", "rejected": "rejeté", "published": "publié", "publishing": "en publication",
           "failed": "en échec", "unknown": "incertain", "needs_human": "à vérifier", "pending_approval": "en attente",
           "cancelled": "annulé", "expired": "expiré"},
}


def lang_of(locale: str | None) -> str:
    return "fr" if (locale or "").lower().startswith("fr") else "en"


def t(lang: str, key: str, **kw) -> str:
    """`key`'s text in `lang`. A value given as {"en": ..., "fr": ...} (a sentence made elsewhere
    in both languages) is read in `lang` too."""
    table = MESSAGES[key]
    kw = {k: v.get(lang, v.get("en")) if isinstance(v, dict) else v for k, v in kw.items()}
    if "state" in kw:
        kw["state"] = STATES.get(lang, {}).get(kw["state"], kw["state"])
    return table.get(lang, table["en"]).format(**kw)


# ---- scheduled posts, approval workflows, calendar, audit (bot/blocks/post.py, bot/blocks/calendar.py,
# handlers/*_posts.py). Kept in one block so the area reads as a whole.
MESSAGES.update({
    # workflow
    "wf_team": {"en": "the team's approvers", "fr": "les approbateurs de l'équipe"},
    "wf_any": {"en": "any of {who}", "fr": "l'un de {who}"},
    "wf_all": {"en": "all of {who}", "fr": "tous : {who}"},
    "wf_step": {"en": "Step {i}/{n}", "fr": "Étape {i}/{n}"},
    "wf_step_short": {"en": "step {i}", "fr": "étape {i}"},
    "wf_none": {"en": "No approval needed for this account", "fr": "Pas d'approbation pour ce compte"},
    "wf_approved_by": {"en": "approved by {who}", "fr": "approuvée par {who}"},
    # decisions and errors
    "approve_recorded": {"en": "Your approval of `{id}` is recorded; it now waits for step {step}/{n}.",
                         "fr": "Votre approbation de `{id}` est enregistrée ; elle attend maintenant l'étape {step}/{n}."},
    "approved_scheduled": {"en": "Approved `{id}`: it will be published {when}.",
                           "fr": "`{id}` approuvée : elle sera publiée {when}."},
    "not_step_approver": {"en": "Step {step} ({name}) is not yours to approve: see who it waits for on the card.",
                          "fr": "L'étape {step} ({name}) n'est pas à vous d'approuver : voyez sur la carte qui elle attend."},
    "already_approved_step": {"en": "You already approved this step; it waits for the others.",
                              "fr": "Vous avez déjà approuvé cette étape ; elle attend les autres."},
    "approval_too_late": {"en": "Its scheduled time has passed: reschedule it first.",
                          "fr": "L'heure prévue est passée : reprogrammez-la d'abord."},
    "changes_required": {"en": "Say what should change: `/veille changes p12 shorter, no emoji`.",
                         "fr": "Dites ce qu'il faut changer : `/veille changes p12 plus court, sans emoji`."},
    "changes_sent": {"en": "Changes requested on `{id}`; its author is told.",
                     "fr": "Modifications demandées sur `{id}` ; l'auteur est prévenu."},
    "already_publishing": {"en": "It is being published right now: it can no longer change.",
                           "fr": "Elle est en cours de publication : elle ne peut plus changer."},
    "already_confirmed": {"en": "Already done: this post is {state}.", "fr": "Déjà fait : cette publication est {state}."},
    "edit_unchanged": {"en": "The text is the same: nothing changed.", "fr": "Le texte est identique : rien n'a changé."},
    "no_eligible_approver": {"en": "Nobody but you can approve step “{name}” of `{account}`'s workflow: ask an admin.",
                             "fr": "Personne d'autre que vous ne peut approuver l'étape « {name} » du compte `{account}` : "
                                   "voyez avec un admin."},
    "not_a_post": {"en": "`{id}` is a reply, not a post.", "fr": "`{id}` est une réponse, pas une publication."},
    "not_allowed_post": {"en": "Only its author, its approvers or an admin can change this post.",
                         "fr": "Seuls son auteur, ses approbateurs ou un admin peuvent modifier cette publication."},
    "not_your_post": {"en": "Only its author can confirm or drop this post.",
                      "fr": "Seul son auteur peut confirmer ou abandonner cette publication."},
    "post_locked": {"en": "This post is {state}: it can no longer change.",
                    "fr": "Cette publication est {state} : elle ne peut plus changer."},
    "post_not_found": {"en": "No post `p{id}`: see `/veille calendar`.", "fr": "Aucune publication `p{id}` : voir `/veille calendar`."},
    "time_passed": {"en": "That time has passed: pick a time in the future.",
                    "fr": "Ce moment est passé : choisissez un moment à venir."},
    # /veille post
    "post_empty": {"en": "The post is empty.", "fr": "La publication est vide."},
    "post_no_account": {"en": "Name at least one account: `{usage}`.", "fr": "Indiquez au moins un compte : `{usage}`."},
    "post_unclosed_quote": {"en": "The time's quotes are not closed: `{usage}`.",
                            "fr": "Les guillemets de l'heure ne sont pas fermés : `{usage}`."},
    "post_unknown_account": {"en": "No account `@{account}`.", "fr": "Aucun compte `@{account}`."},
    "post_unknown_account_list": {"en": "No account `@{account}`. Accounts: {known}.",
                                  "fr": "Aucun compte `@{account}`. Comptes : {known}."},
    "post_too_long": {"en": "Too long for `{account}`.", "fr": "Trop long pour `{account}`."},
    "post_too_long_all": {"en": "Too long for at least one network: shorten it (nothing was scheduled).",
                          "fr": "Trop long pour au moins un réseau : raccourcissez (rien n'a été programmé)."},
    "post_no_limit": {"en": "no length limit", "fr": "pas de limite de longueur"},
    "post_no_slots": {"en": "`{account}` has no posting slots in veille.toml (`slots = [\"mon-fri 09:30\"]`): give a time.",
                      "fr": "`{account}` n'a pas de créneaux dans veille.toml (`slots = [\"mon-fri 09:30\"]`) : indiquez une heure."},
    "post_no_slot": {"en": "No free slot for `{account}` in the next two months: give a time.",
                     "fr": "Aucun créneau libre pour `{account}` dans les deux mois : indiquez une heure."},
    "post_when_approved": {"en": "as soon as approved", "fr": "dès approbation"},
    "post_confirm_head": {"en": "Check and confirm {ids}: nothing is scheduled until you click *Confirm*.",
                          "fr": "Vérifiez et confirmez {ids} : rien n'est programmé avant votre clic sur *Confirmer*."},
    "post_confirm_button": {"en": "Confirm", "fr": "Confirmer"},
    "post_discard_button": {"en": "Cancel", "fr": "Annuler"},
    "post_discarded": {"en": "Dropped: nothing was scheduled.", "fr": "Abandonné : rien n'a été programmé."},
    "post_confirmed_pending": {"en": "`{id}` for *{account}* {when}: waiting for approval on its card in <#{channel}>.",
                               "fr": "`{id}` pour *{account}* {when} : en attente d'approbation sur sa carte dans <#{channel}>."},
    "post_confirmed_approved": {"en": "`{id}` for *{account}* is scheduled {when} (no approval needed).",
                                "fr": "`{id}` pour *{account}* est programmée {when} (sans approbation)."},
    "post_cancelled": {"en": "`{id}` cancelled: it will not be published.", "fr": "`{id}` annulée : elle ne sera pas publiée."},
    "post_moved": {"en": "`{id}` now goes out {when}.", "fr": "`{id}` sortira maintenant {when}."},
    "post_move_to": {"en": "Move `{id}` to *{when}*?", "fr": "Déplacer `{id}` au *{when}* ?"},
    "post_move_dropped": {"en": "Not moved: nothing changed.", "fr": "Pas déplacée : rien n'a changé."},
    "post_move_now": {"en": "Now: {when}", "fr": "Actuellement : {when}"},
    # modals
    "modal_cancel": {"en": "Cancel", "fr": "Annuler"},
    "modal_close": {"en": "Close", "fr": "Fermer"},
    "post_modal_title": {"en": "Schedule a post", "fr": "Programmer"},
    "post_modal_next": {"en": "Next", "fr": "Suivant"},
    "post_pick_accounts": {"en": "Pick at least one account", "fr": "Choisissez au moins un compte"},
    "post_accounts_label": {"en": "Accounts", "fr": "Comptes"},
    "post_when_label": {"en": "When", "fr": "Quand"},
    "post_when_hint": {"en": "In your Slack timezone: “tomorrow 9am”, “next friday 2pm”, “in 2 hours”, "
                             "“next” (the next free slot), “now” (as soon as approved).",
                       "fr": "Dans votre fuseau Slack : « demain 9h », « vendredi 14h30 », « dans 2 heures », "
                             "« prochain » (le prochain créneau libre), « maintenant » (dès approbation)."},
    "post_when_placeholder": {"en": "tomorrow 9am", "fr": "demain 9h"},
    "post_text_label": {"en": "Text of the post", "fr": "Texte de la publication"},
    "post_checks_empty": {"en": "Length checks appear here as you type.",
                          "fr": "Les contrôles de longueur s'affichent ici pendant la saisie."},
    "post_edit_title": {"en": "Edit {id}", "fr": "Modifier {id}"},
    "post_edit_submit": {"en": "Save new version", "fr": "Enregistrer"},
    "post_edit_hint": {"en": "A new version needs approval again: earlier approvals no longer count.",
                       "fr": "Une nouvelle version doit être approuvée à nouveau : les approbations précédentes ne comptent plus."},
    "post_move_title": {"en": "Reschedule {id}", "fr": "Reprogrammer {id}"},
    "post_changes_title": {"en": "Request changes", "fr": "Demander des modifs"},
    "post_changes_submit": {"en": "Send", "fr": "Envoyer"},
    "post_changes_label": {"en": "What should change? The author will see it.",
                           "fr": "Que faut-il changer ? L'auteur le verra."},
    "post_open_title": {"en": "Post {id}", "fr": "Publication {id}"},
    # the card
    "post_nobody_needed": {"en": "nobody (none needed)", "fr": "personne (inutile)"},
    "post_line_pending": {"en": "Waiting for approval (the author cannot approve)",
                          "fr": "En attente d'approbation (l'auteur ne peut pas approuver)"},
    "post_line_changes": {"en": "Changes requested by {who}: {note}", "fr": "Modifications demandées par {who} : {note}"},
    "post_line_approved": {"en": "Approved by {by} · goes out {when}", "fr": "Approuvée par {by} · sortie {when}"},
    "post_line_scheduled": {"en": "Scheduled · goes out {when}", "fr": "Programmée · sortie {when}"},
    "post_line_publishing": {"en": "Publishing…", "fr": "Publication en cours…"},
    "post_line_published": {"en": "Published {at} ({where}) · approved by {by}", "fr": "Publiée {at} ({where}) · approuvée par {by}"},
    "post_see_it": {"en": "see it on the network", "fr": "la voir sur le réseau"},
    "post_published_plain": {"en": "published", "fr": "publiée"},
    "post_line_rejected": {"en": "Rejected by {who}: {reason}", "fr": "Rejetée par {who} : {reason}"},
    "post_line_failed": {"en": "Publishing failed: {error}", "fr": "Échec de la publication : {error}"},
    "post_line_unknown": {"en": "Not sure it went out; checking on the network before any retry",
                          "fr": "Pas sûr qu'elle soit partie ; vérification sur le réseau avant tout nouvel essai"},
    "post_line_needs_human": {"en": "Maybe published at {at}: check the network, then *Mark published* or *Retry*",
                              "fr": "Peut-être publiée à {at} : vérifiez sur le réseau, puis *Marquer publiée* ou *Réessayer*"},
    "post_line_expired": {"en": "Expired: not approved before its time. Reschedule it or cancel it.",
                          "fr": "Expirée : pas approuvée à temps. Reprogrammez-la ou annulez-la."},
    "post_line_cancelled": {"en": "Cancelled", "fr": "Annulée"},
    "post_line_draft": {"en": "Not confirmed by its author yet", "fr": "Pas encore confirmée par son auteur"},
    # notes in the card's thread
    "note_step_open": {"en": "`{id}`: step {step}/{n} now waits for {who}.",
                       "fr": "`{id}` : l'étape {step}/{n} attend maintenant {who}."},
    "note_edited": {"en": "{editor} edited `{id}` (v{version}): it needs approval again from {who}.",
                    "fr": "{editor} a modifié `{id}` (v{version}) : elle doit être approuvée à nouveau par {who}."},
    "note_rejected": {"en": "{author}: `{id}` was rejected by {who}: {reason}",
                      "fr": "{author} : `{id}` a été rejetée par {who} : {reason}"},
    "note_changes_requested": {"en": "{author}: {who} asks for changes on `{id}`: {reason}. Edit it to send a new version.",
                               "fr": "{author} : {who} demande des modifications sur `{id}` : {reason}. Modifiez-la pour "
                                     "envoyer une nouvelle version."},
    "note_expired": {"en": "{author}: `{id}` expired: it was still waiting for approval at its scheduled time, so it "
                           "was not published. Reschedule it (approvals already given still count) or cancel it.",
                     "fr": "{author} : `{id}` a expiré : elle attendait encore une approbation à l'heure prévue, elle "
                           "n'a donc pas été publiée. Reprogrammez-la (les approbations déjà données comptent) ou annulez-la."},
    "note_published": {"en": "{author}: `{id}` is published: {where}", "fr": "{author} : `{id}` est publiée : {where}"},
    # calendar
    "cal_title_week": {"en": "*Posts, next 7 days*", "fr": "*Publications, 7 prochains jours*"},
    "cal_title_month": {"en": "*Posts, next 31 days*", "fr": "*Publications, 31 prochains jours*"},
    "cal_count": {"en": "{n} posts", "fr": "{n} publications"},
    "cal_home_title": {"en": "Editorial calendar", "fr": "Calendrier éditorial"},
    "cal_attention": {"en": "*Needs attention*: overdue approvals and failures first, then approvals due soonest",
                      "fr": "*À traiter* : approbations en retard et échecs d'abord, puis approbations les plus proches"},
    "cal_empty": {"en": "No post scheduled in this period. `/veille post` schedules one.",
                  "fr": "Aucune publication programmée sur la période. `/veille post` en programme une."},
    "cal_today": {"en": "today", "fr": "aujourd'hui"},
    "cal_first_page": {"en": "First page", "fr": "Première page"},
    "cal_next_page": {"en": "Next page ({n} more)", "fr": "Page suivante ({n} de plus)"},
    "cal_footer": {"en": "`/veille post` · `/veille move p12 \"thursday 2pm\"` · `/veille audit p12` · "
                         "`/veille calendar month @account`",
                   "fr": "`/veille post` · `/veille move p12 \"jeudi 14h\"` · `/veille audit p12` · "
                         "`/veille calendar month @compte`"},
    "cal_open": {"en": "Open", "fr": "Ouvrir"},
    "cal_edit": {"en": "Edit", "fr": "Modifier"},
    "cal_move": {"en": "Reschedule", "fr": "Reprogrammer"},
    "cal_cancel": {"en": "Cancel post", "fr": "Annuler la publication"},
    "cal_state_draft": {"en": "draft (not confirmed)", "fr": "brouillon (non confirmé)"},
    "cal_state_pending_approval": {"en": "waiting for approval", "fr": "en attente d'approbation"},
    "cal_state_changes_requested": {"en": "changes requested", "fr": "modifications demandées"},
    "cal_state_approved": {"en": "approved", "fr": "approuvée"},
    "cal_state_publishing": {"en": "publishing", "fr": "en publication"},
    "cal_state_published": {"en": "published", "fr": "publiée"},
    "cal_state_failed": {"en": "failed", "fr": "en échec"},
    "cal_state_unknown": {"en": "checking whether it went out", "fr": "vérification en cours"},
    "cal_state_needs_human": {"en": "maybe published: check it", "fr": "peut-être publiée : à vérifier"},
    "cal_state_expired": {"en": "expired (not approved in time)", "fr": "expirée (pas approuvée à temps)"},
    "cal_state_rejected": {"en": "rejected", "fr": "rejetée"},
    "cal_state_cancelled": {"en": "cancelled", "fr": "annulée"},
    # /veille audit
    "audit_title": {"en": "*Audit of `{id}`* (now {state})", "fr": "*Historique de `{id}`* ({state} actuellement)"},
    "audit_head": {"en": "*History*", "fr": "*Historique*"},
    "audit_create": {"en": "wrote it", "fr": "l'a écrite"},
    "audit_submit": {"en": "submitted it", "fr": "l'a soumise"},
    "audit_discard": {"en": "dropped it unconfirmed", "fr": "l'a abandonnée sans confirmer"},
    "audit_approve": {"en": "approved", "fr": "a approuvé"},
    "audit_reject": {"en": "rejected", "fr": "a rejeté"},
    "audit_request_changes": {"en": "requested changes", "fr": "a demandé des modifications"},
    "audit_edit": {"en": "edited", "fr": "a modifié"},
    "audit_reschedule": {"en": "rescheduled", "fr": "a reprogrammé"},
    "audit_cancel": {"en": "cancelled", "fr": "a annulé"},
    "audit_expire": {"en": "expired (not approved in time)", "fr": "a expiré (pas approuvée à temps)"},
    "audit_publish_attempt": {"en": "publish attempt", "fr": "tentative de publication"},
    "audit_published": {"en": "published", "fr": "publiée"},
    "audit_publish_unknown": {"en": "outcome unknown (will check)", "fr": "résultat inconnu (vérification)"},
    "audit_publish_failed": {"en": "publishing failed", "fr": "échec de publication"},
    "audit_needs_human": {"en": "asked a human to check", "fr": "vérification humaine demandée"},
    "audit_reconciled_not_published": {"en": "checked: not published, sending again",
                                       "fr": "vérifié : pas publiée, nouvel envoi"},
    "audit_retry": {"en": "asked to retry", "fr": "a relancé"},
    "audit_mark_published": {"en": "marked it published", "fr": "l'a marquée publiée"},
})
STATES.setdefault("en", {}).update({"pending_approval": "waiting for approval", "changes_requested": "back for changes",
                                    "needs_human": "waiting for a human check", "draft": "not confirmed"})
STATES["fr"].update({"changes_requested": "en attente de modifications", "draft": "non confirmé"})


# ---- spike detection and crisis mode (issue 8 item 3: bot/blocks/crisis.py, handlers/*_crisis.py) ----
MESSAGES.update({
    "crisis_opened": {
        "en": ":rotating_light: *Incident on {account}*: {why}. Started {start}. Coordinate in this thread.",
        "fr": ":rotating_light: *Incident sur {account}* : {why}. Début {start}. Coordonnez-vous dans ce fil.",
    },
    "crisis_why_spike": {
        "en": "{count} messages in {window} (about {rate}/h, normal at this hour {normal}/h){scope}",
        "fr": "{count} messages en {window} (environ {rate}/h, normal à cette heure {normal}/h){scope}",
    },
    "crisis_why_manual": {"en": "declared by <@{user}>", "fr": "déclaré par <@{user}>"},
    "crisis_scope_keyword": {"en": " about “{keyword}”", "fr": " sur « {keyword} »"},
    "crisis_top_words": {"en": "Top words: {words}", "fr": "Mots les plus fréquents : {words}"},
    "crisis_samples": {"en": "Samples:", "fr": "Exemples :"},
    "crisis_held_posts_rule": {
        "en": "Scheduled posts on this account are held until the incident ends.",
        "fr": "Les publications programmées de ce compte sont retenues jusqu'à la fin de l'incident.",
    },
    "crisis_dm": {
        "en": ":rotating_light: You are on call: incident on {account} ({why}). Thread: {where}.",
        "fr": ":rotating_light: Vous êtes d'astreinte : incident sur {account} ({why}). Fil : {where}.",
    },
    "crisis_summary": {
        "en": ":white_check_mark: *Incident on {account} over* ({reason}). Duration {duration} · {volume} messages "
              "· {replies} replies · median first response {median} · {breaches} breaches · answered by {who}.",
        "fr": ":white_check_mark: *Incident sur {account} terminé* ({reason}). Durée {duration} · {volume} messages "
              "· {replies} réponses · première réponse médiane {median} · {breaches} dépassements · répondu par {who}.",
    },
    "crisis_reason_manual": {"en": "ended by <@{user}>", "fr": "terminé par <@{user}>"},
    "crisis_reason_calm": {"en": "volume normal for {minutes} min", "fr": "volume normal depuis {minutes} min"},
    "crisis_summary_held": {
        "en": "{n} scheduled posts were held and still wait for a decision (Publish anyway or Reschedule on each).",
        "fr": "{n} publications programmées ont été retenues et attendent une décision (Publier quand même ou "
              "Reprogrammer sur chacune).",
    },
    "crisis_nobody": {"en": "nobody", "fr": "personne"},
    "crisis_held_author": {
        "en": ":pause_button: `{id}` was not published at {when}: an incident is open on {account}. "
              "An approver can publish it anyway, or you can reschedule it.",
        "fr": ":pause_button: `{id}` n'a pas été publiée à {when} : un incident est en cours sur {account}. "
              "Un approbateur peut la publier quand même, ou vous pouvez la reprogrammer.",
    },
    "crisis_held_approver": {
        "en": ":pause_button: `{id}` (by <@{author}>) was not published at {when}: an incident is open on {account}.",
        "fr": ":pause_button: `{id}` (de <@{author}>) n'a pas été publiée à {when} : un incident est en cours "
              "sur {account}.",
    },
    "crisis_publish_anyway": {"en": "Publish anyway", "fr": "Publier quand même"},
    "crisis_reschedule": {"en": "Reschedule", "fr": "Reprogrammer"},
    "crisis_released": {"en": "`{id}` is being published now.", "fr": "`{id}` est en cours de publication."},
    "crisis_held_gone": {"en": "That post no longer exists.", "fr": "Cette publication n'existe plus."},
    "crisis_held_done": {"en": "That post is no longer held: nothing changed.",
                         "fr": "Cette publication n'est plus retenue : rien n'a changé."},
    "crisis_held_changed": {"en": "`{id}` was edited, rescheduled or cancelled since: nothing was published.",
                            "fr": "`{id}` a été modifiée, reprogrammée ou annulée depuis : rien n'a été publié."},
    "crisis_started": {"en": "Incident opened on {account}: the team is told in <#{channel}>.",
                       "fr": "Incident ouvert sur {account} : l'équipe est prévenue dans <#{channel}>."},
    "crisis_already_open": {"en": "An incident is already open on {account} (since {start}).",
                            "fr": "Un incident est déjà en cours sur {account} (depuis {start})."},
    "crisis_stopped": {"en": "Incident on {account} ended: the summary is in its thread.",
                       "fr": "Incident sur {account} terminé : le bilan est dans son fil."},
    "crisis_none_open": {"en": "No incident is open on {account}.", "fr": "Aucun incident en cours sur {account}."},
    "crisis_status_none": {"en": "No incident is open.", "fr": "Aucun incident en cours."},
    "crisis_status_line": {
        "en": "• {account}: open since {start} ({trigger}), {volume} messages so far, {held} posts held",
        "fr": "• {account} : en cours depuis {start} ({trigger}), {volume} messages à ce stade, {held} publications retenues",
    },
    "crisis_trigger_spike": {"en": "spike", "fr": "pic"},
    "crisis_trigger_manual": {"en": "by hand", "fr": "à la main"},
    "crisis_unknown_account": {"en": "No account `{account}` in veille.toml.",
                               "fr": "Aucun compte `{account}` dans veille.toml."},
    "crisis_which_account": {"en": "Which account? `/veille crisis {action} @{example}` (accounts: {accounts})",
                             "fr": "Quel compte ? `/veille crisis {action} @{example}` (comptes : {accounts})"},
    "crisis_only_approvers": {"en": "Only approvers and admins can start or stop an incident.",
                              "fr": "Seuls les approbateurs et les admins peuvent ouvrir ou clore un incident."},
})


# ---- outbox health: blocked channels, refused token, dead letters (bot/blocks/outbox_health.py;
# App Home and /veille sources). Slice h1-outbox, kept in one block.
MESSAGES.update({
    "outbox_problems_title": {"en": "*Delivery to Slack needs attention*",
                              "fr": "*L'envoi vers Slack demande votre attention*"},
    "outbox_channel_blocked": {
        "en": ":no_entry: {n} message(s) wait for <#{channel}>: Slack answers `{error}`. "
              "Invite Veille to the channel (`/invite @Veille`) and they go out, in order.",
        "fr": ":no_entry: {n} message(s) attendent pour <#{channel}> : Slack répond `{error}`. "
              "Invitez Veille dans le canal (`/invite @Veille`) et ils partent, dans l'ordre."},
    "outbox_token_invalid": {
        "en": ":no_entry: Slack refuses Veille's token (`{error}`): {n} message(s) wait. "
              "Fix SLACK_BOT_TOKEN; they go out as soon as it works again.",
        "fr": ":no_entry: Slack refuse le jeton de Veille (`{error}`) : {n} message(s) attendent. "
              "Corrigez SLACK_BOT_TOKEN ; ils partent dès qu'il fonctionne à nouveau."},
    "outbox_dead_letter": {
        "en": ":warning: {n} `{op}` message(s) could not be sent and were set aside since {date}. "
              "Last error: {error}",
        "fr": ":warning: {n} message(s) `{op}` n'ont pas pu être envoyés et ont été mis de côté depuis {date}. "
              "Dernière erreur : {error}"},
})


# ---- h7-access: who may do what (issue 11), one block ------------------------------------------
MESSAGES.update({
    "not_in_channel": {
        "en": "`c{id}` belongs to <#{channel}>: only its members (or an admin) can see or change it.",
        "fr": "`c{id}` appartient à <#{channel}> : seuls ses membres (ou un admin) peuvent la voir ou la modifier.",
    },
    "not_in_channel_draft": {
        "en": "`{id}` belongs to <#{channel}>: only its members (or an admin) can see its history.",
        "fr": "`{id}` appartient à <#{channel}> : seuls ses membres (ou un admin) peuvent voir son historique.",
    },
    "approve_confirm": {
        "en": "Approve `{id}` *version {version}* for *{account}*? This exact text, and only it:",
        "fr": "Approuver `{id}` *version {version}* pour *{account}* ? Ce texte exact, et lui seul :",
    },
    "approve_confirm_button": {"en": "Approve version {version}", "fr": "Approuver la version {version}"},
    "audit_reapproval": {"en": "asked for approval again (moved)", "fr": "a redemandé l'approbation (déplacée)"},
    "oncall_override_too_long": {
        "en": "An override may last at most {limit} (`[oncall] max_override`). Pick an earlier end.",
        "fr": "Un remplacement dure au plus {limit} (`[oncall] max_override`). Choisissez une fin plus proche.",
    },
    "oncall_override_notice": {
        "en": "On-call change: <@{actor}> made <@{user}> on call{layer} until {when}{instead}.",
        "fr": "Changement d'astreinte : <@{actor}> a mis <@{user}> d'astreinte{layer} jusqu'au {when}{instead}.",
    },
    "oncall_instead_of": {"en": ", instead of <@{was}>", "fr": ", à la place de <@{was}>"},
    "reply_too_long": {"en": "This reply is too long to publish: {detail}",
                       "fr": "Cette réponse est trop longue pour être publiée : {detail}"},
    "cannot_reply": {"en": "*{account}* only listens: Veille cannot publish a reply there.",
                     "fr": "*{account}* ne fait qu'écouter : Veille ne peut pas y publier de réponse."},
    "cannot_post": {"en": "*{account}* cannot publish a text post from Veille (its network or connector does not allow it).",
                    "fr": "*{account}* ne peut pas publier de texte depuis Veille (son réseau ou son connecteur ne le permet pas)."},
})


# ---- French channels (issue 11): the language of channel messages, and every channel string
# (alert, buttons, thread notes, draft card, SLA notes, digest) in both languages.
Lang = Literal["en", "fr"]
LANGS: tuple[Lang, ...] = ("en", "fr")


def channel_lang(cfg, account: str | None) -> Lang:
    """The language of an account's channel messages: the account's `language`, else the
    team's, else English. The one place that decides it (cfg may be None: English)."""
    found = cfg.account(account) if cfg is not None and account else None
    lang = (found.language if found is not None else None) or (cfg.team.language if cfg is not None else "en")
    return "fr" if lang == "fr" else "en"


MESSAGES.update({
    # the alert
    "kind_mention": {"en": "mention", "fr": "mention"},
    "kind_dm": {"en": "DM", "fr": "message privé"},
    "kind_comment": {"en": "comment", "fr": "commentaire"},
    "kind_article": {"en": "article", "fr": "article"},
    "priority_low": {"en": "low", "fr": "basse"},
    "priority_normal": {"en": "normal", "fr": "normale"},
    "priority_high": {"en": "high", "fr": "haute"},
    "priority_urgent": {"en": "urgent", "fr": "urgente"},
    "alert_open_on": {"en": "Open on {network}", "fr": "Ouvrir sur {network}"},
    "alert_messages": {"en": "{n} messages", "fr": "{n} messages"},
    "alert_one_message": {"en": "1 message", "fr": "1 message"},
    "alert_priority": {"en": "priority {priority}", "fr": "priorité {priority}"},
    "alert_assigned": {"en": "assigned to {who}", "fr": "assignée à {who}"},
    "alert_someone": {"en": "someone", "fr": "quelqu'un"},
    "alert_fallback": {"en": "{network} {kind} from {who}: {text}", "fr": "{kind} {network} de {who} : {text}"},
    "alert_resolved": {"en": "Resolved", "fr": "Résolue"},
    "alert_open": {"en": "Open", "fr": "Ouverte"},
    "alert_met": {"en": "{label} met ({took})", "fr": "{label} tenue ({took})"},
    "alert_answered_late": {"en": "{label} answered late ({took})", "fr": "{label} en retard ({took})"},
    "alert_breached": {"en": "{label} breached {ago} (due {due})", "fr": "{label} dépassée {ago} (échéance {due})"},
    "alert_paused": {"en": "{label} paused", "fr": "{label} en pause"},
    "alert_at_risk": {"en": "At risk · {label} due {due}", "fr": "En risque · {label} : échéance {due}"},
    "alert_on_track": {"en": "On track · {label} due {due}", "fr": "Dans les temps · {label} : échéance {due}"},
    "btn_reply": {"en": "Reply", "fr": "Répondre"},
    "btn_assign_me": {"en": "Assign to me", "fr": "M'assigner"},
    "btn_no_reply": {"en": "No reply needed", "fr": "Pas de réponse nécessaire"},
    "duration_days": {"en": "{d} d {h} h", "fr": "{d} j {h} h"},
    # the status menu and status words on the alert
    "status_snooze": {"en": "Waiting on customer", "fr": "En attente du client"},
    "status_hold": {"en": "On hold (third party)", "fr": "En attente d'un tiers"},
    "status_resolve": {"en": "Resolve", "fr": "Résoudre"},
    "status_replied": {"en": "Mark replied", "fr": "Marquer répondue"},
    "status_reopen": {"en": "Reopen", "fr": "Rouvrir"},
    "status_back_to_open": {"en": "Back to open", "fr": "Revenir à ouverte"},
    "conv_pending": {"en": ":zzz: Waiting on the customer", "fr": ":zzz: En attente du client"},
    "conv_on_hold": {"en": ":hourglass_flowing_sand: On hold", "fr": ":hourglass_flowing_sand: En attente d'un tiers"},
    "res_met": {"en": "{name} met", "fr": "{name} tenue"},
    "res_late": {"en": "{name} late", "fr": "{name} en retard"},
    "res_paused": {"en": "{name} paused", "fr": "{name} en pause"},
    "res_breached": {"en": "{name} breached {ago}", "fr": "{name} dépassée {ago}"},
    "res_due": {"en": "{name} due {due}", "fr": "{name} : échéance {due}"},
    "esc_suffix_1": {"en": " · assignee reminded", "fr": " · assigné relancé"},
    "esc_suffix_2": {"en": " · escalated to the channel", "fr": " · escaladée au canal"},
    "esc_suffix_3": {"en": " · on-call paged", "fr": " · astreinte alertée"},
    "esc_suffix_4": {"en": " · backup paged", "fr": " · renfort alerté"},
    # SLA notes in the thread
    "via_network": {"en": " (replied on the network)", "fr": " (réponse sur le réseau)"},
    "via_manual": {"en": " (marked replied)", "fr": " (marquée répondue)"},
    "via_dm": {"en": " (answered by DM in `c{id}`)", "fr": " (réponse en message privé dans `c{id}`)"},
    "note_met": {"en": ":white_check_mark: {name} met in {took}{how}.",
                 "fr": ":white_check_mark: {name} tenue en {took}{how}."},
    "note_answered_late": {"en": ":ballot_box_with_check: {name} answered late, after {took}{how}.",
                           "fr": ":ballot_box_with_check: {name} en retard, après {took}{how}."},
    "note_acknowledged": {"en": ":raising_hand: <@{actor}> is on it: escalation stopped.",
                          "fr": ":raising_hand: <@{actor}> s'en occupe : escalade arrêtée."},
    "note_replied_elsewhere": {"en": ":memo: <@{actor}> replied outside Veille{extra} The response clock is stopped.",
                               "fr": ":memo: <@{actor}> a répondu hors de Veille{extra} Le délai de réponse est arrêté."},
    "note_reply_deleted": {"en": ":wastebasket: Our reply was deleted on the network. The response time stays met "
                                 "(it was seen by the customer); recorded in the audit log.",
                           "fr": ":wastebasket: Notre réponse a été supprimée sur le réseau. Le délai de réponse reste "
                                 "tenu (le client l'a vue) ; noté dans l'historique."},
    "esc_late": {"en": "{name} breached {ago}, nobody has acknowledged it.",
                 "fr": "{name} dépassée {ago}, personne ne l'a prise en charge."},
    "esc_level_2": {"en": "{mentions} {late} Can someone take `c{id}`?",
                    "fr": "{mentions} {late} Quelqu'un peut-il prendre `c{id}` ?"},
    "esc_level_3": {"en": "Escalated to on-call {mentions}. {late}", "fr": "Escaladée à l'astreinte {mentions}. {late}"},
    "esc_level_4": {"en": "Escalated to the on-call's backup {mentions}. {late}",
                    "fr": "Escaladée au renfort de l'astreinte {mentions}. {late}"},
    "esc_paged": {"en": " PagerDuty was paged.", "fr": " PagerDuty a été alerté."},
    "digest_head": {"en": ":red_circle: {n} breaches happened while Veille was down",
                    "fr": ":red_circle: {n} dépassements pendant que Veille était arrêtée"},
    "digest_head_one": {"en": ":red_circle: 1 breach happened while Veille was down",
                        "fr": ":red_circle: 1 dépassement pendant que Veille était arrêtée"},
    "digest_line": {"en": "• `c{id}` {name} of {who}, due {due}", "fr": "• `c{id}` {name} de {who}, échéance {due}"},
    "digest_more": {"en": "…and {n} more: see `/veille queue`.", "fr": "…et {n} de plus : voir `/veille queue`."},
    "oncall_backup_tag": {"en": " (backup)", "fr": " (renfort)"},
    "sla_note_warning": {"en": ":warning: {label} due {due}. {who}", "fr": ":warning: {label} : échéance {due}. {who}"},
    "sla_note_breach": {"en": ":red_circle: {label} breached (due {due}). {who}",
                        "fr": ":red_circle: {label} dépassée (échéance {due}). {who}"},
    "sla_note_nobody": {"en": "Nobody is assigned: use *Assign to me*.",
                        "fr": "Personne n'est assigné : utilisez *M'assigner*."},
    "sla_note_at_risk": {"en": "{label} at risk", "fr": "{label} en risque"},
    "sla_note_breached": {"en": "{label} breached", "fr": "{label} dépassée"},
    "sla_note_late_ingest": {"en": "It arrived after its deadline (late delivery from the network).",
                             "fr": "Il est arrivé après son échéance (livraison tardive du réseau)."},
    # other thread notes
    "note_open": {"en": "open", "fr": "ouvrir"},
    "note_new_message": {"en": "New message in this conversation", "fr": "Nouveau message dans cette conversation"},
    "note_native_reply": {"en": ":speech_balloon: Our account replied directly on the network:",
                          "fr": ":speech_balloon: Notre compte a répondu directement sur le réseau :"},
    "note_native_reply_short": {"en": "Replied on the network", "fr": "Réponse sur le réseau"},
    # the reply's draft card
    "draft_head": {"en": "*Draft reply* `{id}` v{version} by <@{author}>",
                   "fr": "*Brouillon de réponse* `{id}` v{version} par <@{author}>"},
    "draft_fallback": {"en": "Draft {id} v{version}: {state}", "fr": "Brouillon {id} v{version} : {state}"},
    "btn_approve": {"en": "Approve", "fr": "Approuver"},
    "btn_reject": {"en": "Reject", "fr": "Rejeter"},
    "btn_retry": {"en": "Retry", "fr": "Réessayer"},
    "btn_mark_published": {"en": "Mark published", "fr": "Marquer publiée"},
    "btn_request_changes": {"en": "Request changes", "fr": "Demander des modifs"},
    "draft_line_pending": {"en": "Waiting for an approver (the author cannot approve)",
                           "fr": "En attente d'un approbateur (l'auteur ne peut pas approuver)"},
    "draft_line_no_approval": {"en": "No approval needed for this account · publishing…",
                               "fr": "Pas d'approbation pour ce compte · publication en cours…"},
    "draft_line_approved": {"en": "Approved by {by} · publishing…", "fr": "Approuvée par {by} · publication en cours…"},
    "draft_line_published": {"en": "Published ({where}) · approved by {by}", "fr": "Publiée ({where}) · approuvée par {by}"},
    "draft_line_unknown": {"en": "Not sure it went out (no answer in time); checking on the network before any retry",
                           "fr": "Pas sûr qu'elle soit partie (pas de réponse à temps) ; vérification sur le réseau "
                                 "avant tout nouvel essai"},
    "error_unknown": {"en": "unknown error", "fr": "erreur inconnue"},
    # the scheduled post's card
    "post_card_head": {"en": ":calendar: *Scheduled post* `{id}` v{version} · *{account}* · by <@{author}>",
                       "fr": ":calendar: *Publication programmée* `{id}` v{version} · *{account}* · par <@{author}>"},
    "post_card_edited": {"en": " · edited by <@{who}>", "fr": " · modifiée par <@{who}>"},
    "post_card_fallback": {"en": "Post {id} v{version}: {state}", "fr": "Publication {id} v{version} : {state}"},
    # /veille queue lines (the member's language)
    "queue_no_deadline": {"en": "no deadline", "fr": "pas d'échéance"},
    "queue_breached": {"en": ":red_circle: breached {ago}", "fr": ":red_circle: dépassée {ago}"},
    "queue_due": {"en": "due {due}", "fr": "échéance {due}"},
    "queue_reply_to": {"en": "reply to `c{id}`", "fr": "réponse à `c{id}`"},
    "queue_draft_line": {"en": "`{id}` v{version} by <@{author}> · {target}: {preview}",
                         "fr": "`{id}` v{version} par <@{author}> · {target} : {preview}"},
    "queue_footer": {"en": "`/veille approve r7` · `/veille reject r7 &lt;reason&gt;` · `/veille assign c12 @member`"
                           " · `/veille calendar`",
                     "fr": "`/veille approve r7` · `/veille reject r7 &lt;raison&gt;` · `/veille assign c12 @membre`"
                           " · `/veille calendar`"},
    "queue_title": {"en": "Queue", "fr": "File d'attente"},
    # modals (the member's language)
    "reply_modal_title": {"en": "Reply", "fr": "Répondre"},
    "reply_modal_submit": {"en": "Send for approval", "fr": "Faire approuver"},
    "reply_modal_label": {"en": "Your reply (as the brand)", "fr": "Votre réponse (au nom de la marque)"},
    "reject_modal_title": {"en": "Reject draft", "fr": "Rejeter le brouillon"},
    "reject_modal_label": {"en": "Why? The author will see it.", "fr": "Pourquoi ? L'auteur le verra."},
    # /veille help and usage lines: examples in the member's language
    "help_head": {"en": "*Veille* commands", "fr": "*Veille* : commandes"},
    "mention_hint": {"en": "Try `/veille help` or `/veille queue`.", "fr": "Essayez `/veille help` ou `/veille queue`."},
    "usage_reject": {"en": "/veille reject r7 <reason>", "fr": "/veille reject r7 <raison>"},
    "usage_assign": {"en": "/veille assign c12 [@member]", "fr": "/veille assign c12 [@membre]"},
    "usage_replied": {"en": "/veille replied c12 <what you said>", "fr": "/veille replied c12 <ce que vous avez répondu>"},
    "usage_oncall": {"en": '/veille oncall [override @member until "friday 6pm"]',
                     "fr": '/veille oncall [override @membre until "vendredi 18h"]'},
    "usage_oncall_override": {"en": '/veille oncall override @member until "friday 6pm"',
                              "fr": '/veille oncall override @membre until "vendredi 18h"'},
    "usage_post": {"en": '/veille post @acme "tomorrow 9am" Text', "fr": '/veille post @acme "demain 9h" Texte'},
    "usage_calendar": {"en": "/veille calendar [week|month] [@account]", "fr": "/veille calendar [semaine|mois] [@compte]"},
    "usage_move": {"en": '/veille move p12 "thursday 2pm"', "fr": '/veille move p12 "jeudi 14h"'},
    "usage_changes": {"en": "/veille changes p12 <what to change>", "fr": "/veille changes p12 <ce qu'il faut changer>"},
})

# Strings that are rightly the same in both languages (the completeness test allows these only).
SAME_IN_BOTH = frozenset({"kind_mention", "kind_article", "alert_messages", "alert_one_message"})
# Every state has its English word too, so both languages are complete (t() reads them for {state}).
STATES["en"].update({s: s for s in STATES["fr"] if s not in STATES["en"]})


# Issue 8, directory look-ups outside transactions (h3-ingest): Slack cannot list an approvers' group.
MESSAGES.update({
    "directory_unavailable": {
        "en": "Slack cannot tell me right now who is in the approvers' group; nothing changed. Try again in a minute.",
        "fr": "Slack ne peut pas me dire pour l'instant qui fait partie du groupe d'approbateurs ; rien n'a changé. "
              "Réessayez dans une minute.",
    },
})


# ---- why a publication failed or waits for a person (bot/domain/reasons.py, bot/blocks/common.py) ----
MESSAGES.update({
    "reason_approver_gone": {"en": "the approver is no longer allowed to approve",
                             "fr": "l'approbateur n'a plus le droit d'approuver"},
    "reason_step_unapproved": {"en": "step {step} ({name}) is no longer approved by someone allowed to",
                               "fr": "l'étape {step} ({name}) n'est plus approuvée par quelqu'un qui en a le droit"},
    "reason_missed_time": {"en": "missed its time by {minutes} min (Veille was not running): Retry publishes it now",
                           "fr": "heure dépassée de {minutes} min (Veille ne tournait pas) : Réessayer la publie maintenant"},
    "reason_no_lookup": {"en": "this network offers no look-up", "fr": "ce réseau ne permet pas de vérifier"},
    "reason_lookup_failed": {"en": "could not check: {error}", "fr": "vérification impossible : {error}"},
    "reason_schedule_no_hours": {"en": "{path} has no open hours: business targets on it use calendar time",
                                 "fr": "{path} n'a aucune heure d'ouverture : ses objectifs ouvrés comptent en temps calendaire"},
    "reason_schedule_unused": {"en": "{path} names schedule '{schedule}' but no target sets business = true",
                               "fr": "{path} nomme l'horaire « {schedule} » mais aucun objectif ne fixe business = true"},
})


# ---- triage: language, sentiment, bots and mutes (issue 9; bot/triage, bot/domain/mutes.py,
# handlers/commands_mute.py, the alert's triage line and the reply modal's language warning).
MESSAGES.update({
    "lang_fr": {"en": "French", "fr": "français"},
    "lang_en": {"en": "English", "fr": "anglais"},
    "lang_es": {"en": "Spanish", "fr": "espagnol"},
    "lang_de": {"en": "German", "fr": "allemand"},
    "lang_it": {"en": "Italian", "fr": "italien"},
    "lang_pt": {"en": "Portuguese", "fr": "portugais"},
    "lang_nl": {"en": "Dutch", "fr": "néerlandais"},
    "lang_unknown": {"en": "language unknown", "fr": "langue inconnue"},
    "sentiment_negative": {"en": "negative", "fr": "négatif"},
    "sentiment_neutral": {"en": "neutral", "fr": "neutre"},
    "sentiment_positive": {"en": "positive", "fr": "positif"},
    "triage_likely_bot": {"en": ":robot_face: likely bot ({reasons})", "fr": ":robot_face: robot probable ({reasons})"},
    "triage_muted": {"en": ":mute: muted author", "fr": ":mute: auteur en sourdine"},
    "mute_usage": {"en": "Usage: `/veille mute @author [network]`, `/veille unmute @author [network]`, `/veille mute list`",
                   "fr": "Utilisation : `/veille mute @auteur [réseau]`, `/veille unmute @auteur [réseau]`, `/veille mute list`"},
    "mute_only_approvers": {"en": "Only approvers and admins can mute or unmute an author.",
                            "fr": "Seuls les approbateurs et les admins peuvent mettre un auteur en sourdine ou l'en sortir."},
    "mute_unknown_network": {"en": "`{network}` is not a network I know: one of {networks}.",
                             "fr": "`{network}` n'est pas un réseau connu : l'un de {networks}."},
    "mute_which_network": {"en": "I have never seen `@{handle}`: say on which network, e.g. `/veille mute @{handle} bluesky` ({networks}).",
                           "fr": "Je n'ai jamais vu `@{handle}` : précisez le réseau, par ex. `/veille mute @{handle} bluesky` ({networks})."},
    "mute_not_muted": {"en": "`@{handle}` is not muted.", "fr": "`@{handle}` n'est pas en sourdine."},
    "mute_done": {"en": "`@{handle}` is muted on {networks}: their messages are labelled and left out of spike counts. Undo: `/veille unmute @{handle}`.",
                  "fr": "`@{handle}` est en sourdine sur {networks} : ses messages sont signalés et exclus du comptage des pics. Annuler : `/veille unmute @{handle}`."},
    "unmute_done": {"en": "`@{handle}` is no longer muted on {networks}.", "fr": "`@{handle}` n'est plus en sourdine sur {networks}."},
    "mute_list_empty": {"en": "No muted author.", "fr": "Aucun auteur en sourdine."},
    "mute_list_head": {"en": "*Muted authors*", "fr": "*Auteurs en sourdine*"},
    "mute_list_line": {"en": "• `@{handle}` on {network}, by <@{user}> {date}", "fr": "• `@{handle}` sur {network}, par <@{user}> {date}"},
    "reply_language_warning": {"en": ":warning: The customer wrote in {customer}; this draft looks {draft}. "
                                     "Edit it, or send it again as it is.",
                               "fr": ":warning: Le client a écrit en {customer} ; ce brouillon semble en {draft}. "
                                     "Modifiez-le, ou envoyez-le de nouveau tel quel."},
})


# ---- reports (issue 10: bot/reports/, handlers/commands_report.py, the App Home dashboard) ----
MESSAGES.update({
    "report_title": {"en": "Report {start} – {end}{scope}", "fr": "Rapport du {start} au {end}{scope}"},
    "report_volume": {"en": "*Volume*: {conversations} conversations, {msg_in} messages in, {msg_out} out{delta}",
                      "fr": "*Volume* : {conversations} conversations, {msg_in} messages reçus, {msg_out} envoyés{delta}"},
    "report_first_response": {"en": "*First response*: median {median}, p90 {p90}{delta}",
                              "fr": "*Première réponse* : médiane {median}, p90 {p90}{delta}"},
    "report_next_response": {"en": "*Next response*: median {median}, p90 {p90}",
                             "fr": "*Réponse suivante* : médiane {median}, p90 {p90}"},
    "report_sla": {"en": "*SLA*: {attainment} met ({met} met, {breached} breached), {escalations} escalations{delta}",
                   "fr": "*SLA* : {attainment} tenus ({met} tenus, {breached} dépassés), {escalations} escalades{delta}"},
    "report_publishing": {"en": "*Publishing*: {posts} posts, {replies} replies; approval lead time median {lead}",
                          "fr": "*Publications* : {posts} posts, {replies} réponses ; délai d'approbation médian {lead}"},
    "report_by_account": {"en": "• {account}: {conversations} conversations, first response {median}, SLA {attainment}",
                          "fr": "• {account} : {conversations} conversations, première réponse {median}, SLA {attainment}"},
    "report_busiest": {"en": "*Busiest hours*: {hours}", "fr": "*Heures les plus chargées* : {hours}"},
    "report_top_posts": {"en": "*Top posts*", "fr": "*Meilleures publications*"},
    "report_no_engagement": {"en": "Engagement figures are not collected yet: posts are listed latest first.",
                             "fr": "L'engagement n'est pas encore relevé : les publications sont listées de la plus récente à la plus ancienne."},
    "report_previous": {"en": " (previous period: {value})", "fr": " (période précédente : {value})"},
    "report_none": {"en": "n/a", "fr": "n.d."},
    "report_on_its_way": {"en": "Your report for {start} – {end} is on its way{where}.",
                          "fr": "Votre rapport du {start} au {end} arrive{where}."},
    "report_in_channel": {"en": " in <#{channel}>", "fr": " dans <#{channel}>"},
    "report_bad_period": {"en": "I can't read that period. Try `/veille report week`, `month`, `last month` or "
                                "`from 2026-11-01 to 2026-11-30`.",
                          "fr": "Je ne comprends pas cette période. Essayez `/veille report week`, `month`, `last month` "
                                "ou `from 2026-11-01 to 2026-11-30`."},
    "report_unknown_scope": {"en": "No account or network `{what}` in veille.toml (accounts: {accounts}).",
                             "fr": "Aucun compte ni réseau `{what}` dans veille.toml (comptes : {accounts})."},
    "report_channel_not_allowed": {"en": "Only approvers and admins can post a report in a channel; "
                                         "`/veille report` without `in #channel` sends it to you.",
                                   "fr": "Seuls les approbateurs et les admins peuvent publier un rapport dans un canal ; "
                                         "`/veille report` sans `in #canal` vous l'envoie."},
    "report_period_too_long": {"en": "A report covers at most {days} days.",
                               "fr": "Un rapport couvre au plus {days} jours."},
    "report_initial_comment": {"en": "Charts for the report {start} – {end}", "fr": "Graphiques du rapport du {start} au {end}"},
    # charts: titles say what they show; alt text for screen readers
    "chart_histogram_title": {"en": "First response time (conversations)", "fr": "Délai de première réponse (conversations)"},
    "chart_histogram_alt": {"en": "Histogram of first response times from {start} to {end}: median {median}, p90 {p90}.",
                            "fr": "Histogramme des délais de première réponse du {start} au {end} : médiane {median}, p90 {p90}."},
    "chart_volume_title": {"en": "Messages received per day", "fr": "Messages reçus par jour"},
    "chart_volume_alt": {"en": "Messages received per day from {start} to {end}: {total} in all, busiest day {day} ({max}).",
                         "fr": "Messages reçus par jour du {start} au {end} : {total} au total, jour le plus chargé {day} ({max})."},
    "chart_sla_title": {"en": "SLA met per week (%)", "fr": "SLA tenus par semaine (%)"},
    "chart_sla_alt": {"en": "SLA attainment per week from {start} to {end}: {weeks}.",
                      "fr": "SLA tenus par semaine du {start} au {end} : {weeks}."},
    "chart_heatmap_title": {"en": "Messages received by hour of the week", "fr": "Messages reçus par heure de la semaine"},
    "chart_heatmap_alt": {"en": "Heat map of messages received by weekday and hour from {start} to {end}; busiest: {busiest}.",
                          "fr": "Carte de chaleur des messages reçus par jour et heure du {start} au {end} ; plus chargé : {busiest}."},
    "chart_week_of": {"en": "week of {day}", "fr": "semaine du {day}"},
    "weekdays_short": {"en": "Mon Tue Wed Thu Fri Sat Sun", "fr": "lun mar mer jeu ven sam dim"},
    # App Home dashboard
    "home_week_title": {"en": "This week", "fr": "Cette semaine"},
    "home_week_line": {"en": "*{account}*: {open} open · {breached} breached · first response {median}",
                       "fr": "*{account}* : {open} ouvertes · {breached} dépassées · première réponse {median}"},
})
