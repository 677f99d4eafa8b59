"""One Facebook Page or one Instagram professional account as a Veille connector."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NoReturn, TypeVar

import httpx

from bot.clock import Clock
from bot.connectors.backoff import Backoff
from bot.connectors.base import (
    ConnectorError,
    FetchResult,
    Health,
    InboundMessage,
    PublishRejected,
    PublishRequest,
    PublishResult,
    RateLimited,
    same_text,
)
from bot.connectors.meta import polling
from bot.connectors.meta.graph import GraphClient, GraphError, explain, transport_failure
from bot.connectors.watermark import Watermark

T = TypeVar("T")
DEFAULT_GRAPH_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v21.0"
LOOKUP_WINDOW = 50  # our recent comments / messages read back when reconciling


class MetaConnector:
    can_reply = True

    @property
    def can_post(self) -> bool:
        return self.network != "instagram"  # Instagram posts need an image or a video

    def __init__(
        self,
        *,
        network: str,
        account: str,
        handle: str,
        graph: GraphClient,
        clock: Clock,
        token_env: str,
        page_id: str | None,
        ig_user_id: str | None,
        sources: list[str],
        posts_window: int,
        backfill_seconds: int,
    ):
        self.network = network
        self.account = account
        self.handle = handle
        self._graph = graph
        self._clock = clock
        self._token_env = token_env
        self.page_id = page_id
        self.ig_user_id = ig_user_id
        self._sources = sources
        self._backfill = backfill_seconds
        self._src = polling.Source(graph, network, account, handle, page_id, ig_user_id, posts_window)
        self._health = Health()
        self._backoff = Backoff()
        self._blocked_until: float | None = None

    # -- reading ---------------------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> FetchResult:
        mark = Watermark.load(cursor, int(self._clock.now()) - self._backfill)

        def read() -> list[InboundMessage]:
            found: list[InboundMessage] = []
            for source in self._sources:
                if source == "feed":
                    found += polling.page_feed(self._src, mark)
                elif source == "media":
                    found += polling.instagram_media(self._src, mark)
                elif source == "messages":
                    platform = "instagram" if self.network == "instagram" else "messenger"
                    found += polling.conversations(self._src, mark, platform)
            return found

        messages = self._call("reading new comments and messages", False, read)
        messages.sort(key=lambda m: (m.created_at, m.id))
        return FetchResult(messages, mark.advanced(messages).dump())

    # -- publishing ------------------------------------------------------------------------------

    def publish_reply(self, req: PublishRequest) -> PublishResult:
        parent = req.in_reply_to
        if parent is None:
            raise PublishRejected("a reply needs the message it answers")
        if parent.kind == "dm":
            page = self._require_page("reply to a direct message")
            recipient = str(parent.meta.get("recipient_id") or parent.author.id)
            body = {
                "recipient": {"id": recipient},
                "messaging_type": "RESPONSE",
                "message": {"text": req.text},
            }
            data = self._call(
                "sending a direct message",
                True,
                lambda: self._graph.post(f"/{page}/messages", json_body=body),
            )
            return PublishResult(external_id=str(data.get("message_id", "")))
        target = str(parent.meta.get("reply_to_id") or parent.id)
        if self.network == "instagram":
            path = f"/{target}/replies"
        else:
            path = f"/{target}/comments"
        data = self._call(
            "replying to a comment", True, lambda: self._graph.post(path, data={"message": req.text})
        )
        return PublishResult(external_id=str(data["id"]), url=self._comment_url(parent, str(data["id"])))

    def publish_post(self, req: PublishRequest) -> PublishResult:
        if self.network == "instagram":
            raise PublishRejected("Instagram posts need an image or a video; text posts are not supported")
        page = self._require_page("publish a post")
        data = self._call(
            "publishing a post", True, lambda: self._graph.post(f"/{page}/feed", data={"message": req.text})
        )
        return PublishResult(external_id=str(data["id"]), url=f"https://www.facebook.com/{data['id']}")

    def lookup(self, req: PublishRequest) -> PublishResult | None:
        """Meta has no idempotency keys: read back our recent items at the target, match the text."""
        parent = req.in_reply_to
        want = same_text(req.text)
        if parent is None:
            if self.network == "instagram":
                return None
            page = self._require_page("look up a post")
            data = self._call(
                "looking up a post",
                False,
                lambda: self._graph.get(
                    f"/{page}/feed", {"fields": "id,message,from,created_time,permalink_url", "limit": 25}
                ),
            )
            hit = self._match(data.get("data", []), want, "message")
            return PublishResult(str(hit["id"]), hit.get("permalink_url", "")) if hit else None
        if parent.kind == "dm":
            return self._lookup_dm(parent, want)
        target = str(parent.meta.get("reply_to_id") or parent.id)
        if self.network == "instagram":
            path, fields, text_key = f"/{target}/replies", "id,text,username,from,timestamp", "text"
        else:
            path, fields, text_key = (
                f"/{target}/comments",
                "id,message,from,created_time,permalink_url",
                "message",
            )
        params = {"fields": fields, "limit": LOOKUP_WINDOW, "order": "reverse_chronological"}
        data = self._call("looking up a reply", False, lambda: self._graph.get(path, params))
        hit = self._match(data.get("data", []), want, text_key)
        return PublishResult(str(hit["id"]), self._comment_url(parent, str(hit["id"]))) if hit else None

    def _lookup_dm(self, parent: InboundMessage, want: str) -> PublishResult | None:
        page = self._require_page("look up a direct message")
        recipient = str(parent.meta.get("recipient_id") or parent.author.id)
        params = {
            "platform": "instagram" if self.network == "instagram" else "messenger",
            "user_id": recipient,
            "fields": f"id,messages.limit({LOOKUP_WINDOW}){{id,message,from,created_time}}",
        }
        data = self._call(
            "looking up a direct message", False, lambda: self._graph.get(f"/{page}/conversations", params)
        )
        for conv in data.get("data", []):
            hit = self._match((conv.get("messages") or {}).get("data", []), want, "message")
            if hit:
                return PublishResult(str(hit["id"]))
        return None

    def _match(self, items: list[dict[str, Any]], want: str, text_key: str) -> dict[str, Any] | None:
        for item in items:  # newest first
            if (
                self._src.ours(dict(item.get("from") or {}, username=item.get("username")))
                and same_text(item.get(text_key, "")) == want
            ):
                return item
        return None

    # -- health and plumbing ---------------------------------------------------------------------

    def health(self) -> Health:
        return Health(**vars(self._health))

    def close(self) -> None:
        self._graph.close()

    def _call(self, what: str, publishing: bool, fn: Callable[[], T]) -> T:
        now = self._clock.now()
        if self._blocked_until is not None and now < self._blocked_until:
            # Throttled calls still count against the budget: wait out Meta's estimate.
            raise RateLimited(self._blocked_until - now, f"Meta rate limit: still waiting before {what}")
        try:
            result = fn()
        except GraphError as e:
            self._note_usage()
            self._failed(explain(e, what, self._token_env, publishing, self._graph.usage), e.transient)
        except httpx.HTTPError as e:
            self._failed(transport_failure(e, what, publishing), transient=True)
        self._note_usage()
        self._backoff.succeeded()
        self._blocked_until = None
        self._health.ok = True
        self._health.last_success = self._clock.now()
        self._health.backoff_until = None
        return result

    def _note_usage(self) -> None:
        """Headroom from the usage headers: Meta reports usage as a percentage of the budget."""
        usage, h = self._graph.usage, self._health
        if usage.used_pct is not None:
            h.rate_limit_limit = 100
            h.rate_limit_remaining = max(0, 100 - usage.used_pct)
        h.rate_limit_reset = self._clock.now() + usage.regain_seconds if usage.regain_seconds else None

    def _failed(self, err: ConnectorError, transient: bool) -> NoReturn:
        """Record the failure in health; the poller waits until backoff_until (Meta's estimate
        after a throttle, exponential after timeouts and 5xx, none after a refusal)."""
        now = self._clock.now()
        self._health.ok = False
        self._health.last_error, self._health.last_error_at = str(err), now
        if isinstance(err, RateLimited):
            self._blocked_until = now + err.retry_after
            self._health.backoff_until = self._backoff.failed(now, err.retry_after)
        elif transient:
            self._health.backoff_until = self._backoff.failed(now)
        raise err

    def _require_page(self, action: str) -> str:
        if not self.page_id:
            raise PublishRejected(f"account {self.account}: set options.page_id to {action}")
        return self.page_id

    def _comment_url(self, parent: InboundMessage, new_id: str) -> str:
        if self.network == "facebook" and parent.meta.get("post_id"):
            return f"https://www.facebook.com/{parent.meta['post_id']}?comment_id={new_id.rsplit('_', 1)[-1]}"
        return parent.url


def build(
    account: str,
    handle: str,
    options: dict[str, Any],
    env: Mapping[str, str],
    clock: Clock,
    transport: httpx.BaseTransport | None = None,
    network: str | None = None,
) -> MetaConnector:
    """`network` (facebook / instagram) comes from the account; else options.network, else guessed."""
    page_id = _opt_str(options, "page_id")
    ig_user_id = _opt_str(options, "ig_user_id")
    network = network or options.get("network") or ("instagram" if ig_user_id else "facebook")
    if network not in ("facebook", "instagram"):
        raise ConnectorError(f"account {account}: options.network must be facebook or instagram")
    if network == "facebook" and not page_id:
        raise ConnectorError(f"account {account}: options.page_id is required for a Facebook Page")
    if network == "instagram" and not ig_user_id:
        raise ConnectorError(f"account {account}: options.ig_user_id is required for Instagram")
    token_env = str(options.get("token_env") or "")
    token = env.get(token_env, "") if token_env else ""
    if not token:
        raise ConnectorError(
            f"account {account}: set options.token_env to an environment variable holding the Page access token (it is empty)"
        )
    secret_env = options.get("app_secret_env")
    app_secret = env.get(str(secret_env), "") if secret_env else ""
    default_sources = (
        ["feed", "messages"] if network == "facebook" else ["media"] + (["messages"] if page_id else [])
    )
    sources = list(options.get("poll", default_sources))
    unknown = set(sources) - {"feed", "media", "messages"}
    if unknown:
        raise ConnectorError(f"account {account}: options.poll has unknown sources {sorted(unknown)}")
    graph = GraphClient(
        str(options.get("graph_url", DEFAULT_GRAPH_URL)),
        str(options.get("api_version", DEFAULT_VERSION)),
        token,
        app_secret or None,
        transport,
        float(options.get("timeout", 10.0)),
    )
    return MetaConnector(
        network=network,
        account=account,
        handle=handle,
        graph=graph,
        clock=clock,
        token_env=token_env,
        page_id=page_id,
        ig_user_id=ig_user_id,
        sources=sources,
        posts_window=int(options.get("posts_window", 25)),
        backfill_seconds=int(options.get("backfill_seconds", 86_400)),
    )


def _opt_str(options: Mapping[str, Any], key: str) -> str | None:
    value = options.get(key)
    return str(value) if value not in (None, "") else None
