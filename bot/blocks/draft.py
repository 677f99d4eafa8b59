"""The draft card in a conversation's thread: the exact text under review and its decision."""

from __future__ import annotations

from typing import Any

from bot.blocks import post
from bot.blocks.common import actions, button, context, section
from bot.domain.approvals import CardStatus, short_id
from bot.ids import Action, Block
from bot.slack.dates import date_token
from bot.slack.escape import escaped, link, quote
from storage.models import Draft


def draft_message(d: Draft, status: CardStatus | None = None) -> tuple[str, list[dict[str, Any]]]:
    """A reply's card in its conversation's thread, or a post's card (bot/blocks/post.py).
    `status` (approvals.card_status) adds the workflow's steps when there is more than one."""
    if d.kind == "post":
        return post.post_card(d, status)
    sid = short_id(d)
    head = f"*Draft {'reply' if d.kind == 'reply' else 'post'}* `{sid}` v{d.version} by <@{d.author}>"
    blocks: list[dict[str, Any]] = [section(head), section(quote(d.text, 2800))]
    if status is not None and len(status.steps) > 1:
        blocks.append(context("\n".join(post.progress_lines(status))))
    blocks.append(context(state_line(d)))
    value = f"{d.id}:{d.version}"
    if d.state == "pending_approval":
        blocks.append(actions(Block.ACTIONS, button("Approve", Action.APPROVE, value, "primary"),
                              button("Reject", Action.REJECT, value, "danger")))
    elif d.state == "failed":
        blocks.append(actions(Block.ACTIONS, button("Retry", Action.RETRY, value)))
    elif d.state == "needs_human":
        blocks.append(actions(Block.ACTIONS, button("Mark published", Action.MARK_PUBLISHED, value),
                              button("Retry", Action.RETRY, value)))
    return f"Draft {sid} v{d.version}: {d.state}", blocks


def state_line(d: Draft) -> str:
    by = f"<@{d.approved_by}>" if d.approved_by else ""
    match d.state:
        case "pending_approval":
            return ":hourglass_flowing_sand: Waiting for an approver (the author cannot approve)"
        case "changes_requested":
            return f":memo: Changes requested by <@{d.rejected_by}>: {escaped(d.reject_reason or '', 500)}"
        case "approved" | "publishing":
            if not d.approved_by:
                return ":white_check_mark: No approval needed for this account · publishing…"
            return f":white_check_mark: Approved by {by} · publishing…"
        case "published":
            where = link(d.url, "see it on the network") if d.url else "published"
            return f":rocket: Published ({where}) · approved by {by}"
        case "rejected":
            return f":no_entry: Rejected by <@{d.rejected_by}>: {escaped(d.reject_reason or '', 500)}"
        case "failed":
            return f":x: Publishing failed: {escaped(d.last_error or 'unknown error', 500)}"
        case "unknown":
            return ":grey_question: Not sure it went out (no answer in time); checking on the network before any retry"
        case "needs_human":
            return (f":grey_question: Maybe published at {date_token(d.updated_at)}: check the network, "
                    "then *Mark published* or *Retry*")
    return escaped(d.state, 100)
