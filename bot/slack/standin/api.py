"""The Web API as the stand-in answers it, independent of HTTP: authenticate, inject failures,
rate-limit, run the method, and record every call (accepted or not)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import api_chat, api_directory, api_files, api_views
from .api_common import ApiError, decode_json_params
from .limits import RateLimiter
from .state import ApiCall, Failure, StandInState

METHODS = {
    "auth.test": api_directory.auth_test,
    "chat.postMessage": api_chat.post_message,
    "chat.update": api_chat.update,
    "chat.delete": api_chat.delete,
    "chat.postEphemeral": api_chat.post_ephemeral,
    "chat.getPermalink": api_chat.get_permalink,
    "chat.scheduleMessage": api_chat.schedule_message,
    "conversations.history": api_chat.history,
    "conversations.replies": api_chat.replies,
    "conversations.info": api_directory.conversations_info,
    "conversations.open": api_directory.conversations_open,
    "conversations.members": api_directory.conversations_members,
    "users.info": api_directory.users_info,
    "usergroups.users.list": api_directory.usergroup_users,
    "views.open": api_views.views_open,
    "views.push": api_views.views_push,
    "views.update": api_views.views_update,
    "views.publish": api_views.views_publish,
    "files.getUploadURLExternal": api_files.get_upload_url,
    "files.completeUploadExternal": api_files.complete_upload,
}

DROP_CONNECTION = ("timeout", "connection_reset")

# Methods called with the app-level token (xapp-), not the bot token: Socket Mode's only one.
APP_TOKEN_METHODS = ("apps.connections.open",)


@dataclass
class Answer:
    """What to send back. `drop` means close the connection without any response."""

    status: int
    body: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    delay: float = 0.0  # real seconds to hold the answer back (past the client's timeout)


class WebApi:
    def __init__(self, state: StandInState, limiter: RateLimiter, token: str, app_token: str | None = None,
                 open_socket_url: Callable[[], str] | None = None):
        self.state = state
        self.limiter = limiter
        self.token = token
        self.app_token = app_token
        self.open_socket_url = open_socket_url  # Socket Mode: a fresh websocket URL

    def handle(self, method: str, raw_params: dict[str, Any], bearer: str | None) -> Answer:
        params = decode_json_params(raw_params)
        token = bearer or params.pop("token", None)
        params.pop("token", None)  # never kept in the call log
        answer = self._answer(method, params, token)
        with self.state.lock:
            self.state.calls.append(
                ApiCall(method=method, params=copy.deepcopy(params), status=0 if answer.drop else answer.status,
                        body=copy.deepcopy(answer.body), time=self.state.now(), headers=dict(answer.headers))
            )
        return answer

    def _answer(self, method: str, params: dict[str, Any], token: str | None) -> Answer:
        failure = self._take_failure(method)
        if failure is not None:
            return self._fail(method, params, failure)
        if method in APP_TOKEN_METHODS:
            return self._app_level(token)
        if method not in METHODS:
            return Answer(404, {"ok": False, "error": "unknown_method", "req_method": method})
        if not token:
            return Answer(200, {"ok": False, "error": "not_authed"})
        if self.app_token and token == self.app_token:
            return Answer(200, {"ok": False, "error": "not_allowed_token_type"})
        if token != self.token:
            return Answer(200, {"ok": False, "error": "invalid_auth"})
        retry_after = self.limiter.check(method, self._rate_key(method, params))
        if retry_after is not None:
            return Answer(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
        return self._run(method, params)

    def _app_level(self, token: str | None) -> Answer:
        """apps.connections.open: only the app-level token opens a Socket Mode link."""
        if not token:
            return Answer(200, {"ok": False, "error": "not_authed"})
        if token == self.token:
            return Answer(200, {"ok": False, "error": "not_allowed_token_type"})
        if not self.app_token or token != self.app_token or self.open_socket_url is None:
            return Answer(200, {"ok": False, "error": "invalid_auth"})
        return Answer(200, {"ok": True, "url": self.open_socket_url()})

    def _run(self, method: str, params: dict[str, Any]) -> Answer:
        try:
            with self.state.lock:
                body = METHODS[method](self.state, params)
                body = copy.deepcopy(body)
        except ApiError as error:
            return Answer(error.status, error.body())
        return Answer(200, body)

    def _rate_key(self, method: str, params: dict[str, Any]) -> str | None:
        if method != "chat.postMessage":
            return None
        channel = self.state.resolve_channel(str(params.get("channel") or "")) if params.get("channel") else None
        return channel["id"] if channel else str(params.get("channel"))

    def _take_failure(self, method: str) -> Failure | None:
        with self.state.lock:
            queue = self.state.failures.get(method)
            return queue.pop(0) if queue else None

    def _fail(self, method: str, params: dict[str, Any], failure: Failure) -> Answer:
        """An injected failure. With `apply` the call is carried out first, so the effect exists
        while the client sees an error: the "unknown outcome" Veille must reconcile."""
        if failure.apply and method in METHODS:
            self._run(method, params)
        if failure.error in DROP_CONNECTION:
            return Answer(0, None, drop=True, delay=failure.delay)
        headers = {"Retry-After": "1"} if failure.status == 429 else {}
        return Answer(failure.status, {"ok": False, "error": failure.error}, headers, delay=failure.delay)
