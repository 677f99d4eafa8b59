"""X (Twitter API v2) connector: mentions and replies in, replies, DMs and posts out, as one brand
account; plus the Account Activity webhook helpers (`bot.connectors.x.webhooks`).

veille.toml (every key of `[accounts.connector]` but `type` is an option):

    [[accounts]]
    key = "brand-x"
    network = "x"
    handle = "brand"
    channel = "C0123456789"
    [accounts.connector]
    type = "x"
    auth = "oauth1"                         # "oauth2" (default) or "oauth1"
    # auth = "oauth2": an OAuth 2.0 user-context access token
    token_env = "X_USER_TOKEN"
    # auth = "oauth1": the app's keys and the brand user's access token (they never expire)
    consumer_key_env = "X_API_KEY"
    consumer_secret_env = "X_API_SECRET"    # also the key for webhook CRC and signatures
    access_token_env = "X_ACCESS_TOKEN"
    access_token_secret_env = "X_ACCESS_SECRET"
    user_id = "1234567890"                  # optional: saves one GET /2/users/me
    api_base = "https://api.x.com"
    reply_settings = "mentionedUsers"       # optional, for new posts: following | mentionedUsers |
                                            # subscribers | verified
    timeout = 10                            # seconds per request
    max_results = 100                       # tweets per page (5..100)
    max_pages = 8                           # pages per fetch (X keeps the latest 800 mentions)
    backfill = 100                          # first fetch ever: how many recent mentions to take
    own_replies = true                      # also read our tweets, for replies sent natively

Permissions: OAuth 2.0 user context needs the scopes `tweet.read tweet.write users.read
offline.access` (+ `dm.read dm.write` to answer direct messages). Such access tokens expire after
two hours and this connector does not refresh them: prefer `auth = "oauth1"` (app with "Read and
write and Direct message" permission) for an unattended bot; the Account Activity API also needs
OAuth 1.0a user tokens for the subscription. Reading mentions needs at least the Basic tier.

What the connector does:
- fetch: `GET /2/users/:id/mentions?since_id=<cursor>` with author expansion, following
  `meta.next_token`; thread_id is the conversation_id, in_reply_to the replied_to tweet. A reply
  to one of our tweets is a "comment", anything else a "mention". Our own replies to others
  (`GET /2/users/:id/tweets`) come back with `from_brand=True`. Direct messages arrive through
  the Account Activity webhook (`webhooks.parse_account_activity`), not through fetch.
- publish: `POST /2/tweets` (`reply.in_reply_to_tweet_id` for replies), or
  `POST /2/dm_conversations/with/:participant_id/messages` to answer a DM. The weighted
  280-character limit is checked first. X has no idempotency key, but refuses duplicate text
  (403 "duplicate content"): we then look our tweet up and return it if it is there.
- Rate limits: `x-rate-limit-limit/remaining/reset` (epoch seconds) feed `health()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from bot.connectors.base import ConnectorError
from bot.connectors.http_errors import ApiSession, BearerAuth, require_env
from bot.connectors.x.connector import XConnector
from bot.connectors.x.oauth1 import OAuth1
from bot.connectors.x.text import weighted_length
from bot.connectors.x.webhooks import crc_response, parse_account_activity, verify_signature

__all__ = ["XConnector", "build", "crc_response", "parse_account_activity", "verify_signature", "weighted_length"]


def _auth(account: str, options: Mapping[str, Any], env: Mapping[str, str], clock: Any) -> httpx.Auth:
    where = f"x account {account}"
    kind = options.get("auth", "oauth2")
    if kind == "oauth2":
        return BearerAuth(require_env(env, options, "token_env", where))
    if kind == "oauth1":
        return OAuth1(
            require_env(env, options, "consumer_key_env", where),
            require_env(env, options, "consumer_secret_env", where),
            require_env(env, options, "access_token_env", where),
            require_env(env, options, "access_token_secret_env", where),
            clock,
        )
    raise ConnectorError(f"{where}: option auth={kind!r} is not oauth2 or oauth1")


def build(
    account: str,
    handle: str,
    options: dict,
    env: Mapping[str, str],
    clock: Any,
    transport: httpx.BaseTransport | None = None,
) -> XConnector:
    session = ApiSession(
        "x",
        str(options.get("api_base", "https://api.x.com")).rstrip("/"),
        clock,
        auth=_auth(account, options, env, clock),
        timeout=float(options.get("timeout", 10)),
        transport=transport,
    )
    return XConnector(account, handle, session, options)
