"""Mentions stored per second through the signed webhook, against raw `executemany` of the same rows
into one plain table, measured in the same run on the same database.

Three ways of sending: one mention per request one after the other (a single client), 64 clients
each sending one mention per request at once (a burst through a bridge: these are committed in
groups, bot/group_commit.py), and batches of 500 per request. Targets on a 2-core machine, SQLite:
>= 2,000 mentions/s with 64 concurrent single-mention requests, >= 10,000 mentions/s in batches.
Each mention is fully ingested: deduplicated, threaded into a new conversation, two SLA clocks and
their events, its Slack alert queued.

The clients run in a separate process (a minimal keep-alive HTTP/1.1 client over asyncio, signed
bodies prepared before the clock starts): the server's process does only the server's work, as
it would with a real bridge on another machine. The machine is shared: the load average is printed.

    python bench/ingest.py [--single 300] [--concurrent 64 --per-client 50] [--batches 20]
                           [--database-url postgresql+psycopg://127.0.0.1:5432/test] [--bluesky]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import INGEST, make_veille  # noqa: E402
from bot.httpserve import ServedApp  # noqa: E402
from bot.signing import signed_headers  # noqa: E402
from bot.web import build_web  # noqa: E402

BATCH = 500


def mention(i: int, now: float) -> dict:
    return {"id": f"m-{i}", "network": "x", "account": "acme", "kind": "mention",
            "author": {"id": f"u-{i}", "handle": f"@user{i}", "name": f"User {i}"},
            "text": f"@acme my order #{i} never arrived", "url": f"https://x.example/user{i}/{i}",
            "created_at": datetime.fromtimestamp(int(now), UTC).isoformat()}


def _raw_values(rows: list[dict]) -> list[tuple]:
    return [(r["network"], r["id"], r["account"], r["kind"], r["author"]["id"], r["author"]["handle"],
             r["author"]["name"], r["text"], r["url"], 0) for r in rows]


RAW_TABLE = ("(network TEXT, external_id TEXT, account TEXT, kind TEXT, author_id TEXT, author_handle TEXT, "
             "author_name TEXT, text TEXT, url TEXT, created_at BIGINT, UNIQUE(network, external_id))")


def raw_sqlite_baseline(rows: list[dict]) -> float:
    """The same rows, inserted with executemany into one plain table, 500 per transaction, with
    the pragmas Veille uses: what the disk and the driver allow."""
    path = Path(tempfile.mkdtemp()) / "raw.db"
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute(f"CREATE TABLE m {RAW_TABLE}")
    values = _raw_values(rows)
    t0 = time.perf_counter()
    for i in range(0, len(values), BATCH):
        with con:
            con.executemany("INSERT INTO m VALUES (?,?,?,?,?,?,?,?,?,?)", values[i:i + BATCH])
    return len(rows) / (time.perf_counter() - t0)


def raw_postgres_baseline(url: str, rows: list[dict]) -> float:
    """The same on PostgreSQL with psycopg's executemany (pipelined), in a throw-away table."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://").split("?")[0]
    table = f"veille_bench_raw_{uuid.uuid4().hex[:8]}"
    values = _raw_values(rows)
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f"CREATE TABLE {table} {RAW_TABLE}")
        try:
            con.autocommit = False
            t0 = time.perf_counter()
            for i in range(0, len(values), BATCH):
                with con.cursor() as cur:
                    cur.executemany(f"INSERT INTO {table} VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", values[i:i + BATCH])
                con.commit()
            took = time.perf_counter() - t0
        finally:
            con.autocommit = True
            con.execute(f"DROP TABLE {table}")
    return len(rows) / took


# ---- the clients (a separate process) ------------------------------------------------------------


