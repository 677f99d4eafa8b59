"""Pieces of Slack's interaction payloads: the action object of a block_actions payload and the
state.values of a view, in the shapes Slack sends for each kind of element."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

SINGLE_VALUE = {"plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input"}
SELECTED = {
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel",
    "multi_channels_select": "selected_channels",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
}
ONE_OPTION = {"static_select", "external_select", "radio_buttons", "overflow"}
MANY_OPTIONS = {"multi_static_select", "multi_external_select", "checkboxes"}


def iter_elements(blocks: list[dict[str, Any]]) -> Iterator[tuple[str | None, dict[str, Any]]]:
    """(block_id, element) for every interactive element in a list of blocks."""
    for block in blocks or []:
        block_id = block.get("block_id")
        if block.get("type") == "input" and isinstance(block.get("element"), dict):
            yield block_id, block["element"]
        if isinstance(block.get("accessory"), dict):
            yield block_id, block["accessory"]
        for element in block.get("elements") or []:
            if isinstance(element, dict) and "action_id" in element:
                yield block_id, element


def find_element(blocks: list[dict[str, Any]], action_id: str) -> tuple[str | None, dict[str, Any]] | None:
    return next(((b, e) for b, e in iter_elements(blocks) if e.get("action_id") == action_id), None)


def _option(element: dict[str, Any], value: str) -> dict[str, Any]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return next((o for o in options if o.get("value") == value),
                {"text": {"type": "plain_text", "text": str(value)}, "value": value})


def element_state(element: dict[str, Any], value: Any) -> dict[str, Any]:
    """An element's entry in state.values; `value` None means left empty. A dict is taken as is."""
    kind = element.get("type", "plain_text_input")
    if isinstance(value, dict):
        return {"type": kind, **value}
    if kind in ONE_OPTION:
        return {"type": kind, "selected_option": None if value is None else _option(element, value)}
    if kind in MANY_OPTIONS:
        return {"type": kind, "selected_options": [_option(element, v) for v in (value or [])]}
    if kind in SELECTED:
        plural = SELECTED[kind].endswith("s")
        return {"type": kind, SELECTED[kind]: (list(value or []) if plural else value)}
    return {"type": kind, "value": value}


def view_state(view: dict[str, Any], values: dict[str, dict[str, Any]] | None) -> dict[str, Any]:
    """state.values for a view: every input of the view (empty unless given), plus what `values`
    ({block_id: {action_id: value}}) sets, including blocks the view does not have (forgeries)."""
    values = values or {}
    state: dict[str, dict[str, Any]] = {}
    for block_id, element in iter_elements(view.get("blocks") or []):
        if block_id is None or "action_id" not in element:
            continue
        given = values.get(block_id, {})
        if element.get("type") == "button" or (element["action_id"] not in given and _not_input(view, block_id)):
            continue
        state.setdefault(block_id, {})[element["action_id"]] = element_state(element, given.get(element["action_id"]))
    for block_id, actions in values.items():
        for action_id, value in actions.items():
            if action_id not in state.get(block_id, {}):
                state.setdefault(block_id, {})[action_id] = element_state({"type": "plain_text_input"}, value)
    return {"values": state}


def _not_input(view: dict[str, Any], block_id: str) -> bool:
    return not any(b.get("block_id") == block_id and b.get("type") == "input" for b in view.get("blocks") or [])


def action(block_id: str | None, element: dict[str, Any], value: Any, action_ts: str) -> dict[str, Any]:
    """One entry of a block_actions payload's `actions`."""
    kind = element.get("type", "button")
    entry: dict[str, Any] = {"action_id": element.get("action_id"), "block_id": block_id, "type": kind,
                             "action_ts": action_ts}
    if kind == "button":
        if "text" in element:
            entry["text"] = element["text"]
        shown = value if value is not None else element.get("value")
        if shown is not None:  # Slack omits value for a button that has none
            entry["value"] = shown
        if "style" in element:
            entry["style"] = element["style"]
        return entry
    entry.update({k: v for k, v in element_state(element, value).items() if k != "type"})
    return entry
