"""Block Kit checks Slack applies before accepting a message or a view.

Each check yields an error line in Slack's wording, with a JSON pointer to the offending field
(e.g. "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"); the API answers
`invalid_blocks` (messages) or `invalid_arguments` (views) with these lines prefixed "[ERROR] "
in response_metadata.messages. The checks cover the limits Veille can hit, not all of Block Kit."""

from __future__ import annotations

from typing import Any

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100

BLOCK_TYPES = {
    "section", "header", "divider", "context", "actions", "image", "input", "rich_text",
    "file", "video", "markdown", "table", "context_actions",
}
INTERACTIVE_TYPES = {
    "button", "static_select", "external_select", "users_select", "conversations_select",
    "channels_select", "multi_static_select", "multi_users_select", "multi_conversations_select",
    "multi_channels_select", "multi_external_select", "overflow", "datepicker", "timepicker",
    "datetimepicker", "checkboxes", "radio_buttons", "plain_text_input", "number_input",
    "email_text_input", "url_text_input", "rich_text_input", "file_input", "workflow_button",
}
TEXT_TYPES = {"plain_text", "mrkdwn"}


def _too_long(limit: int, path: str) -> str:
    return f"must be less than {limit + 1} characters [json-pointer:{path}]"


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.block_ids: set[str] = set()

    def fail(self, message: str) -> None:
        self.errors.append(message)

    def text(self, obj: Any, path: str, limit: int, plain_only: bool = False) -> None:
        if not isinstance(obj, dict) or obj.get("type") not in TEXT_TYPES:
            self.fail(f"must provide an object [json-pointer:{path}]")
            return
        if plain_only and obj["type"] != "plain_text":
            self.fail(f"must be a valid enum value [json-pointer:{path}/type]")
        value = obj.get("text")
        if not isinstance(value, str) or value == "":
            self.fail(f"must be more than 0 characters [json-pointer:{path}/text]")
        elif len(value) > limit:
            self.fail(_too_long(limit, f"{path}/text"))

    def element(self, element: Any, path: str, seen_action_ids: set[str]) -> None:
        if not isinstance(element, dict) or "type" not in element:
            self.fail(f"must provide an object [json-pointer:{path}]")
            return
        kind = element["type"]
        if kind in {"plain_text", "mrkdwn", "image"}:
            return  # context elements
        if kind not in INTERACTIVE_TYPES:
            self.fail(f"must be a valid enum value [json-pointer:{path}/type]")
            return
        action_id = element.get("action_id")
        if action_id is not None:
            if len(str(action_id)) > 255:
                self.fail(_too_long(255, f"{path}/action_id"))
            if action_id in seen_action_ids:
                self.fail(f"action_id must be unique within a block [json-pointer:{path}/action_id]")
            seen_action_ids.add(action_id)
        if kind == "button":
            self.text(element.get("text"), f"{path}/text", 75, plain_only=True)
            if len(str(element.get("value", ""))) > 2000:
                self.fail(_too_long(2000, f"{path}/value"))
            if len(str(element.get("url", ""))) > 3000:
                self.fail(_too_long(3000, f"{path}/url"))
            if element.get("style") not in (None, "primary", "danger"):
                self.fail(f"must be a valid enum value [json-pointer:{path}/style]")
        if "placeholder" in element:
            self.text(element["placeholder"], f"{path}/placeholder", 150, plain_only=True)
        for i, option in enumerate(element.get("options") or []):
            if isinstance(option, dict):
                self.text(option.get("text"), f"{path}/options/{i}/text", 75)
                if len(str(option.get("value", ""))) > 150:
                    self.fail(_too_long(150, f"{path}/options/{i}/value"))

    def block(self, block: Any, path: str) -> None:
        if not isinstance(block, dict):
            self.fail(f"must provide an object [json-pointer:{path}]")
            return
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            self.fail(f"must be a valid enum value [json-pointer:{path}/type]")
            return
        block_id = block.get("block_id")
        if block_id is not None:
            if len(str(block_id)) > 255:
                self.fail(_too_long(255, f"{path}/block_id"))
            if block_id in self.block_ids:
                self.fail(f"block_id must be unique [json-pointer:{path}/block_id]")
            self.block_ids.add(block_id)
        action_ids: set[str] = set()
        if kind == "section":
            if "text" not in block and "fields" not in block:
                self.fail(f"must provide text or fields [json-pointer:{path}]")
            if "text" in block:
                self.text(block["text"], f"{path}/text", 3000)
            fields = block.get("fields") or []
            if len(fields) > 10:
                self.fail(f"no more than 10 items allowed [json-pointer:{path}/fields]")
            for i, item in enumerate(fields):
                self.text(item, f"{path}/fields/{i}", 2000)
            if "accessory" in block:
                self.element(block["accessory"], f"{path}/accessory", action_ids)
        elif kind == "header":
            self.text(block.get("text"), f"{path}/text", 150, plain_only=True)
        elif kind == "context":
            elements = block.get("elements") or []
            if not elements or len(elements) > 10:
                self.fail(f"must have between 1 and 10 items [json-pointer:{path}/elements]")
            for i, item in enumerate(elements):
                if isinstance(item, dict) and item.get("type") in TEXT_TYPES:
                    self.text(item, f"{path}/elements/{i}", 3000)
                else:
                    self.element(item, f"{path}/elements/{i}", action_ids)
        elif kind == "actions":
            elements = block.get("elements") or []
            if not elements or len(elements) > 25:
                self.fail(f"must have between 1 and 25 items [json-pointer:{path}/elements]")
            for i, item in enumerate(elements):
                self.element(item, f"{path}/elements/{i}", action_ids)
        elif kind == "image":
            if not block.get("alt_text"):
                self.fail(f"must provide alt_text [json-pointer:{path}/alt_text]")
            elif len(block["alt_text"]) > 2000:
                self.fail(_too_long(2000, f"{path}/alt_text"))
        elif kind == "input":
            self.text(block.get("label"), f"{path}/label", 2000, plain_only=True)
            self.element(block.get("element"), f"{path}/element", action_ids)
            if "hint" in block:
                self.text(block["hint"], f"{path}/hint", 2000, plain_only=True)

    def blocks(self, blocks: Any, path: str, max_blocks: int) -> None:
        if not isinstance(blocks, list):
            self.fail(f"must provide an array [json-pointer:{path}]")
            return
        if len(blocks) > max_blocks:
            self.fail(f"no more than {max_blocks} items allowed [json-pointer:{path}]")
        for i, block in enumerate(blocks):
            self.block(block, f"{path}/{i}")


def validate_message_blocks(blocks: Any) -> list[str]:
    checker = _Checker()
    checker.blocks(blocks, "/blocks", MESSAGE_MAX_BLOCKS)
    return checker.errors


def validate_view(view: Any) -> list[str]:
    checker = _Checker()
    if not isinstance(view, dict):
        return ["must provide an object [json-pointer:/view]"]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        checker.fail("must be a valid enum value [json-pointer:/view/type]")
    if kind == "modal":
        checker.text(view.get("title"), "/view/title", 24, plain_only=True)
        for key in ("submit", "close"):
            if key in view:
                checker.text(view[key], f"/view/{key}", 24, plain_only=True)
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or [])
        if has_input and "submit" not in view:
            checker.fail("submit is required when an input block is within the view [json-pointer:/view/submit]")
    if len(str(view.get("private_metadata", ""))) > 3000:
        checker.fail(_too_long(3000, "/view/private_metadata"))
    if len(str(view.get("callback_id", ""))) > 255:
        checker.fail(_too_long(255, "/view/callback_id"))
    checker.blocks(view.get("blocks", []), "/view/blocks", VIEW_MAX_BLOCKS)
    return checker.errors
