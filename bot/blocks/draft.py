"""The draft card in a conversation's thread: the exact text under review and its decision."""

from __future__ import annotations

from typing import Any

from bot.blocks import post
from bot.blocks.common import actions, button, context, reason_text, section
from bot.domain.approvals import CardStatus, short_id
from bot.i18n import t
from bot.ids import Action, Block
from bot.slack.dates import date_token
from bot.slack.escape import escaped, link, quote
from storage.models import Draft


def draft_message(d: Draft, status: CardStatus | None = None, *, lang: str = "en") -> tuple[str, list[dict[str, Any]]]:
    """A reply's card in its conversation's thread, or a post's card (bot/blocks/post.py).
    `status` (approvals.card_status) adds the workflow's steps when there is more than one.
    `lang`: the channel's language (bot/i18n.py channel_lang)."""
    if d.kind == "post":
        return post.post_card(d, status, lang=lang)
    sid = short_id(d)
    head = t(lang, "draft_head", id=sid, version=d.version, author=d.author)
    blocks: list[dict[str, Any]] = [section(head), section(quote(d.text, 2800))]
    if status is not None and len(status.steps) > 1:
        blocks.append(context("\n".join(post.progress_lines(status, lang))))
    blocks.append(context(state_line(d, lang=lang)))
    value = f"{d.id}:{d.version}"
    if d.state == "pending_approval":
        blocks.append(actions(Block.ACTIONS, button(t(lang, "btn_approve"), Action.APPROVE, value, "primary"),
                              button(t(lang, "btn_reject"), Action.REJECT, value, "danger")))
    elif d.state == "failed":
        blocks.append(actions(Block.ACTIONS, button(t(lang, "btn_retry"), Action.RETRY, value)))
    elif d.state == "needs_human":
        blocks.append(actions(Block.ACTIONS, button(t(lang, "btn_mark_published"), Action.MARK_PUBLISHED, value),
                              button(t(lang, "btn_retry"), Action.RETRY, value)))
    return t(lang, "draft_fallback", id=sid, version=d.version, state=d.state), blocks


def state_line(d: Draft, *, lang: str = "en") -> str:
    by = f"<@{d.approved_by}>" if d.approved_by else ""
    match d.state:
        case "pending_approval":
            return ":hourglass_flowing_sand: " + t(lang, "draft_line_pending")
        case "changes_requested":
            return ":memo: " + t(lang, "post_line_changes", who=f"<@{d.rejected_by}>",
                                 note=escaped(d.reject_reason or "", 500))
        case "approved" | "publishing":
            if not d.approved_by:
                return ":white_check_mark: " + t(lang, "draft_line_no_approval")
            return ":white_check_mark: " + t(lang, "draft_line_approved", by=by)
        case "published":
            where = link(d.url, t(lang, "post_see_it")) if d.url else t(lang, "post_published_plain")
            return ":rocket: " + t(lang, "draft_line_published", where=where, by=by)
        case "rejected":
            return ":no_entry: " + t(lang, "post_line_rejected", who=f"<@{d.rejected_by}>",
                                     reason=escaped(d.reject_reason or "", 500))
        case "failed":
            return ":x: " + t(lang, "post_line_failed", error=reason_text(lang, d.last_error) if d.last_error else t(lang, "error_unknown"))
        case "unknown":
            return ":grey_question: " + t(lang, "draft_line_unknown")
        case "needs_human":
            return ":grey_question: " + t(lang, "post_line_needs_human", at=date_token(d.updated_at))
    return escaped(d.state, 100)
