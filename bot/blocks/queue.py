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
        lines = [_conversation_line(i, now) for i in items]
        blocks.append(section("\n".join(lines)))
    if drafts:
        if blocks:
            blocks.append(divider())
        blocks.append(section(t(lang, "queue_drafts")))
        blocks.append(section("\n".join(_draft_line(d) for d in drafts)))
    blocks.append(context("`/veille approve r7` · `/veille reject r7 <reason>` · `/veille assign c12 @member`"
                          " · `/veille calendar`"))
    return "Queue", blocks


def _conversation_line(i: QueueItem, now: float) -> str:
    c = i.conversation
    who = escaped(clean_name(c.author_handle or c.author_name), 60)
    if i.due_at is None:
        due = "no deadline"
    elif i.due_at <= now:
        due = f":red_circle: breached {date_token(i.due_at, '{ago}')}"
    else:
        due = f"due {date_token(i.due_at)}"
    assignee = f" · <@{c.assignee}>" if c.assignee else ""
    if c.folded:  # no alert of its own yet: found through its burst card's Triage
        assignee += " · on a burst card (`/veille triage`)"
    return f"`c{c.id}` {network_label(c.network)} {who} → {escaped(c.account, 60)} · {due}{assignee}"


def _draft_line(d: Draft) -> str:
    preview = escaped(d.text.replace("\n", " "), 80)
    target = f"reply to `c{d.conversation_id}`" if d.conversation_id else escaped(d.account, 60)
    if d.scheduled_at:  # a scheduled post: its approval expires at that time
        target += f" · :alarm_clock: {date_token(d.scheduled_at)}"
    steps = len((d.workflow or {}).get("steps") or ())
    if steps > 1:
        target += f" · step {d.workflow_step}/{steps}"
    return f"`{short_id(d)}` v{d.version} by <@{d.author}> · {target}: {preview}"
