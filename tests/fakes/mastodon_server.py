"""A Mastodon server stand-in, shaped after docs.joinmastodon.org (REST API v1).

Endpoints: GET /api/v1/accounts/verify_credentials, GET /api/v1/notifications,
GET /api/v1/accounts/:id/statuses, GET /api/v1/statuses/:id, GET /api/v1/statuses/:id/context,
POST /api/v1/statuses (form or JSON, Idempotency-Key kept one hour).

Behaviour copied from the real server: Bearer tokens with scopes (401 `{"error": "The access token
is invalid"}`, 403 outside the scopes), 300 requests per 5-minute window per token with
`X-RateLimit-Limit/Remaining/Reset` (reset as an ISO 8601 instant) and 429
`{"error": "Too many requests"}`, newest-first pages with `max_id/since_id/min_id/limit` and a
Link header (next = older via max_id, prev = newer via min_id), snowflake-like status ids,
status content rendered as HTML with mentions as h-card links showing only @username, the
author's own statuses list including direct ones, 422 validation errors.
"""

from __future__ import annotations

import html
import math
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from tests.fakes import FakeServer, Reply, Request

DOMAIN = "social.example"
WINDOW = 300
_MENTION = re.compile(r"(?<![\w@])@(\w+)(?:@([\w.-]+\w))?")
_URL = re.compile(r"https?://\S+")
_TOKEN = re.compile(r"https?://\S+|" + _MENTION.pattern)  # one pass: links are not re-linked


def _anchor(url: str) -> str:
    return f'<a href="{url}" rel="nofollow noopener" target="_blank">{url}</a>'


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(t * 1000) % 1000:03d}Z"


