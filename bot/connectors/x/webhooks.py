"""Account Activity webhook helpers: pure functions, no web framework (the lead mounts them).

- GET with `crc_token`: answer `crc_response(token, consumer_secret)` as JSON within 3 s.
- POST: check `verify_signature(raw_body, request.headers["x-twitter-webhooks-signature"],
  consumer_secret)` on the raw bytes before parsing, then `parse_account_activity(...)`.
Both use the app's consumer secret (API secret key), never a bearer or access token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
from datetime import datetime
from typing import Any

from bot.connectors.base import Author, InboundMessage

NETWORK = "x"


def _hmac_b64(secret: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def crc_response(crc_token: str, consumer_secret: str) -> dict[str, str]:
    """The Challenge-Response Check answer: HMAC-SHA256 of the token keyed by the consumer secret."""
    return {"response_token": "sha256=" + _hmac_b64(consumer_secret, crc_token.encode())}


def verify_signature(raw_body: bytes, header_value: str | None, consumer_secret: str) -> bool:
    """True when `x-twitter-webhooks-signature` is `sha256=<base64 HMAC-SHA256 of the body>`.
    Compared in constant time."""
    if not header_value or not consumer_secret:
        return False
    expected = "sha256=" + _hmac_b64(consumer_secret, raw_body)
    return hmac.compare_digest(expected.encode(), header_value.strip().encode())


def _tweet_time(tweet: dict) -> int:
    if tweet.get("timestamp_ms"):
        return int(tweet["timestamp_ms"]) // 1000
    try:  # v1.1 format: "Wed Oct 10 20:19:24 +0000 2018"
        return int(datetime.strptime(tweet.get("created_at", ""), "%a %b %d %H:%M:%S %z %Y").timestamp())
    except ValueError:
        return 0


def _tweet_text(tweet: dict) -> str:
    # v1.1 truncates long tweets into extended_tweet and escapes &, <, >.
    extended = tweet.get("extended_tweet") or {}
    return html.unescape(extended.get("full_text") or tweet.get("full_text") or tweet.get("text") or "")


def _from_tweet(tweet: dict, account: str, brand: str) -> InboundMessage | None:
    if "retweeted_status" in tweet:
        return None  # a retweet says nothing new
    user = tweet.get("user") or {}
    author_id = str(user.get("id_str") or user.get("id") or "")
    tweet_id = str(tweet.get("id_str") or tweet.get("id"))
    in_reply_to = tweet.get("in_reply_to_status_id_str")
    replied_user = tweet.get("in_reply_to_user_id_str")
    from_brand = author_id == brand
    if from_brand and not in_reply_to:
        return None  # our own new post is not part of a conversation to handle
    kind = "comment" if in_reply_to and (from_brand or replied_user == brand) else "mention"
    screen_name = user.get("screen_name", "")
    return InboundMessage(
        id=tweet_id,
        network=NETWORK,
        account=account,
        kind=kind,
        author=Author(id=author_id, handle=screen_name, name=user.get("name", "")),
        text=_tweet_text(tweet),
        url=f"https://x.com/{screen_name or 'i/web'}/status/{tweet_id}",
        created_at=_tweet_time(tweet),
        thread_id=None if in_reply_to else tweet_id,
        in_reply_to=in_reply_to,
        from_brand=from_brand,
        meta={"in_reply_to_user_id": replied_user} if replied_user else {},
    )


def _from_dm(event: dict, users: dict[str, Any], account: str, brand: str) -> InboundMessage | None:
    if event.get("type") != "message_create":
        return None
    create = event.get("message_create") or {}
    sender = str(create.get("sender_id", ""))
    recipient = str((create.get("target") or {}).get("recipient_id", ""))
    other = recipient if sender == brand else sender
    user = users.get(sender) or {}
    return InboundMessage(
        id=str(event["id"]),
        network=NETWORK,
        account=account,
        kind="dm",
        author=Author(id=sender, handle=user.get("screen_name", ""), name=user.get("name", "")),
        text=(create.get("message_data") or {}).get("text", ""),
        created_at=int(event.get("created_timestamp") or 0) // 1000,
        thread_id=f"dm:{other}",  # one conversation per person
        from_brand=sender == brand,
        meta={"participant_id": other},
    )


def parse_account_activity(payload: dict, account: str, brand_user_id: str) -> list[InboundMessage]:
    """Mentions, replies and direct messages from one Account Activity delivery. Events for
    another subscribed user, retweets and other event types are ignored."""
    for_user = payload.get("for_user_id")
    if for_user is not None and str(for_user) != str(brand_user_id):
        return []
    brand = str(brand_user_id)
    messages: list[InboundMessage] = []
    for tweet in payload.get("tweet_create_events") or []:
        message = _from_tweet(tweet, account, brand)
        if message is not None:
            messages.append(message)
    users = {str(k): v for k, v in (payload.get("users") or {}).items()}
    for event in payload.get("direct_message_events") or []:
        message = _from_dm(event, users, account, brand)
        if message is not None:
            messages.append(message)
    return messages
