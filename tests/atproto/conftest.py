"""A real local AT Protocol network (PLC + PDS + AppView), started once per test session.

Needs `scripts/atproto/atproto-testnet.sh install` first. Without it the tests SKIP, saying so,
unless VEILLE_REQUIRE_ATPROTO=1 (CI), where they FAIL. A network already running in $ATP_HOME
(`atproto-testnet.sh start` by hand) is reused and left running.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from bot.clock import TestClock
from bot.connectors import bluesky
from bot.connectors.bluesky.records import iso_z
from bot.connectors.facets import build_facets
from tests.atproto.netproxy import FlakyProxy

RECIPE = Path(__file__).resolve().parents[2] / "scripts" / "atproto" / "atproto-testnet.sh"
ATP_HOME = os.environ.get("ATP_HOME", "/tmp/atp-ci")
REQUIRED = os.environ.get("VEILLE_REQUIRE_ATPROTO") == "1"
DEV_ENV_JWT_SECRET = b"jwt-secret"  # @atproto/dev-env's PDS signs access tokens with this (HS256)
_http = httpx.Client(timeout=30)  # the test users' own client (kept alive: posting 130 times)


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason} (VEILLE_REQUIRE_ATPROTO=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def atproto_net():
    if not (Path(ATP_HOME) / "node_modules" / "@atproto" / "dev-env").is_dir():
        _unavailable(f"AT Protocol test network not installed in {ATP_HOME}: run {RECIPE} install")
    env = dict(os.environ, ATP_HOME=ATP_HOME)
    running = subprocess.run([str(RECIPE), "status"], env=env, capture_output=True, text=True)
    if running.returncode == 0 and running.stdout.strip():
        yield json.loads(running.stdout.strip().splitlines()[-1])
        return
    started = time.monotonic()
    proc = subprocess.run([str(RECIPE), "start"], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"AT Protocol test network failed to start:\n{proc.stderr[-3000:]}", pytrace=False)
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    info["start_seconds"] = round(time.monotonic() - started, 1)
    try:
        yield info
    finally:
        subprocess.run([str(RECIPE), "stop"], env=env, check=False)


@dataclass
class Account:
    """A user of the test network, with a raw XRPC client acting as them (not the connector)."""

    did: str
    handle: str
    password: str
    access_jwt: str
    pds: str

    def call(self, nsid: str, body: dict[str, Any]) -> dict[str, Any]:
        r = _http.post(f"{self.pds}/xrpc/{nsid}", json=body, headers={"authorization": f"Bearer {self.access_jwt}"})
        r.raise_for_status()
        return r.json()

    def post(self, text: str, reply_to: dict[str, Any] | None = None, mentions: dict[str, str] | None = None,
             quote: dict[str, str] | None = None) -> dict[str, str]:
        """Post as this user, with facets (Bluesky only notifies a mention that has a facet).
        `reply_to` is {"root": {uri, cid}, "parent": {uri, cid}}; returns {uri, cid}."""
        record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text, "createdAt": iso_z(time.time())}
        facets = build_facets(text, lambda h: (mentions or {}).get(h))
        if facets:
            record["facets"] = facets
        if reply_to:
            record["reply"] = reply_to
        if quote:
            record["embed"] = {"$type": "app.bsky.embed.record", "record": quote}
        out = self.call("com.atproto.repo.createRecord",
                        {"repo": self.did, "collection": "app.bsky.feed.post", "record": record})
        return {"uri": out["uri"], "cid": out["cid"]}


@pytest.fixture
def make_account(atproto_net, settle) -> Callable[[str], Account]:
    """Factory: a fresh account per call (unique handles keep tests independent), already known
    to the AppView, as any real account is."""

    def make(prefix: str = "u") -> Account:
        handle = f"{prefix}{uuid.uuid4().hex[:8]}.test"
        password = f"pw-{handle}"
        r = httpx.post(f"{atproto_net['pds']}/xrpc/com.atproto.server.createAccount",
                       json={"handle": handle, "email": f"{handle}@example.com", "password": password})
        r.raise_for_status()
        body = r.json()
        settle()
        return Account(body["did"], body["handle"], password, body["accessJwt"], atproto_net["pds"])

    return make


@pytest.fixture
def brand(make_account) -> Account:
    return make_account("brand")


@pytest.fixture
def customer(make_account) -> Account:
    return make_account("cust")


@pytest.fixture
def clock() -> TestClock:
    # Real "now": createdAt of what the connector posts must be current, as in production.
    return TestClock(start=time.time())


@pytest.fixture
def connect(atproto_net, clock):
    """Factory: the connector acting as `account`, on the test network (or at `service`)."""

    def make(account: Account, service: str | None = None, **options: Any):
        opts = {"service": service or atproto_net["pds"], "password_env": "BRAND_APP_PASSWORD", **options}
        return bluesky.build("acme-bsky", account.handle, opts, {"BRAND_APP_PASSWORD": account.password}, clock)

    return make


@pytest.fixture
def settle(atproto_net):
    """Block until the AppView has indexed everything the PDS emitted (deterministic, ~0.1 s)."""

    def _settle() -> None:
        httpx.post(f"{atproto_net['control']}/process-all", timeout=60).raise_for_status()

    return _settle


@pytest.fixture
def appview(atproto_net):
    """Unauthenticated reads from the AppView, as anyone on the web would see the network."""

    def get(nsid: str, **params: Any) -> dict[str, Any]:
        r = httpx.get(f"{atproto_net['appview']}/xrpc/{nsid}", params=params, timeout=30)
        r.raise_for_status()
        return r.json()

    return get


@pytest.fixture
def flaky_pds(atproto_net):
    """A breakable path to the PDS (see netproxy.FlakyProxy)."""
    target = urlsplit(atproto_net["pds"])
    proxy = FlakyProxy(target.hostname or "localhost", target.port or 80)
    yield proxy
    proxy.down()


def expired_copy(access_jwt: str) -> str:
    """The same access token as the PDS would see it two hours later: expired. Re-signed with the
    dev network's secret, so the PDS answers exactly what it answers to a stale token."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header, payload, _ = access_jwt.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["iat"], claims["exp"] = int(time.time()) - 7300, int(time.time()) - 100
    signing_input = f"{header}.{b64(json.dumps(claims, separators=(',', ':')).encode())}"
    signature = hmac.new(DEV_ENV_JWT_SECRET, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"
