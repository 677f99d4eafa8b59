"""Bolt listeners, registered per kind. A listener is thin: ack, parse, call a service, render."""

from __future__ import annotations

from slack_bolt import App

import handlers.actions_crisis as actions_crisis
import handlers.commands_crisis  # noqa: F401 - registers /veille crisis
import handlers.commands_mute  # noqa: F401 - registers /veille mute, unmute (issue 9)
import handlers.commands_posts  # noqa: F401 - registers /veille post, calendar, move, changes, cancel, audit
import handlers.commands_report  # noqa: F401 - registers /veille report
import handlers.commands_sla  # noqa: F401 - registers /veille sla, oncall and the status subcommands
import handlers.commands_sources  # noqa: F401 - registers /veille sources
import handlers.triage  # noqa: F401 - registers /veille triage
from bot.services import Services
from handlers import actions, actions_posts, actions_sla, commands, events, middleware, views, views_posts


def register_all(app: App, svc: Services) -> None:
    middleware.register(app, svc)
    commands.register(app, svc)
    actions.register(app, svc)
    actions_sla.register(app, svc)
    views.register(app, svc)
    events.register(app, svc)
    actions_posts.register(app, svc)
    views_posts.register(app, svc)
    actions_crisis.register(app, svc)
    handlers.triage.register(app, svc)
