"""OAuth 1.0a request signing (HMAC-SHA1) for X's user context, as the X docs describe it in
"Creating a signature". OAuth 1.0a user tokens do not expire, which suits an unattended bot.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, quote

import httpx


def percent_encode(value: str) -> str:
    # RFC 3986: everything but unreserved characters is encoded, spaces as %20.
    return quote(value, safe="~-._")


def base_url(url: httpx.URL) -> str:
    """scheme://host[:port]/path, lower-cased scheme and host, default ports left out."""
    scheme, host = url.scheme.lower(), (url.host or "").lower()
    default = (scheme == "http" and url.port in (None, 80)) or (scheme == "https" and url.port in (None, 443))
    netloc = host if default else f"{host}:{url.port}"
    return f"{scheme}://{netloc}{url.path}"


def signature(method: str, url: str, params: Iterable[tuple[str, str]], consumer_secret: str,
              token_secret: str) -> str:
    """The oauth_signature for a request; `params` are the query, form body and oauth_* pairs."""
    pairs = sorted((percent_encode(k), percent_encode(v)) for k, v in params)
    parameter_string = "&".join(f"{k}={v}" for k, v in pairs)
    base = "&".join((method.upper(), percent_encode(base_url(httpx.URL(url))), percent_encode(parameter_string)))
    key = f"{percent_encode(consumer_secret)}&{percent_encode(token_secret)}"
    return base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()


def request_params(request: httpx.Request) -> list[tuple[str, str]]:
    """Query pairs, plus form-encoded body pairs (a JSON body is not signed)."""
    params = list(request.url.params.multi_items())
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        params += parse_qsl(request.content.decode(), keep_blank_values=True)
    return params


class OAuth1(httpx.Auth):
    """Signs every request with the app's consumer key/secret and the user's access token/secret.
    Timestamps come from the injected clock."""

    def __init__(self, consumer_key: str, consumer_secret: str, token: str, token_secret: str, clock: Any):
        self._consumer_key, self._consumer_secret = consumer_key, consumer_secret
        self._token, self._token_secret = token, token_secret
        self._clock = clock

    def __repr__(self) -> str:
        return "OAuth1(<redacted>)"

    def auth_flow(self, request: httpx.Request):
        oauth = {
            "oauth_consumer_key": self._consumer_key,
            "oauth_nonce": secrets.token_hex(16),
            "oauth_signature_method": "HMAC-SHA1",
            "oauth_timestamp": str(int(self._clock.now())),
            "oauth_token": self._token,
            "oauth_version": "1.0",
        }
        oauth["oauth_signature"] = signature(
            request.method, str(request.url), request_params(request) + list(oauth.items()),
            self._consumer_secret, self._token_secret,
        )
        header = ", ".join(f'{k}="{percent_encode(v)}"' for k, v in sorted(oauth.items()))
        request.headers["Authorization"] = f"OAuth {header}"
        yield request