class MastodonServer(FakeServer):
    def __init__(self, clock: Any, *, token: str = "brand-token", scopes: str = "read write",
                 rate_limit: int = 300, max_chars: int = 500, username: str = "brand"):
        super().__init__(clock)
        self.rate_limit = rate_limit
        self.max_chars = max_chars
        self.accounts: dict[str, dict] = {}
        self.statuses: dict[str, dict] = {}
        self.notifications: list[dict] = []  # for the brand account
        self.tokens: dict[str, tuple[str, set[str]]] = {}
        self.idempotency: dict[tuple[str, str], tuple[str, float]] = {}
        self._window_counts: dict[tuple[str, int], int] = {}
        self._seq = 0
        self._notification_seq = 1000
        self.brand = self.add_account(username, "The Brand")
        self.tokens[token] = (self.brand["id"], set(scopes.split()))

    # -- test helpers -----------------------------------------------------------------------------

    def add_account(self, username: str, display_name: str = "", domain: str | None = None) -> dict:
        with self.lock:
            host = domain or DOMAIN
            account = {
                "id": str(len(self.accounts) + 1),
                "username": username,
                "acct": f"{username}@{domain}" if domain else username,
                "display_name": display_name,
                "url": f"https://{host}/@{username}",
                "locked": False,
                "bot": False,
                "created_at": iso(self.clock.now()),
            }
            self.accounts[account["id"]] = account
            return account

    def post_status(self, author: dict, text: str, *, visibility: str = "public",
                    in_reply_to: dict | None = None) -> dict:
        """A status by anyone; a mention of the brand notifies the brand, as on Mastodon."""
        with self.lock:
            return self._create_status(author, text, visibility, in_reply_to["id"] if in_reply_to else None)

    def public(self, status: dict) -> dict:
        return {k: v for k, v in status.items() if not k.startswith("_")}

    def brand_statuses(self) -> list[dict]:
        with self.lock:
            return [s for s in self.statuses.values() if s["account"]["id"] == self.brand["id"]]

    # -- ids, rendering ---------------------------------------------------------------------------

    def _next_id(self) -> str:
        # Snowflake-like: milliseconds << 16 plus a sequence, so ids grow with time.
        self._seq += 1
        return str((int(self.clock.now() * 1000) << 16) + self._seq)

    def _render(self, text: str) -> tuple[str, list[dict]]:
        mentioned: list[dict] = []

        def link(match: re.Match) -> str:
            username, domain = match.group(1), match.group(2)
            acct = f"{username}@{domain}" if domain and domain != DOMAIN else username
            account = next((a for a in self.accounts.values() if a["acct"].lower() == acct.lower()), None)
            if account is None:
                return match.group(0)
            mentioned.append({"id": account["id"], "username": account["username"],
                              "acct": account["acct"], "url": account["url"]})
            return (f'<span class="h-card" translate="no"><a href="{account["url"]}" class="u-url mention">'
                    f'@<span>{account["username"]}</span></a></span>')

        paragraphs = []
        for paragraph in re.split(r"\n{2,}", text.strip()):
            escaped = _TOKEN.sub(lambda m: link(m) if m.group(1) else _anchor(m.group(0)), html.escape(paragraph, quote=False))
            paragraphs.append("<p>" + escaped.replace("\n", "<br />") + "</p>")
        return "".join(paragraphs), mentioned

    def _create_status(self, author: dict, text: str, visibility: str, in_reply_to_id: str | None) -> dict:
        status_id = self._next_id()
        content, mentions = self._render(text)
        parent = self.statuses.get(in_reply_to_id) if in_reply_to_id else None
        host = author["url"].split("/")[2]
        status = {
            "id": status_id,
            "created_at": iso(self.clock.now()),
            "in_reply_to_id": in_reply_to_id,
            "in_reply_to_account_id": parent["account"]["id"] if parent else None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": visibility,
            "language": "en",
            "uri": f"https://{host}/users/{author['username']}/statuses/{status_id}",
            "url": f"https://{host}/@{author['username']}/{status_id}",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "edited_at": None,
            "content": content,
            "reblog": None,
            "account": author,
            "media_attachments": [],
            "mentions": mentions,
            "tags": [],
            "emojis": [],
            "_text": text,
        }
        self.statuses[status_id] = status
        if parent:
            parent["replies_count"] += 1
        mentions_brand = any(m["id"] == self.brand["id"] for m in mentions)
        if author["id"] != self.brand["id"] and mentions_brand:
            self._notification_seq += 1
            self.notifications.append({
                "id": str(self._notification_seq),
                "type": "mention",
                "created_at": status["created_at"],
                "account": author,
                "status": status,
            })
        return status

    # -- HTTP -------------------------------------------------------------------------------------

    def _rate_headers(self, token: str) -> tuple[dict[str, str], bool]:
        window = math.floor(self.clock.now() / WINDOW) * WINDOW
        key = (token, window)
        self._window_counts[key] = self._window_counts.get(key, 0) + 1
        used = self._window_counts[key]
        headers = {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": str(max(0, self.rate_limit - used)),
            "X-RateLimit-Reset": datetime.fromtimestamp(window + WINDOW, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
        }
        return headers, used > self.rate_limit

    def error_reply(self, status: int) -> Reply:
        if status == 429:
            window = math.floor(self.clock.now() / WINDOW) * WINDOW
            reset = datetime.fromtimestamp(window + WINDOW, UTC).isoformat().replace("+00:00", "Z")
            return Reply(429, {"error": "Too many requests"}, {
                "X-RateLimit-Limit": str(self.rate_limit), "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
        return Reply(status, {"error": "We're sorry, but something went wrong on our end."})

    def handle(self, request: Request) -> Reply:
        with self.lock:
            auth = request.headers.get("authorization", "")
            token = auth[7:] if auth.startswith("Bearer ") else ""
            if token not in self.tokens:
                return Reply(401, {"error": "The access token is invalid"})
            headers, limited = self._rate_headers(token)
            if limited:
                return Reply(429, {"error": "Too many requests"}, headers)
            account_id, scopes = self.tokens[token]
            reply = self._route(request, self.accounts[account_id], scopes)
            reply.headers = {**headers, **reply.headers}
            return reply

    @staticmethod
    def _allowed(scopes: set[str], *needed: str) -> bool:
        return any(s in scopes or s.split(":")[0] in scopes for s in needed)

    def _route(self, request: Request, me: dict, scopes: set[str]) -> Reply:
        path, method = request.path, request.method
        outside = Reply(403, {"error": "This action is outside the authorized scopes"})
        if method == "GET" and path == "/api/v1/accounts/verify_credentials":
            if not self._allowed(scopes, "read:accounts", "profile"):
                return outside
            return Reply(200, {**me, "source": {"privacy": "public", "note": ""}})
        if method == "GET" and path == "/api/v1/notifications":
            if not self._allowed(scopes, "read:notifications"):
                return outside
            types = set(request.query.get("types[]", []))
            excluded = set(request.query.get("exclude_types[]", []))
            items = [n for n in self.notifications if (not types or n["type"] in types) and n["type"] not in excluded]
            return self._page(request, items, {"types[]": sorted(types)} if types else {}, limit=40, cap=80)
        match = re.fullmatch(r"/api/v1/accounts/(\w+)/statuses", path)
        if method == "GET" and match:
            if not self._allowed(scopes, "read:statuses"):
                return outside
            owner = match.group(1)
            if owner not in self.accounts:
                return Reply(404, {"error": "Record not found"})
            # The author sees all their statuses, direct ones included (as Mastodon does).
            items = [s for s in self.statuses.values() if s["account"]["id"] == owner
                     and (owner == me["id"] or s["visibility"] in ("public", "unlisted"))]
            return self._page(request, items, {}, limit=20, cap=40)
        match = re.fullmatch(r"/api/v1/statuses/(\w+)(/context)?", path)
        if method == "GET" and match:
            if not self._allowed(scopes, "read:statuses"):
                return outside
            status = self.statuses.get(match.group(1))
            if status is None:
                return Reply(404, {"error": "Record not found"})
            if not match.group(2):
                return Reply(200, self.public(status))
            ancestors = []
            parent = self.statuses.get(status["in_reply_to_id"] or "")
            while parent is not None:
                ancestors.insert(0, self.public(parent))
                parent = self.statuses.get(parent["in_reply_to_id"] or "")
            descendants = [self.public(s) for s in self.statuses.values() if s["in_reply_to_id"] == status["id"]]
            return Reply(200, {"ancestors": ancestors, "descendants": descendants})
        if method == "POST" and path == "/api/v1/statuses":
            if not self._allowed(scopes, "write:statuses"):
                return outside
            return self._post_status(request, me)
        return Reply(404, {"error": "Record not found"})

    def _post_status(self, request: Request, me: dict) -> Reply:
        key = request.headers.get("idempotency-key")
        now = self.clock.now()
        if key:
            seen = self.idempotency.get((me["id"], key))
            if seen and now - seen[1] < 3600:
                return Reply(200, self.public(self.statuses[seen[0]]))
        form = request.form()
        text = form.get("status", "")
        visibility = form.get("visibility") or "public"
        if not text.strip():
            return Reply(422, {"error": "Validation failed: Text can't be blank"})
        counted = _URL.sub("x" * 23, text)
        counted = _MENTION.sub(lambda m: "@" + m.group(1), counted)
        if len(counted) > self.max_chars:
            return Reply(422, {"error": f"Validation failed: Text character limit of {self.max_chars} exceeded"})
        if visibility not in ("public", "unlisted", "private", "direct"):
            return Reply(422, {"error": "Validation failed: Visibility is not included in the list"})
        in_reply_to_id = form.get("in_reply_to_id") or None
        if in_reply_to_id and in_reply_to_id not in self.statuses:
            return Reply(404, {"error": "Record not found"})
        status = self._create_status(me, text, visibility, in_reply_to_id)
        if key:
            self.idempotency[(me["id"], key)] = (status["id"], now)
        return Reply(200, self.public(status))

    def _page(self, request: Request, items: list[dict], keep: dict[str, Any], *, limit: int, cap: int) -> Reply:
        def key(item: dict) -> int:
            return int(item["id"])

        try:
            size = max(1, min(cap, int(request.arg("limit") or limit)))
        except ValueError:
            size = limit
        max_id, since_id, min_id = (request.arg(n) for n in ("max_id", "since_id", "min_id"))
        chosen = sorted(
            (i for i in items
             if (max_id is None or key(i) < int(max_id))
             and (since_id is None or key(i) > int(since_id))
             and (min_id is None or key(i) > int(min_id))),
            key=key,
            reverse=True,
        )
        # min_id: the page right after min_id (oldest first), still returned newest first.
        page = sorted(chosen, key=key)[:size][::-1] if min_id is not None else chosen[:size]
        headers = {}
        if page:
            base = f"https://{DOMAIN}{request.path}"
            common = {**keep, "limit": str(size)}
            older = urlencode({**common, "max_id": page[-1]["id"]}, doseq=True)
            newer = urlencode({**common, "min_id": page[0]["id"]}, doseq=True)
            headers["Link"] = f'<{base}?{older}>; rel="next", <{base}?{newer}>; rel="prev"'
        return Reply(200, [self.public(i) if "content" in i else self._public_notification(i) for i in page], headers)

    def _public_notification(self, notification: dict) -> dict:
        return {**notification, "status": self.public(notification["status"])}
