"""Modals: write a reply, give a reason for a rejection."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import context, plain, section
from bot.i18n import t
from bot.ids import Block, Input, View
from bot.slack.escape import quote


def reply_modal(conversation_id: int, original_text: str, initial: str = "", warning: str = "",
                warned_key: str = "", *, lang: str = "en") -> dict[str, Any]:
    """`lang`: the member's (modals are shown to one member). `warning`: shown above the reply (e.g.
    the draft's language differs from the customer's); `warned_key` remembers which text it was
    about, so the same text submitted again goes through."""
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": Input.TEXT, "multiline": True,
                               "max_length": 3000}
    if initial:
        element["initial_value"] = initial[:3000]
    meta = f"{conversation_id}:{warned_key}" if warned_key else str(conversation_id)
    return {
        "type": "modal", "callback_id": View.REPLY, "private_metadata": meta,
        "title": plain(t(lang, "reply_modal_title"), 24), "submit": plain(t(lang, "reply_modal_submit"), 24),
        "close": plain(t(lang, "modal_cancel"), 24),
        "blocks": [
            section(quote(original_text, 2000)),
            *([context(warning)] if warning else []),
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
