"""HTTP outcomes -> the connector errors of `base.py`, and rate-limit headers -> `Health`.

Shared by the HTTP connectors (Mastodon, X, ...). The mapping, per `base.py`'s contract:
- timeout / dropped connection / 5xx while publishing -> `PublishUnknown` (the post MAY exist);
- 429 -> `RateLimited(retry_after)`, from Retry-After, else the rate-limit reset header;
- other 4xx while publishing -> `PublishRejected` (nothing was published);
- anything failing while reading -> `ConnectorError` with a message a person can act on.

`ApiSession` wraps one account's httpx client: it sends, keeps `Health` up to date (rate-limit
headroom, and `backoff_until` from `backoff.Backoff`: the server's wait after a 429, exponential
after timeouts and 5xx) and refuses to send while a 429's wait runs (the network would only
answer 429 again, and count it).
Credentials live in the httpx `Auth` and are never put in messages or logs.
"""

from __future__ import annotations

import dataclasses
import email.utils
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from bot.connectors.backoff import Backoff
from bot.connectors.base import ConnectorError, Health, PublishRejected, PublishUnknown, RateLimited

DEFAULT_RETRY_AFTER = 60.0


@dataclasses.dataclass(frozen=True)
class RateLimitInfo:
    limit: int | None
    remaining: int | None
    reset: float | None  # epoch seconds


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def parse_reset(value: str | None, now: float) -> float | None:
    """A reset header as epoch seconds. X sends epoch seconds, Mastodon an ISO 8601 instant, some
    servers a delay in seconds (small numbers are delays: no epoch is that small)."""
    if not value:
        return None
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        try:
            instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=UTC)
        return instant.timestamp()
    return number if number > 1e9 else now + number


def parse_rate_limit(headers: Mapping[str, str], now: float) -> RateLimitInfo | None:
    """`x-rate-limit-*` (X) or `X-RateLimit-*` (Mastodon); None when the response has neither.
    `headers` is an httpx.Headers (case-insensitive) or a mapping with lower-cased names."""

    def header(*names: str) -> str | None:
        for name in names:
            if name in headers:
                return headers[name]
        return None

    limit = _int(header("x-rate-limit-limit", "x-ratelimit-limit"))
    remaining = _int(header("x-rate-limit-remaining", "x-ratelimit-remaining"))
    reset = parse_reset(header("x-rate-limit-reset", "x-ratelimit-reset"), now)
    if limit is None and remaining is None and reset is None:
        return None
    return RateLimitInfo(limit, remaining, reset)


def retry_after(response: httpx.Response, now: float, default: float = DEFAULT_RETRY_AFTER) -> float:
    """Seconds to wait after a 429: Retry-After (seconds or HTTP date), else X's exhausted 24-hour
    posting cap, else the window's reset, else `default`."""
    value = response.headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - now)
            except (TypeError, ValueError):
                pass
    if response.headers.get("x-user-limit-24hour-remaining") == "0":
        reset = parse_reset(response.headers.get("x-user-limit-24hour-reset"), now)
        if reset is not None:
            return max(1.0, reset - now)
    info = parse_rate_limit(response.headers, now)
    if info is not None and info.reset is not None:
        return max(1.0, info.reset - now)
    return default


def error_detail(response: httpx.Response) -> str:
    """The server's own words: Mastodon `{"error": ...}`, X problem `{"detail", "title"}` or
    `{"errors": [{"message"}]}`; else the start of the body or the reason phrase."""
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("error_description", "error", "detail", "title", "message"):
            if isinstance(body.get(key), str) and body[key]:
                return body[key]
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            return str(first.get("message") or first.get("detail") or first)
    text = response.text.strip()
    return text[:200] if text else response.reason_phrase


def describe(network: str, response: httpx.Response) -> str:
    detail = error_detail(response)
    if response.status_code == 401:
        return f"{network}: credentials rejected (HTTP 401: {detail}); check the access token"
    if response.status_code == 403:
        return f"{network}: forbidden (HTTP 403: {detail}); check the token's scopes or permissions"
    return f"{network}: HTTP {response.status_code}: {detail}"


