"""`veille demo`: the whole product offline in under 30 seconds. A local Slack stand-in, a local
PagerDuty stand-in, the real app over HTTP, an English channel and a French one, mentions on
two brand accounts, replies drafted and approved (one by a French member, who reads Veille in
French), and one conversation left to breach on an accelerated clock (1 s = 12 min) until it
escalates to the on-call member's DM and to PagerDuty. Then a bad buzz on a third account: six
weeks of ordinary traffic on record, 300 angry mentions and a VIP's in a few seconds, a spike
incident (channel message and thread, on-call DM, PagerDuty `critical`), one burst card with
Triage instead of 300 alerts, the VIP's own alert, and a scheduled post held. The channels are
printed as each person reads them in Slack. Nothing is left behind: the database lives in a
temporary folder removed at the end.

The story is a list of scenes (SCENES), each a function of the running `Stage`: a new scene is
one more function in the list."""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from bot.app import build_app, build_services
from bot.clock import ScaledClock
from bot.config import Settings, parse_config
from bot.connectors.webhook_target import PublishTarget
from bot.domain import traffic
from bot.httpserve import ServedApp
from bot.ids import Action, Block, Input
from bot.jobs.runner import Runner
from bot.pagerduty_standin import PagerDutyServer
from bot.services import Services
from bot.signing import signed_headers
from bot.slack.standin import SlackDriver, SlackStandIn, render_channel, render_message
from bot.slack.standin.render import render_view
from bot.slack.standin.state import dm_channel_id
from bot.web import build_web
from storage.db import Database
from storage.models import Conversation, Draft, TrafficBucket
from storage.upsert import insert_ignore_many

SPEED = 720  # one real second is twelve minutes: a one-hour SLA breaches in five seconds
# Leases are counted in clock seconds. At x720 the production 60 s lease lasts 83 ms of real time,
# so one slow Slack call let a second worker take the row over and post it again (two identical
# breach notes). The demo's workers hold theirs for a minute of real time at the fastest speed.
LEASE_SECONDS = 60 * SPEED
SIGNING, INGEST, PUBLISH = "demo-signing-secret", "demo-ingest-secret", "demo-publish-secret"
PAGERDUTY_KEY = "demo0pagerduty0routing0key000032"  # 32 characters, as PagerDuty wants
ALICE, BOB, CAMILLE = "U0ALICE", "U0BOB", "U0CAMILLE"
EN_CHANNEL, FR_CHANNEL = "C0ACME", "C0ACMEFR"
BUZZ_ACCOUNT, BUZZ_CHANNEL = "acme_help", "C0ACMEHELP"  # the account the bad buzz hits
BUZZ_SIZE = 300  # ordinary angry mentions in the bad buzz (plus one VIP)
VIP_HANDLE, VIP_NAME = "@chef_marie", "Chef Marie"
BUZZ_TEXTS = ["@AcmeHelp your update deleted all my photos", "the new update wiped my photos, unacceptable",
              "Where are my photos?? Your update deleted everything", "update deleted my photos and support is silent",
              "boycott Acme until you bring my photos back"]
INCIDENT_REPLY = "On it. Statement with legal in 15 min; Alice, can you work the Triage list?"
TRIAGE_LINES = 12  # the Triage list is printed up to its first rows
SCHEDULED_POST = "Summer sale: 20% off everything this weekend! :sunny:"

USERS = [
    {"id": ALICE, "name": "alice", "real_name": "Alice (community)", "tz": "Europe/Paris", "locale": "en-GB"},
    {"id": BOB, "name": "bob", "real_name": "Bob (approver)", "tz": "America/New_York", "locale": "en-US"},
    {"id": CAMILLE, "name": "camille", "real_name": "Camille (community, on call)", "tz": "Europe/Paris",
     "locale": "fr-FR"},
]

MENTIONS = [
    ("acme", "x", "1001", "@jeanne_d", "Jeanne D.", "@AcmeFR ma commande #4521 n'est jamais arrivée, 3 semaines déjà…"),
    ("acme", "x", "1002", "@tom_b", "Tom B.", "@Acme <!channel> your app logs me out every 5 minutes. Fix it?"),
    ("acme_fr", "mastodon", "m-77", "@lea@piaille.fr", "Léa", "Bravo pour la nouvelle collection, mais où est la taille 42 ?"),
    ("acme", "x", "1003", "@jeanne_d", "Jeanne D.", "Toujours rien… quelqu'un peut m'aider ?"),
]


