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
    # scheduled posts, approval workflows, calendar (handlers/actions_posts.py)
    POST_CONFIRM = "post_confirm"
    POST_DISCARD = "post_discard"
    POST_CHANGES = "post_request_changes"
    POST_EDIT = "post_edit"
    POST_RESCHEDULE = "post_reschedule"
    POST_CANCEL = "post_cancel"
    POST_MENU = "post_menu"
    POST_MOVE_CONFIRM = "post_move_confirm"
    POST_MOVE_DISCARD = "post_move_discard"
    CALENDAR_PAGE = "calendar_page"
    CALENDAR_FIRST_PAGE = "calendar_first_page"  # action_ids are unique within a block
    STATUS = "conversation_status"  # the alert's status menu (overflow): snooze, resolve...
    ACKNOWLEDGE = "conversation_acknowledge"  # "I'm on it" on escalations and on-call DMs
    CRISIS_PUBLISH_ANYWAY = "crisis_publish_anyway"  # a post held by an incident (handlers/actions_crisis.py)
    # burst cards and Triage (handlers/triage.py)
    TRIAGE = "burst_triage"
    TRIAGE_ROW = "triage_row"  # one conversation's menu: assign, reply, no reply needed, open
    TRIAGE_PAGE = "triage_page"
    TRIAGE_FIRST_PAGE = "triage_first_page"
    APPROVE_CONFIRM = "draft_approve_confirm"  # `/veille approve`'s click, bound to the version shown


class View(StrEnum):
    REPLY = "reply_modal"
    REJECT = "reject_modal"
    POST = "post_modal"
    POST_CONFIRM = "post_confirm_modal"
    POST_EDIT = "post_edit_modal"
    POST_RESCHEDULE = "post_reschedule_modal"
    POST_RESCHEDULE_CONFIRM = "post_reschedule_confirm_modal"
    POST_CHANGES = "post_changes_modal"
    POST_OPEN = "post_open_modal"
    TRIAGE = "triage_modal"


class Block(StrEnum):
    REPLY_TEXT = "reply_text"
    REJECT_REASON = "reject_reason"
    ACTIONS = "actions"
    POST_ACCOUNTS = "post_accounts"
    POST_WHEN = "post_when"
    POST_TEXT = "post_text"
    POST_CHECKS = "post_checks"
    CHANGES_NOTE = "changes_note"
    CALENDAR_NAV = "calendar_nav"
    SLA_ACTIONS = "sla_actions"
    CRISIS_HELD = "crisis_held"
    BURST_ACTIONS = "burst_actions"
    TRIAGE_PICK = "triage_pick"
    TRIAGE_BULK = "triage_bulk"
    TRIAGE_NAV = "triage_nav"


class Input(StrEnum):
    TEXT = "text"
    ACCOUNTS = "accounts"  # dispatches: the length checks follow the accounts chosen
    POST_TEXT = "post_text_input"  # dispatches on typing: live length checks
    TRIAGE_PICK = "triage_pick_input"
    TRIAGE_BULK = "triage_bulk_input"
