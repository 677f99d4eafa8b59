"""The one small interface every network connector implements.

A connector acts as one brand account (never a member's personal account). It turns the network's
API into `InboundMessage`s and publishes replies and posts. It never touches the database or
Slack: the ingest service stores what `fetch` returns, the outbox worker calls `publish_*` and
`lookup`, and the cursor is persisted by the caller.

Errors a connector raises, and what the caller does with them:
- `RateLimited(retry_after)`: wait, then try again (no outcome is implied).
- `PublishUnknown`: a timeout, a dropped connection or a 5xx while publishing: the post MAY exist.
  The outbox marks it "unknown" and reconciles with `lookup` before any retry.
- `PublishRejected`: the network definitely refused (4xx with a reason): nothing was published.
- `ConnectorError`: anything else while fetching (network down, bad credentials...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Kind = Literal["mention", "dm", "comment", "article"]


@dataclass(frozen=True)
class Author:
    id: str
    handle: str = ""
    name: str = ""


@dataclass(frozen=True)
class InboundMessage:
    """One message as the network reports it. `id` is unique per network."""

    id: str
    network: str
    account: str  # the brand account key in veille.toml
    kind: Kind
    author: Author
    text: str
    url: str = ""
    created_at: int = 0  # platform timestamp, UTC epoch seconds
    thread_id: str | None = None  # root of the network thread, if known
    in_reply_to: str | None = None  # network id of the message this replies to
    from_brand: bool = False  # written by our own brand account (a native reply: stops clocks)
    meta: dict[str, Any] = field(default_factory=dict)  # network specifics, e.g. Bluesky uri+cid


@dataclass(frozen=True)
class FetchResult:
    messages: list[InboundMessage]
    cursor: str | None  # persisted by the caller, handed back on the next fetch


@dataclass(frozen=True)
class PublishRequest:
    idempotency_key: str  # stable across retries of the same approved content
    account: str
    text: str
    in_reply_to: InboundMessage | None = None  # None: a new post


@dataclass(frozen=True)
class PublishResult:
    external_id: str
    url: str = ""


@dataclass
class Health:
    ok: bool = True
    last_success: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    rate_limit_remaining: int | None = None
    rate_limit_limit: int | None = None
    rate_limit_reset: float | None = None
    backoff_until: float | None = None


class ConnectorError(Exception):
    pass


class RateLimited(ConnectorError):
    def __init__(self, retry_after: float, message: str = "rate limited"):
        super().__init__(f"{message} (retry after {retry_after:.0f}s)")
        self.retry_after = retry_after


class PublishUnknown(ConnectorError):
    """The outcome is unknown: the post may or may not exist. Reconcile, never blindly retry."""


class PublishRejected(ConnectorError):
    """The network refused; nothing was published."""


class Connector(Protocol):
    """`can_reply` / `can_post` (default True when absent) say what the account can publish: Slack
    offers only that (the alert's Reply, `/veille post`), rather than failing after approval."""

    network: str
    account: str

    def fetch(self, cursor: str | None) -> FetchResult: ...

    def publish_reply(self, req: PublishRequest) -> PublishResult: ...

    def publish_post(self, req: PublishRequest) -> PublishResult: ...

    def lookup(self, req: PublishRequest) -> PublishResult | None:
        """Find what a publish with this idempotency key produced, or None if it did not happen.
        Raise `LookupUnsupported` where the network offers no way to tell."""
        ...

    def health(self) -> Health: ...


def same_text(text: str) -> str:
    """Text as a look-up compares it: networks reflow whitespace, so runs of it count as one space."""
    return " ".join(str(text).split())


class LookupUnsupported(ConnectorError):
    pass
