"""`veille run`: Bolt (Socket Mode when SLACK_APP_TOKEN is set, else HTTP), the outbox workers
and the SLA detector, in one process. The configuration was checked before (bot/config_check.py).

The HTTP endpoints come up first, so /healthz answers (503, "slack": "unreachable") while Slack
cannot be reached; Veille retries with backoff and starts its workers once Slack answers. Only a
token Slack refuses stops start-up: retrying cannot fix it."""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from bot import triage
from bot.app import build_app, build_services
from bot.clock import Clock, RealClock
from bot.config import ConfigError, Settings, VeilleConfig
from bot.domain.clocks import reapply_all
from bot.jobs.runner import Runner
from storage.db import Database

log = logging.getLogger("veille")

FIRST_RETRY, MAX_RETRY = 1.0, 60.0  # seconds between attempts to reach Slack: doubled each time
HTTP_START_TIMEOUT = 15.0


@dataclass(frozen=True)
class SlackIdentity:
    user: str
    team: str


def wait_for_slack(slack, clock: Clock, stop: threading.Event | None = None) -> SlackIdentity | None:
    """auth.test until Slack answers, backing off from FIRST_RETRY to MAX_RETRY seconds, one log
    line per failed attempt. Returns who we are, or None when `stop` is set first. Raises
    ConfigError when Slack answers but refuses the token."""
    delay = FIRST_RETRY
    while True:
        try:
            who = slack.auth_test()
            return SlackIdentity(str(who.get("user")), str(who.get("team")))
        except SlackApiError as e:
            status, error = e.response.status_code, e.response.get("error")
            if status == 200 or (400 <= status < 500 and status != 429):
                raise ConfigError(f"SLACK_BOT_TOKEN was refused by Slack: {error}") from None
            reason = f"HTTP {status}" + (f" {error}" if error else "")
        except OSError as e:  # no answer: connection refused, DNS, timeout
            reason = str(getattr(e, "reason", None) or e)
        log.warning("Slack is unreachable at %s (%s): /healthz answers 503; next try in %ds",
                    slack.base_url, reason, delay)
        if clock.wait(clock.now() + delay, stop):  # woken early: only `stop` does that
            return None
        delay = min(MAX_RETRY, delay * 2)


def serve(settings: Settings, cfg: VeilleConfig, clock: Clock | None = None) -> int:
    clock = clock or RealClock()
    db = Database(settings.database_url)
    db.claim_process_lock()
    db.migrate()
    svc = build_services(settings, cfg, clock, db=db)
    triage.warm_up()  # the language model loads once here, not inside the first ingest transaction
    app = build_app(svc)
    stats = getattr(svc.slack, "stats", None)
    if stats is not None:
        stats.mark_unreachable()  # until auth.test answers: /healthz must not say 200 before
    signal.signal(signal.SIGTERM, _interrupt)
    server = runner = None
    try:
        server = _start_http(app, svc, settings.port)
        who = wait_for_slack(svc.slack, clock)
        log.info("connected to Slack as %s in %s", who.user, who.team)
        changed = reapply_all(db, svc.rules, svc.now())  # an edited SLA policy applies from each clock's start
        if changed:
            log.info("SLA policies changed: %s open clocks recomputed", changed)
        runner = Runner(svc)
        runner.start()
        if settings.socket_mode:
            from bot.slack import socket_mode

            handler = socket_mode.socket_mode_handler(app, settings.slack_app_token.get_secret_value())
            socket_mode.connect(handler)  # the client's own threads serve Slack, and reconnect on its disconnects
            log.info("connected to Slack in Socket Mode")
        while server.thread.is_alive():  # /ingest/webhook, /healthz (and /slack/events in HTTP mode)
            server.thread.join(0.5)
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        if server is not None:
            server.stop()
        if runner is not None:
            runner.stop()
        db.dispose()
    return 0


def _interrupt(*_):
    raise KeyboardInterrupt()


@dataclass
class _Http:
    server: object
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def _start_http(app, svc, port: int) -> _Http:
    """Slack's requests (HTTP mode), /ingest/webhook, /healthz and /metrics, in a thread."""
    import uvicorn

    from bot.web import build_web

    # log_config=None: uvicorn's loggers go through ours (plain or JSON, secrets redacted).
    server = uvicorn.Server(uvicorn.Config(build_web(app, svc), host="0.0.0.0", port=port, log_config=None,
                                           log_level="info"))
    server.install_signal_handlers = lambda: None
    thread = threading.Thread(target=server.run, name="http", daemon=True)
    thread.start()
    deadline = time.monotonic() + HTTP_START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise ConfigError(f"PORT {port}: cannot listen there (is another process using it?)")
        time.sleep(0.02)
    return _Http(server, thread)
