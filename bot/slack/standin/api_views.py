"""views.open / push / update / publish, trigger_id rules, and what a view_submission answer does
to the user's modal stack (Slack closes, updates, pushes or shows errors)."""

from __future__ import annotations

import secrets
from typing import Any

from .api_common import ApiError, invalid
from .blocks_validation import validate_view
from .state import TRIGGER_LIFETIME, StandInState

MAX_MODAL_STACK = 3


def _new_hash(state: StandInState) -> str:
    return f"{int(state.now())}.{secrets.token_hex(4)}"


def _exchange_trigger(state: StandInState, trigger_id: Any) -> str:
    """The user a trigger_id belongs to; triggers are single-use and live 3 s."""
    if not trigger_id:
        raise ApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: trigger_id"]})
    trigger = state.triggers.get(str(trigger_id))
    if trigger is None:
        raise ApiError("invalid_trigger_id")
    if state.now() - trigger["created"] > TRIGGER_LIFETIME:
        raise ApiError("expired_trigger_id")
    if trigger["used"]:
        raise ApiError("exchanged_trigger_id")
    trigger["used"] = True
    return trigger["user"]


def _checked(view: Any, expected_type: str) -> dict[str, Any]:
    if not isinstance(view, dict):
        raise invalid("invalid_arguments", ["must provide an object [json-pointer:/view]"])
    errors = validate_view(view)
    if not errors and view.get("type") != expected_type:
        errors = ["must be a valid enum value [json-pointer:/view/type]"]
    if errors:
        raise invalid("invalid_arguments", errors)
    return view


def _build(state: StandInState, raw: dict[str, Any], view_id: str, root_id: str | None,
           previous_id: str | None) -> dict[str, Any]:
    view: dict[str, Any] = {"id": view_id, "team_id": state.team_id, "type": raw["type"]}
    for key in ("title", "submit", "close"):
        if key in raw:
            view[key] = raw[key]
    view.update(
        blocks=raw.get("blocks", []),
        private_metadata=raw.get("private_metadata", ""),
        callback_id=raw.get("callback_id", ""),
        external_id=raw.get("external_id", ""),
        state={"values": {}},
        hash=_new_hash(state),
        clear_on_close=bool(raw.get("clear_on_close", False)),
        notify_on_close=bool(raw.get("notify_on_close", False)),
        root_view_id=root_id or view_id,
        previous_view_id=previous_id,
        app_id=state.app_id,
        app_installed_team_id=state.team_id,
        bot_id=state.bot_id,
    )
    return view


def _check_external_id(state: StandInState, raw: dict[str, Any], own_id: str | None = None) -> None:
    external_id = raw.get("external_id")
    if external_id and any(v["external_id"] == external_id and v["id"] != own_id for v in state.views.values()):
        raise ApiError("duplicate_external_id")


def views_open(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    raw = _checked(p.get("view"), "modal")
    user = _exchange_trigger(state, p.get("trigger_id") or p.get("interactivity_pointer"))
    _check_external_id(state, raw)
    view = _build(state, raw, state.new_id("V"), None, None)
    state.views[view["id"]] = view
    state.view_owner[view["id"]] = user
    state.modal_stacks[user] = [view["id"]]
    return {"ok": True, "view": view}


def views_push(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    raw = _checked(p.get("view"), "modal")
    user = _exchange_trigger(state, p.get("trigger_id") or p.get("interactivity_pointer"))
    stack = state.modal_stacks.setdefault(user, [])
    if len(stack) >= MAX_MODAL_STACK:
        raise ApiError("push_limit_reached")
    _check_external_id(state, raw)
    view = _build(state, raw, state.new_id("V"), stack[0] if stack else None, stack[-1] if stack else None)
    state.views[view["id"]] = view
    state.view_owner[view["id"]] = user
    stack.append(view["id"])
    return {"ok": True, "view": view}


def _find_view(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("view_id"):
        view = state.views.get(str(p["view_id"]))
    elif p.get("external_id"):
        view = next((v for v in state.views.values() if v["external_id"] == p["external_id"]), None)
    else:
        raise ApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] view_id or external_id required"]})
    if view is None:
        raise ApiError("not_found")
    return view


def views_update(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    current = _find_view(state, p)
    if current["type"] == "modal" and not any(current["id"] in stack for stack in state.modal_stacks.values()):
        raise ApiError("not_found")  # the person closed it
    raw = _checked(p.get("view"), current["type"])
    if p.get("hash") and p["hash"] != current["hash"]:
        raise ApiError("hash_conflict")
    _check_external_id(state, raw, current["id"])
    view = _build(state, raw, current["id"], current["root_view_id"], current["previous_view_id"])
    state.views[view["id"]] = view
    return {"ok": True, "view": view}


def views_publish(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    user = str(p.get("user_id") or "")
    if user not in state.users:
        raise ApiError("user_not_found")
    raw = _checked(p.get("view"), "home")
    current = state.views.get(state.homes.get(user, ""))
    if current is not None and p.get("hash") and p["hash"] != current["hash"]:
        raise ApiError("hash_conflict")
    view_id = current["id"] if current else state.new_id("V")
    view = _build(state, raw, view_id, None, None)
    state.views[view_id] = view
    state.view_owner[view_id] = user
    state.homes[user] = view_id
    return {"ok": True, "view": view}


def apply_submission_answer(state: StandInState, user: str, view_id: str, answer: dict[str, Any] | None) -> None:
    """What Slack does with the app's answer to a view_submission: close the submitted view (no
    answer), clear the whole stack, update it in place or push a new one; "errors" keeps it open."""
    with state.lock:
        stack = state.modal_stacks.setdefault(user, [])
        action = (answer or {}).get("response_action")
        if action == "errors":
            state.views[view_id]["errors"] = dict(answer.get("errors") or {})
        elif action == "clear":
            stack.clear()
        elif action == "update" and isinstance(answer.get("view"), dict):
            current = state.views[view_id]
            state.views[view_id] = _build(state, answer["view"], view_id, current["root_view_id"],
                                          current["previous_view_id"])
        elif action == "push" and isinstance(answer.get("view"), dict):
            pushed = _build(state, answer["view"], state.new_id("V"), stack[0] if stack else None, view_id)
            state.views[pushed["id"]] = pushed
            state.view_owner[pushed["id"]] = user
            stack.append(pushed["id"])
        elif view_id in stack:
            stack.remove(view_id)
