"""Mentions stored per second through the signed webhook (one per request, and batches of 500),
against raw SQLite inserts of the same rows measured in the same run. Target: at least 2,000
mentions/s in batches on a 2-core machine. With --bluesky, also the Bluesky connector against the
real local AT Protocol network (scripts/atproto/atproto-testnet.sh must be installed).

    python bench/ingest.py [--single 500] [--batches 20] [--bluesky]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from bench.common import INGEST, make_veille  # noqa: E402
from bot.httpserve import ServedApp  # noqa: E402
from bot.signing import signed_headers  # noqa: E402
from bot.web import build_web  # noqa: E402


def mention(i: int, now: float) -> dict:
    return {"id": f"m-{i}", "network": "x", "account": "acme", "kind": "mention",
            "author": {"id": f"u-{i}", "handle": f"@user{i}", "name": f"User {i}"},
            "text": f"@acme my order #{i} never arrived", "url": f"https://x.example/user{i}/{i}",
            "created_at": datetime.fromtimestamp(int(now), UTC).isoformat()}


def raw_sqlite_baseline(rows: list[dict]) -> float:
    """The same rows, inserted with executemany into one plain table: what the disk allows."""
    path = Path(tempfile.mkdtemp()) / "raw.db"
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("CREATE TABLE m (network TEXT, external_id TEXT, account TEXT, kind TEXT, author_id TEXT, "
                "author_handle TEXT, author_name TEXT, text TEXT, url TEXT, created_at INTEGER, "
                "UNIQUE(network, external_id))")
    t0 = time.perf_counter()
    for i in range(0, len(rows), 500):
        with con:
            con.executemany("INSERT INTO m VALUES (?,?,?,?,?,?,?,?,?,?)", [
                (r["network"], r["id"], r["account"], r["kind"], r["author"]["id"], r["author"]["handle"],
                 r["author"]["name"], r["text"], r["url"], 0) for r in rows[i:i + 500]])
    return len(rows) / (time.perf_counter() - t0)


def post(http: httpx.Client, payload) -> None:
    body = json.dumps(payload).encode()
    r = http.post("/ingest/webhook", content=body, headers=signed_headers(INGEST, body, time.time()))
    assert r.status_code == 202, r.text


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--single", type=int, default=500)
    ap.add_argument("--batches", type=int, default=20)
    ap.add_argument("--bluesky", action="store_true")
    args = ap.parse_args()
    svc, app, standin = make_veille()
    web = ServedApp(build_web(app, svc)).start()
    now = time.time()
    with httpx.Client(base_url=web.url, timeout=60) as http:
        t0 = time.perf_counter()
        for i in range(args.single):
            post(http, mention(i, now))
        single = args.single / (time.perf_counter() - t0)
        n = args.batches * 500
        rows = [mention(100_000 + i, now) for i in range(n)]
        t0 = time.perf_counter()
        for i in range(0, n, 500):
            post(http, rows[i:i + 500])
        batch = n / (time.perf_counter() - t0)
    baseline = raw_sqlite_baseline(rows)
    print("signed-webhook ingest (dedupe, threading, SLA clock, alert queued, per mention), SQLite")
    print(f"  one mention per request : {single:>9,.0f} mentions/s")
    print(f"  batches of 500          : {batch:>9,.0f} mentions/s   (target >= 2,000)")
    print(f"  raw SQLite executemany  : {baseline:>9,.0f} rows/s       (baseline, same rows, same run)")
    print(f"  batch / raw baseline    : {batch / baseline:>9.2%}")
    web.stop()
    standin.stop()
    if args.bluesky:
        from bench.bluesky_ingest import measure_bluesky_ingest

        rate = measure_bluesky_ingest(200)
        print(f"  Bluesky connector (real local AT Protocol network, fetch + map): {rate:,.0f} mentions/s")


if __name__ == "__main__":
    main()
