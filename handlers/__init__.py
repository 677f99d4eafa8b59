"""Bolt listeners, registered per kind. A listener is thin: ack, parse, call a service, render."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers import actions, commands, events, middleware, views


def register_all(app: App, svc: Services) -> None:
    middleware.register(app, svc)
    commands.register(app, svc)
    actions.register(app, svc)
    views.register(app, svc)
    events.register(app, svc)