@dataclass
class Stage:
    """Everything running for the demo, and what the scenes leave for the transcript."""

    clock: ScaledClock
    standin: SlackStandIn
    slack: SlackDriver
    http: httpx.Client
    svc: Services
    target: PublishTarget
    pagerduty: PagerDutyServer
    say: Callable[[str], None]
    runner: Runner | None = None
    notes: dict[str, Any] = field(default_factory=dict)  # what a scene found, for the next ones

    def alert(self, channel: str, needle: str) -> dict[str, Any]:
        return _wait(lambda: next((m for m in self.standin.top_level(channel) if _has(m, needle)), None),
                     f"the alert with {needle!r}")

    def draft_card(self, channel: str, alert: dict[str, Any], author: str, text: str) -> dict[str, Any]:
        """`author` clicks Reply on the alert and submits `text`: the card in the thread."""
        self.slack.click(author, channel, alert["ts"], Action.REPLY)
        modal = _wait(lambda: next(iter(self.standin.views(author)), None), "the reply modal")
        self.slack.submit_view(author, modal["id"], values={Block.REPLY_TEXT: {Input.TEXT: text}})
        return _wait(lambda: next((m for m in self.standin.thread(channel, alert["ts"])
                                   if m.get("bot_id") and "`r" in _has_text(m) and _has(m, text[:20])),
                                  None), "the draft card")


# ---- the scenes -----------------------------------------------------------------------------------


def mentions_arrive(stage: Stage) -> None:
    """Mentions reach Veille by webhook: each becomes an alert in its account's channel (the
    French account's channel speaks French)."""
    for account, network, mid, handle, name, text in MENTIONS:
        body = json.dumps({"id": mid, "network": network, "account": account, "kind": "mention",
                           "author": {"id": handle, "handle": handle, "name": name}, "text": text,
                           "url": f"https://social.example/{handle.strip('@')}/{mid}",
                           "created_at": _iso(stage.clock.now()),
                           **({"thread_id": "1001", "in_reply_to": "1001"} if mid == "1003" else {})}).encode()
        r = stage.http.post("/ingest/webhook", content=body, headers=signed_headers(INGEST, body, stage.clock.now()))
        stage.say(f"{network} mention from {handle} → HTTP {r.status_code}")
        channel = EN_CHANNEL if account == "acme" else FR_CHANNEL
        _wait(lambda ch=channel, m=mid: any(_has(x, m) for x in stage.standin.messages(ch)), f"mention {mid} in Slack")
    jeanne = stage.alert(EN_CHANNEL, "4521")
    _wait(lambda: len(stage.standin.thread(EN_CHANNEL, jeanne["ts"])) > 1, "Jeanne's follow-up in the thread")


def english_reply_approved(stage: Stage) -> None:
    """Alice drafts a reply, cannot approve her own draft, Bob approves it: published once."""
    jeanne = stage.alert(EN_CHANNEL, "4521")
    stage.say("Alice clicks Reply on Jeanne's alert and writes a draft")
    card = stage.draft_card(EN_CHANNEL, jeanne, ALICE,
                            "Bonjour Jeanne, désolés pour ce retard ! Votre colis #4521 part aujourd'hui en express.")
    stage.say("Alice tries to approve her own draft: refused")
    stage.slack.command(ALICE, "approve r1", channel=EN_CHANNEL)
    stage.say("Bob approves it with the button: published once")
    stage.slack.click(BOB, EN_CHANNEL, card["ts"], Action.APPROVE)
    _wait(lambda: len(stage.target.published) >= 1, "the publication")
    stage.say("Bob checks the queue from his phone: /veille queue")
    stage.slack.command(BOB, "queue", channel=EN_CHANNEL)


def french_member_replies(stage: Stage) -> None:
    """Camille (Slack in French) answers Léa in the French channel; her answers are in French."""
    lea = stage.alert(FR_CHANNEL, "m-77")
    stage.say("Camille (Slack in French) clicks Répondre on Léa's alert in #acme-fr")
    card = stage.draft_card(FR_CHANNEL, lea, CAMILLE,
                            "Merci Léa ! La taille 42 revient en stock vendredi, on vous prévient dès qu'elle arrive.")
    stage.say("Camille runs /veille approve r2 on her own draft, then /veille queue: answered in French")
    stage.slack.command(CAMILLE, "approve r2", channel=FR_CHANNEL)
    stage.slack.command(CAMILLE, "queue", channel=FR_CHANNEL)
    stage.say("Bob approves it with the card's Approuver button")
    stage.slack.click(BOB, FR_CHANNEL, card["ts"], Action.APPROVE)
    _wait(lambda: len(stage.target.published) >= 2, "the second publication")


