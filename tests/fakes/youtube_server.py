"""A local YouTube Data API v3 (comment threads, comments) plus Google's OAuth token endpoint.

It issues access tokens from refresh tokens (expiring on the injected clock), checks bearer
tokens and scopes, charges quota units per Pacific day (list 1, insert 50) and answers
`quotaExceeded` past the daily limit, pages with nextPageToken and answers Google's error bodies.
Failures on demand come from `FakeServer.fail(...)` (answered with a `backendError` body).

Usage:
    with FakeYouTube(clock) as yt:
        yt.add_client("cid", "csecret", "refresh-1", channel_id=OUR_CHANNEL)
        thread = yt.add_comment(OUR_CHANNEL, "vid1", ("UCfan", "@fan"), "Great video")
"""

from __future__ import annotations

import base64
import itertools
import time as _time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakes import FakeServer, Reply, Request

PACIFIC = ZoneInfo("America/Los_Angeles")
FORCE_SSL = "https://www.googleapis.com/auth/youtube.force-ssl"
READONLY = "https://www.googleapis.com/auth/youtube.readonly"
COSTS = {
    ("GET", "/youtube/v3/commentThreads"): 1,
    ("GET", "/youtube/v3/comments"): 1,
    ("POST", "/youtube/v3/comments"): 50,
}


def rfc3339(epoch: float) -> str:
    return _time.strftime("%Y-%m-%dT%H:%M:%SZ", _time.gmtime(epoch))


@dataclass
class Comment:
    id: str
    channel_id: str  # the channel the video belongs to
    video_id: str
    author_id: str
    author_name: str
    text: str
    published: float
    parent_id: str | None = None
    replies: list[str] = field(default_factory=list)


class ApiError(Exception):
    def __init__(self, status: int, reason: str, message: str, domain: str = "youtube.api"):
        super().__init__(message)
        self.status, self.reason, self.message, self.domain = status, reason, message, domain

    def body(self) -> dict[str, Any]:
        status_names = {
            400: "INVALID_ARGUMENT",
            401: "UNAUTHENTICATED",
            403: "PERMISSION_DENIED",
            404: "NOT_FOUND",
            500: "INTERNAL",
            503: "UNAVAILABLE",
        }
        return {
            "error": {
                "code": self.status,
                "message": self.message,
                "errors": [{"message": self.message, "domain": self.domain, "reason": self.reason}],
                "status": status_names.get(self.status, "UNKNOWN"),
            }
        }


