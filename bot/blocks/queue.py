"""The `/veille queue` answer: what is waiting, soonest deadline first."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import context, divider, network_label, section
from bot.domain.approvals import short_id
from bot.domain.queue import QueueItem
from bot.i18n import t
from bot.slack.dates import date_token
from bot.slack.escape import clean_name, escaped
from storage.models import Draft


def queue_message(lang: str, items: list[QueueItem], drafts: list[Draft], now: float) -> tuple[str, list[dict[str, Any]]]:
    if not items and not drafts:
        return t(lang, "queue_empty"), [section(t(lang, "queue_empty"))]
    blocks: list[dict[str, Any]] = []
    if items:
        blocks.append(section(t(lang, "queue_conversations")))
        lines = [_conversation_line(i, now, lang) for i in items]
        blocks.append(section("\n".join(lines)))
    if drafts:
        if blocks:
            blocks.append(divider())
        blocks.append(section(t(lang, "queue_drafts")))
        blocks.append(section("\n".join(_draft_line(d, lang) for d in drafts)))
    blocks.append(context(t(lang, "queue_footer")))
    return t(lang, "queue_title"), blocks


def _conversation_line(i: QueueItem, now: float, lang: str) -> str:
    c = i.conversation
    who = escaped(clean_name(c.author_handle or c.author_name), 60)
    if i.due_at is None:
        due = t(lang, "queue_no_deadline")
    elif i.due_at <= now:
        due = t(lang, "queue_breached", ago=date_token(i.due_at, "{ago}"))
    else:
        due = t(lang, "queue_due", due=date_token(i.due_at))
    assignee = f" · <@{c.assignee}>" if c.assignee else ""
    if c.folded:  # no alert of its own yet: found through its burst card's Triage
        assignee += " · on a burst card (`/veille triage`)"
    return f"`c{c.id}` {network_label(c.network)} {who} → {escaped(c.account, 60)} · {due}{assignee}"


def _draft_line(d: Draft, lang: str) -> str:
    preview = escaped(d.text.replace("\n", " "), 80)
    target = t(lang, "queue_reply_to", id=d.conversation_id) if d.conversation_id else escaped(d.account, 60)
    if d.scheduled_at:  # a scheduled post: its approval expires at that time
        target += f" · :alarm_clock: {date_token(d.scheduled_at)}"
    steps = len((d.workflow or {}).get("steps") or ())
    if steps > 1:
        target += " · " + t(lang, "wf_step_short", i=f"{d.workflow_step}/{steps}")
    return t(lang, "queue_draft_line", id=short_id(d), version=d.version, author=d.author, target=target,
             preview=preview)
