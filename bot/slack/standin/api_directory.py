"""Who and where: auth.test, users.info, conversations.info/open/members, usergroups.users.list."""

from __future__ import annotations

from typing import Any

from .api_common import ApiError, flag
from .state import StandInState, dm_channel_id, tz_fields


def auth_test(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    return {
        "ok": True,
        "url": f"https://{state.team_domain}.slack.com/",
        "team": "Veille Test",
        "user": state.users[state.bot_user_id]["name"],
        "team_id": state.team_id,
        "user_id": state.bot_user_id,
        "bot_id": state.bot_id,
        "is_enterprise_install": False,
    }


def user_object(state: StandInState, user: dict[str, Any], include_locale: bool) -> dict[str, Any]:
    tz_label, tz_offset = tz_fields(user["tz"], state.now())
    shown: dict[str, Any] = {
        "id": user["id"],
        "team_id": state.team_id,
        "name": user["name"],
        "deleted": user["deleted"],
        "color": "9f69e7",
        "real_name": user["real_name"],
        "tz": user["tz"],
        "tz_label": tz_label,
        "tz_offset": tz_offset,
        "profile": {
            "real_name": user["real_name"],
            "real_name_normalized": user["real_name"],
            "display_name": user["display_name"],
            "display_name_normalized": user["display_name"],
            "email": user["email"],
            "team": state.team_id,
        },
        "is_admin": False,
        "is_owner": False,
        "is_primary_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": user["is_bot"],
        "is_app_user": False,
        "updated": int(state.now()),
    }
    if user["is_bot"]:
        shown["profile"]["bot_id"] = state.bot_id
    if include_locale:
        shown["locale"] = user["locale"]
    return shown


def users_info(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    user = state.users.get(str(p.get("user") or ""))
    if user is None:
        raise ApiError("user_not_found")
    return {"ok": True, "user": user_object(state, user, flag(p, "include_locale"))}


def channel_object(state: StandInState, channel: dict[str, Any]) -> dict[str, Any]:
    if channel["is_im"]:
        return {"id": channel["id"], "created": channel["created"], "is_im": True, "is_org_shared": False,
                "user": channel["user"], "is_user_deleted": False, "priority": 0}
    return {
        "id": channel["id"],
        "name": channel["name"],
        "name_normalized": channel["name"],
        "is_channel": not channel["is_private"],
        "is_group": channel["is_private"],
        "is_im": False,
        "is_mpim": False,
        "is_private": channel["is_private"],
        "is_archived": channel["is_archived"],
        "is_general": channel["name"] == "general",
        "is_member": True,
        "created": channel["created"],
        "creator": "",
        "topic": {"value": "", "creator": "", "last_set": 0},
        "purpose": {"value": "", "creator": "", "last_set": 0},
        "num_members": len(channel["members"]),
    }


def conversations_info(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    channel = state.channels.get(str(p.get("channel") or ""))
    if channel is None:
        raise ApiError("channel_not_found")
    return {"ok": True, "channel": channel_object(state, channel)}


def conversations_open(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("channel"):
        channel = state.channels.get(str(p["channel"]))
        if channel is None:
            raise ApiError("channel_not_found")
        return {"ok": True, "channel": {"id": channel["id"]}, "no_op": True, "already_open": True}
    users = p.get("users")
    if isinstance(users, str):
        users = [u.strip() for u in users.split(",") if u.strip()]
    if not users:
        raise ApiError("users_list_not_supplied")
    for user in users:
        if user not in state.users:
            raise ApiError("user_not_found")
    if len(users) > 1:
        raise ApiError("not_supported")  # group DMs are not part of Veille's Slack surface
    already = dm_channel_id(users[0]) in state.channels
    channel = state.open_dm(users[0])
    body: dict[str, Any] = {"ok": True, "channel": {"id": channel["id"]}}
    if already:
        body.update(no_op=True, already_open=True)
    if flag(p, "return_im"):
        body["channel"] = channel_object(state, channel)
    return body


def usergroup_users(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    group = state.usergroups.get(str(p.get("usergroup") or ""))
    if group is None:
        raise ApiError("no_such_subteam")
    return {"ok": True, "users": list(group["users"])}


MEMBERS_MAX_LIMIT = 1000  # Slack: "under 1000"; the default page is 100


def conversations_members(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    """Slack's paging: `limit` (default 100, at most 1000), an opaque `cursor` (base64 of
    "user:<first id of the next page>", as Slack's look), `next_cursor` empty on the last page.
    A private channel the bot is not in is `channel_not_found`, as in Slack."""
    import base64
    import binascii

    channel = state.channels.get(str(p.get("channel") or ""))
    if channel is None or (channel["is_private"] and state.bot_user_id not in channel["members"]):
        raise ApiError("channel_not_found")
    limit = p.get("limit", 100)
    try:
        limit = int(limit)
    except (TypeError, ValueError):
        raise ApiError("invalid_limit") from None
    if not 1 <= limit <= MEMBERS_MAX_LIMIT:
        raise ApiError("invalid_limit")
    members = list(channel["members"])
    start = 0
    cursor = str(p.get("cursor") or "")
    if cursor:
        try:
            kind, _, first = base64.b64decode(cursor, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise ApiError("invalid_cursor") from None
        if kind != "user" or first not in members:
            raise ApiError("invalid_cursor")
        start = members.index(first)
    page = members[start:start + limit]
    rest = members[start + limit:]
    next_cursor = base64.b64encode(f"user:{rest[0]}".encode()).decode() if rest else ""
    return {"ok": True, "members": page, "response_metadata": {"next_cursor": next_cursor}}
