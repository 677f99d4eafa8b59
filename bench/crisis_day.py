"""A compressed crisis day (issue 8): 1.52 M mentions in 24 hours on SQLite, with three
ten-times peaks on one account, through the real ingest, burst folding, traffic roll-up and spike
detector; prints mentions lost and the process's memory (RSS) at the start, every six simulated
hours and at the end, to show it stays flat.

    python -m bench.crisis --day [--day-scale 1.0]

What is compressed, plainly:
- time is simulated (a TestClock): the 24 hours are replayed as fast as the machine ingests, one
  simulated minute at a time, never waited for;
- mentions go through bot/domain/ingest.py in batches of up to 500 (the webhook's transaction),
  not over HTTP;
- Slack is not called: at the end of each simulated minute every queued outbox row is marked done
  in bulk, as if the workers had sent it (the real-clock bench, `python -m bench.crisis`, measures
  the sending); the SLA detector does not run (nobody answers, so every clock would breach);
- the spike detector ticks once per simulated minute (production: once a second) over six weeks
  of hourly history written as counts;
- --day-scale < 1 replays that fraction of the volume, same shape (the whole day takes about
  half an hour of ingest at ~850 mentions/s on this 2-core machine when it is busy)."""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select, update

from bot.config import parse_config
from bot.connectors.base import Author, InboundMessage
from bot.domain import bursts, ingest, traffic
from bot.domain.sla_rules import build_rules
from bot.domain.spikes import HOUR, SpikeParams
from bot.jobs.crisis import CrisisDetector
from storage.db import Database
from storage.models import Incident, Message, Outbox, OutboxState, TrafficBucket
from storage.upsert import insert_ignore_many
from tests.support.traffic_replay import hourly_rate

MONDAY = 1_795_392_000  # Monday 2026-11-23 00:00 UTC
TOTAL = 1_520_000
CRISIS = "crisis"
ACCOUNTS = [CRISIS] + [f"bg{i:02d}" for i in range(20)]
PEAK_HOURS = (10, 15, 20)  # UTC hours when the crisis account receives ten times the day's mean
BATCH = 500


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def plan(total: int) -> list[dict[str, int]]:
    """Mentions per account for each of the 1,440 minutes: the accounts share an hour-of-week shape
    (a Monday); in PEAK_HOURS the crisis account gets ten times the day's mean hourly volume on top."""
    shape = [hourly_rate(MONDAY + h * HOUR, 1.0) for h in range(24)]
    mean = sum(shape) / 24
    weight = [s + (10 * mean if h in PEAK_HOURS else 0.0) for h, s in enumerate(shape)]
    per_hour = [total * w / sum(weight) for w in weight]
    rng = random.Random(152)
    minutes = []
    for m in range(24 * 60):
        h = m // 60
        peak = 10 * mean * total / sum(weight) if h in PEAK_HOURS else 0.0
        ordinary = (per_hour[h] - peak) / 60
        n = {a: ordinary / len(ACCOUNTS) for a in ACCOUNTS}
        n[CRISIS] += peak / 60
        minutes.append({a: int(v) + (rng.random() < v - int(v)) for a, v in n.items()})
    return minutes


