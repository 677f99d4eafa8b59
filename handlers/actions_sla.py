"""The alert's status menu and the "I'm on it" button of escalations and on-call DMs. Each
listener acks first, then calls the same status service as `/veille ack|snooze|...`; the
answer goes to the clicker only."""

from __future__ import annotations

from slack_bolt import App

from bot.ids import Action
from bot.services import Services
from handlers.commands_sla import run_status

MENU_ACTIONS = ("ack", "snooze", "hold", "resolve", "reopen", "replied")


def register(app: App, svc: Services) -> None:
    @app.action(Action.STATUS)
    def status_menu(ack, body, action, respond):
        ack()
        user = body["user"]["id"]
        choice, _, conv_id = ((action.get("selected_option") or {}).get("value") or "").partition(":")
        if choice not in MENU_ACTIONS or not conv_id.isdigit():
            return
        answer = run_status(svc, user, svc.lang(user), choice, int(conv_id))
        respond(answer, response_type="ephemeral", replace_original=False)

    @app.action(Action.ACKNOWLEDGE)
    def im_on_it(ack, body, action, respond):
        ack()
        user = body["user"]["id"]
        if not str(action.get("value", "")).isdigit():
            return
        answer = run_status(svc, user, svc.lang(user), "ack", int(action["value"]))
        respond(answer, response_type="ephemeral", replace_original=False)
