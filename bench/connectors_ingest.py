"""Polled ingest throughput: how many mentions per second go from a network to the database through
the poller. N customers' mentions wait on the local Mastodon stand-in (tests/fakes); we time ONE
poll cycle of the brand account (`Poller.run_once`): the claim, the Mastodon connector paging
notifications over HTTP and mapping them, `ingest` storing N messages and conversations and
queueing their Slack alerts, then the cursor and health saved.

    python -m bench.connectors_ingest [N]     (SQLite in a temp dir; DATABASE_URL=postgresql+psycopg://...
                                              to measure on PostgreSQL, on a database you can wipe)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

from bot.clock import TestClock
from bot.config import parse_config
from bot.connectors.registry import Connectors
from bot.domain.sla_rules import build_rules
from bot.jobs.poller import Poller
from storage.db import Database
from tests.fakes.mastodon_server import MastodonServer

PAGE = 80  # Mastodon's largest notifications page


def _config(instance: str, account_id: str, n: int):
    return parse_config({"accounts": [{
        "key": "bench_masto", "network": "mastodon", "handle": "brand@social.example", "channel": "C0BENCH",
        "poll_seconds": 60,
        "connector": {"type": "mastodon", "instance": instance, "token_env": "MASTODON_TOKEN",
                      "account_id": account_id, "page_size": PAGE, "max_pages": n // PAGE + 2}}]})


def measure_connectors_ingest_details(n: int = 1000, database_url: str | None = None) -> dict[str, float]:
    clock = TestClock()
    with tempfile.TemporaryDirectory() as tmp, MastodonServer(clock, rate_limit=100_000) as server:
        db = Database(database_url or f"sqlite:///{tmp}/bench.db")
        db.migrate()
        try:
            cfg = _config(server.base_url, server.brand["id"], n)
            connectors = Connectors(cfg, clock, {"MASTODON_TOKEN": "brand-token"})
            poller = Poller(db, cfg, build_rules(cfg, env={}), connectors, clock, owner="bench")
            customers = [server.add_account(f"customer{i}", f"Customer {i}", domain="wonder.example")
                         for i in range(50)]
            server.post_status(customers[0], "@brand warming up")
            first = poller.run_once()  # connection, cursor, first rows: not what we measure
            assert first and first[0].ok, first
            for i in range(n):
                server.post_status(customers[i % len(customers)], f"@brand question n°{i}: where is order {i}?")
            clock.advance(60)
            t0 = time.perf_counter()
            [outcome] = poller.run_once()
            elapsed = time.perf_counter() - t0
            if not outcome.ok or outcome.stored != n:
                raise RuntimeError(f"one poll stored {outcome.stored} of {n} mentions ({outcome.error})")
            pages = server.calls("GET", "/api/v1/notifications")
            return {"n": n, "mentions_per_s": n / elapsed, "poll_s": elapsed, "requests": pages,
                    "database": "postgresql" if not db.is_sqlite else "sqlite"}
        finally:
            db.dispose()


def measure_connectors_ingest(n: int = 1000) -> float:
    """Mentions per second through one poll (fetch over HTTP + ingest into the database)."""
    return measure_connectors_ingest_details(n)["mentions_per_s"]


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    d = measure_connectors_ingest_details(count, os.environ.get("DATABASE_URL"))
    print(f"connectors ingest (Mastodon stand-in -> poller -> {d['database']}): {d['mentions_per_s']:,.0f} mentions/s "
          f"({count} mentions in one poll of {d['poll_s']:.2f} s)")
