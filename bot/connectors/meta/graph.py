"""A small Graph API client: auth, appsecret_proof, error bodies and rate-limit usage headers.

It raises `GraphError` (the parsed error body) or httpx transport errors; the connector decides
what they mean (a fetch failure, a rejected publish, an unknown outcome)."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from bot.connectors.base import ConnectorError, PublishRejected, PublishUnknown, RateLimited

# Graph error codes that mean "throttled": app (4), user (17), page (32), action (613), and the
# Business Use Case family (80001 pages, 80002 Instagram, 80006 Messenger ...).
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
TOKEN_CODES = frozenset({102, 190})
PERMISSION_CODES = frozenset({10, *range(200, 300)})
USAGE_HEADERS = ("x-app-usage", "x-page-usage", "x-business-use-case-usage")
DEFAULT_THROTTLE_SECONDS = 300.0  # when Meta gives no estimate, usage windows roll over an hour


@dataclass
class GraphError(Exception):
    status: int
    code: int
    subcode: int | None
    type: str
    message: str
    fbtrace_id: str = ""
    transient: bool = False

    def __str__(self) -> str:
        sub = f"/{self.subcode}" if self.subcode else ""
        return f"Graph API error {self.code}{sub} ({self.type}): {self.message}"


@dataclass
class Usage:
    """Percent of the rate-limit budget used, the worst of all usage headers seen last."""

    used_pct: int | None = None
    regain_seconds: float | None = None


def graph_time(value: str | None) -> int:
    """Graph timestamps look like 2024-05-01T12:00:00+0000."""
    if not value:
        return 0
    return int(datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").timestamp())


def parse_usage(headers: httpx.Headers) -> Usage:
    used: list[int] = []
    regain: list[float] = []
    for name in USAGE_HEADERS:
        raw = headers.get(name)
        if not raw:
            continue
        try:
            doc = json.loads(raw)
        except ValueError:
            continue
        # X-Business-Use-Case-Usage maps business ids to lists of buckets; the others are one bucket.
        buckets = [b for v in doc.values() for b in v] if name == "x-business-use-case-usage" else [doc]
        for b in buckets:
            if not isinstance(b, dict):
                continue
            used += [int(b[k]) for k in ("call_count", "total_cputime", "total_time") if k in b]
            if b.get("estimated_time_to_regain_access"):
                regain.append(float(b["estimated_time_to_regain_access"]) * 60)  # minutes
    return Usage(max(used) if used else None, max(regain) if regain else None)


class GraphClient:
    def __init__(
        self,
        base_url: str,
        version: str,
        token: str,
        app_secret: str | None,
        transport: httpx.BaseTransport | None,
        timeout: float,
    ):
        self._proof = (
            hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest() if app_secret else None
        )
        self._http = httpx.Client(
            base_url=f"{base_url.rstrip('/')}/{version}",
            transport=transport,
            timeout=timeout,
            headers={"Authorization": f"Bearer {token}"},
        )
        self.usage = Usage()

    def close(self) -> None:
        self._http.close()

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._call("GET", path, params=params)

    def post(self, path: str, data: dict[str, Any] | None = None, json_body: Any = None) -> dict[str, Any]:
        return self._call("POST", path, data=data, json_body=json_body)

    def _call(self, method: str, path: str, params=None, data=None, json_body=None) -> dict[str, Any]:
        params = dict(params or {})
        if self._proof:
            params["appsecret_proof"] = self._proof
        resp = self._http.request(method, path, params=params, data=data, json=json_body)
        usage = parse_usage(resp.headers)
        if usage.used_pct is not None or usage.regain_seconds is not None:
            self.usage = usage
        try:
            body = resp.json()
        except ValueError:
            body = None
        if resp.status_code < 400 and isinstance(body, dict):
            return body
        raise _graph_error(resp.status_code, body)


def _graph_error(status: int, body: Any) -> GraphError:
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        return GraphError(
            status, 0, None, "HTTP", f"HTTP {status} without a Graph error body", transient=status >= 500
        )
    return GraphError(
        status=status,
        code=int(err.get("code") or 0),
        subcode=int(err["error_subcode"]) if err.get("error_subcode") else None,
        type=str(err.get("type", "")),
        message=str(err.get("message", "")),
        fbtrace_id=str(err.get("fbtrace_id", "")),
        transient=bool(err.get("is_transient")) or status >= 500 or err.get("code") in (1, 2),
    )


def explain(err: GraphError, what: str, token_env: str, publishing: bool, usage: Usage) -> ConnectorError:
    """Turn a Graph error into the base exception the caller acts on, with a message a human can fix."""
    if err.code in RATE_LIMIT_CODES:
        retry = usage.regain_seconds or DEFAULT_THROTTLE_SECONDS
        return RateLimited(retry, f"Meta rate limit while {what}: {err}")
    if err.code in TOKEN_CODES:
        msg = (
            f"Meta rejected the access token while {what} (code {err.code}): it is invalid, expired or "
            f"revoked; generate a new Page access token and put it in ${token_env}. [{err.message}]"
        )
        return PublishRejected(msg) if publishing else ConnectorError(msg)
    if err.code in PERMISSION_CODES:
        msg = f"Meta refused a permission while {what}: {err} (check the app's granted permissions)"
        return PublishRejected(msg) if publishing else ConnectorError(msg)
    if publishing:
        if err.transient:
            return PublishUnknown(f"Meta failed while {what}; the post may exist: {err}")
        return PublishRejected(f"Meta refused {what}: {err}")
    return ConnectorError(f"Meta error while {what}: {err}")


def transport_failure(exc: httpx.HTTPError, what: str, publishing: bool) -> ConnectorError:
    if publishing:
        return PublishUnknown(f"no answer from Meta while {what} ({type(exc).__name__}); the post may exist")
    return ConnectorError(f"cannot reach Meta while {what}: {type(exc).__name__}: {exc}")