def breach_escalates_to_oncall(stage: Stage) -> None:
    """Tom is left unanswered: the breach climbs the ladder (the channel, then the on-call
    member's DM and PagerDuty); Camille claims it from her DM, which acknowledges PagerDuty."""
    stage.say(f"Tom's conversation is left unanswered: the clock now runs x{SPEED} until its one-hour SLA "
              "runs out and its escalation reaches the on-call member…")
    stage.clock.set_factor(SPEED)
    stage.svc.poke()
    dm = _wait(lambda: next(iter(stage.standin.messages(dm_channel_id(CAMILLE))), None), "the on-call DM",
               timeout=15)
    stage.clock.set_factor(1.0)  # Camille reads her phone at a human pace (the backup is not paged)
    _wait(lambda: any(e["event_action"] == "trigger" for e in stage.pagerduty.events), "the PagerDuty page")
    stage.say("Camille gets the DM and PagerDuty's page on her phone, and taps « Je m'en occupe »")
    stage.slack.click(CAMILLE, dm_channel_id(CAMILLE), dm["ts"], Action.ACKNOWLEDGE)
    _wait(lambda: any(e["event_action"] == "acknowledge" for e in stage.pagerduty.events),
          "PagerDuty's acknowledgement")
    tom = stage.alert(EN_CHANNEL, "1002")
    _wait(lambda: any(_has(m, "is on it") for m in stage.standin.thread(EN_CHANNEL, tom["ts"])),
          "the claim in the thread")