class ApiSession:
    """One account's HTTP client: sends requests, keeps `Health`, maps failures to base errors."""

    def __init__(
        self,
        network: str,
        base_url: str,
        clock: Any,
        *,
        auth: httpx.Auth | None = None,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
    ):
        self.network = network
        self.clock = clock
        self.timeout = timeout
        self._health = Health()
        self._backoff = Backoff()  # error backoff the poller reads from health().backoff_until
        self._blocked_until: float | None = None  # a 429's wait: nothing is sent before it
        self._client = httpx.Client(
            base_url=base_url,
            auth=auth,
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": "veille", **(headers or {})},
            follow_redirects=False,
        )

    def health(self) -> Health:
        return dataclasses.replace(self._health)

    def close(self) -> None:
        self._client.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        publishing: bool = False,
        passthrough: Iterable[int] = (),
        **kwargs: Any,
    ) -> httpx.Response:
        """Send one request. Returns 2xx responses (and statuses in `passthrough`, which the caller
        interprets); raises the base errors for everything else."""
        now = self.clock.now()
        waiting = self._blocked_until
        if waiting is not None and now < waiting:
            raise RateLimited(waiting - now, f"{self.network} rate limit: still waiting for the window to reset")
        try:
            response = self._client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise self._failed(
                f"{self.network}: no answer within {self.timeout:g}s", publishing
            ) from exc
        except httpx.TransportError as exc:
            raise self._failed(
                f"{self.network}: connection failed ({type(exc).__name__})", publishing
            ) from exc
        now = self.clock.now()
        self._note_rate_limit(response, now)
        status = response.status_code
        if status < 400 or status in passthrough:
            self._backoff.succeeded()
            self._blocked_until = None
            self._health.ok = True
            self._health.last_success = now
            self._health.backoff_until = None
            return response
        if status == 429:
            wait = retry_after(response, now)
            self._blocked_until = now + wait
            self._note_error(f"{self.network}: rate limited (HTTP 429)", now, retry=wait)
            raise RateLimited(wait, f"{self.network} rate limited")
        message = describe(self.network, response)
        if status >= 500:
            raise self._failed(message, publishing)
        # A refused request says nothing about the service's state: no backoff for it.
        self._health.ok = False
        self._health.last_error = message
        self._health.last_error_at = now
        raise PublishRejected(message) if publishing else ConnectorError(message)

    def _failed(self, message: str, publishing: bool) -> ConnectorError:
        self._note_error(message, self.clock.now())
        if publishing:
            return PublishUnknown(f"{message} while publishing: the post may exist")
        return ConnectorError(message)

    def _note_error(self, message: str, now: float, retry: float | None = None) -> None:
        self._health.ok = False
        self._health.last_error = message
        self._health.last_error_at = now
        self._health.backoff_until = self._backoff.failed(now, retry)

    def _note_rate_limit(self, response: httpx.Response, now: float) -> None:
        info = parse_rate_limit(response.headers, now)
        if info is None:
            return
        self._health.rate_limit_limit = info.limit
        self._health.rate_limit_remaining = info.remaining
        self._health.rate_limit_reset = info.reset


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>`; the token stays out of repr() and messages."""

    def __init__(self, token: str):
        self._token = token

    def __repr__(self) -> str:
        return "BearerAuth(<redacted>)"

    def auth_flow(self, request: httpx.Request):
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


def require_env(env: Mapping[str, str], options: Mapping[str, Any], key: str, network: str) -> str:
    """The secret named by `options[key]` (an env var name), or a clear ConnectorError."""
    name = options.get(key)
    if not name:
        raise ConnectorError(f"{network}: option {key!r} (the env var holding the secret) is missing")
    value = env.get(str(name))
    if not value:
        raise ConnectorError(f"{network}: env var {name} (from option {key!r}) is not set")
    return value
