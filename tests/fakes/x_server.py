"""An X API v2 stand-in, shaped after docs.x.com.

Endpoints: GET /2/users/me, GET /2/users/:id/mentions, GET /2/users/:id/tweets, POST /2/tweets,
POST /2/dm_conversations/with/:id/messages, GET /2/dm_conversations/with/:id/dm_events.

Behaviour copied from the real API: OAuth 2.0 user Bearer tokens or OAuth 1.0a signed requests
(401 problem body otherwise), per-user per-endpoint 15-minute windows with
`x-rate-limit-limit/remaining/reset` (epoch seconds) and 429 "Too Many Requests", snowflake ids,
newest-first timelines with `since_id/until_id/max_results (5..100)/pagination_token`,
`meta.newest_id/oldest_id/next_token/result_count`, `includes.users` for `expansions=author_id`,
only the requested `tweet.fields`, text returned with &, <, > escaped and links as t.co, 201 on
create, 403 "You are not allowed to create a Tweet with duplicate content.".
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from bot.connectors.x.oauth1 import signature
from tests.fakes import FakeServer, Reply, Request

WINDOW = 900
TWEPOCH_MS = 1288834974657
_URL = re.compile(r"https?://\S+")
DEFAULT_LIMITS = {"users_me": 75, "mentions": 300, "user_tweets": 900, "post_tweet": 100,
                  "dm_send": 200, "dm_events": 300}

UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
TOO_MANY = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
DUPLICATE = {"detail": "You are not allowed to create a Tweet with duplicate content.",
             "type": "about:blank", "title": "Forbidden", "status": 403}


def invalid(message: str) -> Reply:
    return Reply(400, {"errors": [{"message": message}], "title": "Invalid Request",
                       "detail": "One or more parameters to your request was invalid.",
                       "type": "https://api.twitter.com/2/problems/invalid-request"})


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(t * 1000) % 1000:03d}Z"


class XServer(FakeServer):
    def __init__(self, clock: Any, *, token: str = "brand-user-token", username: str = "brand",
                 limits: dict[str, int] | None = None, oauth1: dict[str, str] | None = None):
        super().__init__(clock)
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}
        self.users: dict[str, dict] = {}
        self.tweets: dict[str, dict] = {}
        self.dm_events: list[dict] = []
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}
        self._seq = 0
        self.brand = self.add_user(username, "The Brand")
        self.bearer_tokens = {token: self.brand["id"]}
        self.oauth1 = oauth1  # consumer_key, consumer_secret, token, token_secret of the brand

    # -- test helpers -----------------------------------------------------------------------------

    def _next_id(self) -> str:
        self._seq += 1
        return str(((int(self.clock.now() * 1000) - TWEPOCH_MS) << 22) + self._seq)

    def add_user(self, username: str, name: str = "") -> dict:
        with self.lock:
            user = {"id": str(10_000 + len(self.users)), "username": username, "name": name or username}
            self.users[user["id"]] = user
            return user

    def tweet(self, author: dict, text: str, reply_to: dict | None = None, reply_settings: str = "everyone") -> dict:
        with self.lock:
            tweet_id = self._next_id()
            tweet = {
                "id": tweet_id,
                "_text": text,
                "author_id": author["id"],
                "created_at": iso(self.clock.now()),
                "conversation_id": reply_to["conversation_id"] if reply_to else tweet_id,
                "reply_settings": reply_settings,
            }
            if reply_to:
                tweet["in_reply_to_user_id"] = reply_to["author_id"]
                tweet["referenced_tweets"] = [{"type": "replied_to", "id": reply_to["id"]}]
            self.tweets[tweet_id] = tweet
            return tweet

    def dm(self, sender: dict, recipient: dict, text: str) -> dict:
        with self.lock:
            pair = sorted([sender["id"], recipient["id"]], key=int)
            event = {"id": self._next_id(), "event_type": "MessageCreate", "text": text,
                     "sender_id": sender["id"], "dm_conversation_id": "-".join(pair),
                     "created_at": iso(self.clock.now()), "_participants": set(pair)}
            self.dm_events.append(event)
            return event

    def brand_tweets(self) -> list[dict]:
        with self.lock:
            return [t for t in self.tweets.values() if t["author_id"] == self.brand["id"]]

    # -- rendering --------------------------------------------------------------------------------

    @staticmethod
    def shown_text(text: str) -> str:
        """As X returns text: links wrapped in t.co, &, <, > escaped."""
        def wrap(match: re.Match) -> str:
            return "https://t.co/" + base64.urlsafe_b64encode(hashlib.sha1(match.group(0).encode()).digest())[:10].decode()

        return html.escape(_URL.sub(wrap, text), quote=False)

    def _tweet_json(self, tweet: dict, fields: set[str]) -> dict:
        shown = {"id": tweet["id"], "text": self.shown_text(tweet["_text"]), "edit_history_tweet_ids": [tweet["id"]]}
        for name in fields:
            if name in tweet and not name.startswith("_"):
                shown[name] = tweet[name]
        return shown

    # -- HTTP -------------------------------------------------------------------------------------

    def error_reply(self, status: int) -> Reply:
        if status == 429:
            reset = int(self.clock.now()) + WINDOW
            return Reply(429, TOO_MANY, {"x-rate-limit-limit": "1", "x-rate-limit-remaining": "0",
                                         "x-rate-limit-reset": str(reset)})
        return Reply(status, {"title": "Service Unavailable", "detail": "Service Unavailable",
                              "type": "about:blank", "status": status})

    def _caller(self, request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        if auth.startswith("Bearer "):
            return self.bearer_tokens.get(auth[7:])
        if auth.startswith("OAuth ") and self.oauth1:
            params = {k: unquote(v) for k, v in re.findall(r'(\w+)="([^"]*)"', auth)}
            given = params.pop("oauth_signature", "")
            if params.get("oauth_consumer_key") != self.oauth1["consumer_key"] or params.get("oauth_token") != self.oauth1["token"]:
                return None
            if abs(int(params.get("oauth_timestamp", 0)) - self.clock.now()) > 300:
                return None
            pairs = [(k, v) for k, values in request.query.items() for v in values] + list(params.items())
            url = f"http://{request.headers.get('host')}{request.path}"
            if signature(request.method, url, pairs, self.oauth1["consumer_secret"], self.oauth1["token_secret"]) == given:
                return self.brand["id"]
        return None

    def _rate(self, user_id: str, endpoint: str) -> tuple[dict[str, str], bool]:
        now = self.clock.now()
        start, used = self._windows.get((user_id, endpoint), (now, 0))
        if now >= start + WINDOW:
            start, used = now, 0
        used += 1
        self._windows[(user_id, endpoint)] = (start, used)
        limit = self.limits[endpoint]
        headers = {"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": str(max(0, limit - used)),
                   "x-rate-limit-reset": str(int(start + WINDOW))}
        return headers, used > limit

    def handle(self, request: Request) -> Reply:
        with self.lock:
            caller = self._caller(request)
            if caller is None:
                return Reply(401, UNAUTHORIZED)
            endpoint, handler, arg = self._route(request)
            if handler is None:
                return Reply(404, {"title": "Not Found Error", "detail": "Not found", "type": "about:blank", "status": 404})
            headers, limited = self._rate(caller, endpoint)
            if limited:
                return Reply(429, TOO_MANY, headers)
            reply = handler(request, caller, arg)
            reply.headers = {**headers, **reply.headers}
            return reply

    def _route(self, request: Request):
        path, method = request.path, request.method
        if method == "GET" and path == "/2/users/me":
            return "users_me", lambda r, me, _: Reply(200, {"data": self.users[me]}), None
        match = re.fullmatch(r"/2/users/(\d+)/(mentions|tweets)", path)
        if method == "GET" and match:
            name = "mentions" if match.group(2) == "mentions" else "user_tweets"
            return name, self._timeline, (match.group(1), match.group(2))
        if method == "POST" and path == "/2/tweets":
            return "post_tweet", self._post_tweet, None
        match = re.fullmatch(r"/2/dm_conversations/with/(\d+)/(messages|dm_events)", path)
        if match and method == "POST" and match.group(2) == "messages":
            return "dm_send", self._send_dm, match.group(1)
        if match and method == "GET" and match.group(2) == "dm_events":
            return "dm_events", self._dm_events, match.group(1)
        return "", None, None

    def _timeline(self, request: Request, me: str, arg: tuple[str, str]) -> Reply:
        user_id, kind = arg
        if user_id not in self.users:
            return Reply(404, {"title": "Not Found Error", "detail": f"Could not find user with id: [{user_id}].",
                               "type": "https://api.twitter.com/2/problems/resource-not-found"})
        user = self.users[user_id]
        if kind == "mentions":
            handle = "@" + user["username"].lower()
            items = [t for t in self.tweets.values() if t["author_id"] != user_id and (
                handle in t["_text"].lower() or t.get("in_reply_to_user_id") == user_id)]
        else:
            items = [t for t in self.tweets.values() if t["author_id"] == user_id]
        try:
            size = int(request.arg("max_results") or 10)
        except ValueError:
            size = 0
        if not 5 <= size <= 100:
            return invalid(f"The `max_results` query parameter value [{request.arg('max_results')}] is not between 5 and 100")
        since, until = request.arg("since_id"), request.arg("until_id")
        token = request.arg("pagination_token")
        below = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else None
        chosen = sorted(
            (t for t in items
             if (since is None or int(t["id"]) > int(since))
             and (until is None or int(t["id"]) < int(until))
             and (below is None or int(t["id"]) < below)),
            key=lambda t: int(t["id"]), reverse=True,
        )
        page, more = chosen[:size], len(chosen) > size
        if not page:
            return Reply(200, {"meta": {"result_count": 0}})
        fields = set((request.arg("tweet.fields") or "").split(","))
        body: dict[str, Any] = {"data": [self._tweet_json(t, fields) for t in page]}
        if "author_id" in (request.arg("expansions") or "").split(","):
            authors = {t["author_id"] for t in page}
            body["includes"] = {"users": [self.users[a] for a in sorted(authors)]}
        meta = {"result_count": len(page), "newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
        if more:
            meta["next_token"] = base64.urlsafe_b64encode(page[-1]["id"].encode()).decode()
        body["meta"] = meta
        return Reply(200, body)

    def _post_tweet(self, request: Request, me: str, _: Any) -> Reply:
        try:
            body = request.json() or {}
        except ValueError:
            return invalid("Request body is not valid JSON")
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return invalid("The `text` field is required")
        # X compares against the author's recent tweets, whatever the thread.
        if any(t["author_id"] == me and t["_text"] == text for t in self.tweets.values()):
            return Reply(403, DUPLICATE)
        parent = None
        reply = body.get("reply") or {}
        if reply:
            parent = self.tweets.get(str(reply.get("in_reply_to_tweet_id")))
            if parent is None:
                return invalid("Invalid reply.in_reply_to_tweet_id")
        tweet = self.tweet(self.users[me], text, reply_to=parent,
                           reply_settings=body.get("reply_settings", "everyone"))
        return Reply(201, {"data": {"id": tweet["id"], "text": self.shown_text(text),
                                    "edit_history_tweet_ids": [tweet["id"]]}})

    def _send_dm(self, request: Request, me: str, participant: str) -> Reply:
        if participant not in self.users:
            return invalid(f"Could not find user with id: [{participant}].")
        text = (request.json() or {}).get("text", "")
        event = self.dm(self.users[me], self.users[participant], text)
        return Reply(201, {"data": {"dm_conversation_id": event["dm_conversation_id"], "dm_event_id": event["id"]}})

    def _dm_events(self, request: Request, me: str, participant: str) -> Reply:
        events = [e for e in self.dm_events if e["_participants"] == {me, participant}]
        events.sort(key=lambda e: int(e["id"]), reverse=True)
        data = [{k: v for k, v in e.items() if not k.startswith("_")} for e in events[:100]]
        return Reply(200, {"data": data, "meta": {"result_count": len(data)}} if data else {"meta": {"result_count": 0}})
