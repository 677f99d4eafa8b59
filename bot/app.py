"""The app factory: no module-level App, no globals. Tests, the demo and `veille run` build the
same thing with their own clock, database and Slack base URL."""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import Executor

from slack_bolt import App

from bot.clock import Clock
from bot.config import Settings, VeilleConfig
from bot.connectors.registry import Connectors
from bot.domain.sla_rules import build_rules
from bot.services import Services
from bot.slack.client import make_web_client
from bot.slack.directory import Directory
from storage.db import Database


def build_services(settings: Settings, cfg: VeilleConfig, clock: Clock, db: Database | None = None,
                   env: Mapping[str, str] | None = None, transport=None) -> Services:
    db = db or Database(settings.database_url)
    slack = make_web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    return Services(
        settings=settings, cfg=cfg, db=db, clock=clock, rules=build_rules(cfg), slack=slack,
        directory=Directory(db, slack, cfg.team, clock),
        connectors=Connectors(cfg, clock, env if env is not None else os.environ, transport),
    )


def build_app(svc: Services, listener_executor: Executor | None = None) -> App:
    """`listener_executor` runs listeners after their ack (tests pass one they can wait on)."""
    from handlers import register_all

    app = App(
        listener_executor=listener_executor,
        client=svc.slack,
        signing_secret=svc.settings.slack_signing_secret.get_secret_value(),
        token_verification_enabled=False,  # auth.test runs at start-up in `veille run`, with a clear error
        process_before_response=False,
    )

    @app.middleware
    def shared_client(context, next):
        # Listeners use the app's own client rather than Bolt's per-request copy (our token never
        # changes), so their Slack calls and 429s are counted for /metrics like the outbox's.
        context["client"] = svc.slack
        return next()

    register_all(app, svc)
    return app
