"""One YouTube channel as a Veille connector: comment threads in, replies out, quota kept."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, NoReturn

import httpx

from bot.clock import Clock
from bot.connectors.backoff import Backoff
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
    RateLimited,
    same_text,
)
from bot.connectors.watermark import Watermark
from bot.connectors.youtube.auth import GoogleAuth, read_json
from bot.connectors.youtube.quota import INSERT_COST, LIST_COST, QuotaBudget

SCOPE = "https://www.googleapis.com/auth/youtube.force-ssl"
SHORT_THROTTLE_SECONDS = 60.0


class YouTubeConnector:
    network = "youtube"
    can_reply = True
    can_post = False  # a YouTube post is an upload

    def __init__(
        self,
        *,
        account: str,
        handle: str,
        channel_id: str,
        http: httpx.Client,
        auth: GoogleAuth,
        clock: Clock,
        budget: QuotaBudget,
        page_size: int,
        max_pages: int,
        backfill_seconds: int,
    ):
        self.account, self.handle, self.channel_id = account, handle, channel_id
        self._http, self._auth, self._clock, self.budget = http, auth, clock, budget
        self._page_size, self._max_pages, self._backfill = page_size, max_pages, backfill_seconds
        self._health = Health()
        self._backoff = Backoff()

    # -- reading ---------------------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> FetchResult:
        mark = Watermark.load(cursor, int(self._clock.now()) - self._backfill)
        messages: list[InboundMessage] = []
        page_token: str | None = None
        complete = False
        for page in range(self._max_pages):
            if not self.budget.can_poll(LIST_COST):
                if page == 0:
                    self._fail(
                        RateLimited(
                            self.budget.seconds_to_reset(),
                            (
                                f"YouTube quota kept for replies ({self.budget.remaining} units left, "
                                f"{self.budget.reserve} reserved)"
                            ),
                        )
                    )
                break  # deliver what we have; the old watermark makes the next fetch read the rest
            params = {
                "part": "snippet,replies",
                "allThreadsRelatedToChannelId": self.channel_id,
                "order": "time",
                "maxResults": self._page_size,
                "textFormat": "plainText",
            }
            if page_token:
                params["pageToken"] = page_token
            data = self._request(
                "GET", "/youtube/v3/commentThreads", LIST_COST, "listing comments", False, params=params
            )
            oldest = None
            for thread in data.get("items", []):
                top = thread["snippet"]["topLevelComment"]
                oldest = _published(top)
                for c in [top, *(thread.get("replies") or {}).get("comments", [])]:
                    if mark.is_new(_published(c), c["id"]):
                        messages.append(self._message(thread, c))
            page_token = data.get("nextPageToken")
            if not page_token or oldest is None or oldest <= mark.since:
                complete = True
                break
        else:
            complete = True  # a backlog deeper than max_pages: older threads are skipped
        messages.sort(key=lambda m: (m.created_at, m.id))
        new_cursor = mark.advanced(messages).dump() if complete else (cursor or mark.dump())
        return FetchResult(messages, new_cursor)

    def _message(self, thread: dict[str, Any], comment: dict[str, Any]) -> InboundMessage:
        s = comment["snippet"]
        video = thread["snippet"].get("videoId") or s.get("videoId")
        author_id = (s.get("authorChannelId") or {}).get("value", "")
        name = str(s.get("authorDisplayName", ""))
        parent = s.get("parentId")
        if video:
            url = f"https://www.youtube.com/watch?v={video}&lc={comment['id']}"
        else:
            url = (
                f"https://www.youtube.com/channel/{thread['snippet'].get('channelId', '')}?lc={comment['id']}"
            )
        return InboundMessage(
            id=comment["id"],
            network=self.network,
            account=self.account,
            kind="comment",
            author=Author(id=author_id, handle=name if name.startswith("@") else "", name=name),
            text=str(s.get("textOriginal") or s.get("textDisplay") or ""),
            url=url,
            created_at=_published(comment),
            thread_id=thread["id"],
            in_reply_to=parent,
            from_brand=author_id == self.channel_id,
            meta={
                "video_id": video,
                "reply_to_id": parent or comment["id"],
            },  # replies hang on the top comment
        )

    # -- publishing ------------------------------------------------------------------------------

    def publish_reply(self, req: PublishRequest) -> PublishResult:
        if req.in_reply_to is None:
            raise PublishRejected("a reply needs the comment it answers")
        parent_id = str(req.in_reply_to.meta.get("reply_to_id") or req.in_reply_to.id)
        if not self.budget.can_publish(INSERT_COST):
            self._fail(RateLimited(self.budget.seconds_to_reset(), "YouTube daily quota spent"))
        body = {"snippet": {"parentId": parent_id, "textOriginal": req.text}}
        data = self._request(
            "POST",
            "/youtube/v3/comments",
            INSERT_COST,
            "posting a reply",
            True,
            params={"part": "snippet"},
            json_body=body,
        )
        return PublishResult(external_id=str(data["id"]), url=_reply_url(req.in_reply_to, str(data["id"])))

    def publish_post(self, req: PublishRequest) -> PublishResult:
        raise PublishRejected("YouTube posts are uploads; not supported")

    def lookup(self, req: PublishRequest) -> PublishResult | None:
        """List the replies of the parent comment and match our channel's text."""
        if req.in_reply_to is None:
            return None
        parent_id = str(req.in_reply_to.meta.get("reply_to_id") or req.in_reply_to.id)
        if not self.budget.can_publish(LIST_COST):
            self._fail(RateLimited(self.budget.seconds_to_reset(), "YouTube daily quota spent"))
        data = self._request(
            "GET",
            "/youtube/v3/comments",
            LIST_COST,
            "looking up a reply",
            False,
            params={"part": "snippet", "parentId": parent_id, "maxResults": 100, "textFormat": "plainText"},
        )
        want = same_text(req.text)
        hits = [
            c
            for c in data.get("items", [])
            if (c["snippet"].get("authorChannelId") or {}).get("value") == self.channel_id
            and same_text(c["snippet"].get("textOriginal") or c["snippet"].get("textDisplay", "")) == want
        ]
        if not hits:
            return None
        newest = max(hits, key=_published)
        return PublishResult(
            external_id=str(newest["id"]), url=_reply_url(req.in_reply_to, str(newest["id"]))
        )

    # -- health and plumbing ---------------------------------------------------------------------

    def health(self) -> Health:
        h = self._health
        h.rate_limit_limit = self.budget.daily
        h.rate_limit_remaining = self.budget.remaining
        h.rate_limit_reset = self.budget.next_reset()
        if h.backoff_until and self._clock.now() >= h.backoff_until:
            h.backoff_until = None
        return Health(**vars(h))

    def close(self) -> None:
        self._http.close()

    def _request(
        self,
        method: str,
        path: str,
        cost: int,
        what: str,
        publishing: bool,
        *,
        params: dict[str, Any],
        json_body: Any = None,
    ) -> dict[str, Any]:
        for attempt in (1, 2):
            headers = self._headers(what, publishing)
            self.budget.spend(cost)  # Google charges every request, even a failing one
            try:
                resp = self._http.request(method, path, params=params, json=json_body, headers=headers)
            except httpx.HTTPError as e:
                if publishing:
                    self._fail(
                        PublishUnknown(
                            f"no answer from YouTube while {what} ({type(e).__name__}); the reply may exist"
                        ),
                        transient=True,
                    )
                self._fail(
                    ConnectorError(f"cannot reach YouTube while {what}: {type(e).__name__}: {e}"),
                    transient=True,
                )
            if resp.status_code == 401 and attempt == 1 and self._auth.can_refresh:
                self._auth.expire()  # an access token revoked or expired early: refresh once
                continue
            if resp.status_code < 300:
                self._backoff.succeeded()
                self._health.ok, self._health.last_success = True, self._clock.now()
                self._health.backoff_until = None
                return read_json(resp)
            self._fail(self._explain(resp, what, publishing), transient=resp.status_code >= 500)
        raise AssertionError("unreachable")

    def _headers(self, what: str, publishing: bool) -> dict[str, str]:
        try:
            return self._auth.header()
        except httpx.HTTPError as e:  # the token endpoint is unreachable: nothing was sent yet
            if publishing:
                self._fail(RateLimited(SHORT_THROTTLE_SECONDS, f"Google token endpoint unreachable ({e})"))
            self._fail(ConnectorError(f"cannot refresh the YouTube token while {what}: {e}"), transient=True)
        except ConnectorError as e:
            self._fail(PublishRejected(str(e)) if publishing else e)

    def _explain(self, resp: httpx.Response, what: str, publishing: bool) -> ConnectorError:
        err = read_json(resp).get("error") or {}
        reasons = {e.get("reason") for e in err.get("errors", []) if isinstance(e, dict)}
        detail = (
            f"HTTP {resp.status_code} {'/'.join(sorted(r for r in reasons if r))}: {err.get('message', '')}"
        )
        if "quotaExceeded" in reasons:
            self.budget.exhaust()
            return RateLimited(self.budget.seconds_to_reset(), f"YouTube quota exceeded while {what}")
        if resp.status_code == 429 or reasons & {"rateLimitExceeded", "userRateLimitExceeded"}:
            retry = float(resp.headers.get("Retry-After") or SHORT_THROTTLE_SECONDS)
            return RateLimited(retry, f"YouTube rate limit while {what}")
        if resp.status_code >= 500:
            if publishing:
                return PublishUnknown(f"YouTube failed while {what}; the reply may exist ({detail})")
            return ConnectorError(f"YouTube failed while {what} ({detail})")
        if resp.status_code == 401:
            msg = f"YouTube rejected the credentials while {what} ({detail}); authorise the app again"
        elif resp.status_code == 403 and reasons & {"insufficientPermissions", "forbidden"}:
            msg = f"YouTube refused {what} ({detail}); the token needs the scope {SCOPE}"
        else:
            msg = f"YouTube refused {what} ({detail})"
        return PublishRejected(msg) if publishing else ConnectorError(msg)

    def _fail(self, err: ConnectorError, transient: bool = False) -> NoReturn:
        """Record the failure; the poller waits until backoff_until (the quota reset or the server's
        wait after a limit, exponential after timeouts and 5xx, none after a refusal)."""
        now = self._clock.now()
        self._health.ok = False
        self._health.last_error, self._health.last_error_at = str(err), now
        if isinstance(err, RateLimited):
            self._health.backoff_until = self._backoff.failed(now, err.retry_after)
        elif transient:
            self._health.backoff_until = self._backoff.failed(now)
        raise err


