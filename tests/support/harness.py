"""One running Veille for a test: the real app served over HTTP, the Slack stand-in, a
publishing target, a moved clock. Tests talk to it only as Slack and the networks would.

Slack reaches the app over HTTP (signed requests to /slack/events) or, with
VEILLE_TEST_SLACK_MODE=socket, over Socket Mode (the app connects to the stand-in's websocket with
slack_sdk's client, as `veille run` does when SLACK_APP_TOKEN is set)."""

from __future__ import annotations

import enum
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from bot.app import build_app, build_services
from bot.config import Settings, parse_config
from bot.domain import bursts
from bot.httpserve import ServedApp
from bot.jobs.detector import detect
from bot.jobs.outbox_worker import OutboxWorker
from bot.signing import signed_headers
from bot.slack.socket_mode import connect as connect_socket_mode
from bot.slack.socket_mode import socket_mode_handler
from bot.slack.standin import SlackDriver, render_channel
from bot.web import build_web
from storage.db import Database

SIGNING_SECRET = "slack-signing-secret-for-tests"
INGEST_SECRET = "ingest-secret-for-tests"
PUBLISH_SECRET = "publish-secret-for-tests"

AUTHOR, APPROVER, APPROVER_FR, OUTSIDER = "U0ALICE", "U0BOB", "U0CAROL", "U0DAN"


class SlackMode(enum.StrEnum):
    HTTP = "http"
    SOCKET = "socket"


SLACK_MODE = SlackMode(os.environ.get("VEILLE_TEST_SLACK_MODE") or SlackMode.HTTP)


