"""The stand-in's workspace: users, channels, user groups, messages, ephemerals, views, triggers,
response URLs and the log of API calls. One re-entrant lock guards all of it, because the app
posts from worker threads while tests read state."""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

TEAM_ID = "T0VEILLE"
TEAM_DOMAIN = "veille-test"
BOT_USER_ID = "U0VEILLEBOT"
BOT_ID = "B0VEILLE"
APP_ID = "A0VEILLE"

TRIGGER_LIFETIME = 3.0  # seconds on the stand-in clock, as Slack documents
RESPONSE_URL_LIFETIME = 30 * 60  # response_url: 30 minutes, at most 5 uses
RESPONSE_URL_USES = 5

DEFAULT_CHANNELS = [
    {"id": "C0SOCIAL", "name": "social-inbox"},
    {"id": "C0GENERAL", "name": "general"},
]
DEFAULT_USERS = [
    {"id": "U0ALICE", "name": "alice", "real_name": "Alice Martin", "tz": "Europe/Paris", "locale": "fr-FR"},
    {"id": "U0BOB", "name": "bob", "real_name": "Bob Smith", "tz": "America/New_York", "locale": "en-US"},
    {"id": "U0CAROL", "name": "carol", "real_name": "Carol Diaz", "tz": "UTC", "locale": "en-GB"},
]
DEFAULT_USERGROUPS = [{"id": "S0APPROVERS", "handle": "approvers", "users": ["U0ALICE"]}]

# Slack's own labels for the zones we are likely to meet; others fall back to the abbreviation.
_TZ_LABELS = {
    "Europe/Paris": ("Central European Time", "Central European Summer Time"),
    "Europe/Berlin": ("Central European Time", "Central European Summer Time"),
    "Europe/London": ("Greenwich Mean Time", "British Summer Time"),
    "America/New_York": ("Eastern Standard Time", "Eastern Daylight Time"),
    "America/Los_Angeles": ("Pacific Standard Time", "Pacific Daylight Time"),
    "UTC": ("Coordinated Universal Time", "Coordinated Universal Time"),
}


@dataclass
class ApiCall:
    """One request that reached the stand-in's Web API, accepted or not."""

    method: str
    params: dict[str, Any]
    status: int
    body: dict[str, Any] | None  # None when the connection was dropped (simulated timeout)
    time: float
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.body and self.body.get("ok"))

    @property
    def error(self) -> str | None:
        return None if self.body is None else self.body.get("error")


@dataclass
class Failure:
    """A one-off error injected with `fail_next`."""

    error: str
    status: int = 200
    delay: float = 0.0
    apply: bool = False  # carry the call out anyway (the post exists, the client never learns)


def tz_fields(tz: str, at: float) -> tuple[str, int]:
    """Slack's tz_label and tz_offset (seconds east of UTC) for a zone at a given instant."""
    when = datetime.fromtimestamp(at, ZoneInfo(tz))
    offset = int(when.utcoffset().total_seconds())
    labels = _TZ_LABELS.get(tz)
    if labels:
        return labels[1 if when.dst() else 0], offset
    return when.tzname() or tz, offset


def dm_channel_id(user_id: str) -> str:
    """The app's stable DM channel with a user, as conversations.open returns it."""
    return "D" + user_id[1:]


