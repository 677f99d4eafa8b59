"""Bluesky (AT Protocol) connector for one brand account.

In: mentions, replies to our posts and quotes of them (`app.bsky.notification.listNotifications`),
plus our own replies to others written natively in the Bluesky app (`app.bsky.feed.getAuthorFeed`),
reported with `from_brand=True` so a native reply stops the SLA clock of the message it answers.
Out: replies and posts (`com.atproto.repo.createRecord`), with mention and link facets, at a record
key derived from the idempotency key: a retry can never post twice, and `lookup` finds the post.

veille.toml:

    [[accounts]]
    network = "bluesky"
    key = "acme-bsky"
    handle = "acme.bsky.social"
    [accounts.options]
    service = "https://bsky.social"        # the account's PDS (default https://bsky.social)
    # appview = "did:web:api.bsky.app#bsky_appview"  # AppView the PDS proxies app.bsky.* reads
    #                                        # to (atproto-proxy header); default: the PDS's own
    # identifier = "acme.bsky.social"        # login handle or DID (default: the account handle)
    password_env = "VEILLE_BLUESKY_PASSWORD" # env var holding the app password (this default)
    timeout = 10                            # seconds per HTTP call (default 10)
    # langs = ["fr"]                         # languages stamped on posts (default: none)
    # backfill = 100                         # first fetch ever: how many recent items to take
    # overlap_seconds = 600                  # how late (by createdAt) a post may show up and
    #                                        # still be fetched, e.g. from a phone with a slow clock

The brand creates an App Password (Bluesky app: Settings > Privacy and security > App passwords >
Add App Password), named e.g. "veille", WITHOUT "Allow access to your direct messages" (Veille
does not read Bluesky DMs). An app password can read notifications and feeds and create posts, but
cannot change the account's password, email or handle, and can be revoked alone at any time. Put it
in the environment variable named by `password_env`; it is read at each login, never logged.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

import httpx

from bot.clock import Clock
from bot.connectors.bluesky.connector import BlueskyConnector
from bot.connectors.bluesky.xrpc import XrpcClient

__all__ = ["BlueskyConnector", "build"]

log = logging.getLogger(__name__)

DEFAULT_SERVICE = "https://bsky.social"
DEFAULT_PASSWORD_ENV = "VEILLE_BLUESKY_PASSWORD"
_KNOWN = {"service", "appview", "identifier", "password_env", "timeout", "langs", "backfill", "overlap_seconds"}


def build(
    account: str,
    handle: str,
    options: dict[str, Any],
    env: Mapping[str, str] = os.environ,
    clock: Clock | None = None,
    transport: httpx.BaseTransport | None = None,
) -> BlueskyConnector:
    """The connector for one brand account, from its `[accounts.options]`. Nothing is called on
    the network here: a missing or wrong app password shows up in `fetch` and `health()`."""
    if clock is None:
        from bot.clock import RealClock

        clock = RealClock()
    unknown = set(options) - _KNOWN
    if unknown:
        log.warning("bluesky %s: ignoring unknown options %s", account, sorted(unknown))
    password_env = str(options.get("password_env") or DEFAULT_PASSWORD_ENV)
    appview = options.get("appview")
    if appview and not str(appview).startswith("did:"):
        raise ValueError(f"bluesky {account}: appview must be a DID like did:web:api.bsky.app, not {appview!r}")
    if appview and "#" not in appview:
        appview = f"{appview}#bsky_appview"
    client = XrpcClient(
        service=str(options.get("service") or DEFAULT_SERVICE),
        identifier=str(options.get("identifier") or handle),
        password=lambda: env.get(password_env),
        password_env=password_env,
        timeout=float(options.get("timeout", 10)),
        transport=transport,
        proxy=appview,
    )
    langs = options.get("langs")
    return BlueskyConnector(
        account,
        client,
        clock,
        langs=[str(x) for x in langs] if langs else None,
        overlap=float(options.get("overlap_seconds", 600)),
        backfill=int(options.get("backfill", 100)),
    )