def team_config(publish_url: str, **overrides) -> dict:
    cfg = {
        "team": {"timezone": "Europe/Paris", "approvers": [APPROVER], "approvers_group": "S0APPROVERS"},
        "accounts": [
            {"key": "acme", "network": "x", "handle": "@acme", "channel": "C0ACME",
             "connector": {"type": "webhook", "url": publish_url, "secret_env": "ACME_PUBLISH_SECRET", "timeout": 2}},
            {"key": "acme_fr", "network": "mastodon", "handle": "@acme@mastodon.social", "channel": "C0ACMEFR",
             "connector": {"type": "webhook", "url": publish_url, "secret_env": "ACME_PUBLISH_SECRET", "timeout": 2}},
        ],
        "sla": {"first_response": "1h", "next_response": "2h"},
    }
    cfg.update(overrides)
    return cfg


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt runs listeners here after the ack; tests wait until every listener has finished."""

    def __init__(self):
        super().__init__(max_workers=4)
        self._busy = 0
        self._cond = threading.Condition()

    def submit(self, fn, /, *args, **kwargs):
        with self._cond:
            self._busy += 1

        def run():
            try:
                return fn(*args, **kwargs)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()
        return super().submit(run)

    def wait_idle(self, timeout: float = 10) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self._busy == 0, timeout):
                raise TimeoutError("listeners still running")


class Veille:
    def __init__(self, db_url: str, clock, standin, target, config: dict | None = None,
                 env: dict | None = None, slack_mode: SlackMode | None = None):
        self.clock, self.standin, self.target = clock, standin, target
        self.slack_mode = slack_mode or SLACK_MODE
        socket = self.slack_mode is SlackMode.SOCKET
        # Socket Mode as users run it: the app-level token, and no signing secret
        slack_env = {"SLACK_APP_TOKEN": standin.app_token} if socket else {"SLACK_SIGNING_SECRET": SIGNING_SECRET}
        self.settings = Settings(_env_file=None, SLACK_BOT_TOKEN=standin.token, SLACK_API_URL=standin.api_url,
                                 DATABASE_URL=db_url, VEILLE_INGEST_SECRET=INGEST_SECRET, **slack_env)
        self.cfg = parse_config(config or team_config(target.url))
        self.db = Database(db_url)
        self.db.migrate()
        self.svc = build_services(self.settings, self.cfg, clock, db=self.db,
                                  env={"ACME_PUBLISH_SECRET": PUBLISH_SECRET, **(env or {})})
        self.executor = TrackingExecutor()
        self.app = build_app(self.svc, listener_executor=self.executor)
        self.web = ServedApp(build_web(self.app, self.svc)).start()
        self.socket = None
        if socket:
            self.socket = socket_mode_handler(self.app, standin.app_token)
            connect_socket_mode(self.socket)
            self.slack = SlackDriver.over_socket(standin)
        else:
            self.slack = SlackDriver(standin, self.web.url + "/slack/events", SIGNING_SECRET)
        self.worker = OutboxWorker(self.db, clock, self.svc.slack, self.svc.connectors, self.svc.directory,
                                   self.svc.rules, pace_seconds=0, cfg=self.cfg)
        self.http = httpx.Client(base_url=self.web.url, timeout=10)

    def close(self) -> None:
        self.http.close()
        self.slack.close()
        if self.socket is not None:
            self._close_socket()
        self.web.stop()
        self.executor.shutdown(wait=True)
        self.db.dispose()

    def _close_socket(self) -> None:
        """Closing slack_sdk's client waits out its 3 s receive timeout unless the link is already
        gone: stop its reconnecting, close the link from Slack's side, then let it wind down in
        the background."""
        self.socket.client.auto_reconnect_enabled = False
        self.standin.socket_mode.close_links()
        threading.Thread(target=self.socket.close, name="socket-mode-close", daemon=True).start()

    # ---- what the outside world does ----------------------------------------------------------

    def post_webhook(self, payload, secret: str = INGEST_SECRET, headers: dict | None = None,
                     raw: bytes | None = None) -> httpx.Response:
        body = raw if raw is not None else json.dumps(payload).encode()
        h = signed_headers(secret, body, self.clock.now())
        h.update(headers or {})
        return self.http.post("/ingest/webhook", content=body, headers=h)

    def mention(self, mid: str, text: str, account: str = "acme", author: str = "u-1", handle: str = "@jeanne",
                name: str = "Jeanne", kind: str = "mention", **extra) -> dict:
        body = {"id": mid, "network": "x" if account == "acme" else "mastodon", "account": account, "kind": kind,
                "author": {"id": author, "handle": handle, "name": name}, "text": text,
                "url": f"https://x.example/{handle.strip('@')}/{mid}",
                "created_at": _iso(extra.pop("created_at", self.clock.now())), **extra}
        r = self.post_webhook(body)
        assert r.status_code == 202, r.text
        return r.json()

    def draft_reply(self, text: str, mention_text: str = "Colis perdu", author: str = "U0ALICE") -> tuple[dict, dict]:
        """A mention arrives, `author` clicks Reply and submits `text`: returns (alert, draft card)."""
        from bot.ids import Action, Block, Input

        self.mention("t-1", mention_text)
        self.settle()
        [alert] = self.alerts()
        self.slack.click(author, "C0ACME", alert["ts"], Action.REPLY)
        self.settle()
        [modal] = self.standin.views(author)
        r = self.slack.submit_view(author, modal["id"], values={Block.REPLY_TEXT: {Input.TEXT: text}})
        assert r.status_code == 200
        self.settle()
        card = next(m for m in self.thread(alert) if "Draft reply" in _all_text(m))
        return alert, card

    # ---- letting time and work run ------------------------------------------------------------

    def settle(self) -> None:
        """Let every acked listener finish, then run the detector and the outbox until idle."""
        for _ in range(100):
            self.executor.wait_idle()
            n = detect(self.db, self.clock.now(), cfg=self.cfg) + bursts.tick(self.db, self.clock.now()) + self.worker.drain()
            if n == 0:
                self.executor.wait_idle()
                if (detect(self.db, self.clock.now(), cfg=self.cfg) + bursts.tick(self.db, self.clock.now())
                        + self.worker.drain()) == 0:
                    return
        raise AssertionError("work never settled")

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.settle()

    # ---- what Slack shows ---------------------------------------------------------------------

    def alerts(self, channel: str = "C0ACME") -> list[dict]:
        return self.standin.top_level(channel)

    def thread(self, alert: dict, channel: str = "C0ACME") -> list[dict]:
        return [m for m in self.standin.thread(channel, alert["ts"]) if m["ts"] != alert["ts"]]

    def render(self, channel: str = "C0ACME", tz: str = "Europe/Paris") -> str:
        return render_channel(self.standin, channel, tz=tz)

    def ephemeral_texts(self, user: str) -> list[str]:
        return [_all_text(e) for e in self.standin.ephemerals(user)]


def _iso(epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(int(epoch), UTC).isoformat().replace("+00:00", "Z")


def _all_text(message: dict) -> str:
    """Everything a person reads in a message: its text and its blocks' text."""
    parts = [message.get("text") or ""]

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and "text" in node:
                parts.append(node["text"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(message.get("blocks") or [])
    return "\n".join(parts)


all_text = _all_text