def _published(comment: Mapping[str, Any]) -> int:
    raw = str(comment["snippet"]["publishedAt"]).replace("Z", "+00:00")
    return int(datetime.fromisoformat(raw).astimezone(UTC).timestamp())


def _reply_url(parent: InboundMessage, reply_id: str) -> str:
    video = parent.meta.get("video_id")
    return f"https://www.youtube.com/watch?v={video}&lc={reply_id}" if video else parent.url


def build(
    account: str,
    handle: str,
    options: dict[str, Any],
    env: Mapping[str, str],
    clock: Clock,
    transport: httpx.BaseTransport | None = None,
) -> YouTubeConnector:
    channel_id = str(options.get("channel_id") or "")
    if not channel_id:
        raise ConnectorError(f"account {account}: options.channel_id (UC...) is required for YouTube")

    def secret(key: str) -> str:
        name = options.get(key)
        return env.get(str(name), "") if name else ""

    creds = {k: secret(f"{k}_env") for k in ("client_id", "client_secret", "refresh_token")}
    access_token = secret("token_env")
    if not access_token and not all(creds.values()):
        raise ConnectorError(
            f"account {account}: set options.client_id_env, client_secret_env and refresh_token_env "
            "(or token_env) to environment variables holding the YouTube OAuth credentials (one is empty)"
        )
    http = httpx.Client(
        base_url=str(options.get("api_url", "https://www.googleapis.com")).rstrip("/"),
        transport=transport,
        timeout=float(options.get("timeout", 10.0)),
    )
    auth = GoogleAuth(
        http,
        clock,
        str(options.get("token_url", "https://oauth2.googleapis.com/token")),
        access_token=access_token,
        **creds,
    )
    budget = QuotaBudget(
        clock, int(options.get("daily_quota", 10_000)), int(options.get("reply_reserve", 20)) * INSERT_COST
    )
    return YouTubeConnector(
        account=account,
        handle=handle,
        channel_id=channel_id,
        http=http,
        auth=auth,
        clock=clock,
        budget=budget,
        page_size=int(options.get("page_size", 100)),
        max_pages=int(options.get("max_pages", 5)),
        backfill_seconds=int(options.get("backfill_seconds", 86_400)),
    )
