"""XRPC over HTTP to a PDS, as one account logged in with an app password.

The session is created with `com.atproto.server.createSession`; when the PDS answers
`ExpiredToken` (access tokens live about two hours) it is refreshed with `refreshSession`, and
created again if the refresh token is refused too (revoked, expired). Each call is retried at most
once after such a renewal. Tokens and the password never appear in logs, reprs or errors.
Errors surface as `XrpcError` (the server answered) or httpx's `TransportError` (it did not);
the connector maps both to Veille's connector errors.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

log = logging.getLogger(__name__)

# Answers that mean "this token no longer works", not "you may not do this".
_TOKEN_ERRORS = {"ExpiredToken", "InvalidToken"}


@dataclass
class Session:
    did: str
    handle: str
    access_jwt: str = field(repr=False)
    refresh_jwt: str = field(repr=False)


@dataclass(frozen=True)
class RateLimitState:
    limit: int | None
    remaining: int | None
    reset: float | None  # epoch seconds, as the PDS sends it


class XrpcError(Exception):
    """The server answered with an error status. Carries no request headers (no credentials)."""

    def __init__(self, nsid: str, status: int, error: str, message: str, headers: Mapping[str, str]):
        http = f"HTTP {status} " if status else ""
        super().__init__(f"{nsid}: {http}{error}: {message}".rstrip(": "))
        self.nsid = nsid
        self.status = status
        self.error = error
        self.message = message
        self.headers = dict(headers)


class AuthFailed(XrpcError):
    """createSession refused the identifier/app password (or it is not configured)."""


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    try:
        return int(float(headers[name]))
    except (KeyError, ValueError):
        return None


class XrpcClient:
    def __init__(
        self,
        service: str,
        identifier: str,
        password: Callable[[], str | None],
        password_env: str,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
        proxy: str | None = None,
    ):
        self.service = service.rstrip("/")
        self.identifier = identifier
        self._password = password  # read at login time only, never stored
        self._password_env = password_env
        self._proxy = proxy
        self.session: Session | None = None
        self._lock = threading.Lock()  # one login/refresh at a time (poller and outbox share us)
        self.rate_limit: RateLimitState | None = None
        self.http = httpx.Client(
            base_url=self.service,
            timeout=timeout,
            transport=transport,
            headers={"user-agent": "veille-bluesky-connector"},
        )

    def close(self) -> None:
        self.http.close()

    # --- calls -----------------------------------------------------------------------------

    def query(self, nsid: str, params: Mapping[str, Any] | None = None, auth: bool = True) -> dict:
        return self._call("GET", nsid, params=params, auth=auth)

    def procedure(self, nsid: str, body: Mapping[str, Any]) -> dict:
        return self._call("POST", nsid, body=body, auth=True)

    def _call(self, method: str, nsid: str, params=None, body=None, auth: bool = True) -> dict:
        if not auth:
            return self._result(nsid, self._send(method, nsid, params, body, token=None))
        session = self.session or self.login()
        response = self._send(method, nsid, params, body, token=session.access_jwt)
        if self._token_refused(response):
            log.info("bluesky: access token refused (%s), renewing the session", self._error_name(response))
            session = self.renew(stale=session)
            response = self._send(method, nsid, params, body, token=session.access_jwt)
        return self._result(nsid, response)

    def _send(self, method, nsid, params, body, token: str | None) -> httpx.Response:
        headers = {}
        if token:
            headers["authorization"] = f"Bearer {token}"
        if self._proxy and nsid.startswith("app.bsky."):
            headers["atproto-proxy"] = self._proxy
        response = self.http.request(method, f"/xrpc/{nsid}", params=params, json=body, headers=headers)
        log.debug("bluesky: %s %s -> %s", method, nsid, response.status_code)
        self._note_rate_limit(response.headers)
        return response

    def _note_rate_limit(self, headers: Mapping[str, str]) -> None:
        if "ratelimit-remaining" in headers or "ratelimit-limit" in headers:
            reset = headers.get("ratelimit-reset")
            try:
                reset_at = float(reset) if reset else None
            except ValueError:
                reset_at = None
            self.rate_limit = RateLimitState(
                _int_header(headers, "ratelimit-limit"), _int_header(headers, "ratelimit-remaining"), reset_at
            )

    @staticmethod
    def _error_name(response: httpx.Response) -> str:
        try:
            return str(response.json().get("error") or "")
        except ValueError:
            return ""

    def _token_refused(self, response: httpx.Response) -> bool:
        return response.status_code in (400, 401) and self._error_name(response) in _TOKEN_ERRORS

    def _result(self, nsid: str, response: httpx.Response) -> dict:
        if response.is_success:
            return response.json() if response.content else {}
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        raise XrpcError(
            nsid,
            response.status_code,
            str(payload.get("error") or response.reason_phrase),
            str(payload.get("message") or ""),
            response.headers,
        )

    # --- session -----------------------------------------------------------------------------

    def login(self) -> Session:
        with self._lock:
            if self.session is not None:  # another thread logged in meanwhile
                return self.session
            return self._login()

    def _login(self) -> Session:
        password = self._password()
        if not password:
            raise AuthFailed(
                "com.atproto.server.createSession", 0, "NoPassword",
                f"no app password: set the environment variable {self._password_env}", {},
            )
        nsid = "com.atproto.server.createSession"
        response = self._send("POST", nsid, None, {"identifier": self.identifier, "password": password}, None)
        if response.status_code == 401 or self._error_name(response) in {"AuthenticationRequired", "AccountTakedown"}:
            self._raise_auth_failed(nsid, response)
        self.session = self._session_from(self._result(nsid, response))
        log.info("bluesky: logged in as %s", self.session.handle)
        return self.session

    def renew(self, stale: Session | None = None) -> Session:
        """Refresh the session; log in again if the refresh token is refused too. `stale` is the
        session whose token was refused: if another thread already replaced it, that one is used."""
        with self._lock:
            if self.session is not None and stale is not None and self.session is not stale:
                return self.session
            return self._renew()

    def _renew(self) -> Session:
        if self.session is not None:
            nsid = "com.atproto.server.refreshSession"
            response = self._send("POST", nsid, None, None, self.session.refresh_jwt)
            if response.is_success:
                self.session = self._session_from(response.json())
                return self.session
            if response.status_code == 429 or response.status_code >= 500:
                self._result(nsid, response)  # raises: a busy server is not a refused token
            log.info("bluesky: refresh refused (%s), logging in again", self._error_name(response))
        self.session = None
        return self._login()

    def _raise_auth_failed(self, nsid: str, response: httpx.Response) -> None:
        try:
            self._result(nsid, response)
        except XrpcError as exc:
            raise AuthFailed(nsid, exc.status, exc.error, exc.message, exc.headers) from None

    @staticmethod
    def _session_from(payload: dict) -> Session:
        return Session(payload["did"], payload["handle"], payload["accessJwt"], payload["refreshJwt"])
