"""`/veille approve r7` answers with the exact text and version it would approve, and one click
that approves that version only: an edit made in between makes the click stale, as on the card."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import actions, button, section
from bot.domain.approvals import short_id
from bot.i18n import t
from bot.ids import Action
from bot.slack.escape import escape, quote
from storage.models import Draft

BLOCK_ID = "approve_confirm"


def approve_confirm_message(lang: str, d: Draft) -> tuple[str, list[dict[str, Any]]]:
    head = t(lang, "approve_confirm", id=short_id(d), version=d.version, account=escape(d.account))
    return head, [
        section(head),
        section(quote(d.text, 2900)),
        actions(BLOCK_ID, button(t(lang, "approve_confirm_button", version=d.version), Action.APPROVE_CONFIRM,
                                 f"{d.id}:{d.version}", style="primary")),
    ]
