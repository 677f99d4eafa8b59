"""Modals: write a reply, give a reason for a rejection."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import context, plain, section
from bot.ids import Block, Input, View
from bot.slack.escape import quote


def reply_modal(conversation_id: int, original_text: str, initial: str = "", warning: str = "",
                warned_key: str = "") -> dict[str, Any]:
    """`warning`: shown above the reply (e.g. the draft's language differs from the customer's);
    `warned_key` remembers which text it was about, so the same text submitted again goes through."""
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": Input.TEXT, "multiline": True,
                               "max_length": 3000}
    if initial:
        element["initial_value"] = initial[:3000]
    meta = f"{conversation_id}:{warned_key}" if warned_key else str(conversation_id)
    return {
        "type": "modal", "callback_id": View.REPLY, "private_metadata": meta,
        "title": plain("Reply", 24), "submit": plain("Send for approval", 24), "close": plain("Cancel", 24),
        "blocks": [
            section(quote(original_text, 2000)),
            *([context(warning)] if warning else []),
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