def main(scale: float = 1.0, database_url: str | None = None) -> int:
    if database_url and not database_url.startswith("sqlite"):
        print("--day runs on SQLite (the issue's figure)")
        return 2
    total = int(TOTAL * scale)
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='veille-crisis-day-')) / 'day.db'}"
    cfg = parse_config({"team": {"approvers": ["U0BOB"]},
                        "accounts": [{"key": a, "network": "x", "handle": f"@{a}", "channel": f"C0{a.upper()}"}
                                     for a in ACCOUNTS],
                        "sla": {"first_response": "1h", "next_response": "2h"}})
    rules = build_rules(cfg, env={})
    db = Database(url)
    db.migrate()
    minutes = plan(total)
    print(f"Veille compressed crisis day: {sum(sum(m.values()) for m in minutes):,} mentions in 24 simulated hours "
          f"(scale {scale:g} of 1.52 M), {len(ACCOUNTS)} accounts, ten-times peaks on '{CRISIS}' at "
          f"{', '.join(f'{h}:00' for h in PEAK_HOURS)} UTC, SQLite")
    print("  compressed: simulated clock; ingest in batches of 500 without HTTP; Slack not called (queued rows "
          "marked done each simulated minute); no SLA detector; spike detector once per simulated minute")
    _history(db, minutes)
    detector = CrisisDetector(db, cfg, rules)
    rng = random.Random(7)
    sent = n = 0
    t0 = time.perf_counter()
    start_rss = rss_mb()
    print(f"  RSS at start {start_rss:.0f} MB; load {_load()}")
    peak_rss = start_rss
    spent: dict[str, float] = {}
    for m, counts in enumerate(minutes):
        now = MONDAY + m * 60
        msgs = []
        for account, k in counts.items():
            for _ in range(k):
                n += 1
                msgs.append(InboundMessage(
                    id=f"d-{n}", network="x", account=account, kind="mention",
                    author=Author(f"a{rng.randrange(10**6)}", f"@user{n}", "User"),
                    text=f"#boycott produit défectueux {n}" if account == CRISIS else f"question commande {n}",
                    url=f"https://x.example/{n}", created_at=now + rng.randrange(60)))
        msgs.sort(key=lambda x: x.created_at)
        w = time.perf_counter()
        for i in range(0, len(msgs), BATCH):
            batch = msgs[i:i + BATCH]
            ingest.ingest(db, cfg, rules, batch[-1].created_at, batch)
            sent += len(batch)
        w = _spent(spent, "ingest", w)
        detector.run_once(now + 59.999)
        w = _spent(spent, "spike detector", w)
        bursts.tick(db, now + 59.999)
        w = _spent(spent, "burst tick", w)
        with db.session() as s:  # the workers' sending, compressed: see the docstring
            s.execute(update(Outbox).where(Outbox.state == OutboxState.PENDING.value)
                      .values(state=OutboxState.DONE.value, updated_at=now + 59))
        _spent(spent, "outbox marked done", w)
        peak_rss = max(peak_rss, rss_mb())
        if (m + 1) % 360 == 0:
            print(f"  {(m + 1) // 60:2d}:00 simulated: {sent:,} mentions ingested, RSS {rss_mb():.0f} MB, "
                  f"{time.perf_counter() - t0:.0f} s elapsed ({sent / (time.perf_counter() - t0):,.0f} mentions/s)")
    with db.session() as s:
        stored = s.scalar(select(func.count()).select_from(Message))
        incidents = list(s.execute(select(Incident.account, Incident.started_at)))
    end_rss = rss_mb()
    lost = sent - stored
    spikes_on = sorted({a for a, _ in incidents})
    print(f"  mentions sent {sent:,}; stored {stored:,}; lost {lost} (target 0)")
    print(f"  RSS at start {start_rss:.0f} MB, at end {end_rss:.0f} MB, highest {peak_rss:.0f} MB "
          f"(target: flat)")
    print(f"  spike incidents opened: {len(incidents)} on {', '.join(spikes_on) or 'no account'} "
          f"(the peaks are on '{CRISIS}' only)")
    print(f"  run time {time.perf_counter() - t0:.0f} s ({', '.join(f'{k} {v:.0f} s' for k, v in spent.items())}); "
          f"load at end {_load()}")
    db.dispose()
    return 0 if lost == 0 else 1


def _spent(spent: dict[str, float], what: str, since: float) -> float:
    now = time.perf_counter()
    spent[what] = spent.get(what, 0.0) + now - since
    return now


def _history(db: Database, minutes: list[dict[str, int]]) -> None:
    """Six weeks of hourly counts per account: the day's shape without its peaks."""
    per_hour = {a: [sum(minutes[h * 60 + i][a] for i in range(60)) for h in range(24)] for a in ACCOUNTS}
    normal = {a: [per_hour[a][h] if a != CRISIS or h not in PEAK_HOURS else per_hour[a][h - 1] for h in range(24)]
              for a in ACCOUNTS}
    rows = [dict(scope=traffic.account_scope(a), seconds=HOUR, start=t, count=normal[a][(t // HOUR) % 24])
            for a in ACCOUNTS for t in range(MONDAY - SpikeParams().weeks * 7 * 24 * HOUR, MONDAY, HOUR)]
    with db.session() as s:
        insert_ignore_many(s, TrafficBucket, rows)


def _load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])