class FakeYouTube(FakeServer):
    def __init__(self, clock, daily_quota: int = 10_000):
        super().__init__(clock)
        self.daily_quota = daily_quota
        self.comments: dict[str, Comment] = {}
        self.clients: dict[str, dict[str, Any]] = {}  # refresh token -> client, channel, scopes
        self.tokens: dict[str, dict[str, Any]] = {}  # access token -> channel, scopes, expires
        self.quota_used: dict[str, int] = {}  # Pacific date -> units
        self._ids = itertools.count(1)

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/token"

    # -- state set-up ------------------------------------------------------------------------------

    def add_client(
        self,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        channel_id: str,
        scopes: tuple[str, ...] = (FORCE_SSL,),
    ) -> None:
        self.clients[refresh_token] = {
            "client_id": client_id,
            "client_secret": client_secret,
            "channel_id": channel_id,
            "scopes": scopes,
        }

    def revoke(self, refresh_token: str) -> None:
        self.clients.pop(refresh_token, None)
        self.tokens.clear()

    def add_comment(
        self, channel_id: str, video_id: str, author: tuple[str, str], text: str, at: float | None = None
    ) -> str:
        """A top-level comment; its id is also its thread's id."""
        with self.lock:
            cid = f"Ugz{next(self._ids):06d}"
            self.comments[cid] = Comment(
                cid, channel_id, video_id, *author, text, self.clock.now() if at is None else at
            )
            return cid

    def add_reply(self, parent_id: str, author: tuple[str, str], text: str, at: float | None = None) -> str:
        with self.lock:
            parent = self.comments[parent_id]
            rid = f"{parent_id}.{next(self._ids):06d}"
            self.comments[rid] = Comment(
                rid,
                parent.channel_id,
                parent.video_id,
                *author,
                text,
                self.clock.now() if at is None else at,
                parent_id=parent_id,
            )
            parent.replies.append(rid)
            return rid

    def replies_by(self, channel_id: str) -> list[Comment]:
        return [c for c in self.comments.values() if c.parent_id and c.author_id == channel_id]

    def used_today(self) -> int:
        return self.quota_used.get(self._day(), 0)

    # -- internals ---------------------------------------------------------------------------------

    def _day(self) -> str:
        return datetime.fromtimestamp(self.clock.now(), PACIFIC).date().isoformat()

    def charge(self, cost: int) -> None:
        with self.lock:
            day = self._day()
            if self.quota_used.get(day, 0) + cost > self.daily_quota:
                raise ApiError(
                    403,
                    "quotaExceeded",
                    "The request cannot be completed because you have exceeded "
                    'your <a href="/youtube/v3/getting-started#quota">quota</a>.',
                    domain="youtube.quota",
                )
            self.quota_used[day] = self.quota_used.get(day, 0) + cost

    def resource(self, c: Comment) -> dict[str, Any]:
        snippet: dict[str, Any] = {
            "channelId": c.channel_id,
            "videoId": c.video_id,
            "textDisplay": c.text,
            "textOriginal": c.text,
            "authorDisplayName": c.author_name,
            "authorProfileImageUrl": "https://yt3.ggpht.com/a.jpg",
            "authorChannelUrl": f"http://www.youtube.com/{c.author_name}",
            "authorChannelId": {"value": c.author_id},
            "canRate": True,
            "viewerRating": "none",
            "likeCount": 0,
            "publishedAt": rfc3339(c.published),
            "updatedAt": rfc3339(c.published),
        }
        if c.parent_id:
            snippet["parentId"] = c.parent_id
        return {"kind": "youtube#comment", "etag": f"e{c.id}", "id": c.id, "snippet": snippet}

    # -- HTTP --------------------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        if (request.method, request.path) == ("POST", "/token"):
            return Reply(*_token(self, request.form()))
        query = {k: v[0] for k, v in request.query.items()}
        try:
            grant = self._authenticate(request.headers.get("authorization", ""))
            route = ROUTES.get((request.method, request.path))
            if route is None:
                raise ApiError(404, "notFound", "Not Found", domain="global")
            self.charge(COSTS[(request.method, request.path)])
            return Reply(200, route(self, query, request.json() or {}, grant))
        except ApiError as e:
            return Reply(e.status, e.body())

    def error_reply(self, status: int) -> Reply:
        return Reply(
            status,
            ApiError(status, "backendError", "The service is currently unavailable.", domain="global").body(),
        )

    def _authenticate(self, authorization: str) -> dict[str, Any]:
        token = authorization.removeprefix("Bearer ").strip() if authorization.startswith("Bearer ") else ""
        grant = self.tokens.get(token)
        if grant is None or self.clock.now() >= grant["expires"]:
            raise ApiError(
                401,
                "authError",
                "Request had invalid authentication credentials. Expected OAuth 2 "
                "access token, login cookie or other valid authentication credential.",
                domain="global",
            )
        return grant


def _token(yt: FakeYouTube, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
    if form.get("grant_type") != "refresh_token":
        return 400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"}
    client = yt.clients.get(form.get("refresh_token", ""))
    if client is None:
        return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
    if (client["client_id"], client["client_secret"]) != (form.get("client_id"), form.get("client_secret")):
        return 401, {"error": "invalid_client", "error_description": "Unauthorized"}
    token = f"ya29.{next(yt._ids)}"
    yt.tokens[token] = {
        "channel_id": client["channel_id"],
        "scopes": client["scopes"],
        "expires": yt.clock.now() + 3599,
    }
    return 200, {
        "access_token": token,
        "expires_in": 3599,
        "scope": " ".join(client["scopes"]),
        "token_type": "Bearer",
    }


def _page_offset(query: dict[str, str]) -> int:
    token = query.get("pageToken")
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("offset:"))
    except ValueError:
        raise ApiError(400, "invalidPageToken", "The request specifies an invalid page token.") from None


