"""POST /response/<id>: what Slack does with a message sent to a slash command's or a button's
response_url. Ephemeral by default (shown only to the user who acted); `in_channel` posts to the
channel; `replace_original` / `delete_original` act on the message the button was in."""

from __future__ import annotations

import copy
from typing import Any

from .api_common import ApiError, check_content
from .state import RESPONSE_URL_LIFETIME, RESPONSE_URL_USES, ApiCall, StandInState


def handle_response_url(state: StandInState, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    try:
        with state.lock:
            answer = _apply(state, key, body)
        status = 200
    except ApiError as error:
        answer, status = error.body(), error.status
    with state.lock:
        state.calls.append(ApiCall(method="response_url", params=copy.deepcopy(body), status=status,
                                   body=copy.deepcopy(answer), time=state.now()))
    return status, answer


def _apply(state: StandInState, key: str, body: dict[str, Any]) -> dict[str, Any]:
    context = state.response_urls.get(key)
    if context is None:
        raise ApiError("invalid_url", status=404)
    if state.now() - context["created"] > RESPONSE_URL_LIFETIME:
        raise ApiError("expired_url", status=404)
    if context["uses"] >= RESPONSE_URL_USES:
        raise ApiError("used_url", status=404)
    context["uses"] += 1
    channel_id, user = context.get("channel"), context.get("user")
    original_ts = context.get("message_ts")
    if body.get("delete_original"):
        _delete_original(state, channel_id, original_ts, context.get("is_ephemeral", False))
        return {"ok": True}
    check_content(body.get("text"), body.get("blocks"), body.get("attachments"))
    if body.get("replace_original") and original_ts:
        _replace_original(state, channel_id, user, original_ts, context.get("is_ephemeral", False), body)
        return {"ok": True}
    if body.get("response_type") == "in_channel" and channel_id:
        message = {
            "type": "message", "user": state.bot_user_id, "bot_id": state.bot_id, "app_id": state.app_id,
            "text": body.get("text") or "", "ts": state.next_ts(), "team": state.team_id,
        }
        if body.get("blocks"):
            message["blocks"] = body["blocks"]
        if body.get("thread_ts"):
            message["thread_ts"] = str(body["thread_ts"])
        state.store_message(channel_id, message)
        return {"ok": True}
    state.store_ephemeral(channel_id, user, body, source="response_url")
    return {"ok": True}


def _delete_original(state: StandInState, channel_id: str | None, ts: str | None, ephemeral: bool) -> None:
    if ephemeral:
        state.ephemerals[:] = [e for e in state.ephemerals if e["ts"] != ts]
        return
    message = state.find_message(channel_id or "", ts or "")
    if message is None:
        raise ApiError("message_not_found", status=404)
    state.messages[channel_id].remove(message)


def _replace_original(state: StandInState, channel_id: str | None, user: str | None, ts: str, ephemeral: bool,
                      body: dict[str, Any]) -> None:
    if ephemeral:
        target = next((e for e in state.ephemerals if e["ts"] == ts), None)
        if target is None:
            raise ApiError("message_not_found", status=404)
        target.update(text=body.get("text", ""), blocks=body.get("blocks") or [])
        return
    message = state.find_message(channel_id or "", ts)
    if message is None:
        raise ApiError("message_not_found", status=404)
    message["text"] = body.get("text", "")
    if body.get("blocks"):
        message["blocks"] = body["blocks"]
    else:
        message.pop("blocks", None)
    message["edited"] = {"user": state.bot_user_id, "ts": state.next_ts()}
