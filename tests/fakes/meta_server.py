"""A local Graph API (Facebook Pages, Messenger, Instagram) that behaves like the real one for
what Veille uses: Page feed + comments, conversations + Send API, Instagram media + comment
replies. It checks Page tokens (Authorization header or access_token) and appsecret_proof,
answers Graph error bodies, sends X-App-Usage / X-Business-Use-Case-Usage headers computed on an
injected clock over a rolling hour. Failures: `fail(...)` from `FakeServer` (timeouts, drops, 5xx,
before or after the write took effect) and `throttle()` (error code 32).

Usage:
    with FakeGraph(clock) as graph:
        graph.add_page("111", "Acme", token="PAGE-TOKEN")
        post = graph.add_post("111", "Launch day!")
        graph.add_comment(post, "Where is my order?", author=("900", "Jo"))
        ... connect a connector to graph.base_url ...
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from tests.fakes import FakeServer, Reply, Request

HOUR = 3600.0
MESSAGING_WINDOW = 24 * HOUR


def graph_time(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(epoch))


@dataclass
class Item:
    """A post, a comment, an Instagram media or comment: one store for every Graph object."""

    id: str
    type: str  # "post" | "comment" | "ig_media" | "ig_comment"
    owner: str  # the Page or IG user whose surface it is on
    author_id: str
    author_name: str
    text: str
    created: float
    parent: str | None = None  # the object it hangs on
    children: list[str] = field(default_factory=list)


@dataclass
class Conversation:
    id: str
    page_id: str
    platform: str
    user_id: str
    user_name: str
    messages: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    last_user_message: float = 0.0
    updated: float = 0.0


class GraphError(Exception):
    def __init__(
        self,
        code: int,
        message: str,
        type_: str = "OAuthException",
        subcode: int | None = None,
        status: int = 400,
        transient: bool = False,
    ):
        super().__init__(message)
        self.code, self.message, self.type, self.subcode = code, message, type_, subcode
        self.status, self.transient = status, transient

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {
            "message": self.message,
            "type": self.type,
            "code": self.code,
            "fbtrace_id": "AbCdEfGhIjK",
        }
        if self.subcode:
            err["error_subcode"] = self.subcode
        if self.transient:
            err["is_transient"] = True
        return {"error": err}


class FakeGraph(FakeServer):
    def __init__(
        self,
        clock,
        version: str = "v21.0",
        app_secret: str | None = None,
        app_call_limit: int = 1000,
        page_call_limit: int = 1000,
    ):
        super().__init__(clock)
        self.version = version
        self.app_secret = app_secret
        self.app_call_limit = app_call_limit
        self.page_call_limit = page_call_limit
        self.pages: dict[str, dict[str, str]] = {}  # page id -> {name, token}
        self.ig_users: dict[str, dict[str, str]] = {}  # ig id -> {username, page_id}
        self.tokens: dict[str, str] = {}  # token -> page id
        self.items: dict[str, Item] = {}
        self.conversations: dict[tuple[str, str, str], Conversation] = {}
        self._calls: dict[str, deque[float]] = {}  # "app" / page id -> call instants
        self._throttles = 0
        self._ids = itertools.count(1001)

    # -- state set-up ------------------------------------------------------------------------------

    def add_page(self, page_id: str, name: str, token: str) -> None:
        self.pages[page_id] = {"name": name, "token": token}
        self.tokens[token] = page_id

    def add_ig_user(self, ig_id: str, username: str, page_id: str) -> None:
        self.ig_users[ig_id] = {"username": username, "page_id": page_id}

    def revoke_token(self, token: str) -> None:
        self.tokens.pop(token, None)

    def throttle(self, times: int = 1) -> None:
        """The next authenticated calls answer "(#32) Page request limit reached"."""
        with self.lock:
            self._throttles += times

    def add_post(
        self, page_id: str, text: str, author: tuple[str, str] | None = None, at: float | None = None
    ) -> str:
        author_id, author_name = author or (page_id, self.pages[page_id]["name"])
        return self._add(
            f"{page_id}_{next(self._ids)}", "post", page_id, author_id, author_name, text, at, None
        )

    def add_comment(self, parent_id: str, text: str, author: tuple[str, str], at: float | None = None) -> str:
        parent = self.items[parent_id]
        post_num = parent.id.split("_")[-1] if parent.type == "post" else parent.id.split("_")[0]
        return self._add(
            f"{post_num}_{next(self._ids)}", "comment", parent.owner, *author, text, at, parent_id
        )

    def add_ig_media(self, ig_id: str, caption: str, at: float | None = None) -> str:
        username = self.ig_users[ig_id]["username"]
        return self._add(f"1790{next(self._ids)}", "ig_media", ig_id, ig_id, username, caption, at, None)

    def add_ig_comment(
        self, parent_id: str, text: str, author: tuple[str, str], at: float | None = None
    ) -> str:
        owner = self.items[parent_id].owner
        return self._add(f"1800{next(self._ids)}", "ig_comment", owner, *author, text, at, parent_id)

    def add_message(
        self,
        page_id: str,
        user: tuple[str, str],
        text: str,
        platform: str = "messenger",
        at: float | None = None,
    ) -> str:
        """A customer writes to the Page (or to its Instagram account)."""
        conv = self._conversation(page_id, platform, *user)
        return self._append_message(conv, user[0], text, at, from_user=True)

    def comments_by(self, author_id: str) -> list[Item]:
        return [
            i for i in self.items.values() if i.author_id == author_id and i.type in ("comment", "ig_comment")
        ]

    def messages_sent_by(self, page_id: str) -> list[dict[str, Any]]:
        return [
            m
            for c in self.conversations.values()
            for m in c.messages
            if m["from_id"] in self._own_ids(page_id)
        ]

    # -- internals ---------------------------------------------------------------------------------

    def _add(self, item_id, type_, owner, author_id, author_name, text, at, parent) -> str:
        with self.lock:
            item = Item(
                item_id,
                type_,
                owner,
                author_id,
                author_name,
                text,
                self.clock.now() if at is None else at,
                parent,
            )
            self.items[item_id] = item
            if parent:
                self.items[parent].children.append(item_id)
            return item_id

    def _own_ids(self, page_id: str) -> set[str]:
        return {page_id} | {ig for ig, u in self.ig_users.items() if u["page_id"] == page_id}

    def _conversation(self, page_id: str, platform: str, user_id: str, user_name: str) -> Conversation:
        key = (page_id, platform, user_id)
        if key not in self.conversations:
            self.conversations[key] = Conversation(
                f"t_{next(self._ids)}", page_id, platform, user_id, user_name
            )
        return self.conversations[key]

    def _append_message(
        self, conv: Conversation, from_id: str, text: str, at: float | None, from_user: bool
    ) -> str:
        with self.lock:
            now = self.clock.now() if at is None else at
            mid = f"m_{next(self._ids)}"
            conv.messages.append({"id": mid, "from_id": from_id, "text": text, "created": now})
            conv.updated = max(conv.updated, now)
            if from_user:
                conv.last_user_message = now
            return mid

    def count_call(self, page_id: str) -> tuple[dict[str, str], GraphError | None]:
        """Record a call in the rolling hour and answer the usage headers (and a throttle, if over)."""
        now = self.clock.now()
        with self.lock:
            usage = {}
            for key, limit in (("app", self.app_call_limit), (page_id, self.page_call_limit)):
                calls = self._calls.setdefault(key, deque())
                while calls and calls[0] <= now - HOUR:
                    calls.popleft()
                calls.append(now)
                pct = min(100, int(len(calls) * 100 / limit))
                regain = math.ceil((calls[0] + HOUR - now) / 60) if len(calls) > limit else 0
                usage[key] = (pct, regain)
        app_pct, app_regain = usage["app"]
        page_pct, page_regain = usage[page_id]
        headers = {
            "X-App-Usage": json.dumps(
                {"call_count": app_pct, "total_cputime": app_pct // 2, "total_time": app_pct // 2}
            ),
            "X-Business-Use-Case-Usage": json.dumps(
                {
                    page_id: [
                        {
                            "type": "pages",
                            "call_count": page_pct,
                            "total_cputime": page_pct // 2,
                            "total_time": page_pct // 2,
                            "estimated_time_to_regain_access": page_regain,
                        }
                    ]
                }
            ),
        }
        if page_regain:
            return headers, GraphError(32, "(#32) Page request limit reached")
        if app_regain:
            return headers, GraphError(4, "(#4) Application request limit reached")
        return headers, None

    # -- HTTP --------------------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        query = {k: v[0] for k, v in request.query.items()}
        body = _parse_body(request.body, request.headers.get("content-type", ""))
        headers: dict[str, str] = {}
        try:
            page_id = self._authenticate(query, request.headers.get("authorization", ""))
            headers, throttled = self.count_call(page_id)
            with self.lock:
                if self._throttles:
                    self._throttles -= 1
                    throttled = GraphError(32, "(#32) Page request limit reached")
            if throttled:
                raise throttled
            payload = _route(self, request.method, request.path, query, {**query, **body}, page_id)
            return Reply(200, payload, headers)
        except GraphError as e:
            return Reply(e.status, e.body(), headers)

    def error_reply(self, status: int) -> Reply:
        message = "An unexpected error has occurred. Please retry your request later."
        return Reply(status, GraphError(2, message, status=status, transient=True).body())

    def _authenticate(self, query: dict[str, str], authorization: str) -> str:
        token = query.get("access_token") or authorization.partition(" ")[2].strip()
        if not token:
            raise GraphError(
                2500, "An active access token must be used to query information about the current user."
            )
        page_id = self.tokens.get(token)
        if page_id is None:
            raise GraphError(
                190,
                "Error validating access token: The session has been invalidated because the "
                "user changed their password or Facebook has changed the session for security "
                "reasons.",
                subcode=460,
            )
        if self.app_secret:
            proof = hmac.new(self.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
            given = query.get("appsecret_proof")
            if not given:
                raise GraphError(
                    100,
                    "API calls from the server require an appsecret_proof argument",
                    type_="GraphMethodException",
                )
            if not hmac.compare_digest(given, proof):
                raise GraphError(
                    100, "Invalid appsecret_proof provided in the API argument", type_="GraphMethodException"
                )
        return page_id


def _parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        doc = json.loads(raw)
        return doc if isinstance(doc, dict) else {}
    return dict(parse_qsl(raw.decode()))


# -- routes ------------------------------------------------------------------------------------------


def _route(
    g: FakeGraph, method: str, path: str, query: dict[str, str], args: dict[str, Any], page_id: str
) -> dict[str, Any]:
    segments = path.strip("/").split("/")
    if not segments or segments[0] != g.version:
        raise GraphError(
            2635, f"Unknown API version in {path!r}; expected {g.version}", type_="OAuthException"
        )
    if len(segments) != 3:
        raise GraphError(100, f"Unsupported {method.lower()} request.", type_="GraphMethodException")
    obj, edge = segments[1], segments[2]
    handler = ROUTES.get((method, edge))
    if handler is None:
        raise GraphError(
            100,
            f"Unsupported {method.lower()} request. Object with ID '{obj}' does not "
            "exist, cannot be loaded due to missing permissions, or does not support "
            "this operation.",
            type_="GraphMethodException",
            subcode=33,
        )
    return handler(g, obj, query, args, page_id)


def _require_page(g: FakeGraph, obj: str, page_id: str) -> None:
    if obj != page_id:
        raise GraphError(200, "(#200) The token does not belong to this Page", type_="OAuthException")


def _require(args: dict[str, Any], name: str) -> Any:
    if not args.get(name):
        raise GraphError(100, f"(#100) The parameter {name} is required", type_="OAuthException")
    return args[name]


def _item(g: FakeGraph, obj: str, types: tuple[str, ...]) -> Item:
    item = g.items.get(obj)
    if item is None or item.type not in types:
        raise GraphError(
            100,
            f"Unsupported request. Object with ID '{obj}' does not exist, cannot be loaded "
            "due to missing permissions, or does not support this operation.",
            type_="GraphMethodException",
            subcode=33,
        )
    return item


def _limit(query: dict[str, str], default: int = 25) -> int:
    return max(1, min(100, int(query.get("limit", default))))


def _fb_comment(g: FakeGraph, c: Item) -> dict[str, Any]:
    post = c.parent if g.items[c.parent].type == "post" else g.items[c.parent].parent
    out = {
        "id": c.id,
        "message": c.text,
        "created_time": graph_time(c.created),
        "from": {"id": c.author_id, "name": c.author_name},
        "permalink_url": f"https://www.facebook.com/{post}?comment_id={c.id.split('_')[-1]}",
    }
    if g.items[c.parent].type == "comment":
        out["parent"] = {"id": c.parent}
    return out


def _newest_first(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (i.created, i.id), reverse=True)


def get_feed(g, obj, query, args, page_id):
    _require_page(g, obj, page_id)
    posts = _newest_first([i for i in g.items.values() if i.type == "post" and i.owner == obj])
    data = []
    for p in posts[: _limit(query)]:
        post: dict[str, Any] = {
            "id": p.id,
            "message": p.text,
            "created_time": graph_time(p.created),
            "from": {"id": p.author_id, "name": p.author_name},
            "permalink_url": f"https://www.facebook.com/{p.id}",
        }
        if "comments" in query.get("fields", ""):
            stream = [g.items[c] for c in p.children]
            stream += [g.items[r] for c in p.children for r in g.items[c].children]
            post["comments"] = {"data": [_fb_comment(g, c) for c in _newest_first(stream)[:50]]}
        data.append(post)
    return {"data": data, "paging": {"cursors": {"before": "QVFIUmE", "after": "QVFIUmI"}}}


def post_feed(g, obj, query, args, page_id):
    _require_page(g, obj, page_id)
    return {"id": g.add_post(obj, str(_require(args, "message")))}


def get_comments(g, obj, query, args, page_id):
    item = _item(g, obj, ("post", "comment"))
    children = [g.items[c] for c in item.children]
    ordered = _newest_first(children) if query.get("order") == "reverse_chronological" else children
    return {"data": [_fb_comment(g, c) for c in ordered[: _limit(query)]]}


def post_comments(g, obj, query, args, page_id):
    item = _item(g, obj, ("post", "comment"))
    if item.type == "comment" and g.items[item.parent].type == "comment":
        raise GraphError(100, "(#100) Comments can only be made on a post or a top-level comment")
    return {"id": g.add_comment(obj, str(_require(args, "message")), (page_id, g.pages[page_id]["name"]))}


def _ig_comment(g: FakeGraph, c: Item, with_replies: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": c.id,
        "text": c.text,
        "timestamp": graph_time(c.created),
        "username": c.author_name,
        "from": {"id": c.author_id, "username": c.author_name},
    }
    if g.items[c.parent].type == "ig_comment":
        out["parent_id"] = c.parent
    if with_replies and c.children:
        out["replies"] = {"data": [_ig_comment(g, g.items[r], False) for r in c.children]}
    return out


def get_media(g, obj, query, args, page_id):
    if g.ig_users.get(obj, {}).get("page_id") != page_id:
        raise GraphError(10, "(#10) Application does not have permission for this action")
    media = _newest_first([i for i in g.items.values() if i.type == "ig_media" and i.owner == obj])
    data = []
    for m in media[: _limit(query)]:
        entry: dict[str, Any] = {
            "id": m.id,
            "caption": m.text,
            "timestamp": graph_time(m.created),
            "permalink": f"https://www.instagram.com/p/{m.id}/",
        }
        if "comments" in query.get("fields", ""):
            entry["comments"] = {"data": [_ig_comment(g, g.items[c], True) for c in m.children]}
        data.append(entry)
    return {"data": data}


def get_replies(g, obj, query, args, page_id):
    item = _item(g, obj, ("ig_comment",))
    return {"data": [_ig_comment(g, g.items[r], False) for r in reversed(item.children)][: _limit(query)]}


def post_replies(g, obj, query, args, page_id):
    item = _item(g, obj, ("ig_comment",))
    ig_id = item.owner
    if g.ig_users[ig_id]["page_id"] != page_id:
        raise GraphError(10, "(#10) Application does not have permission for this action")
    return {
        "id": g.add_ig_comment(obj, str(_require(args, "message")), (ig_id, g.ig_users[ig_id]["username"]))
    }


def _message_json(g: FakeGraph, conv: Conversation, m: dict[str, Any]) -> dict[str, Any]:
    def party(pid: str) -> dict[str, str]:
        if pid == conv.user_id:
            return {"id": pid, ("username" if conv.platform == "instagram" else "name"): conv.user_name}
        if pid in g.ig_users:
            return {"id": pid, "username": g.ig_users[pid]["username"]}
        return {"id": pid, "name": g.pages[pid]["name"]}

    own = conv.page_id
    if conv.platform == "instagram":
        own = next((ig for ig, u in g.ig_users.items() if u["page_id"] == conv.page_id), own)
    to = own if m["from_id"] == conv.user_id else conv.user_id
    return {
        "id": m["id"],
        "message": m["text"],
        "created_time": graph_time(m["created"]),
        "from": party(m["from_id"]),
        "to": {"data": [party(to)]},
    }


def get_conversations(g, obj, query, args, page_id):
    _require_page(g, obj, page_id)
    platform = query.get("platform", "messenger")
    convs = [c for c in g.conversations.values() if c.page_id == obj and c.platform == platform]
    if query.get("user_id"):
        convs = [c for c in convs if c.user_id == query["user_id"]]
    convs.sort(key=lambda c: c.updated, reverse=True)
    start = int(query.get("after", "0") or 0)
    page = convs[start : start + _limit(query)]
    data = [
        {
            "id": c.id,
            "updated_time": graph_time(c.updated),
            "messages": {"data": [_message_json(g, c, m) for m in reversed(c.messages)][:25]},
        }
        for c in page
    ]
    paging: dict[str, Any] = {"cursors": {"before": str(start), "after": str(start + len(page))}}
    if start + len(page) < len(convs):
        paging["next"] = f"{g.base_url}/{g.version}/{obj}/conversations?after={start + len(page)}"
    return {"data": data, "paging": paging}


def post_messages(g, obj, query, args, page_id):
    _require_page(g, obj, page_id)
    recipient = args.get("recipient")
    message = args.get("message")
    if isinstance(recipient, str):  # form-encoded Send API calls carry JSON strings
        recipient, message = json.loads(recipient), json.loads(message or "{}")
    if not isinstance(recipient, dict) or not recipient.get("id"):
        raise GraphError(100, "(#100) The parameter recipient is required")
    if args.get("messaging_type") not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
        raise GraphError(100, "(#100) Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}")
    if not isinstance(message, dict) or not message.get("text"):
        raise GraphError(100, "(#100) The parameter message is required")
    conv = next(
        (c for c in g.conversations.values() if c.page_id == obj and c.user_id == recipient["id"]), None
    )
    if conv is None:
        raise GraphError(100, "(#100) No matching user found", subcode=2018001)
    if g.clock.now() - conv.last_user_message > MESSAGING_WINDOW and args.get("messaging_type") == "RESPONSE":
        raise GraphError(10, "(#10) This message is sent outside of allowed window.", subcode=2018278)
    sender = obj
    if conv.platform == "instagram":
        sender = next((ig for ig, u in g.ig_users.items() if u["page_id"] == obj), obj)
    mid = g._append_message(conv, sender, str(message["text"]), None, from_user=False)
    return {"recipient_id": recipient["id"], "message_id": mid}


ROUTES = {
    ("GET", "feed"): get_feed,
    ("POST", "feed"): post_feed,
    ("GET", "comments"): get_comments,
    ("POST", "comments"): post_comments,
    ("GET", "media"): get_media,
    ("GET", "replies"): get_replies,
    ("POST", "replies"): post_replies,
    ("GET", "conversations"): get_conversations,
    ("POST", "messages"): post_messages,
}
