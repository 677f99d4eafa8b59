"""How long does a month's report take over a year of history? 12 months of conversations,
messages, SLA clocks, escalations and published drafts are generated (bulk executemany), then
November's report (figures, then the four PNG charts) is timed on SQLite and on PostgreSQL,
beside a plain COUNT(*) over the same message rows as the baseline. Target: <= 2 s.

Full size (--scale 1): 1,000,000 conversations, 3,000,000 messages. The default --scale 0.1
(100,000 / 300,000) runs in about two minutes on a 2-core machine, both databases included.

    python -m bench.report [--scale 0.1] [--database-url postgresql+psycopg://127.0.0.1:5432/test]
                           [--sqlite-only | --postgres-only] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select, text  # noqa: E402

from bench.common import bench_database  # noqa: E402
from bot.domain import reports  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Conversation, Draft, Message, SlaClock, SlaEvent  # noqa: E402

TARGET_S = 2.0
FULL_CONVERSATIONS = 1_000_000
MESSAGES_PER_CONVERSATION = 3  # two from the customer, one answer
YEAR_START = 1_764_547_200  # 2025-12-01 00:00 UTC
YEAR = 365 * 86400
ACCOUNTS = [("acme", "x"), ("acme_fr", "bluesky"), ("acme_yt", "youtube"), ("acme_m", "mastodon")]
KINDS = ("mention", "dm", "comment")
CHUNK = 20_000
NOVEMBER = reports.Period.days(date(2026, 11, 1), date(2026, 11, 30))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.1, help="1 = 1M conversations and 3M messages (default 0.1)")
    ap.add_argument("--database-url", default="postgresql+psycopg://127.0.0.1:5432/test",
                    help="PostgreSQL server to bench on (a schema of its own, dropped afterwards)")
    ap.add_argument("--sqlite-only", action="store_true")
    ap.add_argument("--postgres-only", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="report runs per database; the best is kept (default 3)")
    args = ap.parse_args()
    n = int(FULL_CONVERSATIONS * args.scale)
    print(f"scale {args.scale}: {n:,} conversations, {n * MESSAGES_PER_CONVERSATION:,} messages over 12 months"
          + ("" if args.scale >= 1 else f" (the full bench is --scale 1: {FULL_CONVERSATIONS:,} / "
                                        f"{FULL_CONVERSATIONS * MESSAGES_PER_CONVERSATION:,})"))
    ok = True
    targets = []
    if not args.postgres_only:
        targets.append(("SQLite", lambda: bench_database(None, "report")))
    if not args.sqlite_only:
        targets.append(("PostgreSQL", lambda: bench_database(args.database_url, "report")))
    for name, make in targets:
        url, cleanup = make()
        try:
            ok &= _bench(name, url, n, args.repeat)
        finally:
            cleanup()
    return 0 if ok else 1


def _bench(name: str, url: str, n: int, repeat: int) -> bool:
    db = Database(url)
    db.migrate()
    t0 = time.perf_counter()
    _generate(db, n)
    # Statistics and (PostgreSQL) the visibility map index-only scans need; autovacuum keeps
    # both current on a live database.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"))
    print(f"\n{name}: generated in {time.perf_counter() - t0:.1f} s")
    best_count = best_fig = best_charts = float("inf")
    from bot.reports.charts import all_charts

    for _ in range(repeat):
        t0 = time.perf_counter()
        with db.session() as s:
            total = s.scalar(select(func.count()).select_from(Message))
        best_count = min(best_count, time.perf_counter() - t0)
        t0 = time.perf_counter()
        with db.session() as s:
            report = reports.compute(s, NOVEMBER)
        best_fig = min(best_fig, time.perf_counter() - t0)
        t0 = time.perf_counter()
        all_charts(report, "en")
        best_charts = min(best_charts, time.perf_counter() - t0)
    db.dispose()
    total_s = best_fig + best_charts
    print(f"  baseline  SELECT COUNT(*) FROM message ({total:,} rows): {best_count * 1000:8.1f} ms")
    print(f"  report    November figures ({report['conversations']:,} conversations, "
          f"{report['messages']['total']:,} messages, previous month included): {best_fig * 1000:8.1f} ms")
    print(f"  charts    four PNG charts: {best_charts * 1000:8.1f} ms")
    print(f"  total     {total_s:.2f} s (target <= {TARGET_S:.0f} s): {'OK' if total_s <= TARGET_S else 'TOO SLOW'}")
    return total_s <= TARGET_S


def _generate(db: Database, n: int) -> None:
    """Rows with explicit ids, inserted CHUNK at a time with executemany (no ORM objects)."""
    rnd = random.Random(10)
    clock_id = event_id = draft_id = 0
    for lo in range(0, n, CHUNK):
        convs, msgs, clocks, events, drafts = [], [], [], [], []
        for cid in range(lo + 1, min(n, lo + CHUNK) + 1):
            account, network = ACCOUNTS[cid % len(ACCOUNTS)]
            kind = KINDS[cid % 3]
            t = YEAR_START + rnd.randrange(YEAR)
            reply = t + int(rnd.expovariate(1 / 1800))
            convs.append(dict(id=cid, account=account, network=network, kind=kind, thread_key=f"t{cid}",
                              status="resolved" if cid % 10 else "open", priority="normal", author_id=f"a{cid % 5000}",
                              author_handle="", author_name="", first_inbound_at=t, last_inbound_at=t + 600,
                              last_reply_at=reply, message_count=3, created_at=t, updated_at=reply))
            for j, (direction, at) in enumerate((("in", t), ("out", reply), ("in", t + 600))):
                msgs.append(dict(id=cid * 3 + j, conversation_id=cid, network=network, external_id=f"m{cid}-{j}",
                                 account=account, kind=kind, direction=direction, author_id="", author_handle="",
                                 author_name="", text="", url="", meta={}, created_at=at, received_at=at))
            elapsed = reply - t
            on = dict(account=account, network=network, kind=kind)
            state = "met" if elapsed <= 3600 else "fulfilled_late"
            if cid % 20 == 0:
                state = "breached"
            clock_id += 1
            clocks.append(_clock(clock_id, cid, "first_response", t, state, elapsed) | on)
            if state == "breached":
                event_id += 1
                events.append(dict(id=event_id, clock_id=clock_id, conversation_id=cid, type="escalated", level=1,
                                   at=t + 4000, detail={}))
            if cid % 3 == 0:
                clock_id += 1
                clocks.append(_clock(clock_id, cid, "next_response", t + 600, "met", rnd.randrange(60, 3600)) | on)
            if cid % 10 == 0:
                draft_id += 1
                drafts.append(_draft(draft_id, "reply", account, cid, reply))
            if cid % 50 == 0:
                draft_id += 1
                drafts.append(_draft(draft_id, "post", account, None, t))
        with db.engine.begin() as c:
            for model, rows in ((Conversation, convs), (Message, msgs), (SlaClock, clocks), (SlaEvent, events),
                                (Draft, drafts)):
                if rows:
                    c.execute(insert(model), rows)


def _clock(cid: int, conv: int, metric: str, start: int, state: str, elapsed: int) -> dict:
    done = state != "breached"
    return dict(id=cid, conversation_id=conv, metric=metric, cycle=1, policy="default", policy_version=1,
                start_at=start, due_at=start + 3600, warn_at=[], next_check_at=None, paused_since=None,
                paused_seconds=0, fulfilled_at=start + elapsed if done else None,
                breached_at=None if state == "met" else start + 3600, state=state, warned_level=0,
                escalation_level=1 if state == "breached" else 0, policy_fingerprint="", escalate_after=None,
                applied_at=start, elapsed_s=elapsed if done else None)


def _draft(did: int, kind: str, account: str, conv: int | None, at: int) -> dict:
    return dict(id=did, kind=kind, conversation_id=conv, account=account, text="hello", version=1, content_hash="h",
                state="published", author="U0ALICE", approved_by="U0BOB", approved_at=at + 300, external_id=f"p{did}",
                url=f"https://x.example/p{did}", created_at=at, updated_at=at + 400, workflow=None, workflow_step=0,
                published_at=at + 400)


if __name__ == "__main__":
    raise SystemExit(main())
