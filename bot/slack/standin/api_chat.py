"""chat.* methods and the conversation readers (history, replies), with Slack's shapes and errors."""

from __future__ import annotations

import base64
from typing import Any

from .api_common import ApiError, check_content, check_metadata, flag, integer, public_message
from .state import StandInState

SCHEDULE_HORIZON = 120 * 24 * 3600  # chat.scheduleMessage: at most 120 days ahead


def writable_channel(state: StandInState, ref: Any) -> dict[str, Any]:
    channel = state.resolve_channel(str(ref) if ref else None)
    if channel is None:
        raise ApiError("channel_not_found")
    if channel["is_archived"]:
        raise ApiError("is_archived")
    return channel


def _bot_message(state: StandInState, p: dict[str, Any], ts: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": "message",
        "user": state.bot_user_id,
        "bot_id": state.bot_id,
        "app_id": state.app_id,
        "text": p.get("text") or "",
        "ts": ts,
        "team": state.team_id,
        "bot_profile": {"id": state.bot_id, "app_id": state.app_id, "name": "Veille",
                        "team_id": state.team_id, "deleted": False},
    }
    if p.get("blocks"):
        message["blocks"] = p["blocks"]
    if p.get("attachments"):
        message["attachments"] = p["attachments"]
    metadata = check_metadata(p.get("metadata"))
    if metadata:
        message["metadata"] = metadata
    return message


def _thread_root(state: StandInState, channel_id: str, thread_ts: Any) -> str | None:
    """A reply to a reply joins the parent's thread, as in Slack."""
    if not thread_ts:
        return None
    parent = state.find_message(channel_id, str(thread_ts))
    if parent is not None and parent.get("thread_ts"):
        return parent["thread_ts"]
    return str(thread_ts)


