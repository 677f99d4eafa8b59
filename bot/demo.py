"""`veille demo`: the whole product offline in under 30 seconds. A local Slack stand-in, the
real app over HTTP, French and English mentions on two brand accounts, a reply drafted and
approved, one conversation left to breach on an accelerated clock (1 s = 12 min), and the
channels printed as a person reads them in Slack."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import httpx

from bot.app import build_app, build_services
from bot.clock import ScaledClock
from bot.config import Settings, parse_config
from bot.connectors.webhook_target import PublishTarget
from bot.httpserve import ServedApp
from bot.ids import Action, Block, Input
from bot.jobs.runner import Runner
from bot.signing import signed_headers
from bot.slack.standin import SlackDriver, SlackStandIn, render_channel
from bot.web import build_web
from storage.db import Database

SPEED = 720  # one real second is twelve minutes: a one-hour SLA breaches in five seconds
SIGNING, INGEST, PUBLISH = "demo-signing-secret", "demo-ingest-secret", "demo-publish-secret"
ALICE, BOB, CAMILLE = "U0ALICE", "U0BOB", "U0CAMILLE"

USERS = [
    {"id": ALICE, "name": "alice", "real_name": "Alice (community)", "tz": "Europe/Paris", "locale": "en-GB"},
    {"id": BOB, "name": "bob", "real_name": "Bob (approver)", "tz": "America/New_York", "locale": "en-US"},
    {"id": CAMILLE, "name": "camille", "real_name": "Camille (community)", "tz": "Europe/Paris", "locale": "fr-FR"},
]

MENTIONS = [
    ("acme", "x", "1001", "@jeanne_d", "Jeanne D.", "@AcmeFR ma commande #4521 n'est jamais arrivée, 3 semaines déjà…"),
    ("acme", "x", "1002", "@tom_b", "Tom B.", "@Acme <!channel> your app logs me out every 5 minutes. Fix it?"),
    ("acme_fr", "mastodon", "m-77", "@lea@piaille.fr", "Léa", "Bravo pour la nouvelle collection, elle est superbe !"),
    ("acme", "x", "1003", "@jeanne_d", "Jeanne D.", "Toujours rien… quelqu'un peut m'aider ?"),
]


def run_demo(quiet: bool = False) -> int:
    started = time.time()
    say = (lambda *_: None) if quiet else (lambda msg: print(f"  · {msg}", flush=True))
    tmp = Path(tempfile.mkdtemp(prefix="veille-demo-"))
    clock = ScaledClock(1.0)
    standin = SlackStandIn(clock=clock, users=USERS, usergroups={},
                           channels=[{"id": "C0ACME", "name": "acme-mentions"}, {"id": "C0ACMEFR", "name": "acme-fr"}])
    standin.start()
    target = PublishTarget(PUBLISH, clock).start()
    settings = Settings(_env_file=None, SLACK_BOT_TOKEN=standin.token, SLACK_SIGNING_SECRET=SIGNING,
                        SLACK_API_URL=standin.api_url, DATABASE_URL=f"sqlite:///{tmp / 'demo.db'}",
                        VEILLE_INGEST_SECRET=INGEST)
    connector = {"type": "webhook", "url": target.url, "secret_env": "DEMO_PUBLISH_SECRET"}
    cfg = parse_config({
        "team": {"timezone": "Europe/Paris", "approvers": [BOB, ALICE]},
        "accounts": [
            {"key": "acme", "network": "x", "handle": "@Acme", "channel": "C0ACME", "connector": connector},
            {"key": "acme_fr", "network": "mastodon", "handle": "@acme@mastodon.social", "channel": "C0ACMEFR",
             "connector": connector},
        ],
        "sla": {"first_response": "1h", "next_response": "1h"},
    })
    db = Database(settings.database_url)
    db.migrate()
    svc = build_services(settings, cfg, clock, db=db, env={"DEMO_PUBLISH_SECRET": PUBLISH})
    app = build_app(svc)
    web = ServedApp(build_web(app, svc)).start()
    runner = Runner(svc, pace_seconds=1.0)
    runner.start()
    slack = SlackDriver(standin, web.url + "/slack/events", SIGNING)
    http = httpx.Client(base_url=web.url, timeout=10)
    try:
        print(f"Veille demo: Slack stand-in at {standin.api_url}, app at {web.url}")
        for account, network, mid, handle, name, text in MENTIONS:
            body = json.dumps({"id": mid, "network": network, "account": account, "kind": "mention",
                               "author": {"id": handle, "handle": handle, "name": name}, "text": text,
                               "url": f"https://social.example/{handle.strip('@')}/{mid}",
                               "created_at": _iso(clock.now()), **({"thread_id": "1001", "in_reply_to": "1001"}
                                                                  if mid == "1003" else {})}).encode()
            r = http.post("/ingest/webhook", content=body, headers=signed_headers(INGEST, body, clock.now()))
            say(f"{network} mention from {handle} → HTTP {r.status_code}")
            channel = "C0ACME" if account == "acme" else "C0ACMEFR"
            _wait(lambda ch=channel: standin.top_level(ch), "the alert")
        jeanne = _wait(lambda: next((m for m in standin.top_level("C0ACME") if "4521" in json.dumps(m)), None),
                       "Jeanne's alert")
        _wait(lambda: len(standin.thread("C0ACME", jeanne["ts"])) > 1, "Jeanne's follow-up in the thread")

        say("Alice clicks Reply on Jeanne's alert and writes a draft")
        slack.click(ALICE, "C0ACME", jeanne["ts"], Action.REPLY)
        modal = _wait(lambda: next(iter(standin.views(ALICE)), None), "the reply modal")
        slack.submit_view(ALICE, modal["id"], values={Block.REPLY_TEXT: {
            Input.TEXT: "Bonjour Jeanne, désolés pour ce retard ! Votre colis #4521 part aujourd'hui en express."}})
        card = _wait(lambda: next((m for m in standin.thread("C0ACME", jeanne["ts"]) if "Draft reply" in json.dumps(m)),
                                  None), "the draft card")
        say("Alice tries to approve her own draft: refused")
        slack.command(ALICE, "approve r1", channel="C0ACME")
        say("Bob approves it with the button: published once")
        slack.click(BOB, "C0ACME", card["ts"], Action.APPROVE)
        _wait(lambda: target.published, "the publication")
        say("Bob checks the queue from his phone: /veille queue")
        slack.command(BOB, "queue", channel="C0ACME")
        say(f"Tom's conversation is left unanswered: the clock now runs x{SPEED} until its one-hour SLA runs out…")
        clock.set_factor(SPEED)
        svc.poke()
        tom = next(m for m in standin.top_level("C0ACME") if "1002" in json.dumps(m))
        _wait(lambda: any("breached" in json.dumps(m) for m in standin.thread("C0ACME", tom["ts"])), "the breach",
              timeout=15)
        time.sleep(0.3)
        print()
        for channel in ("C0ACME", "C0ACMEFR"):
            print(render_channel(standin, channel, tz="Europe/Paris"))
            print()
        print("Alice's ephemeral answer to /veille approve r1:")
        print(_indent(_last_ephemeral(standin, ALICE)))
        print("Bob's ephemeral answer to /veille queue (he reads times in New York):")
        print(_indent(_last_ephemeral(standin, BOB, tz="America/New_York")))
        print(f"Published through the webhook connector: {len(target.published)} reply, exactly once.")
        print(f"Demo finished in {time.time() - started:.1f} s.")
        return 0
    finally:
        http.close()
        slack.close()
        runner.stop()
        web.stop()
        target.stop()
        standin.stop()
        db.dispose()


def _wait(probe, what: str, timeout: float = 10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = probe()
        if got:
            return got
        time.sleep(0.02)
    raise RuntimeError(f"demo: timed out waiting for {what}")


def _last_ephemeral(standin, user: str, tz: str = "Europe/Paris") -> str:
    from bot.slack.standin import render_message

    return render_message(standin.ephemerals(user)[-1], standin, tz)


def _iso(epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(int(epoch), UTC).isoformat().replace("+00:00", "Z")


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.strip("\n").splitlines())
