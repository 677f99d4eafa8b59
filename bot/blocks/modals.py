"""Modals: write a reply, give a reason for a rejection."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import plain, section
from bot.i18n import t
from bot.ids import Block, Input, View
from bot.slack.escape import quote


def reply_modal(conversation_id: int, original_text: str, initial: str = "", *, lang: str = "en") -> dict[str, Any]:
    """`lang`: the member's (modals are shown to one member)."""
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": Input.TEXT, "multiline": True,
                               "max_length": 3000}
    if initial:
        element["initial_value"] = initial[:3000]
    return {
        "type": "modal", "callback_id": View.REPLY, "private_metadata": str(conversation_id),
        "title": plain(t(lang, "reply_modal_title"), 24), "submit": plain(t(lang, "reply_modal_submit"), 24),
        "close": plain(t(lang, "modal_cancel"), 24),
        "blocks": [
            section(quote(original_text, 2000)),
            {"type": "input", "block_id": Block.REPLY_TEXT, "label": plain(t(lang, "reply_modal_label")),
             "element": element},
        ],
    }


def reject_modal(draft_id: int, version: int, *, lang: str = "en") -> dict[str, Any]:
    return {
        "type": "modal", "callback_id": View.REJECT, "private_metadata": f"{draft_id}:{version}",
        "title": plain(t(lang, "reject_modal_title"), 24), "submit": plain(t(lang, "btn_reject"), 24),
        "close": plain(t(lang, "modal_cancel"), 24),
        "blocks": [{"type": "input", "block_id": Block.REJECT_REASON, "label": plain(t(lang, "reject_modal_label")),
                    "element": {"type": "plain_text_input", "action_id": Input.TEXT, "multiline": True,
                                "max_length": 1000}}],
    }
