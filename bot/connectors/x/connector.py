"""The X (API v2) connector: see the package docstring for options and scopes."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.connectors.base import (
    Author,
    ConnectorError,
    FetchResult,
    Health,
    InboundMessage,
    PublishRejected,
    PublishRequest,
    PublishResult,
    PublishUnknown,
)
from bot.connectors.http_errors import ApiSession, describe, error_detail
from bot.connectors.x.text import MAX_WEIGHTED_LENGTH, comparable, weighted_length

NETWORK = "x"
TWEET_FIELDS = "created_at,conversation_id,in_reply_to_user_id,referenced_tweets,author_id"
DUPLICATE = "duplicate content"
DM_MAX_CHARS = 10_000
REPLY_SETTINGS = ("following", "mentionedUsers", "subscribers", "verified")
EMPTY = "0"  # the cursor of a timeline that was empty: every later tweet is new


def _epoch(iso: str | None) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()) if iso else 0


def _newest(ids: list[str], since: str | None) -> str | None:
    return max([*ids, *([since] if since else [])], key=int, default=None)


class XConnector:
    network = NETWORK

    def __init__(self, account: str, handle: str, session: ApiSession, options: Mapping[str, Any]):
        self.account = account
        self.handle = handle.lstrip("@")
        self._session = session
        self._user_id: str | None = str(options["user_id"]) if options.get("user_id") else None
        self.max_results = int(options.get("max_results", 100))
        self.max_pages = int(options.get("max_pages", 8))  # 8 x 100: all the mentions X keeps
        self.backfill = max(1, int(options.get("backfill", 100)))
        self.own_replies = bool(options.get("own_replies", True))
        self.reply_settings = options.get("reply_settings")
        if self.reply_settings is not None and self.reply_settings not in REPLY_SETTINGS:
            raise ConnectorError(f"x: option reply_settings={self.reply_settings!r} is not one of {', '.join(REPLY_SETTINGS)}")

    def user_id(self) -> str:
        if self._user_id is None:
            self._user_id = str(self._session.request("GET", "/2/users/me").json()["data"]["id"])
        return self._user_id

    def health(self) -> Health:
        return self._session.health()

    # -- fetch ------------------------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> FetchResult:
        """New mentions and replies, plus our own replies written outside Veille (from_brand)."""
        state = json.loads(cursor) if cursor else {}
        me = self.user_id()
        tweets, users, newest_m = self._timeline(f"/2/users/{me}/mentions", state.get("m"), {})
        found = {t["id"]: self._from_tweet(t, users, me) for t in tweets}
        newest_t = state.get("t")
        if self.own_replies:
            own, own_users, newest_t = self._timeline(f"/2/users/{me}/tweets", state.get("t"), {"exclude": "retweets"})
            for tweet in own:
                replied = any(r.get("type") == "replied_to" for r in tweet.get("referenced_tweets") or [])
                if replied and tweet.get("in_reply_to_user_id") != me:
                    found[tweet["id"]] = self._from_tweet(tweet, own_users, me)
        messages = sorted(found.values(), key=lambda m: (m.created_at, int(m.id)))
        return FetchResult(messages, json.dumps({"m": newest_m, "t": newest_t}, separators=(",", ":")))

    def _timeline(self, path: str, since: str | None, extra: dict[str, str]) -> tuple[list[dict], dict, str]:
        """Tweets newer than `since`, newest first, following `meta.next_token`. Without a cursor
        (first fetch ever) the newest `backfill` tweets: no backfill of the account's history. The
        cursor returned is the newest id, or EMPTY when there is nothing yet, so the next fetch
        reads everything that came since instead of starting over."""
        params = {
            "max_results": str(self.max_results),
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": "username,name",
            **extra,
        }
        if since and since != EMPTY:  # EMPTY is no tweet id: never sent as since_id
            params["since_id"] = since
        tweets: list[dict] = []
        users: dict[str, dict] = {}
        for _ in range(self.max_pages):
            body = self._session.request("GET", path, params=params).json()
            tweets += body.get("data") or []
            users.update({u["id"]: u for u in (body.get("includes") or {}).get("users") or []})
            next_token = (body.get("meta") or {}).get("next_token")
            if not next_token or (not since and len(tweets) >= self.backfill):
                break
            params = {**params, "pagination_token": next_token}
        if not since:
            tweets = sorted(tweets, key=lambda t: int(t["id"]), reverse=True)[: self.backfill]
        return tweets, users, _newest([t["id"] for t in tweets], since) or EMPTY

    def _from_tweet(self, tweet: dict, users: dict[str, dict], me: str) -> InboundMessage:
        refs = {r.get("type"): r.get("id") for r in tweet.get("referenced_tweets") or []}
        in_reply_to = refs.get("replied_to")
        author_id = str(tweet.get("author_id", ""))
        user = users.get(author_id) or {}
        from_brand = author_id == me
        kind = "comment" if in_reply_to and (from_brand or tweet.get("in_reply_to_user_id") == me) else "mention"
        meta = {k: tweet[k] for k in ("conversation_id", "in_reply_to_user_id") if tweet.get(k)}
        if refs.get("quoted"):
            meta["quoted"] = refs["quoted"]
        return InboundMessage(
            id=tweet["id"],
            network=NETWORK,
            account=self.account,
            kind=kind,
            author=Author(id=author_id, handle=user.get("username", ""), name=user.get("name", "")),
            text=html.unescape(tweet.get("text", "")),  # X escapes &, < and > in text
            url=f"https://x.com/{user.get('username') or 'i/web'}/status/{tweet['id']}",
            created_at=_epoch(tweet.get("created_at")),
            thread_id=tweet.get("conversation_id") or (None if in_reply_to else tweet["id"]),
            in_reply_to=in_reply_to,
            from_brand=from_brand,
            meta=meta,
        )

    # -- publish ----------------------------------------------------------------------------------

    def publish_reply(self, req: PublishRequest) -> PublishResult:
        target = req.in_reply_to
        if target is None:
            raise PublishRejected("x: publish_reply needs the message being answered")
        if target.kind == "dm":
            return self._send_dm(req, self._participant(target))
        return self._tweet(req, {"text": req.text, "reply": {"in_reply_to_tweet_id": target.id}})

    def publish_post(self, req: PublishRequest) -> PublishResult:
        body: dict[str, Any] = {"text": req.text}
        if self.reply_settings:
            body["reply_settings"] = self.reply_settings
        return self._tweet(req, body)

    def _tweet(self, req: PublishRequest, body: dict[str, Any]) -> PublishResult:
        length = weighted_length(req.text)
        if length > MAX_WEIGHTED_LENGTH:
            raise PublishRejected(f"x: the text weighs {length} of {MAX_WEIGHTED_LENGTH} (links count 23, CJK and emoji 2)")
        if not req.text.strip():
            raise PublishRejected("x: the text is empty")
        response = self._session.request("POST", "/2/tweets", publishing=True, json=body, passthrough=(403,))
        if response.status_code == 403:
            if DUPLICATE not in error_detail(response):
                raise PublishRejected(describe(NETWORK, response))
            # X refuses a text we already posted: maybe our earlier attempt did go through.
            try:
                found = self.lookup(req)
            except ConnectorError as exc:
                raise PublishUnknown(f"x: duplicate content, and the look-up failed: {exc}") from exc
            if found is not None:
                return found
            raise PublishRejected(f"x: {error_detail(response)} (an identical tweet exists outside this thread)")
        data = response.json()["data"]
        return PublishResult(external_id=str(data["id"]), url=self._url(str(data["id"])))

    def _participant(self, target: InboundMessage) -> str:
        participant = target.meta.get("participant_id") or (None if target.from_brand else target.author.id)
        if not participant:
            raise PublishRejected("x: cannot tell who this direct message conversation is with")
        return str(participant)

    def _send_dm(self, req: PublishRequest, participant: str) -> PublishResult:
        if len(req.text) > DM_MAX_CHARS or not req.text.strip():
            raise PublishRejected(f"x: a direct message needs 1 to {DM_MAX_CHARS} characters")
        response = self._session.request(
            "POST", f"/2/dm_conversations/with/{participant}/messages", publishing=True, json={"text": req.text}
        )
        return PublishResult(external_id=str(response.json()["data"]["dm_event_id"]))

    def _url(self, tweet_id: str) -> str:
        return f"https://x.com/{self.handle or 'i/web'}/status/{tweet_id}"

    def lookup(self, req: PublishRequest) -> PublishResult | None:
        """Our tweet (or DM) with the same text in the same place, among our most recent ones."""
        target = req.in_reply_to
        wanted = comparable(req.text)
        me = self.user_id()
        if target is not None and target.kind == "dm":
            participant = self._participant(target)
            body = self._session.request(
                "GET", f"/2/dm_conversations/with/{participant}/dm_events",
                params={"dm_event.fields": "id,text,sender_id,created_at,event_type", "max_results": "50"},
            ).json()
            for event in body.get("data") or []:
                if str(event.get("sender_id")) == me and comparable(event.get("text", "")) == wanted:
                    return PublishResult(external_id=str(event["id"]))
            return None
        body = self._session.request(
            "GET", f"/2/users/{me}/tweets",
            params={"max_results": "100", "tweet.fields": TWEET_FIELDS, "exclude": "retweets"},
        ).json()
        parent = target.id if target is not None else None
        for tweet in body.get("data") or []:
            refs = {r.get("type"): r.get("id") for r in tweet.get("referenced_tweets") or []}
            if refs.get("replied_to") == parent and comparable(tweet.get("text", "")) == wanted:
                return PublishResult(external_id=tweet["id"], url=self._url(tweet["id"]))
        return None
