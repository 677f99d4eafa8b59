"""The "Publish anyway" button of a post held by an incident (bot/domain/crisis.py): approvers
only, this exact version, once. "Reschedule" on the same note is the post's own Reschedule."""

from __future__ import annotations

from slack_bolt import App

from bot.domain import crisis
from bot.i18n import t
from bot.ids import Action
from bot.services import Services


def register(app: App, svc: Services) -> None:
    @app.action(Action.CRISIS_PUBLISH_ANYWAY)
    def publish_anyway(ack, body, action, respond):
        ack()
        user = body["user"]["id"]
        lang = svc.lang(user)
        row_id, _, version = action["value"].partition(":")
        try:
            with svc.db.session() as s:
                d = crisis.publish_anyway(s, svc.now(), int(row_id), int(version or 0), user, svc.directory)
                answer = t(lang, "crisis_released", id=f"p{d.id}")
        except (crisis.CrisisError, ValueError) as e:
            code = e.code if isinstance(e, crisis.CrisisError) else "crisis_held_gone"
            respond(t(lang, code, **getattr(e, "info", {})), response_type="ephemeral", replace_original=False)
            return
        respond(answer, response_type="ephemeral", replace_original=False)
        svc.poke()
