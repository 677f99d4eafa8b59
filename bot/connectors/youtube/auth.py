"""Google OAuth for the YouTube connector: a fixed access token, or one refreshed as it expires."""

from __future__ import annotations

from typing import Any

import httpx

from bot.clock import Clock
from bot.connectors.base import ConnectorError

TOKEN_MARGIN_SECONDS = 60  # refresh a little before Google says the token expires


class GoogleAuth:
    """A bearer token: a fixed one, or one refreshed from an OAuth refresh token."""

    def __init__(
        self,
        http: httpx.Client,
        clock: Clock,
        token_url: str,
        *,
        access_token: str = "",
        client_id: str = "",
        client_secret: str = "",
        refresh_token: str = "",
    ):
        self._http, self._clock, self._url = http, clock, token_url
        self._client = (client_id, client_secret, refresh_token)
        self._token, self._expires = access_token, float("inf") if access_token else 0.0

    @property
    def can_refresh(self) -> bool:
        return all(self._client)

    def header(self) -> dict[str, str]:
        if not self._token or self._clock.now() >= self._expires:
            self.refresh()
        return {"Authorization": f"Bearer {self._token}"}

    def expire(self) -> None:
        self._expires = 0.0

    def refresh(self) -> None:
        if not self.can_refresh:
            raise ConnectorError("YouTube access token rejected and no refresh token configured")
        client_id, client_secret, refresh_token = self._client
        resp = self._http.post(
            self._url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": client_id,
                "client_secret": client_secret,
            },
        )
        body = read_json(resp)
        if resp.status_code != 200 or not body.get("access_token"):
            raise ConnectorError(
                f"Google refused to refresh the YouTube token ({body.get('error', resp.status_code)}: "
                f"{body.get('error_description', '')}); authorise the app again and update the refresh token"
            )
        self._token = str(body["access_token"])
        self._expires = self._clock.now() + float(body.get("expires_in", 3600)) - TOKEN_MARGIN_SECONDS


def read_json(resp: httpx.Response) -> dict[str, Any]:
    try:
        body = resp.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
