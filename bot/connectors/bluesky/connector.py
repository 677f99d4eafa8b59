"""The Bluesky connector: mentions, replies and quotes in; replies and posts out, exactly once."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any, NoReturn

import httpx

from bot.clock import Clock
from bot.connectors.backoff import Backoff, retry_after_seconds
from bot.connectors.base import (
    ConnectorError,
    FetchResult,
    Health,
    InboundMessage,
    PublishRejected,
    PublishRequest,
    PublishResult,
    PublishUnknown,
    RateLimited,
)
from bot.connectors.bluesky.mapping import NETWORK, notification_message, own_reply_message, sort_time
from bot.connectors.bluesky.records import (
    POST_COLLECTION,
    AtUri,
    iso_z,
    parse_time,
    post_url,
    rkey_for,
    strong_ref,
)
from bot.connectors.bluesky.watermark import FetchCursor, Page, collect_new
from bot.connectors.bluesky.xrpc import AuthFailed, XrpcClient, XrpcError
from bot.connectors.facets import MAX_GRAPHEMES, MAX_TEXT_BYTES, build_facets, grapheme_len

log = logging.getLogger(__name__)

PAGE_SIZE = 100  # the largest page listNotifications and getAuthorFeed give
REASONS = ["mention", "reply", "quote"]


class BlueskyConnector:
    network = NETWORK

    def __init__(
        self,
        account: str,
        client: XrpcClient,
        clock: Clock,
        langs: list[str] | None = None,
        overlap: float = 600.0,
        backfill: int = 100,
        backoff: Backoff | None = None,
    ):
        self.account = account
        self.client = client
        self._clock = clock
        self._langs = langs
        self._overlap = overlap
        self._backfill = backfill
        self._backoff = backoff or Backoff()
        self._health = Health()
        self._dids: dict[str, str | None] = {}  # handle -> DID, for mention facets

    # --- fetch -------------------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> FetchResult:
        """Mentions, replies and quotes of our account, plus our own replies to others (as
        from_brand), that earlier fetches did not return; oldest first."""
        state = FetchCursor.decode(cursor)
        try:
            did = self._session_did()
            notifications, n_mark = collect_new(
                self._notification_page, state.notifications, sort_time, _uri,
                self._overlap, self._backfill,
            )
            feed, f_mark = collect_new(
                self._own_feed_page(did), state.own_posts, _post_sort_time, _post_uri,
                self._overlap, self._backfill,
            )
        except (XrpcError, httpx.HTTPError, ValueError) as exc:  # ValueError: a body that is not JSON
            self._fetch_failed(exc)
        timed: list[tuple[float, InboundMessage]] = []
        for n in notifications:
            message = _mapped(notification_message, n, self.account)
            if message:
                timed.append((sort_time(n), message))
        for item in feed:
            message = _mapped(own_reply_message, item, self.account, did)
            if message:
                timed.append((_post_sort_time(item), message))
        timed.sort(key=lambda pair: pair[0])  # stable: equal times keep the listing's order
        self._succeeded()
        return FetchResult([m for _, m in timed], FetchCursor(n_mark, f_mark).encode())

    def _notification_page(self, page_cursor: str | None) -> Page:
        params: dict[str, Any] = {"limit": PAGE_SIZE, "reasons": REASONS}
        if page_cursor:
            params["cursor"] = page_cursor
        out = self.client.query("app.bsky.notification.listNotifications", params)
        self._note_rate_limit()
        return out.get("notifications") or [], out.get("cursor")

    def _own_feed_page(self, did: str) -> Callable[[str | None], Page]:
        def page(page_cursor: str | None) -> Page:
            params: dict[str, Any] = {"actor": did, "limit": PAGE_SIZE, "filter": "posts_with_replies"}
            if page_cursor:
                params["cursor"] = page_cursor
            out = self.client.query("app.bsky.feed.getAuthorFeed", params)
            self._note_rate_limit()
            return out.get("feed") or [], out.get("cursor")

        return page

    def _fetch_failed(self, exc: Exception) -> NoReturn:
        if isinstance(exc, XrpcError) and exc.status == 429:
            retry_after = self._rate_limited(exc)
            raise RateLimited(retry_after, "Bluesky rate limit") from exc
        message = _describe(exc)
        self._failed(message)
        raise ConnectorError(f"Bluesky fetch failed: {message}") from exc

    # --- publish -----------------------------------------------------------------------------

    def publish_reply(self, req: PublishRequest) -> PublishResult:
        if req.in_reply_to is None:
            raise PublishRejected("a reply needs the message it replies to")
        return self._publish(req, reply_to=req.in_reply_to)

    def publish_post(self, req: PublishRequest) -> PublishResult:
        return self._publish(req, reply_to=None)

    def _publish(self, req: PublishRequest, reply_to: InboundMessage | None) -> PublishResult:
        _check_text(req.text)
        rkey = rkey_for(req.idempotency_key)
        try:
            did = self._session_did()
            record = self._post_record(req.text, reply_to)
        except (XrpcError, httpx.HTTPError) as exc:
            self._preparation_failed(exc)
        body = {"repo": did, "collection": POST_COLLECTION, "rkey": rkey, "record": record}
        try:
            out = self.client.procedure("com.atproto.repo.createRecord", body)
            uri = str(out["uri"])
        except (httpx.HTTPError, ValueError, KeyError) as exc:  # no answer, or one we cannot read
            self._failed(_describe(exc))
            raise PublishUnknown(f"Bluesky publish outcome unknown: {_describe(exc)}") from exc
        except XrpcError as exc:
            return self._after_refusal(exc, rkey)
        self._note_rate_limit()
        self._succeeded()
        return PublishResult(uri, self._url(uri))

    def _after_refusal(self, exc: XrpcError, rkey: str) -> PublishResult:
        """createRecord said no. If our record key is already taken, an earlier attempt of the
        same publish got through (the PDS answers 500 to a duplicate create): that is success."""
        if exc.status == 429:
            raise RateLimited(self._rate_limited(exc), "Bluesky rate limit") from exc
        if isinstance(exc, AuthFailed):  # the session could not be renewed: nothing was accepted
            raise PublishRejected(f"Bluesky refused: {exc}") from exc
        try:
            existing = self._find(rkey)
        except (XrpcError, httpx.HTTPError) as lookup_exc:
            self._failed(_describe(lookup_exc))
            raise PublishUnknown(f"Bluesky publish outcome unknown: {exc}") from exc
        if existing:
            log.info("bluesky: record %s already exists; the earlier attempt published it", rkey)
            return existing
        if exc.status >= 500:
            self._failed(_describe(exc))
            raise PublishUnknown(f"Bluesky publish outcome unknown: {exc}") from exc
        raise PublishRejected(f"Bluesky refused the post: {exc}") from exc

    def _preparation_failed(self, exc: Exception) -> NoReturn:
        """Nothing was sent yet; still, only a definite refusal is reported as one."""
        if isinstance(exc, XrpcError) and exc.status == 429:
            raise RateLimited(self._rate_limited(exc), "Bluesky rate limit") from exc
        if isinstance(exc, AuthFailed) or (isinstance(exc, XrpcError) and 400 <= exc.status < 500):
            raise PublishRejected(f"Bluesky refused: {exc}") from exc
        self._failed(_describe(exc))
        raise PublishUnknown(f"Bluesky unreachable before publishing: {_describe(exc)}") from exc

    def _post_record(self, text: str, reply_to: InboundMessage | None) -> dict[str, Any]:
        record: dict[str, Any] = {"$type": POST_COLLECTION, "text": text, "createdAt": iso_z(self._clock.now())}
        facets = build_facets(text, self._resolve_handle)
        if facets:
            record["facets"] = facets
        if self._langs:
            record["langs"] = list(self._langs)
        if reply_to is not None:
            record["reply"] = self._reply_refs(reply_to)
        return record

    def _reply_refs(self, message: InboundMessage) -> dict[str, Any]:
        """root = the thread's root post, parent = the post we answer; both uri+cid."""
        meta = message.meta or {}
        if meta.get("uri") and meta.get("cid") and meta.get("root"):
            root = meta["root"]
            return {"root": strong_ref(root["uri"], root["cid"]), "parent": strong_ref(meta["uri"], meta["cid"])}
        # Not from our fetch (e.g. ingested elsewhere): read the post to learn its refs.
        try:
            uri = AtUri.parse(message.id)
        except ValueError:
            raise PublishRejected(f"cannot reply on Bluesky to {message.id!r}: not a post at-uri") from None
        out = self.client.query(
            "com.atproto.repo.getRecord",
            {"repo": uri.repo, "collection": uri.collection, "rkey": uri.rkey}, auth=False,
        )
        parent = strong_ref(out["uri"], out["cid"])
        root = ((out.get("value") or {}).get("reply") or {}).get("root") or parent
        return {"root": strong_ref(root["uri"], root["cid"]), "parent": parent}

    def _resolve_handle(self, handle: str) -> str | None:
        key = handle.lower()
        if key not in self._dids:
            try:
                out = self.client.query("com.atproto.identity.resolveHandle", {"handle": key}, auth=False)
                self._dids[key] = out.get("did")
            except XrpcError as exc:
                if exc.status != 400:
                    raise
                self._dids[key] = None  # unknown handle: the mention stays plain text
            if len(self._dids) > 1000:
                self._dids.pop(next(iter(self._dids)))
        return self._dids[key]

    # --- lookup ------------------------------------------------------------------------------

    def lookup(self, req: PublishRequest) -> PublishResult | None:
        try:
            return self._find(rkey_for(req.idempotency_key))
        except (XrpcError, httpx.HTTPError) as exc:
            raise ConnectorError(f"Bluesky lookup failed: {_describe(exc)}") from exc

    def _find(self, rkey: str) -> PublishResult | None:
        did = self._session_did()
        try:
            out = self.client.query(
                "com.atproto.repo.getRecord",
                {"repo": did, "collection": POST_COLLECTION, "rkey": rkey}, auth=False,
            )
        except XrpcError as exc:
            if exc.status == 400 and exc.error == "RecordNotFound":
                return None
            raise
        return PublishResult(out["uri"], self._url(out["uri"]))

    # --- health ------------------------------------------------------------------------------

    def health(self) -> Health:
        return dataclasses.replace(self._health, backoff_until=self._backoff.until)

    def _succeeded(self) -> None:
        self._backoff.succeeded()
        self._health.ok = True
        self._health.last_success = self._clock.now()

    def _failed(self, message: str, retry_after: float | None = None) -> None:
        now = self._clock.now()
        self._backoff.failed(now, retry_after)
        self._health.ok = False
        self._health.last_error = message
        self._health.last_error_at = now
        log.warning("bluesky %s: %s (backing off until %.0f)", self.account, message, self._backoff.until)

    def _rate_limited(self, exc: XrpcError) -> float:
        now = self._clock.now()
        self._note_rate_limit()
        retry_after = retry_after_seconds(exc.headers, now)
        if retry_after is None:
            retry_after = self._backoff.delay(self._backoff.failures)
        self._failed(f"rate limited on {exc.nsid}", retry_after)
        return retry_after

    def _note_rate_limit(self) -> None:
        state = self.client.rate_limit
        if state:
            self._health.rate_limit_limit = state.limit
            self._health.rate_limit_remaining = state.remaining
            self._health.rate_limit_reset = state.reset

    # --- helpers -----------------------------------------------------------------------------

    def _session_did(self) -> str:
        return (self.client.session or self.client.login()).did

    def _url(self, uri: str) -> str:
        session = self.client.session
        return post_url(session.handle if session else "", AtUri.parse(uri).repo, uri)


