"""The `webhook` publishing target: Veille POSTs the approved text, signed with the account's own
secret (same v1 scheme as the ingest webhook), to a URL the team controls; that system carries it
to the network. Options in veille.toml `[accounts.connector]`:

    type = "webhook"
    url = "https://bridge.example.com/veille/publish"
    secret_env = "ACME_PUBLISH_SECRET"     # env var holding the HMAC secret
    timeout = 10                            # seconds

Request: `POST url`, JSON `{"idempotency_key", "account", "network", "op": "reply"|"post", "text",
"in_reply_to": {"id", "url", "author"} | null}`, headers X-Veille-Timestamp / X-Veille-Signature.
Answer 2xx JSON `{"id": "...", "url": "..."}`. The receiver must treat a repeated idempotency_key
as the same publication. Reconciliation: `GET url?idempotency_key=K` (signed over an empty body)
answers 200 with the same JSON if it was published, 404 if not.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from bot.connectors.base import (
    ConnectorError,
    FetchResult,
    Health,
    PublishRejected,
    PublishRequest,
    PublishResult,
    PublishUnknown,
    RateLimited,
)
from bot.signing import signed_headers


class WebhookConnector:
    network = "webhook"

    def __init__(self, account: str, network: str, url: str, secret: str, clock, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None):
        self.account = account
        self.target_network = network
        self.url = url
        self._secret = secret
        self._clock = clock
        self._http = httpx.Client(timeout=timeout, transport=transport)
        self._health = Health()

    def fetch(self, cursor: str | None) -> FetchResult:
        return FetchResult(messages=[], cursor=cursor)  # inbound arrives through POST /ingest/webhook

    def publish_reply(self, req: PublishRequest) -> PublishResult:
        return self._publish(req, "reply")

    def publish_post(self, req: PublishRequest) -> PublishResult:
        return self._publish(req, "post")

    def lookup(self, req: PublishRequest) -> PublishResult | None:
        headers = signed_headers(self._secret, b"", self._clock.now())
        try:
            r = self._http.get(self.url, params={"idempotency_key": req.idempotency_key}, headers=headers)
        except httpx.HTTPError as e:
            raise PublishUnknown(f"lookup failed: {type(e).__name__}") from None
        if r.status_code == 404:
            return None
        if r.status_code == 200:
            return _result(r)
        raise PublishUnknown(f"lookup answered HTTP {r.status_code}")

    def health(self) -> Health:
        return self._health

    def _publish(self, req: PublishRequest, op: str) -> PublishResult:
        reply = req.in_reply_to
        body = json.dumps({
            "idempotency_key": req.idempotency_key, "account": req.account, "network": self.target_network,
            "op": op, "text": req.text,
            "in_reply_to": None if reply is None else {
                "id": reply.id, "url": reply.url, "thread_id": reply.thread_id,
                "author": {"id": reply.author.id, "handle": reply.author.handle}},
        }, ensure_ascii=False).encode()
        now = self._clock.now()
        try:
            r = self._http.post(self.url, content=body, headers=signed_headers(self._secret, body, now))
        except httpx.TimeoutException:
            self._fail(now, "timeout")
            raise PublishUnknown("the publishing target did not answer in time") from None
        except httpx.HTTPError as e:
            self._fail(now, type(e).__name__)
            # A connection refused before sending anything is still "unknown" to be safe.
            raise PublishUnknown(f"connection failed: {type(e).__name__}") from None
        if r.status_code == 429:
            retry = float(r.headers.get("Retry-After", "60") or 60)
            raise RateLimited(retry)
        if r.status_code >= 500:
            self._fail(now, f"HTTP {r.status_code}")
            raise PublishUnknown(f"the publishing target answered HTTP {r.status_code}")
        if r.status_code >= 400:
            self._fail(now, f"HTTP {r.status_code}")
            raise PublishRejected(f"the publishing target refused: HTTP {r.status_code} {r.text[:200]}")
        self._health.ok, self._health.last_success = True, now
        return _result(r)

    def _fail(self, now: float, why: str) -> None:
        self._health.ok, self._health.last_error, self._health.last_error_at = False, why, now


def _result(r: httpx.Response) -> PublishResult:
    try:
        data: Any = r.json()
    except ValueError:
        data = {}
    ext = str(data.get("id") or data.get("external_id") or "") if isinstance(data, dict) else ""
    url = str(data.get("url") or "") if isinstance(data, dict) else ""
    return PublishResult(external_id=ext, url=url if url.startswith(("https://", "http://")) else "")


def build(account: str, handle: str, options: dict, env: Mapping[str, str], clock,
          transport: httpx.BaseTransport | None = None, network: str = "webhook") -> WebhookConnector:
    url = options.get("url")
    if not url:
        raise ConnectorError(f"account {account}: connector.url is required for the webhook connector")
    secret_env = options.get("secret_env", "VEILLE_PUBLISH_SECRET")
    secret = env.get(secret_env, "")
    if not secret:
        raise ConnectorError(f"account {account}: environment variable {secret_env} (connector.secret_env) is empty")
    return WebhookConnector(account, network, url, secret, clock, float(options.get("timeout", 10)), transport)
