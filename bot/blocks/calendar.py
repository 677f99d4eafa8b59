"""The editorial calendar as Block Kit: what needs attention first, then posts by day in the
member's zone, each with a menu (open, edit, reschedule, cancel). Pages fit Block Kit's limits:
50 blocks in a message, 100 in the App Home; a "Next page" button carries the offset."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot.blocks.common import actions, button, context, divider, plain, section
from bot.blocks.post import step_who
from bot.domain.approvals import short_id
from bot.domain.calendar import Entry, local_day
from bot.domain.posts import CANCELLABLE, EDITABLE, MOVABLE
from bot.domain.when import EN_DAYS, EN_MONTHS, FR_DAYS, FR_MONTHS
from bot.i18n import t
from bot.ids import Action, Block
from bot.slack.dates import date_token
from bot.slack.escape import escaped

MESSAGE_BLOCKS = 50
HOME_BLOCKS = 100
STATE_EMOJI = {
    "draft": ":pencil2:", "pending_approval": ":hourglass_flowing_sand:", "changes_requested": ":memo:",
    "approved": ":white_check_mark:", "publishing": ":outbox_tray:", "published": ":rocket:", "failed": ":x:",
    "unknown": ":grey_question:", "needs_human": ":grey_question:", "expired": ":alarm_clock:",
    "rejected": ":no_entry:", "cancelled": ":wastebasket:",
}


def day_label(lang: str, epoch: int, tz: str, now: float) -> str:
    d = local_day(epoch, tz)
    today = local_day(int(now), tz).date()
    if lang == "fr":
        label = f"{FR_DAYS[d.weekday()].capitalize()} {d.day} {FR_MONTHS[d.month - 1]}"
    else:
        label = f"{EN_DAYS[d.weekday()]}, {EN_MONTHS[d.month - 1]} {d.day}"
    if d.date() == today:
        label += " · " + t(lang, "cal_today")
    return label


def state_text(lang: str, e: Entry) -> str:
    d = e.draft
    label = t(lang, f"cal_state_{d.state}")
    if d.state == "pending_approval" and e.step is not None:
        step = t(lang, "wf_step", i=e.step_index, n=e.step_count)
        if e.step.name:
            step += f" {escaped(e.step.name, 40)}"
        label += f" ({step}: {step_who(e.step, lang)}"
        if e.approved_by:
            label += " · " + t(lang, "wf_approved_by", who=", ".join(f"<@{u}>" for u in e.approved_by))
        label += ")"
    return f"{STATE_EMOJI.get(d.state, '')} {label}"


def entry_line(lang: str, e: Entry, with_day: bool = False) -> str:
    d = e.draft
    fmt = "{date_short_pretty} {time}" if with_day else "{time}"
    at = date_token(d.scheduled_at, fmt) if d.scheduled_at else t(lang, "post_when_approved")
    preview = escaped(" ".join(d.text.split()), 90)
    return f"*{at}* `{short_id(d)}` *{escaped(d.account, 40)}* · {state_text(lang, e)}\n_{preview}_"


def menu(lang: str, d) -> dict[str, Any]:
    options = [("open", t(lang, "cal_open"))]
    if d.state in EDITABLE:
        options.append(("edit", t(lang, "cal_edit")))
    if d.state in MOVABLE:
        options.append(("move", t(lang, "cal_move")))
    if d.state in CANCELLABLE:
        options.append(("cancel", t(lang, "cal_cancel")))
    return {"type": "overflow", "action_id": Action.POST_MENU,
            "options": [{"text": plain(label, 75), "value": f"{what}:{d.id}"} for what, label in options]}


def entry_block(lang: str, e: Entry, with_day: bool = False) -> dict[str, Any]:
    return section(entry_line(lang, e, with_day)) | {"accessory": menu(lang, e.draft)}


def calendar_blocks(lang: str, tz: str, entries: Sequence[Entry], attention: Sequence[Entry], now: float,
                    offset: int, budget: int, nav_value: Callable[[int], str]) -> list[dict[str, Any]]:
    """At most `budget` blocks: attention (first page only), then days from `offset` on."""
    blocks: list[dict[str, Any]] = []
    room = budget - 1  # the last block is kept for the page buttons
    if offset == 0 and attention:
        blocks.append(section(t(lang, "cal_attention")))
        for e in attention[: max(0, min(8, room // 4))]:
            blocks.append(entry_block(lang, e, with_day=True))
        blocks.append(divider())
    if not entries:
        blocks.append(section(t(lang, "cal_empty")))
        return blocks
    shown, last_day = 0, None
    for i in range(offset, len(entries)):
        e = entries[i]
        day = local_day(e.draft.scheduled_at, tz).date()
        need = 2 if day != last_day else 1
        if len(blocks) + need > room:
            break
        if day != last_day:
            blocks.append(context(f"*{day_label(lang, e.draft.scheduled_at, tz, now)}*"))
            last_day = day
        blocks.append(entry_block(lang, e))
        shown += 1
    end = offset + shown
    buttons = []
    if offset > 0:
        buttons.append(button(t(lang, "cal_first_page"), Action.CALENDAR_FIRST_PAGE, nav_value(0)))
    if end < len(entries):
        buttons.append(button(t(lang, "cal_next_page", n=len(entries) - end), Action.CALENDAR_PAGE, nav_value(end),
                              "primary"))
    if buttons:
        blocks.append(actions(Block.CALENDAR_NAV, *buttons))
    return blocks


def calendar_message(lang: str, tz: str, scope: str, account: str | None, entries: Sequence[Entry],
                     attention: Sequence[Entry], now: float, offset: int = 0) -> tuple[str, list[dict[str, Any]]]:
    title = t(lang, "cal_title_month" if scope in ("month", "mois") else "cal_title_week")
    if account:
        title += f" · *{escaped(account, 40)}*"
    head = [section(f"{title} ({t(lang, 'cal_count', n=len(entries))})")]
    body = calendar_blocks(lang, tz, entries, attention, now, offset, MESSAGE_BLOCKS - len(head) - 1,
                           lambda o: f"msg|{scope}|{account or ''}|{o}")
    foot = context(t(lang, "cal_footer"))
    return title, [*head, *body, foot][:MESSAGE_BLOCKS]


def home_calendar(lang: str, tz: str, entries: Sequence[Entry], attention: Sequence[Entry], now: float,
                  offset: int, budget: int) -> list[dict[str, Any]]:
    head = [{"type": "header", "text": plain(t(lang, "cal_home_title"))}]
    return [*head, *calendar_blocks(lang, tz, entries, attention, now, offset, budget - 1, lambda o: f"home|{o}")]