def post_message(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    channel = writable_channel(state, p.get("channel"))
    check_content(p.get("text"), p.get("blocks"), p.get("attachments"))
    message = _bot_message(state, p, state.next_ts())
    thread_ts = _thread_root(state, channel["id"], p.get("thread_ts"))
    if thread_ts:
        message["thread_ts"] = thread_ts
        if flag(p, "reply_broadcast"):
            message["subtype"] = "thread_broadcast"
            message["root"] = {"ts": thread_ts}
    state.store_message(channel["id"], message)
    return {"ok": True, "channel": channel["id"], "ts": message["ts"], "message": public_message(message)}


def update(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    channel = writable_channel(state, p.get("channel"))
    message = state.find_message(channel["id"], str(p.get("ts") or ""))
    if message is None:
        raise ApiError("message_not_found")
    if message.get("bot_id") != state.bot_id:
        raise ApiError("cant_update_message")
    # Fields left out keep their old value; an empty blocks list removes the blocks.
    text = p["text"] if "text" in p else message.get("text", "")
    blocks = p["blocks"] if "blocks" in p else message.get("blocks")
    check_content(text, blocks, message.get("attachments"))
    message["text"] = text or ""
    if blocks:
        message["blocks"] = blocks
    else:
        message.pop("blocks", None)
    metadata = check_metadata(p.get("metadata"))
    if metadata:
        message["metadata"] = metadata
    message["edited"] = {"user": state.bot_user_id, "ts": state.next_ts()}
    return {"ok": True, "channel": channel["id"], "ts": message["ts"], "text": message["text"],
            "message": public_message(message)}


def delete(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    channel = writable_channel(state, p.get("channel"))
    ts = str(p.get("ts") or "")
    message = state.find_message(channel["id"], ts)
    if message is None:
        raise ApiError("message_not_found")
    if message.get("bot_id") != state.bot_id:
        raise ApiError("cant_delete_message")
    if message.get("reply_count"):
        # A parent with replies leaves a tombstone so the thread stays readable.
        for key in ("blocks", "attachments", "metadata", "bot_id", "bot_profile", "app_id"):
            message.pop(key, None)
        message.update(subtype="tombstone", text="This message was deleted.", hidden=True)
    else:
        state.messages[channel["id"]].remove(message)
    return {"ok": True, "channel": channel["id"], "ts": ts}


def post_ephemeral(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    channel = writable_channel(state, p.get("channel"))
    user = p.get("user")
    if not user or user not in state.users:
        raise ApiError("user_not_in_channel")
    check_content(p.get("text"), p.get("blocks"), p.get("attachments"))
    ephemeral = state.store_ephemeral(channel["id"], user, p, source="chat.postEphemeral")
    return {"ok": True, "message_ts": ephemeral["ts"]}


def get_permalink(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    channel = state.resolve_channel(p.get("channel"))
    if channel is None:
        raise ApiError("channel_not_found")
    message = state.find_message(channel["id"], str(p.get("message_ts") or ""))
    if message is None:
        raise ApiError("message_not_found")
    link = f"https://{state.team_domain}.slack.com/archives/{channel['id']}/p{message['ts'].replace('.', '')}"
    if message.get("thread_ts") and message["thread_ts"] != message["ts"]:
        link += f"?thread_ts={message['thread_ts']}&cid={channel['id']}"
    return {"ok": True, "channel": channel["id"], "permalink": link}


def schedule_message(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    channel = writable_channel(state, p.get("channel"))
    post_at = integer(p, "post_at", 0)
    now = state.now()
    if post_at <= now:
        raise ApiError("time_in_past")
    if post_at > now + SCHEDULE_HORIZON:
        raise ApiError("time_too_far")
    check_content(p.get("text"), p.get("blocks"), p.get("attachments"))
    message = _bot_message(state, p, "")
    thread_ts = _thread_root(state, channel["id"], p.get("thread_ts"))
    if thread_ts:
        message["thread_ts"] = thread_ts
    scheduled_id = state.new_id("Q")
    state.scheduled.append({"id": scheduled_id, "channel": channel["id"], "post_at": post_at, "message": message})
    shown = {k: v for k, v in public_message(message).items() if k != "ts"}
    return {"ok": True, "channel": channel["id"], "scheduled_message_id": scheduled_id, "post_at": post_at,
            "message": shown}


# ---- readers ---------------------------------------------------------------------------------


def _readable_channel(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    channel = state.resolve_channel(p.get("channel"))
    if channel is None:
        raise ApiError("channel_not_found")
    state.flush_scheduled()
    return channel


def _in_range(ts: str, p: dict[str, Any]) -> bool:
    inclusive = flag(p, "inclusive")
    value = float(ts)
    if p.get("oldest") not in (None, ""):
        oldest = float(p["oldest"])
        if value < oldest or (value == oldest and not inclusive):
            return False
    if p.get("latest") not in (None, ""):
        latest = float(p["latest"])
        if value > latest or (value == latest and not inclusive):
            return False
    return True


def _page(messages: list[dict[str, Any]], p: dict[str, Any], default_limit: int) -> tuple[list, str]:
    """Cursor pagination: the cursor encodes the offset of the next page."""
    limit = max(1, min(999, integer(p, "limit", default_limit) or default_limit))
    start = 0
    if p.get("cursor"):
        try:
            start = int(base64.b64decode(str(p["cursor"])).decode().split(":", 1)[1])
        except (ValueError, IndexError):
            raise ApiError("invalid_cursor") from None
    page = messages[start:start + limit]
    more = start + limit < len(messages)
    cursor = base64.b64encode(f"offset:{start + limit}".encode()).decode() if more else ""
    return page, cursor


def history(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    channel = _readable_channel(state, p)
    with_metadata = flag(p, "include_all_metadata")
    top_level = [
        m for m in state.messages.get(channel["id"], [])
        if (not m.get("thread_ts") or m["thread_ts"] == m["ts"] or m.get("subtype") == "thread_broadcast")
        and _in_range(m["ts"], p)
    ]
    newest_first = sorted(top_level, key=lambda m: float(m["ts"]), reverse=True)
    page, cursor = _page(newest_first, p, 100)
    return {"ok": True, "messages": [public_message(m, with_metadata) for m in page], "has_more": bool(cursor),
            "pin_count": 0, "response_metadata": {"next_cursor": cursor}}


def replies(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    channel = _readable_channel(state, p)
    message = state.find_message(channel["id"], str(p.get("ts") or ""))
    if message is None:
        raise ApiError("thread_not_found")
    root = message.get("thread_ts") or message["ts"]
    thread = [
        m for m in state.messages.get(channel["id"], [])
        if (m["ts"] == root or m.get("thread_ts") == root) and (m["ts"] == root or _in_range(m["ts"], p))
    ]
    thread.sort(key=lambda m: float(m["ts"]))
    page, cursor = _page(thread, p, 1000)
    with_metadata = flag(p, "include_all_metadata")
    return {"ok": True, "messages": [public_message(m, with_metadata) for m in page], "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor}}
