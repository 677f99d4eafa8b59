"""Every action_id, callback_id and block_id Veille uses, spelled once. Find a button's listener
by searching for its name here."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    REPLY = "conversation_reply"
    ASSIGN_ME = "conversation_assign_me"
    NO_REPLY = "conversation_no_reply"
    APPROVE = "draft_approve"
    REJECT = "draft_reject"
    RETRY = "publish_retry"
    MARK_PUBLISHED = "publish_mark_published"


class View(StrEnum):
    REPLY = "reply_modal"
    REJECT = "reject_modal"


class Block(StrEnum):
    REPLY_TEXT = "reply_text"
    REJECT_REASON = "reject_reason"
    ACTIONS = "actions"


class Input(StrEnum):
    TEXT = "text"
