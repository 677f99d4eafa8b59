"""Mastodon connector: mentions and direct messages in, replies and posts out, as one brand account.

veille.toml (every key of `[accounts.connector]` but `type` is an option):

    [[accounts]]
    key = "brand-mastodon"
    network = "mastodon"
    handle = "brand@mastodon.example"
    channel = "C0123456789"
    [accounts.connector]
    type = "mastodon"
    instance = "https://mastodon.example"   # required: the brand account's server
    token_env = "MASTODON_TOKEN"            # required: env var holding the user access token
    account_id = "109876543210"             # optional: saves one verify_credentials call
    visibility = "public"                   # public | unlisted | private, for replies and posts
    max_chars = 500                         # the instance's status limit
    timeout = 10                            # seconds per request
    page_size = 40                          # notifications per page (Mastodon allows up to 80)
    max_pages = 10                          # pages per fetch; a longer backlog resumes next fetch
    backfill = 100                          # first fetch ever: how many recent mentions to take
    own_replies = true                      # also read our statuses, for replies sent natively
    thread_lookups = 5                      # context calls per fetch to find thread roots

The access token needs the scopes `read:notifications read:statuses write:statuses`, plus
`read:accounts` (or `profile`) unless `account_id` is given. Create it under Preferences >
Development > New application on the brand's instance.

What the connector does:
- fetch: `GET /api/v1/notifications?types[]=mention&min_id=<cursor>`, walking pages forward with the
  Link header's "prev" relation. A status with visibility "direct" is a "dm", a reply to one of our
  statuses a "comment", any other mention a "mention". Our own statuses replying to others
  (`GET /api/v1/accounts/:id/statuses`) come back with `from_brand=True` (a native reply stops
  the clock). The cursor is a small JSON object with the newest notification and status ids.
- publish: `POST /api/v1/statuses` with `Idempotency-Key` (kept by Mastodon for one hour); a reply
  starts with the `@acct` being answered; a reply in a direct conversation stays direct.
- lookup: matches our recent statuses on in_reply_to and rendered text.
- Rate limit: 300 requests per 5 minutes per account; `X-RateLimit-*` headers feed `health()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from bot.connectors.base import ConnectorError
from bot.connectors.http_errors import ApiSession, BearerAuth, require_env
from bot.connectors.mastodon.connector import MastodonConnector
from bot.connectors.mastodon.text import html_to_text, status_length

__all__ = ["MastodonConnector", "build", "html_to_text", "status_length"]


def build(
    account: str,
    handle: str,
    options: dict,
    env: Mapping[str, str],
    clock: Any,
    transport: httpx.BaseTransport | None = None,
) -> MastodonConnector:
    instance = str(options.get("instance") or "").rstrip("/")
    if not instance.startswith(("https://", "http://")):
        raise ConnectorError(f"mastodon account {account}: option 'instance' must be the server URL (https://...)")
    token = require_env(env, options, "token_env", f"mastodon account {account}")
    session = ApiSession(
        "mastodon",
        instance,
        clock,
        auth=BearerAuth(token),
        timeout=float(options.get("timeout", 10)),
        transport=transport,
    )
    return MastodonConnector(account, handle, session, options)
