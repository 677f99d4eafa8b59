"""`veille run`: Bolt (Socket Mode when SLACK_APP_TOKEN is set, else HTTP), the outbox workers
and the SLA detector, in one process."""

from __future__ import annotations

import logging
import signal

from slack_sdk.errors import SlackApiError

from bot.app import build_app, build_services
from bot.clock import RealClock
from bot.config import ConfigError, Settings, VeilleConfig
from bot.domain.clocks import reapply_all
from bot.jobs.runner import Runner
from storage.db import Database

log = logging.getLogger("veille")


def serve(settings: Settings, cfg: VeilleConfig) -> int:
    if not settings.slack_signing_secret.get_secret_value() and not settings.socket_mode:
        raise ConfigError("SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)")
    if not settings.slack_bot_token.get_secret_value():
        raise ConfigError("SLACK_BOT_TOKEN is required")
    db = Database(settings.database_url)
    db.claim_process_lock()
    db.migrate()
    svc = build_services(settings, cfg, RealClock(), db=db)
    try:
        who = svc.slack.auth_test()
        log.info("connected to Slack as %s in %s", who.get("user"), who.get("team"))
    except SlackApiError as e:
        raise ConfigError(f"SLACK_BOT_TOKEN was refused by Slack: {e.response.get('error')}") from None
    changed = reapply_all(db, svc.rules, svc.now())  # an edited SLA policy applies from each clock's start
    if changed:
        log.info("SLA policies changed: %s open clocks recomputed", changed)
    app = build_app(svc)
    runner = Runner(svc)
    runner.start()
    try:
        if settings.socket_mode:
            import threading

            from bot.slack import socket_mode

            handler = socket_mode.socket_mode_handler(app, settings.slack_app_token.get_secret_value())
            _serve_http_in_background(app, svc, settings.port)  # /ingest/webhook and /healthz
            socket_mode.connect(handler)
            log.info("connected to Slack in Socket Mode")
            threading.Event().wait()  # the client's own threads serve, and reconnect on Slack's disconnects
        else:
            import uvicorn

            from bot.web import build_web

            uvicorn.run(build_web(app, svc), host="0.0.0.0", port=settings.port, log_level="info")
    finally:
        runner.stop()
        db.dispose()
    return 0


def _serve_http_in_background(app, svc, port: int) -> None:
    import threading

    import uvicorn

    from bot.web import build_web

    server = uvicorn.Server(uvicorn.Config(build_web(app, svc), host="0.0.0.0", port=port, log_level="warning"))
    server.install_signal_handlers = lambda: None
    threading.Thread(target=server.run, name="http", daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
