"""SlackStandIn: a local Slack Web API that the real slack_sdk WebClient talks to over HTTP.

    with SlackStandIn(clock=clock) as slack:
        client = WebClient(token=slack.token, base_url=slack.api_url)
        client.chat_postMessage(channel="C0SOCIAL", text="hi")
        assert slack.messages("C0SOCIAL")[0]["text"] == "hi"

With an app-level token it also plays Socket Mode (`apps.connections.open`, then a websocket:
see socket_mode.py); `standin.socket_mode` is that side, for the driver and tests.

Everything it knows (channels, users, messages, views, the call log) can be read and arranged
from the test; its clock (anything with .now()) governs timestamps, trigger expiry and rate
limits, so tests move time instead of sleeping."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable
from typing import Any

from bot.clock import RealClock

from .api import WebApi
from .api_views import apply_submission_answer
from .limits import RateLimiter
from .socket_mode import SocketModeServer
from .state import (
    DEFAULT_CHANNELS,
    DEFAULT_USERGROUPS,
    DEFAULT_USERS,
    TEAM_ID,
    ApiCall,
    Failure,
    StandInState,
)
from .transport import HttpServerThread, make_handler


class SlackStandIn:
    def __init__(
        self,
        clock=None,
        token: str = "xoxb-test",
        channels: Iterable[dict[str, Any] | str] | None = None,
        users: Iterable[dict[str, Any]] | None = None,
        usergroups: Iterable[dict[str, Any]] | dict[str, list[str]] | None = None,
        rate_limits: bool = True,
        post_burst: int = 4,
        team_id: str = TEAM_ID,
        app_token: str = "xapp-1-A0VEILLE-1-standin",
    ):
        self.clock = clock or RealClock()
        self.token = token
        self.app_token = app_token
        self.state = StandInState(self.clock, team_id=team_id)
        self.limiter = RateLimiter(self.clock, post_burst=post_burst, enabled=rate_limits)
        self._api = WebApi(self.state, self.limiter, token, app_token, lambda: self.socket_mode.open_url())
        self._http: HttpServerThread | None = None
        self._socket: SocketModeServer | None = None
        self._socket_lock = threading.Lock()
        for user in DEFAULT_USERS if users is None else users:
            self.add_user(**{("user_id" if k == "id" else k): v for k, v in user.items()})
        for channel in DEFAULT_CHANNELS if channels is None else channels:
            if isinstance(channel, str):
                self.add_channel(channel)
            else:
                self.add_channel(**{("channel_id" if k == "id" else k): v for k, v in channel.items()})
        groups = DEFAULT_USERGROUPS if usergroups is None else usergroups
        if isinstance(groups, dict):
            groups = [{"id": gid, "handle": gid.lower(), "users": members} for gid, members in groups.items()]
        for group in groups:
            self.add_usergroup(group["id"], group.get("handle", group["id"].lower()), group.get("users", []),
                               name=group.get("name"))

    # ---- lifecycle --------------------------------------------------------------------------

    def start(self) -> SlackStandIn:
        if self._http is None:
            self._http = HttpServerThread(make_handler(self._api, self.state))
            self._http.start()
            self.state.upload_base = f"{self.base_url}upload/"
        return self

    def stop(self) -> None:
        if self._socket is not None:
            self._socket.stop()
            self._socket = None
        if self._http is not None:
            self._http.stop()
            self._http = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._http is None:
            raise RuntimeError("SlackStandIn is not started")
        return f"http://127.0.0.1:{self._http.port}/"

    @property
    def api_url(self) -> str:
        return self.base_url + "api/"

    @property
    def socket_mode(self) -> SocketModeServer:
        """Slack's Socket Mode side, started on first use (apps.connections.open or a test)."""
        with self._socket_lock:
            if self._socket is None:
                self._socket = SocketModeServer(self.state, self.app_token).start()
            return self._socket

    # ---- identities ---------------------------------------------------------------------------

    @property
    def team_id(self) -> str:
        return self.state.team_id

    @property
    def team_domain(self) -> str:
        return self.state.team_domain

    @property
    def bot_user_id(self) -> str:
        return self.state.bot_user_id

    @property
    def bot_id(self) -> str:
        return self.state.bot_id

    @property
    def app_id(self) -> str:
        return self.state.app_id

    # ---- arranging the workspace ----------------------------------------------------------------

    def add_user(self, user_id: str, name: str, **fields: Any) -> dict[str, Any]:
        """fields: real_name, tz, locale, is_bot, display_name, deleted, email."""
        return self.state.add_user(user_id, name, **fields)

    def add_channel(self, channel_id: str, name: str | None = None, **fields: Any) -> dict[str, Any]:
        """fields: is_private, is_archived, members."""
        return self.state.add_channel(channel_id, name, **fields)

    def add_usergroup(self, group_id: str, handle: str, users: list[str], name: str | None = None) -> None:
        self.state.add_usergroup(group_id, handle, users, name=name)

    def archive_channel(self, channel_id: str) -> None:
        with self.state.lock:
            self.state.channels[channel_id]["is_archived"] = True

    def fail_next(self, method: str, error: str, status: int = 200, delay: float = 0.0, apply: bool = False) -> None:
        """Make the next call to `method` fail once. `error` is the Slack error string (e.g.
        "internal_error" with status=500), or "timeout" (sleep `delay` real seconds, then drop the
        connection unanswered) or "connection_reset" (drop at once). With apply=True the call is
        carried out anyway: the message exists although the client saw a failure."""
        with self.state.lock:
            self.state.failures.setdefault(method, []).append(Failure(error, status, delay, apply))

    # ---- what reached Slack -------------------------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        with self.state.lock:
            return list(self.state.calls)

    def files(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Uploaded files (bytes, alt text, where they were shared), oldest first."""
        with self.state.lock:
            return [dict(f) for f in self.state.files.values() if channel is None or channel in f["channels"]]

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    def reset_calls(self) -> None:
        with self.state.lock:
            self.state.calls.clear()

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Every message in a channel (top-level and thread replies), oldest first."""
        with self.state.lock:
            self.state.flush_scheduled()
            found = self.state.resolve_channel(channel)
            return copy.deepcopy(self.state.messages.get(found["id"] if found else channel, []))

    def top_level(self, channel: str) -> list[dict[str, Any]]:
        return [m for m in self.messages(channel)
                if not m.get("thread_ts") or m["thread_ts"] == m["ts"] or m.get("subtype") == "thread_broadcast"]

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self.messages(channel) if m["ts"] == ts), None)

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The parent and its replies, oldest first."""
        return [m for m in self.messages(channel) if m["ts"] == ts or m.get("thread_ts") == ts]

    def ephemerals(self, user: str | None = None, channel: str | None = None) -> list[dict[str, Any]]:
        """Ephemerals from chat.postEphemeral, response_url and slash-command acks."""
        with self.state.lock:
            return [copy.deepcopy(e) for e in self.state.ephemerals
                    if (user is None or e["user"] == user) and (channel is None or e["channel"] == channel)]

    def views(self, user: str | None = None) -> list[dict[str, Any]]:
        """Open modals (root first) for a user, or for everyone."""
        with self.state.lock:
            users = [user] if user else list(self.state.modal_stacks)
            return [copy.deepcopy(self.state.views[v]) for u in users for v in self.state.modal_stacks.get(u, [])]

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self.state.lock:
            found = self.state.views.get(view_id)
            return copy.deepcopy(found) if found else None

    def home(self, user: str) -> dict[str, Any] | None:
        with self.state.lock:
            view_id = self.state.homes.get(user)
            return copy.deepcopy(self.state.views[view_id]) if view_id else None

    def user_name(self, user_id: str) -> str:
        return self.state.user_name(user_id)

    # ---- used by the driver (what Slack does around an interaction) ---------------------------------

    def new_trigger(self, user: str) -> str:
        return self.state.new_trigger(user)

    def new_response_url(self, **context: Any) -> str:
        """context: user, channel, message_ts, is_ephemeral."""
        return self.state.new_response_url(self.base_url, context)

    def store_user_message(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> dict:
        with self.state.lock:
            found = self.state.resolve_channel(channel)
            if found is None:
                raise KeyError(f"unknown channel {channel}")
            message: dict[str, Any] = {"type": "message", "user": user, "text": text,
                                       "ts": self.state.next_ts(), "team": self.state.team_id}
            if thread_ts:
                message["thread_ts"] = thread_ts
            self.state.store_message(found["id"], message)
            return dict(message, channel=found["id"])

    def store_ephemeral(self, channel: str | None, user: str, body: dict[str, Any], source: str) -> dict:
        return self.state.store_ephemeral(channel, user, body, source)

    def apply_submission_answer(self, user: str, view_id: str, answer: dict[str, Any] | None) -> None:
        apply_submission_answer(self.state, user, view_id, answer)
