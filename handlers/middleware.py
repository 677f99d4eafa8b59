"""Global middleware: Slack's event retries are dropped on their event_id (the insert is the
cheap work done before the ack), and one error handler answers the member without losing work."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltResponse

from bot.i18n import t
from bot.services import Services
from storage.models import ProcessedEvent
from storage.upsert import insert_ignore

log = logging.getLogger("veille.slack")


def register(app: App, svc: Services) -> None:
    @app.middleware
    def drop_redelivered_events(body, next):
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            with svc.db.session() as s:
                fresh = insert_ignore(s, ProcessedEvent, dict(source="slack", event_id=event_id, at=int(svc.now())))
            if fresh is None:
                log.info("dropping redelivered event %s", event_id)
                return BoltResponse(status=200, body="")
        return next()

    @app.error
    def answer_errors(error, body, respond, logger):
        log.exception("listener failed: %s", error)
        user = (body.get("user") or {}).get("id") or body.get("user_id")
        if respond is not None and user and body.get("response_url"):
            try:
                respond(t(svc.lang(user), "error"), response_type="ephemeral", replace_original=False)
            except Exception:
                log.exception("could not tell the member")