def bad_buzz(stage: Stage) -> None:
    """A bad buzz on @AcmeHelp: after six weeks of ordinary traffic, 300 angry mentions in a few
    seconds. The spike opens an incident (message and thread in the channel, on-call DM,
    PagerDuty `critical`), the burst folds into one card with Triage, a VIP still gets her own
    alert at once, and a scheduled post due during the incident is held."""
    s = stage.standin
    stage.notes["ephemerals_before_buzz"] = {u["id"]: len(s.ephemerals(u["id"])) for u in USERS}
    normal = _ordinary_history(stage)
    stage.say(f"@AcmeHelp's last six weeks are on record: about {normal} mentions an hour at this time of the week")
    stage.say("Alice schedules the summer-sale post on @AcmeHelp for two minutes from now; Bob approves it")
    post = _schedule_and_approve(stage, 'in 2 minutes', SCHEDULED_POST)
    stage.notes["buzz_post"] = post

    stage.say(f"The bad buzz: {BUZZ_SIZE} angry mentions in a few seconds through the signed webhook, "
              f"and in the middle one from the VIP {VIP_HANDLE}")
    before, dms_before = len(s.top_level(BUZZ_CHANNEL)), len(s.messages(dm_channel_id(CAMILLE)))
    thirds = [BUZZ_SIZE // 3, BUZZ_SIZE // 3, BUZZ_SIZE - 2 * (BUZZ_SIZE // 3)]
    sent = 0
    for n, batch in enumerate(thirds):
        if n == 1:
            vip_sent = time.time()
            _post_mentions(stage, [_mention(stage, "vip-1", VIP_HANDLE, VIP_NAME,
                                            "@AcmeHelp 12 years of recipes lost in your update. Call me.")])
        _post_mentions(stage, [_mention(stage, f"buzz-{sent + i}", f"@angry_{sent + i}", f"Angry customer {sent + i}",
                                        f"{BUZZ_TEXTS[(sent + i) % len(BUZZ_TEXTS)]} #{sent + i}")
                               for i in range(1, batch + 1)])
        sent += batch
    stage.alert(BUZZ_CHANNEL, "vip-1")
    queued = _own_alerts(stage) - sum(1 for m in s.top_level(BUZZ_CHANNEL)[before:] if _has(m, "buzz-"))
    stage.say(f"The VIP's own alert is in Slack {time.time() - vip_sent:.1f} s after she wrote "
              f"({max(queued, 0)} ordinary alerts of the burst still queued behind it)")
    incident = stage.alert(BUZZ_CHANNEL, "Incident on")
    stage.say("Veille detects the spike: an incident opens in #acmehelp-mentions, Camille (on call) is paged")
    _wait(lambda: len(s.messages(dm_channel_id(CAMILLE))) > dms_before, "the on-call DM of the incident")
    _wait(lambda: any(e["event_action"] == "trigger" and e["dedup_key"].startswith("veille-incident-")
                      for e in stage.pagerduty.events), "the incident's PagerDuty page")
    stage.say("Camille takes the incident in its thread; Alice opens Triage on the burst card")
    # A person's message in the thread: Veille subscribes to no message events, so only Slack keeps it.
    s.store_user_message(CAMILLE, BUZZ_CHANNEL, INCIDENT_REPLY, incident["ts"])
    card = _wait(lambda: next((m for m in s.top_level(BUZZ_CHANNEL) if _has(m, Action.TRIAGE)), None),
                 "the burst card")
    stage.notes["burst_card_ts"] = card["ts"]
    stage.slack.command(ALICE, f"triage @{BUZZ_ACCOUNT}", channel=BUZZ_CHANNEL)  # what the card's button opens
    _wait(lambda: any(_has(v, Action.TRIAGE_ROW) for v in s.views(ALICE)), "the Triage list")

    stage.say("Two minutes later the summer-sale post falls due while the incident is open (the clock runs x60)")
    stage.clock.set_factor(60)
    _wait(lambda: any(_has(m, "was not published") for m in s.messages(dm_channel_id(BOB))), "the held post's note",
          timeout=15)
    stage.clock.set_factor(1.0)
    folded = BUZZ_SIZE - _own_alerts(stage)
    stage.svc.poke()
    _wait(lambda: any(_has(m, f"*{folded}*") or _has(m, f" {folded} ") for m in s.top_level(BUZZ_CHANNEL)
                      if _has(m, Action.TRIAGE)), f"the burst card counting {folded}")
    stage.say(f"Held, not published: {len(stage.target.published)} publications so far, all of them replies")


def _ordinary_history(stage: Stage) -> int:
    """Six weeks of hourly traffic for the account, written as the roll-up would have left it
    (counts, not messages), so the detector has a baseline; returns this hour's usual count."""
    now = int(stage.clock.now())
    hour0 = now // 3600 * 3600

    def usual(start: int) -> int:
        local_hour = (start // 3600 + 1) % 24  # Paris, near enough for a shape
        day = 40 if 8 <= local_hour < 20 else 8
        return day + (start // 3600 * 7919) % 9  # a little deterministic noise
    rows = [dict(scope=traffic.account_scope(BUZZ_ACCOUNT), seconds=3600, start=h, count=usual(h))
            for h in range(hour0 - 6 * 7 * 24 * 3600, hour0, 3600)]
    with stage.svc.db.session() as s:
        insert_ignore_many(s, TrafficBucket, rows)
    return usual(hour0 - 7 * 24 * 3600)


def _schedule_and_approve(stage: Stage, when: str, text: str) -> str:
    """Alice types `/veille post`, confirms; Bob approves with `/veille approve` and confirms."""
    s = stage.standin
    seen = len(s.ephemerals(ALICE))
    stage.slack.command(ALICE, f'post @{BUZZ_ACCOUNT} "{when}" {text}', channel=BUZZ_CHANNEL)
    answer = _wait(lambda: next((m for m in s.ephemerals(ALICE)[seen:] if _has(m, Action.POST_CONFIRM)), None),
                   "the post's confirmation")
    post = re.findall(r"`(p\d+)`", _has_text(answer))[0]
    stage.slack.click(ALICE, BUZZ_CHANNEL, answer["ts"], Action.POST_CONFIRM)
    _wait(lambda: any(_has(m, f"`{post}`") for m in s.top_level(BUZZ_CHANNEL)), "the post card")
    seen = len(s.ephemerals(BOB))
    stage.slack.command(BOB, f"approve {post}", channel=BUZZ_CHANNEL)
    answer = _wait(lambda: next((m for m in s.ephemerals(BOB)[seen:]), None), "Bob's approval answer")
    if _has(answer, Action.APPROVE_CONFIRM):
        stage.slack.click(BOB, BUZZ_CHANNEL, answer["ts"], Action.APPROVE_CONFIRM)
    _wait(lambda: _draft_state(stage, post) == "approved", f"the approval of {post}")
    return post


def _draft_state(stage: Stage, post: str) -> str | None:
    with stage.svc.db.session() as s:
        return s.scalar(select(Draft.state).where(Draft.id == int(post[1:])))


def _mention(stage: Stage, mid: str, handle: str, name: str, text: str) -> dict[str, Any]:
    return {"id": mid, "network": "x", "account": BUZZ_ACCOUNT, "kind": "mention",
            "author": {"id": handle, "handle": handle, "name": name}, "text": text,
            "url": f"https://social.example/{handle.strip('@')}/{mid}", "created_at": _iso(stage.clock.now())}


def _post_mentions(stage: Stage, mentions: list[dict[str, Any]]) -> None:
    body = json.dumps(mentions).encode()
    r = stage.http.post("/ingest/webhook", content=body, headers=signed_headers(INGEST, body, stage.clock.now()))
    if r.status_code != 202:
        raise RuntimeError(f"demo: the webhook answered {r.status_code}: {r.text}")


def _own_alerts(stage: Stage) -> int:
    """Conversations of the burst that got their own alert (queued before the fold), posted or not."""
    with stage.svc.db.session() as s:
        return s.scalar(select(func.count()).select_from(Conversation).where(
            Conversation.account == BUZZ_ACCOUNT, Conversation.burst_id.is_(None))) - 1  # the VIP's


SCENES: list[Callable[[Stage], None]] = [mentions_arrive, english_reply_approved, french_member_replies,
                                         breach_escalates_to_oncall, bad_buzz]


# ---- what each person sees ------------------------------------------------------------------------


def transcript(stage: Stage) -> None:
    s = stage.standin
    print()
    print("What Alice reads in #acme-mentions (English channel, her Slack in English, Paris time):")
    print(render_channel(s, EN_CHANNEL, tz="Europe/Paris"))
    print("What Camille reads in #acme-fr (French channel, her Slack in French):")
    print(render_channel(s, FR_CHANNEL, tz="Europe/Paris", lang="fr"))
    print("Camille's direct messages from Veille (on call):")
    for message in s.messages(dm_channel_id(CAMILLE)):
        print(_indent(render_message(message, s, "Europe/Paris", lang="fr")))
    print()
    cut = stage.notes.get("ephemerals_before_buzz")
    _ephemerals("Alice's ephemeral answer to /veille approve r1:", ALICE, "Europe/Paris", "en", s, cut)
    _ephemerals("Bob's ephemeral answer to /veille queue (he reads times in New York):", BOB, "America/New_York",
                "en", s, cut)
    _ephemerals("Camille's ephemeral answers (/veille approve r2, /veille queue, Je m'en occupe):", CAMILLE,
                "Europe/Paris", "fr", s, cut)
    print("PagerDuty (local stand-in) received:")
    for event in stage.pagerduty.events:
        payload = event.get("payload") or {}
        severity = f"[{payload['severity']}] " if payload.get("severity") else ""
        print(f"    {event['event_action']:<12} {event['dedup_key']}  {severity}{payload.get('summary', '')}".rstrip())
    print(f"Published through the webhook connector: {len(stage.target.published)} replies, each exactly once.")
    if "burst_card_ts" in stage.notes:
        bad_buzz_transcript(stage)


def bad_buzz_transcript(stage: Stage) -> None:
    s = stage.standin
    print()
    print(f"The bad buzz: what Alice reads in #acmehelp-mentions ({BUZZ_SIZE} angry mentions and a VIP, "
          "one card instead of a flood):")
    print(render_channel(s, BUZZ_CHANNEL, tz="Europe/Paris"))
    print("Alice's Triage list (/veille triage @acme_help, first rows):")
    view = [v for v in s.views(ALICE) if _has(v, Action.TRIAGE_ROW)][-1]
    print(_indent("\n".join(render_view(s, view, tz="Europe/Paris").splitlines()[:TRIAGE_LINES]) + "\n    …"))
    print("Bob's direct message from Veille (he approved the held post):")
    for message in s.messages(dm_channel_id(BOB)):
        print(_indent(render_message(message, s, "America/New_York")))


def _ephemerals(title: str, user: str, tz: str, lang: str, standin: SlackStandIn, upto: dict | None = None) -> None:
    print(title)
    for message in standin.ephemerals(user)[:(upto or {}).get(user)]:  # the bad buzz's are its own
        print(_indent(render_message(message, standin, tz, lang=lang)))


# ---- running it -----------------------------------------------------------------------------------


def run_demo(quiet: bool = False) -> int:
    started = time.time()
    say = (lambda *_: None) if quiet else (lambda msg: print(f"  · {msg}", flush=True))
    with tempfile.TemporaryDirectory(prefix="veille-demo-") as tmp, _stage(Path(tmp), say) as stage:
        print(f"Veille demo: Slack stand-in at {stage.standin.api_url}, app at {stage.http.base_url}, "
              f"PagerDuty stand-in at {stage.pagerduty.url}")
        for scene in SCENES:
            scene(stage)
        time.sleep(0.3)  # the last refreshes of the alerts
        transcript(stage)
    print(f"Demo finished in {time.time() - started:.1f} s.")
    return 0


def demo_config(publish_url: str, pagerduty_url: str) -> dict[str, Any]:
    connector = {"type": "webhook", "url": publish_url, "secret_env": "DEMO_PUBLISH_SECRET"}
    monday = date.today() - timedelta(days=date.today().weekday() + 7)
    return {
        "team": {"timezone": "Europe/Paris", "approvers": [BOB, ALICE]},
        "accounts": [
            {"key": "acme", "network": "x", "handle": "@Acme", "channel": EN_CHANNEL, "connector": connector},
            {"key": "acme_fr", "network": "mastodon", "handle": "@acme@mastodon.social", "channel": FR_CHANNEL,
             "connector": connector, "language": "fr"},
            {"key": BUZZ_ACCOUNT, "network": "x", "handle": "@AcmeHelp", "channel": BUZZ_CHANNEL,
             "connector": connector},
        ],
        "sla": {"vip_authors": [VIP_HANDLE], "policies": [{"name": "standard",
                              "first_response": {"target": "1h", "warn": ["80%"], "escalate_after": "10m"},
                              "next_response": {"target": "1h", "warn": ["80%"]}}]},
        "oncall": {"timezone": "Europe/Paris", "handoff": "mon 09:00", "layers": [
            {"name": "primary", "members": [CAMILLE], "rotation": "weekly", "start": monday.isoformat()},
            {"name": "backup", "members": [ALICE], "rotation": "weekly", "start": monday.isoformat()}]},
        "pagerduty": {"routing_key_env": "DEMO_PAGERDUTY_KEY", "url": pagerduty_url, "timeout": 2},
    }


@contextmanager
def _stage(tmp: Path, say: Callable[[str], None]) -> Iterator[Stage]:
    """Start everything; stop it all (in reverse order) however the demo ends."""
    with ExitStack() as stack:
        clock = ScaledClock(1.0)
        standin = SlackStandIn(clock=clock, users=USERS, usergroups={},
                               channels=[{"id": EN_CHANNEL, "name": "acme-mentions"},
                                         {"id": FR_CHANNEL, "name": "acme-fr"},
                                         {"id": BUZZ_CHANNEL, "name": "acmehelp-mentions"}])
        standin.start()
        stack.callback(standin.stop)
        target = PublishTarget(PUBLISH, clock).start()
        stack.callback(target.stop)
        pagerduty = PagerDutyServer(PAGERDUTY_KEY).start()
        stack.callback(pagerduty.stop)
        settings = Settings(_env_file=None, SLACK_BOT_TOKEN=standin.token, SLACK_SIGNING_SECRET=SIGNING,
                            SLACK_API_URL=standin.api_url, DATABASE_URL=f"sqlite:///{tmp / 'demo.db'}",
                            VEILLE_INGEST_SECRET=INGEST)
        cfg = parse_config(demo_config(target.url, pagerduty.enqueue_url))
        # The SLA rules read the PagerDuty key from the process environment, as `veille run` does.
        stack.enter_context(_env_var("DEMO_PAGERDUTY_KEY", PAGERDUTY_KEY))
        db = Database(settings.database_url)
        db.migrate()
        stack.callback(db.dispose)
        svc = build_services(settings, cfg, clock, db=db, env={"DEMO_PUBLISH_SECRET": PUBLISH})
        web = ServedApp(build_web(build_app(svc), svc)).start()
        stack.callback(web.stop)
        runner = Runner(svc, pace_seconds=1.0, lease_seconds=LEASE_SECONDS)
        runner.start()
        stack.callback(runner.stop)
        slack = SlackDriver(standin, web.url + "/slack/events", SIGNING)
        stack.callback(slack.close)
        http = stack.enter_context(httpx.Client(base_url=web.url, timeout=10))
        yield Stage(clock, standin, slack, http, svc, target, pagerduty, say, runner)


@contextmanager
def _env_var(name: str, value: str) -> Iterator[None]:
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def _wait(probe, what: str, timeout: float = 10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = probe()
        if got:
            return got
        time.sleep(0.02)
    raise RuntimeError(f"demo: timed out waiting for {what}")


def _has_text(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


def _has(message: dict[str, Any], needle: str) -> bool:
    return needle in _has_text(message)


def _iso(epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(int(epoch), UTC).isoformat().replace("+00:00", "Z")


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.strip("\n").splitlines())
