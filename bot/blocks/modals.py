"""Modals: write a reply, give a reason for a rejection."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import plain, section
from bot.ids import Block, Input, View
from bot.slack.escape import quote


def reply_modal(conversation_id: int, original_text: str, initial: str = "") -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": Input.TEXT, "multiline": True,
                               "max_length": 3000}
    if initial:
        element["initial_value"] = initial[:3000]
    return {
        "type": "modal", "callback_id": View.REPLY, "private_metadata": str(conversation_id),
        "title": plain("Reply", 24), "submit": plain("Send for approval", 24), "close": plain("Cancel", 24),
        "blocks": [
            section(quote(original_text, 2000)),
            {"type": "input", "block_id": Block.REPLY_TEXT, "label": plain("Your reply (as the brand)"),
             "element": element},
        ],
    }


def reject_modal(draft_id: int, version: int) -> dict[str, Any]:
    return {
        "type": "modal", "callback_id": View.REJECT, "private_metadata": f"{draft_id}:{version}",
        "title": plain("Reject draft", 24), "submit": plain("Reject", 24), "close": plain("Cancel", 24),
        "blocks": [{"type": "input", "block_id": Block.REJECT_REASON, "label": plain("Why? The author will see it."),
                    "element": {"type": "plain_text_input", "action_id": Input.TEXT, "multiline": True,
                                "max_length": 1000}}],
    }
