"""A bad-buzz day, shortened: does Veille stay readable and on time when one account receives
50 mentions a second? (issue 8: priority outbox, burst cards, spike detection and crisis mode).

The real app (signed /ingest/webhook over HTTP, the Runner's outbox workers, SLA detector, burst
tick and spike detector loop; --replicas processes' worth of them, 3 by default on PostgreSQL,
each with its own engine, Slack client and served app) on the real clock, against the Slack stand-in with its rate limits ON (chat.postMessage
about 1/s per channel with a burst of 4, other methods per Tier per minute, 429 + Retry-After).

- background: 20 accounts, each with its own channel, one new mention every 10 s each;
- one account receives --rate mentions/s for --duration s, 1 % from VIP authors, 0.2 % DMs;
- conversations of the crisis account, already alerted, whose first-response deadlines fall inside
  the burst: the issue's 50 per 10 minutes, scaled to the run but at least 10 (packing 50 into a
  30 s run would spend Slack's chat.update budget, 50/min for the workspace, on their refreshes).

The spike detector starts with six weeks of hourly history for every account (written as hourly
counts, as the roll-up leaves them: each account's normal is the background rate), so the spike
is judged against a learned normal, not against an empty history.

It runs twice, same load: with burst cards, then as the baseline with folding turned off (every
new conversation queues its own alert, as main did). Prints mentions lost, duplicates in Slack,
429s answered to Veille, p99 ingest -> visible in Slack (own alert, or counted on the burst card),
p99 ingest -> VIP/DM own alert, p99 breach-note lateness, when the spike was detected, and the
busiest channel-minute; then bench/spikes.py's 24-hour background replay with the same detector
(false alarms, beside a naive detector).

    python -m bench.crisis [--rate 50] [--duration 30] [--drain 25] [--full] [--database-url URL]
    python -m bench.crisis --day [--day-scale 1.0]

--full is the issue's 10 minutes at 50/s (30,000 mentions); the default (1,500 in 30 s) runs
in about three minutes for both modes. --day is the compressed crisis day (bench/crisis_day.py)."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.common import bench_database, seed_alerted  # noqa: E402
from bot.clock import RealClock  # noqa: E402
from bot.config import Settings, parse_config  # noqa: E402
from bot.signing import signed_headers  # noqa: E402
from bot.slack.standin import SlackStandIn  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Burst, Conversation, Incident, Message  # noqa: E402

CRISIS, CRISIS_CHANNEL = "crisis", "C0CRISIS"
BACKGROUND = [(f"bg{i:02d}", f"C0BG{i:02d}") for i in range(20)]
BACKGROUND_EVERY = 10.0  # seconds between two mentions of one background account
VIPS = [f"@vip{i}" for i in range(100)]
DEADLINES_IN_BURST = 50
INGEST = "bench-ingest"
SLACK_POSTS_PER_MINUTE = 60 + 4  # chat.postMessage: about 1/s per channel, short bursts of a few allowed
SLACK_UPDATES_PER_MINUTE = 50  # chat.update: Tier 3, per workspace
CARD_TOTAL = re.compile(r"^Burst on \S+: (\d+) new conversations")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=float, default=50.0, help="crisis mentions per second (default 50)")
    ap.add_argument("--duration", type=float, default=30.0, help="seconds of burst (default 30)")
    ap.add_argument("--drain", type=float, default=25.0, help="seconds watched after the burst (default 25)")
    ap.add_argument("--full", action="store_true", help="the issue's figure: 10 minutes at 50/s (30,000)")
    ap.add_argument("--database-url", default=None, help="default: a fresh SQLite file per mode")
    ap.add_argument("--only", choices=("cards", "baseline"), default=None, help="run one mode only")
    ap.add_argument("--replicas", type=int, default=None, help="processes' worth of loops (default: 3 on "
                    "PostgreSQL, 1 on SQLite, which has one writer)")
    ap.add_argument("--no-replay", action="store_true", help="skip the 24-hour background replay")
    ap.add_argument("--day", action="store_true", help="the compressed crisis day instead (SQLite)")
    ap.add_argument("--day-scale", type=float, default=1.0, help="--day: fraction of the 1.52 M mentions")
    args = ap.parse_args()
    if args.day:
        from bench import crisis_day
        return crisis_day.main(args.day_scale, args.database_url)
    if args.full:
        args.rate, args.duration, args.drain = 50.0, 600.0, 60.0
    if args.replicas is None:
        args.replicas = 3 if (args.database_url or "").startswith("postgresql") else 1
    db_kind = "PostgreSQL" if (args.database_url or "").startswith("postgresql") else "SQLite"
    print(f"Veille crisis bench: {args.rate:g} mentions/s on one account for {args.duration:g} s "
          f"({int(args.rate * args.duration):,} mentions), 20 background accounts, Slack rate limits ON, "
          f"{db_kind}, {args.replicas} replica(s); machine load at start: {_load()}")
    print("  compressed: real clock, but a short burst unless --full (10 min); the spike detector's six weeks "
          "of history are written as hourly counts; replicas are threads of one process, each with its own "
          "engine, Slack client and served app\n")
    t0 = time.time()
    results = {}
    for mode in ("cards", "baseline"):
        if args.only and mode != args.only:
            continue
        results[mode] = run(args, folding=mode == "cards")
        _print(mode, results[mode])
    if not args.no_replay:
        _replay()
    print(f"machine load at end: {_load()}; run time {time.time() - t0:.0f} s")
    cards = results.get("cards")
    return 0 if cards is None or _meets(cards) else 1


def _load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3]) + " (1/5/15-min load average, 2 cores)"


def _replay() -> None:
    """bench/spikes.py's 24-hour background replay, the same statistic and default parameters as
    the detector loop above; its baseline is the naive detector judging the same buckets."""
    from bench.spikes import background_day

    day = background_day(20)
    print(f"-- 24-hour background replay (bench/spikes.py, 20 accounts, Monday shape, {day['checks']:,} checks)")
    print(f"   false spike alarms: {day['veille']} checks, {day['veille_accounts']} accounts (target 0); "
          f"baseline naive detector (60 s > 3x the daily mean): {day['naive']:,} checks, "
          f"{day['naive_accounts']} accounts\n")


def _meets(r: dict) -> bool:
    return (r["not_stored"] == 0 and r["never"] == 0 and r["duplicates"] == 0 and r["ratelimited"] == 0
            and _p(r["visible"], .99) <= 10 and _p(r["priority"], .99) <= 5 and _p(r["lateness"], .99) <= 2
            and r["detected"] is not None and r["detected"] <= 60 and r["false_spikes"] == 0
            and r["max_post_minute"] <= SLACK_POSTS_PER_MINUTE and r["max_update_minute"] <= SLACK_UPDATES_PER_MINUTE)


def run(args, folding: bool) -> dict:
    from bot.app import build_app, build_services
    from bot.domain import bursts
    from bot.httpserve import ServedApp
    from bot.jobs.runner import Runner
    from bot.web import build_web

    saved = bursts.FOLD_BACKLOG
    bursts.FOLD_BACKLOG = saved if folding else 10**9  # the baseline: nothing ever folds
    db_url, cleanup = bench_database(args.database_url, "crisis")
    clock = RealClock()
    channels = [CRISIS_CHANNEL] + [c for _, c in BACKGROUND]
    standin = SlackStandIn(clock=clock, rate_limits=True, channels=channels).start()
    settings = Settings(_env_file=None, SLACK_BOT_TOKEN=standin.token, SLACK_SIGNING_SECRET="bench",
                        SLACK_API_URL=standin.api_url, DATABASE_URL=db_url, VEILLE_INGEST_SECRET=INGEST)
    accounts = [{"key": CRISIS, "network": "x", "handle": "@acme", "channel": CRISIS_CHANNEL}]
    accounts += [{"key": k, "network": "mastodon", "handle": f"@{k}@example.social", "channel": c} for k, c in BACKGROUND]
    cfg = parse_config({"team": {"approvers": ["U0BOB"]}, "accounts": accounts,
                        "sla": {"first_response": "1h", "next_response": "2h", "vip_authors": VIPS}})
    db = Database(db_url)
    db.migrate()
    replicas = [build_services(settings, cfg, clock, db=db if i == 0 else Database(db_url), env={})
                for i in range(args.replicas)]
    svc = replicas[0]
    webs = [ServedApp(build_web(build_app(r), r)).start() for r in replicas]
    _seed_history(db, [CRISIS] + [k for k, _ in BACKGROUND], time.time())
    start = time.time() + 3
    standin.limiter.enabled = False  # the seeded alerts were posted an hour ago, not now
    dues = _seed_deadlines(db, svc, start, args.duration)
    standin.limiter.enabled = True
    standin.reset_calls()
    runners = [Runner(r) for r in replicas]
    for runner in runners:
        runner.start()
    sender = Sender([w.url for w in webs], clock)
    try:
        sender.run(args.rate, args.duration, start)
        time.sleep(args.drain)
    finally:
        for runner in runners:
            runner.stop()
        sender.close()
        for w in webs:
            w.stop()
    try:
        return _measure(db, standin, sender, dues, start, args)
    finally:
        bursts.FOLD_BACKLOG = saved
        standin.stop()
        for r in replicas:
            r.db.dispose()
        cleanup()


def _seed_history(db: Database, accounts: list[str], now: float) -> None:
    """Six weeks of hourly counts per account at the background rate (what the roll-up would have
    left), so the detector compares the burst with a learned normal."""
    import random

    from bot.domain import traffic
    from bot.domain.spikes import HOUR, SpikeParams
    from storage.models import TrafficBucket
    from storage.upsert import insert_ignore_many

    rng = random.Random(8)
    per_hour = 3600 / BACKGROUND_EVERY
    first = (int(now) // HOUR - SpikeParams().weeks * 7 * 24) * HOUR
    rows = [dict(scope=traffic.account_scope(a), seconds=HOUR, start=h, count=max(0, round(rng.gauss(per_hour, per_hour ** .5))))
            for a in accounts for h in range(first, int(now) // HOUR * HOUR, HOUR)]
    with db.session() as s:
        insert_ignore_many(s, TrafficBucket, rows)


class Sender:
    """Posts signed webhook batches every 100 ms; records when each mention was acknowledged."""

    def __init__(self, urls: list[str], clock):
        self.https = [httpx.Client(base_url=u, timeout=30) for u in urls]  # one per replica, in turn
        self.posts = 0
        self.clock = clock
        self.acked: dict[str, float] = {}  # mention id -> when its 202 came back
        self.kinds: dict[str, str] = {}  # mention id -> "vip" | "dm" | "ordinary" (crisis account only)
        self.failed = 0
        self.sent = 0

    def run(self, rate: float, duration: float, start: float) -> None:
        time.sleep(max(0.0, start - time.time()))
        tick, n, t = 0.1, 0, 0.0
        next_bg = {k: start + (i * BACKGROUND_EVERY / len(BACKGROUND)) for i, (k, _) in enumerate(BACKGROUND)}
        while t < duration:
            due = int(rate * (t + tick)) - n
            batch = [self._crisis(n + i) for i in range(due)]
            n += due
            now = time.time()
            for k, at in next_bg.items():
                if at <= now:
                    batch.append(self._mention(k, f"{k}-{int(at * 1000)}", f"@fan{int(at)}", "mention",
                                               "Petite question sur ma commande"))
                    next_bg[k] = at + BACKGROUND_EVERY
            if batch:
                self._post(batch)
            t += tick
            time.sleep(max(0.0, start + t - time.time()))

    def _crisis(self, i: int) -> dict:
        kind, handle = "ordinary", f"@angry{i}"
        if i % 100 == 37:
            kind, handle = "vip", VIPS[i // 100 % len(VIPS)]
        elif i % 500 == 71:  # "some DMs": 0.2 %
            kind = "dm"
        mid = f"c-{i}"
        self.kinds[mid] = kind
        text = f"#boycott produit défectueux, remboursement refusé, service client muet ({i})"
        return self._mention(CRISIS, mid, handle, "dm" if kind == "dm" else "mention", text)

    def _mention(self, account: str, mid: str, handle: str, kind: str, text: str) -> dict:
        return {"id": mid, "network": "x" if account == CRISIS else "mastodon", "account": account, "kind": kind,
                "author": {"id": handle, "handle": handle, "name": handle.strip("@")}, "text": text,
                "url": f"https://x.example/{handle.strip('@')}/{mid}",
                "created_at": datetime.fromtimestamp(int(time.time()), UTC).isoformat().replace("+00:00", "Z")}

    def _post(self, batch: list[dict]) -> None:
        body = json.dumps(batch).encode()
        self.sent += len(batch)
        try:
            http = self.https[self.posts % len(self.https)]
            self.posts += 1
            r = http.post("/ingest/webhook", content=body, headers=signed_headers(INGEST, body, self.clock.now()))
        except httpx.HTTPError:
            self.failed += len(batch)
            return
        if r.status_code != 202:
            self.failed += len(batch)
            return
        done = time.time()
        for label in r.json()["stored"]:
            self.acked[label.split(":", 1)[1]] = done

    def close(self) -> None:
        for h in self.https:
            h.close()


def _seed_deadlines(db: Database, svc, start: float, duration: float) -> dict[int, int]:
    """Conversations alerted an hour ago whose deadlines fall inside the burst: clock id -> due."""
    dues: dict[int, int] = {}
    count = max(10, round(DEADLINES_IN_BURST * duration / 600))
    for i in range(count):
        account, channel = CRISIS, CRISIS_CHANNEL
        due = int(start + 2 + (i + 0.5) * max(1.0, duration - 4) / count)
        ts = svc.slack.chat_postMessage(channel=channel, text=f"alert seeded {i}")["ts"]
        dues[seed_alerted(db, account, channel, ts, f"seed-{i}", due)] = due
    return dues


def _measure(db: Database, standin: SlackStandIn, sender: Sender, dues: dict[int, int], start: float, args) -> dict:
    calls = standin.calls
    keys: Counter[str] = Counter()
    alert_at: dict[int, float] = {}
    breach_at: dict[int, float] = {}
    per_minute: Counter[tuple[str, int]] = Counter()
    for channel in [CRISIS_CHANNEL] + [c for _, c in BACKGROUND]:
        for m in standin.messages(channel):
            key = ((m.get("metadata") or {}).get("event_payload") or {}).get("key", "")
            if key:
                keys[key] += 1
            if key.startswith("alert:"):
                alert_at.setdefault(int(key.split(":")[1]), float(m["ts"]))
            if key.startswith("sla:") and key.endswith(":breach:0"):
                breach_at.setdefault(int(key.split(":")[1]), float(m["ts"]))
            per_minute[(channel, int(float(m["ts"]) // 60))] += 1
    duplicates = sum(n - 1 for n in keys.values() if n > 1)
    ratelimited = sum(1 for c in calls if c.status == 429)
    card_seen = _card_totals(calls)
    with db.session() as s:
        convs = {ext: (cid, folded_into) for ext, cid, folded_into in s.execute(
            select(Message.external_id, Conversation.id, Conversation.burst_id)
            .join(Conversation, Conversation.id == Message.conversation_id).where(Conversation.account == CRISIS))}
        burst_members = defaultdict(list)
        for cid, bid in s.execute(select(Conversation.id, Conversation.burst_id).where(Conversation.burst_id.is_not(None))
                                  .order_by(Conversation.id)):
            burst_members[bid].append(cid)
        card_ts = {b.id: b.slack_ts for b in s.scalars(select(Burst))}
    counted_at: dict[int, float] = {}
    for bid, members in burst_members.items():
        for at, total in card_seen.get(card_ts.get(bid), []):
            for cid in members[:total]:
                counted_at.setdefault(cid, at)
    visible, priority, never, not_stored = [], [], 0, 0
    for mid, kind in sender.kinds.items():
        if mid not in sender.acked or mid not in convs:
            not_stored += 1
            continue
        cid, _ = convs[mid]
        seen = min([t for t in (alert_at.get(cid), counted_at.get(cid)) if t is not None], default=None)
        if seen is None:  # counted as infinitely late: the percentiles say so when it matters
            never += 1
            visible.append(float("inf"))
            if kind in ("vip", "dm"):
                priority.append(float("inf"))
            continue
        visible.append(max(0.0, seen - sender.acked[mid]))
        if kind in ("vip", "dm"):
            own = alert_at.get(cid)
            priority.append(max(0.0, own - sender.acked[mid]) if own else float("inf"))
    lateness = [breach_at[c] - due if c in breach_at else float("inf") for c, due in dues.items()]
    crisis_minutes = [n for (ch, _), n in per_minute.items() if ch == CRISIS_CHANNEL]
    posts_per_minute: Counter[tuple[str, int]] = Counter()
    updates_per_minute: Counter[int] = Counter()
    for c in calls:
        if c.ok and c.method == "chat.postMessage":
            posts_per_minute[(c.params.get("channel"), int(c.time // 60))] += 1
        elif c.ok and c.method == "chat.update":
            updates_per_minute[int(c.time // 60)] += 1
    with db.session() as s:
        incidents = list(s.execute(select(Incident.account, Incident.started_at)))
    spiked = [at for account, at in incidents if account == CRISIS and at >= int(start)]
    return dict(sent=len(sender.kinds), not_stored=not_stored + sender.failed, never=never, duplicates=duplicates,
                ratelimited=ratelimited, visible=visible, priority=priority, lateness=lateness,
                breach_missing=sum(1 for c in dues if c not in breach_at), crisis_max_minute=max(crisis_minutes, default=0),
                posts_crisis=sum(crisis_minutes), cards=len(card_ts),
                detected=max(0.0, min(spiked) - start) if spiked else None,
                false_spikes=sum(1 for account, _ in incidents if account != CRISIS),
                max_post_minute=max(posts_per_minute.values(), default=0),
                max_update_minute=max(updates_per_minute.values(), default=0))


def _card_totals(calls) -> dict[str, list[tuple[float, int]]]:
    """For each card ts: (when, exact total shown) of each accepted chat.postMessage/chat.update."""
    posted: dict[str, str] = {}
    seen: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for c in calls:
        if not c.ok or c.method not in ("chat.postMessage", "chat.update"):
            continue
        m = CARD_TOTAL.match(str(c.params.get("text", "")))
        if not m:
            continue
        ts = c.params.get("ts") or (c.body or {}).get("ts")
        posted.setdefault(ts, ts)
        seen[ts].append((c.time, int(m.group(1))))
    return seen


def _p(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    s = sorted(samples)
    return s[min(len(s) - 1, int(q * len(s)))]


def _s(x: float) -> str:
    return "  never" if x == float("inf") else f"{x:6.1f} s"


def _print(mode: str, r: dict) -> None:
    title = "with burst cards" if mode == "cards" else "baseline: folding off (one alert per conversation)"
    print(f"-- {title}")
    print(f"   mentions on the crisis account {r['sent']:,}; not stored {r['not_stored']}; "
          f"stored but not visible in Slack by the end {r['never']:,}")
    print(f"   duplicates in Slack {r['duplicates']}; Slack 429s answered to Veille {r['ratelimited']}")
    print(f"   ingest -> visible (own alert or counted on a card): p50 {_s(_p(r['visible'], .5))}  "
          f"p99 {_s(_p(r['visible'], .99))}  (target p99 <= 10 s; 'never': not visible by the end of the run)")
    print(f"   ingest -> VIP/DM own alert: n={len(r['priority'])}  p50 {_s(_p(r['priority'], .5))}  "
          f"p99 {_s(_p(r['priority'], .99))}  (target <= 5 s)")
    print(f"   breach-note lateness: n={len(r['lateness'])}  p50 {_s(_p(r['lateness'], .5))}  "
          f"p99 {_s(_p(r['lateness'], .99))}  not posted by the end {r['breach_missing']}  (target p99 <= 2 s; "
          "all in the crisis channel)")
    detected = "not detected" if r["detected"] is None else f"{r['detected']:.0f} s after the burst started"
    print(f"   spike detected: {detected} (target <= 60 s); spike incidents on the 20 background accounts "
          f"{r['false_spikes']} (target 0)")
    print(f"   crisis channel: {r['posts_crisis']} messages posted, burst cards {r['cards']}; busiest channel-minute "
          f"(any channel) {r['max_post_minute']} posts (Slack: 1/s sustained + short bursts, <= "
          f"{SLACK_POSTS_PER_MINUTE}); chat.update, busiest minute {r['max_update_minute']} "
          f"(Tier 3: <= {SLACK_UPDATES_PER_MINUTE})\n")


if __name__ == "__main__":
    sys.exit(main())
