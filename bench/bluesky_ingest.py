"""Bluesky ingest throughput: how many mentions per second the connector fetches and maps, on a real
local AT Protocol network (scripts/atproto). A customer posts N mentions of the brand; we time one
`fetch` from the cursor taken before they were posted: paging listNotifications and the brand's
own feed, and mapping every notification to an `InboundMessage`.

    python -m bench.bluesky_ingest [N]     (needs `scripts/atproto/atproto-testnet.sh install`)

Uses the network already running in $ATP_HOME, or starts one for the run and stops it after.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from bot.clock import RealClock
from bot.connectors import bluesky
from bot.connectors.bluesky.records import iso_z
from bot.connectors.facets import build_facets

RECIPE = Path(__file__).resolve().parents[1] / "scripts" / "atproto" / "atproto-testnet.sh"


@contextlib.contextmanager
def _network() -> Iterator[dict[str, Any]]:
    env = dict(os.environ, ATP_HOME=os.environ.get("ATP_HOME", "/tmp/atp-ci"))
    running = subprocess.run([str(RECIPE), "status"], env=env, capture_output=True, text=True)
    if running.returncode == 0 and running.stdout.strip():
        yield json.loads(running.stdout.strip().splitlines()[-1])
        return
    started = subprocess.run([str(RECIPE), "start"], env=env, capture_output=True, text=True)
    if started.returncode != 0:
        raise RuntimeError(f"AT Protocol network did not start (run {RECIPE} install?):\n{started.stderr[-2000:]}")
    try:
        yield json.loads(started.stdout.strip().splitlines()[-1])
    finally:
        subprocess.run([str(RECIPE), "stop"], env=env, check=False)


def _account(http: httpx.Client, pds: str, prefix: str) -> dict[str, Any]:
    handle = f"{prefix}{uuid.uuid4().hex[:8]}.test"
    r = http.post(f"{pds}/xrpc/com.atproto.server.createAccount",
                  json={"handle": handle, "email": f"{handle}@example.com", "password": f"pw-{handle}"})
    r.raise_for_status()
    return {**r.json(), "password": f"pw-{handle}"}


def measure_bluesky_ingest_details(n_posts: int = 500) -> dict[str, float]:
    with _network() as net, httpx.Client(timeout=60) as http:
        pds = net["pds"]

        def settle() -> None:
            http.post(f"{net['control']}/process-all").raise_for_status()

        brand, customer = _account(http, pds, "brand"), _account(http, pds, "cust")
        settle()
        conn = bluesky.build("bench-bsky", brand["handle"], {"service": pds, "password_env": "P"},
                             {"P": brand["password"]}, RealClock())
        cursor = conn.fetch(None).cursor
        auth = {"authorization": f"Bearer {customer['accessJwt']}"}
        t0 = time.perf_counter()
        for i in range(n_posts):
            text = f"@{brand['handle']} question n°{i} 🙂 https://example.com/order/{i}"
            record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": iso_z(time.time()),
                      "facets": build_facets(text, lambda _h: brand["did"])}
            http.post(f"{pds}/xrpc/com.atproto.repo.createRecord", headers=auth,
                      json={"repo": customer["did"], "collection": "app.bsky.feed.post", "record": record},
                      ).raise_for_status()
        posted = time.perf_counter() - t0
        t1 = time.perf_counter()
        settle()
        indexed = time.perf_counter() - t1

        t2 = time.perf_counter()
        result = conn.fetch(cursor)
        fetched = time.perf_counter() - t2
        if len(result.messages) != n_posts:
            raise RuntimeError(f"fetched {len(result.messages)} mentions, posted {n_posts}")
        return {"n": n_posts, "mentions_per_s": n_posts / fetched, "fetch_s": fetched,
                "post_per_s": n_posts / posted, "appview_index_s": indexed}


def measure_bluesky_ingest(n_posts: int = 500) -> float:
    """Mentions per second through the connector's fetch + map (network already warm)."""
    return measure_bluesky_ingest_details(n_posts)["mentions_per_s"]


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    d = measure_bluesky_ingest_details(n)
    print(f"bluesky ingest: {d['mentions_per_s']:,.0f} mentions/s "
          f"({n} mentions fetched+mapped in {d['fetch_s']:.2f} s; posting ran at {d['post_per_s']:,.0f}/s, "
          f"AppView indexing took {d['appview_index_s']:.2f} s)")