def _max_results(query: dict[str, str], default: int) -> int:
    n = int(query.get("maxResults", default))
    if not 1 <= n <= 100:
        raise ApiError(400, "invalidValue", "maxResults must be between 1 and 100")
    return n


def list_threads(yt: FakeYouTube, query: dict[str, str], body: Any, grant: dict[str, Any]) -> dict[str, Any]:
    parts = set(query.get("part", "").split(","))
    if "snippet" not in parts and "id" not in parts:
        raise ApiError(400, "missingRequiredParameter", "No filter selected. Expected one of: part")
    channel = query.get("allThreadsRelatedToChannelId")
    if not channel:
        raise ApiError(
            400,
            "missingRequiredParameter",
            "No filter selected. Expected one of: allThreadsRelatedToChannelId, channelId, id, videoId",
        )
    threads = [c for c in yt.comments.values() if c.parent_id is None and c.channel_id == channel]
    if query.get("order", "time") == "time":
        threads.sort(key=lambda c: (c.published, c.id), reverse=True)
    start, size = _page_offset(query), _max_results(query, 20)
    page = threads[start : start + size]
    items = []
    for c in page:
        item: dict[str, Any] = {
            "kind": "youtube#commentThread",
            "etag": f"t{c.id}",
            "id": c.id,
            "snippet": {
                "channelId": c.channel_id,
                "videoId": c.video_id,
                "topLevelComment": yt.resource(c),
                "canReply": True,
                "totalReplyCount": len(c.replies),
                "isPublic": True,
            },
        }
        if "replies" in parts and c.replies:
            item["replies"] = {"comments": [yt.resource(yt.comments[r]) for r in c.replies]}
        items.append(item)
    out: dict[str, Any] = {
        "kind": "youtube#commentThreadListResponse",
        "etag": "list",
        "pageInfo": {"totalResults": len(page), "resultsPerPage": size},
        "items": items,
    }
    if start + size < len(threads):
        out["nextPageToken"] = base64.urlsafe_b64encode(f"offset:{start + size}".encode()).decode()
    return out


def list_comments(yt: FakeYouTube, query: dict[str, str], body: Any, grant: dict[str, Any]) -> dict[str, Any]:
    parent = yt.comments.get(query.get("parentId", ""))
    if parent is None:
        raise ApiError(
            404,
            "commentNotFound",
            "One or more of the comments identified by the request's id parameter could not be found.",
        )
    replies = [yt.resource(yt.comments[r]) for r in parent.replies][: _max_results(query, 20)]
    return {"kind": "youtube#commentListResponse", "etag": "list", "items": replies}


def insert_comment(
    yt: FakeYouTube, query: dict[str, str], body: Any, grant: dict[str, Any]
) -> dict[str, Any]:
    if FORCE_SSL not in grant["scopes"]:
        raise ApiError(
            403, "insufficientPermissions", "Request had insufficient authentication scopes.", domain="global"
        )
    if query.get("part") != "snippet":
        raise ApiError(400, "missingRequiredParameter", "Required parameter: part")
    snippet = (body or {}).get("snippet") or {}
    if not snippet.get("parentId"):
        raise ApiError(400, "parentIdMissing", "The comment must be linked to a parent comment.")
    if not snippet.get("textOriginal"):
        raise ApiError(
            400, "commentTextRequired", "The comment resource must contain a snippet.textOriginal."
        )
    parent = yt.comments.get(snippet["parentId"])
    if parent is None:
        raise ApiError(404, "parentCommentNotFound", "The specified parent comment could not be found.")
    if parent.parent_id is not None:
        raise ApiError(400, "operationNotSupported", "Replies can only be made to top-level comments.")
    rid = yt.add_reply(parent.id, (grant["channel_id"], "@ourbrand"), snippet["textOriginal"])
    return yt.resource(yt.comments[rid])


ROUTES = {
    ("GET", "/youtube/v3/commentThreads"): list_threads,
    ("GET", "/youtube/v3/comments"): list_comments,
    ("POST", "/youtube/v3/comments"): insert_comment,
}