def _request(port: int, payload) -> bytes:
    body = json.dumps(payload).encode()
    head = "".join(f"{k}: {v}\r\n" for k, v in signed_headers(INGEST, body, time.time()).items())
    return (f"POST /ingest/webhook HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{head}"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def _client(port: int, requests: list[bytes]) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for raw in requests:
        writer.write(raw)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
        body = await reader.readexactly(length)
        if status != 202:
            raise RuntimeError(f"{status}: {body[:200]!r}")
    writer.close()
    return len(requests)


def _clients(port: int, payloads_per_client: list[list], out) -> None:
    """Runs in its own process: prepare every signed request, then send them all, each client on
    its own keep-alive connection; reports the elapsed seconds."""
    prepared = [[_request(port, p) for p in payloads] for payloads in payloads_per_client]

    async def main() -> float:
        t0 = time.perf_counter()
        await asyncio.gather(*(_client(port, reqs) for reqs in prepared))
        return time.perf_counter() - t0

    out.put(asyncio.run(main()))


def send(port: int, payloads_per_client: list[list]) -> float:
    """Seconds to send every payload (each client's in order, clients at once)."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    p = ctx.Process(target=_clients, args=(port, payloads_per_client, out))
    p.start()
    took = out.get(timeout=600)
    p.join()
    return took


# ---- the run -------------------------------------------------------------------------------------


def measure(db_url: str | None, args) -> dict:
    svc, app, standin = make_veille(db_url)
    asgi = build_web(app, svc)
    web = ServedApp(asgi).start()
    port = web.port
    now = time.time()
    base = uuid.uuid4().int % 10**9 * 10**6  # fresh ids on a shared PostgreSQL database
    try:
        single = [[mention(base + i, now) for i in range(args.single)]]
        single_rate = args.single / send(port, single)
        n = args.concurrent * args.per_client
        conc = [[mention(base + 100_000 + c * args.per_client + i, now) for i in range(args.per_client)]
                for c in range(args.concurrent)]
        groups_before = asgi.state.committer.groups
        conc_rate = n / send(port, conc)
        groups = asgi.state.committer.groups - groups_before
        nb = args.batches * BATCH
        rows = [mention(base + 500_000 + i, now) for i in range(nb)]
        batch_rate = nb / send(port, [[rows[i:i + BATCH] for i in range(0, nb, BATCH)]])
    finally:
        web.stop()
        standin.stop()
        svc.db.dispose()
    if db_url and db_url.startswith("postgresql"):
        baseline = raw_postgres_baseline(db_url, rows)
    else:
        baseline = raw_sqlite_baseline(rows)
    return dict(single=single_rate, concurrent=conc_rate, requests=n, groups=groups, batch=batch_rate,
                baseline=baseline)


def report(name: str, r: dict, args) -> None:
    grouping = (f", {r['requests'] / r['groups']:.1f} requests per transaction on average" if r["groups"] else "")
    print(f"signed-webhook ingest on {name} (dedupe, new conversation, 2 SLA clocks + events, alert queued, "
          f"per mention)")
    print(f"  one mention per request, one client : {r['single']:>9,.0f} mentions/s")
    print(f"  {args.concurrent} clients at once, one mention each: {r['concurrent']:>9,.0f} mentions/s   "
          f"(target >= 2,000{grouping})")
    print(f"  batches of {BATCH}                   : {r['batch']:>9,.0f} mentions/s   (target >= 10,000)")
    print(f"  raw executemany, same rows          : {r['baseline']:>9,.0f} rows/s      "
          f"(baseline: one plain table, same run)")
    print(f"  batch / raw baseline                : {r['batch'] / r['baseline']:>9.1%}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--single", type=int, default=300)
    ap.add_argument("--concurrent", type=int, default=64)
    ap.add_argument("--per-client", type=int, default=50)
    ap.add_argument("--batches", type=int, default=20)
    ap.add_argument("--database-url", help="also measure on PostgreSQL (postgresql+psycopg://...)")
    ap.add_argument("--bluesky", action="store_true")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average at start {os.getloadavg()[0]:.2f} (shared machine)")
    report("SQLite", measure(None, args), args)
    if args.database_url:
        report("PostgreSQL", measure(args.database_url, args), args)
    print(f"load average at end {os.getloadavg()[0]:.2f}")
    if args.bluesky:
        from bench.bluesky_ingest import measure_bluesky_ingest

        rate = measure_bluesky_ingest(200)
        print(f"  Bluesky connector (real local AT Protocol network, fetch + map): {rate:,.0f} mentions/s")


if __name__ == "__main__":
    main()