class StandInState:
    def __init__(self, clock, team_id: str = TEAM_ID):
        self.lock = threading.RLock()
        self.clock = clock
        self.team_id = team_id
        self.team_domain = TEAM_DOMAIN
        self.bot_user_id = BOT_USER_ID
        self.bot_id = BOT_ID
        self.app_id = APP_ID
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}  # channel -> messages in ts order
        self.ephemerals: list[dict[str, Any]] = []
        self.scheduled: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.view_owner: dict[str, str] = {}
        self.modal_stacks: dict[str, list[str]] = {}  # user -> open modal view ids, root first
        self.homes: dict[str, str] = {}  # user -> home view id
        self.triggers: dict[str, dict[str, Any]] = {}
        self.response_urls: dict[str, dict[str, Any]] = {}
        self.calls: list[ApiCall] = []
        self.failures: dict[str, list[Failure]] = {}
        self.files: dict[str, dict[str, Any]] = {}  # file id -> upload (api_files.py), bytes kept for tests
        self.upload_base = ""  # where upload_url points: set when the HTTP server starts
        self._last_ts_us = 0
        self._ids = itertools.count(1)
        self.add_user(BOT_USER_ID, "veille", real_name="Veille", is_bot=True)

    # ---- identities -----------------------------------------------------------------------

    def now(self) -> float:
        return float(self.clock.now())

    def next_ts(self) -> str:
        """A message ts from the stand-in clock: unique and increasing, "epoch.micros"."""
        with self.lock:
            us = max(int(self.now() * 1_000_000), self._last_ts_us + 1)
            self._last_ts_us = us
            return f"{us // 1_000_000}.{us % 1_000_000:06d}"

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):04d}{secrets.token_hex(3).upper()}"

    # ---- directory --------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        real_name: str | None = None,
        tz: str = "UTC",
        locale: str = "en-US",
        is_bot: bool = False,
        display_name: str | None = None,
        deleted: bool = False,
        email: str | None = None,
    ) -> dict[str, Any]:
        user = {
            "id": user_id,
            "name": name,
            "real_name": real_name or name,
            "display_name": display_name or "",  # Slack leaves it empty unless the person set one
            "tz": tz,
            "locale": locale,
            "is_bot": is_bot,
            "deleted": deleted,
            "email": email or f"{name}@{self.team_domain}.example",
        }
        with self.lock:
            self.users[user_id] = user
        return user

    def add_channel(
        self,
        channel_id: str,
        name: str | None = None,
        is_private: bool = False,
        is_archived: bool = False,
        members: list[str] | None = None,
    ) -> dict[str, Any]:
        channel = {
            "id": channel_id,
            "name": name or channel_id.lower(),
            "is_private": is_private,
            "is_archived": is_archived,
            "is_im": False,
            "members": list(members) if members is not None else list(self.users),
            "created": int(self.now()),
        }
        with self.lock:
            self.channels[channel_id] = channel
            self.messages.setdefault(channel_id, [])
        return channel

    def add_usergroup(self, group_id: str, handle: str, users: list[str], name: str | None = None) -> None:
        with self.lock:
            self.usergroups[group_id] = {"id": group_id, "handle": handle, "name": name or handle,
                                         "users": list(users)}

    def open_dm(self, user_id: str) -> dict[str, Any]:
        with self.lock:
            channel_id = dm_channel_id(user_id)
            if channel_id not in self.channels:
                self.channels[channel_id] = {
                    "id": channel_id, "name": user_id, "is_private": True, "is_archived": False,
                    "is_im": True, "user": user_id, "members": [user_id, self.bot_user_id],
                    "created": int(self.now()),
                }
                self.messages.setdefault(channel_id, [])
            return self.channels[channel_id]

    def resolve_channel(self, ref: str | None) -> dict[str, Any] | None:
        """A channel by id, by "#name" or name, or a user id meaning the app's DM with them."""
        if not ref:
            return None
        with self.lock:
            if ref in self.channels:
                return self.channels[ref]
            if ref in self.users and ref.startswith(("U", "W")):
                return self.open_dm(ref)
            name = ref.lstrip("#")
            for channel in self.channels.values():
                if channel["name"] == name and not channel["is_im"]:
                    return channel
        return None

    def user_name(self, user_id: str) -> str:
        """The name Slack shows for a person: display name if set, else real name."""
        user = self.users.get(user_id)
        if not user:
            return user_id
        return user["display_name"] or user["real_name"] or user["name"]

    # ---- messages ---------------------------------------------------------------------------

    def find_message(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        with self.lock:
            for message in self.messages.get(channel_id, []):
                if message["ts"] == ts:
                    return message
        return None

    def store_message(self, channel_id: str, message: dict[str, Any]) -> dict[str, Any]:
        """Append a message; a reply also updates its parent's thread summary, as Slack does."""
        with self.lock:
            self.messages.setdefault(channel_id, []).append(message)
            thread_ts = message.get("thread_ts")
            if thread_ts and thread_ts != message["ts"]:
                parent = self.find_message(channel_id, thread_ts)
                if parent is not None:
                    parent["thread_ts"] = thread_ts
                    parent["reply_count"] = parent.get("reply_count", 0) + 1
                    users = parent.setdefault("reply_users", [])
                    author = message.get("user")
                    if author and author not in users:
                        users.append(author)
                    parent["reply_users_count"] = len(users)
                    parent["latest_reply"] = message["ts"]
        return message

    def flush_scheduled(self) -> None:
        """Deliver chat.scheduleMessage posts whose time has come on the stand-in clock."""
        with self.lock:
            now = self.now()
            due = [s for s in self.scheduled if s["post_at"] <= now]
            for item in due:
                self.scheduled.remove(item)
                message = dict(item["message"], ts=self.next_ts())
                self.store_message(item["channel"], message)

    def store_ephemeral(self, channel_id: str | None, user: str, body: dict[str, Any], source: str) -> dict:
        ephemeral = {
            "type": "message",
            "channel": channel_id,
            "user": user,
            "text": body.get("text", ""),
            "blocks": body.get("blocks") or [],
            "ts": self.next_ts(),
            "thread_ts": body.get("thread_ts"),
            "source": source,
            # The clock when it was shown: a transcript prints it as it read then ("due in 5 min"),
            # not as of the time the transcript is printed.
            "sent_at": self.now(),
        }
        with self.lock:
            self.ephemerals.append(ephemeral)
        return ephemeral

    # ---- interactivity ------------------------------------------------------------------------

    def new_trigger(self, user: str) -> str:
        trigger_id = f"{int(self.now())}.{secrets.randbelow(10**10)}.{secrets.token_hex(16)}"
        with self.lock:
            self.triggers[trigger_id] = {"user": user, "created": self.now(), "used": False}
        return trigger_id

    def new_response_url(self, base: str, context: dict[str, Any]) -> str:
        key = secrets.token_urlsafe(12)
        with self.lock:
            self.response_urls[key] = dict(context, created=self.now(), uses=0)
        return f"{base}response/{key}"