def _mapped(mapper: Callable[..., InboundMessage | None], *args: Any) -> InboundMessage | None:
    """One malformed item (a third-party client wrote something odd) is skipped, not fatal."""
    try:
        return mapper(*args)
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        log.warning("bluesky: skipping an item that cannot be read (%s: %s)", type(exc).__name__, exc)
        return None


def _check_text(text: str) -> None:
    if not text.strip():
        raise PublishRejected("empty post")
    if grapheme_len(text) > MAX_GRAPHEMES:
        raise PublishRejected(f"post is {grapheme_len(text)} characters; Bluesky allows {MAX_GRAPHEMES}")
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise PublishRejected(f"post is over Bluesky's {MAX_TEXT_BYTES}-byte limit")


def _describe(exc: Exception) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"timeout ({type(exc).__name__})"
    if isinstance(exc, httpx.HTTPError):
        return f"network error ({type(exc).__name__}: {exc})"
    if isinstance(exc, XrpcError):
        return str(exc)
    return f"unreadable answer ({type(exc).__name__}: {exc})"


def _uri(view: dict[str, Any]) -> str:
    return view["uri"]


def _post_uri(item: dict[str, Any]) -> str:
    return (item.get("post") or {}).get("uri", "")


def _post_sort_time(item: dict[str, Any]) -> float:
    """Where the author feed sorts an item: a repost at its own time, a post at the post's."""
    reposted = parse_time((item.get("reason") or {}).get("indexedAt"))
    return reposted if reposted is not None else sort_time(item.get("post") or {})
