"""Scheduled posts in Slack: the card in the account's channel (updated in place), the notes in
its thread, the confirmation a member clicks, and the modals (write, edit, move, ask for changes).
Cards and notes speak the channel's language (`lang`, bot/i18n.py channel_lang); answers to one
member speak theirs. Builders are pure: data in, dicts out."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from bot.blocks.common import actions, button, context, network_label, plain, reason_text, section
from bot.domain.approvals import CardStatus, short_id
from bot.domain.workflows import Step
from bot.i18n import t
from bot.ids import Action, Block, Input, View
from bot.slack.dates import date_token
from bot.slack.escape import escaped, link, quote
from storage.models import AuditLog, Draft

WHEN_FORMAT = "{date_long_pretty} {time}"


# ---- who approves -------------------------------------------------------------------------------


def step_who(step: Step, lang: str = "en") -> str:
    """"any of @bob, @carol", "all of @legal": mentions, so a new card tells step-1 approvers."""
    names = [f"<@{u}>" for u in step.approvers] + ([f"<!subteam^{step.group}>"] if step.group else [])
    if not names:
        return t(lang, "wf_team")
    return t(lang, "wf_all" if step.rule == "all" else "wf_any", who=", ".join(names))


def step_title(index: int, count: int, step: Step, lang: str = "en") -> str:
    name = f" *{escaped(step.name, 60)}*" if step.name else ""
    return t(lang, "wf_step", i=index, n=count) + name


def workflow_summary(steps: Sequence[Step], lang: str) -> str:
    if not steps:
        return t(lang, "wf_none")
    return " → ".join(f"{step_title(i, len(steps), st, lang)} ({step_who(st, lang)})"
                      for i, st in enumerate(steps, start=1))


def progress_lines(status: CardStatus, lang: str = "en") -> list[str]:
    lines = []
    n = len(status.steps)
    for v in status.steps:
        mark = {"done": ":white_check_mark:", "open": ":hourglass_flowing_sand:", "waiting": ":white_circle:"}[v.state]
        line = f"{mark} {step_title(v.index, n, v.step, lang)}: {step_who(v.step, lang)}"
        if v.approved_by:
            line += " · " + t(lang, "wf_approved_by", who=", ".join(f"<@{u}>" for u in v.approved_by))
        lines.append(line)
    return lines


# ---- the card -----------------------------------------------------------------------------------


def when_text(d: Draft, lang: str = "en") -> str:
    if d.scheduled_at is None:
        return t(lang, "post_when_approved")
    return date_token(d.scheduled_at, WHEN_FORMAT)


def post_card(d: Draft, status: CardStatus | None, *, lang: str = "en") -> tuple[str, list[dict[str, Any]]]:
    """`lang`: the channel's language (bot/i18n.py channel_lang)."""
    sid = short_id(d)
    head = t(lang, "post_card_head", id=sid, version=d.version, account=escaped(d.account, 60), author=d.author)
    if d.edited_by:
        head += t(lang, "post_card_edited", who=d.edited_by)
    blocks: list[dict[str, Any]] = [section(head), section(quote(d.text, 2800)),
                                    context(f":alarm_clock: {when_text(d, lang)}")]
    lines = progress_lines(status, lang) if status and status.steps and d.state not in ("cancelled",) else []
    if status and not status.steps:
        lines = [t(lang, "wf_none")]
    if lines:
        blocks.append(context("\n".join(lines)))
    blocks.append(context(post_state_line(d, status, lang)))
    value = f"{d.id}:{d.version}"
    manage = [button(t(lang, "cal_edit"), Action.POST_EDIT, value),
              button(t(lang, "cal_move"), Action.POST_RESCHEDULE, value),
              button(t(lang, "cal_cancel"), Action.POST_CANCEL, value)]
    if d.state == "pending_approval":
        blocks.append(actions(Block.ACTIONS, button(t(lang, "btn_approve"), Action.APPROVE, value, "primary"),
                              button(t(lang, "btn_reject"), Action.REJECT, value, "danger"),
                              button(t(lang, "btn_request_changes"), Action.POST_CHANGES, value), *manage))
    elif d.state in ("approved", "changes_requested", "expired", "draft"):
        blocks.append(actions(Block.ACTIONS, *manage))
    elif d.state == "rejected":
        blocks.append(actions(Block.ACTIONS, manage[0], manage[2]))
    elif d.state == "failed":
        blocks.append(actions(Block.ACTIONS, button(t(lang, "btn_retry"), Action.RETRY, value), *manage))
    elif d.state == "needs_human":
        blocks.append(actions(Block.ACTIONS, button(t(lang, "btn_mark_published"), Action.MARK_PUBLISHED, value),
                              button(t(lang, "btn_retry"), Action.RETRY, value)))
    return t(lang, "post_card_fallback", id=sid, version=d.version, state=d.state), blocks


def post_state_line(d: Draft, status: CardStatus | None = None, lang: str = "en") -> str:
    by = f"<@{d.approved_by}>" if d.approved_by else t(lang, "post_nobody_needed")
    match d.state:
        case "pending_approval":
            return ":hourglass_flowing_sand: " + t(lang, "post_line_pending")
        case "changes_requested":
            who = f"<@{status.note_by}>" if status and status.note_by else "?"
            note = escaped((status.note if status else "") or "", 500)
            return ":memo: " + t(lang, "post_line_changes", who=who, note=note)
        case "approved":
            if not d.approved_by:
                return ":white_check_mark: " + t(lang, "post_line_scheduled", when=when_text(d, lang))
            return ":white_check_mark: " + t(lang, "post_line_approved", by=by, when=when_text(d, lang))
        case "publishing":
            return ":outbox_tray: " + t(lang, "post_line_publishing")
        case "published":
            where = link(d.url, t(lang, "post_see_it")) if d.url else t(lang, "post_published_plain")
            at = date_token(d.published_at or d.updated_at)
            return ":rocket: " + t(lang, "post_line_published", where=where, at=at, by=by)
        case "rejected":
            return ":no_entry: " + t(lang, "post_line_rejected", who=f"<@{d.rejected_by}>",
                                     reason=escaped(d.reject_reason or "", 500))
        case "failed":
            return ":x: " + t(lang, "post_line_failed", error=reason_text(lang, d.last_error))
        case "unknown":
            return ":grey_question: " + t(lang, "post_line_unknown")
        case "needs_human":
            return ":grey_question: " + t(lang, "post_line_needs_human", at=date_token(d.updated_at))
        case "expired":
            return ":alarm_clock: " + t(lang, "post_line_expired")
        case "cancelled":
            return ":wastebasket: " + t(lang, "post_line_cancelled")
        case "draft":
            return ":pencil2: " + t(lang, "post_line_draft")
    return escaped(d.state, 100)


# ---- notes in the card's thread ---------------------------------------------------------------------


def note_message(d: Draft, note: str, p: dict[str, Any], steps: Sequence[Step], *,
                 lang: str = "en") -> tuple[str, list[dict[str, Any]]]:
    """`lang`: the channel's language (bot/i18n.py channel_lang), for the notes to the step's
    approvers; a note addressed to the author speaks the author's (`p["lang"]`, set at enqueue)."""
    channel_lang, lang = lang, p.get("lang", lang)
    sid = short_id(d)
    author = f"<@{d.author}>"
    if note == "step_open" or note == "edited":
        index = p.get("step") or 1
        step = steps[index - 1] if 0 < index <= len(steps) else None
        who = step_who(step, channel_lang) if step else ""
        key = "note_step_open" if note == "step_open" else "note_edited"
        text = t(channel_lang, key, id=sid, step=index, n=len(steps), who=who, version=p.get("version"),
                 editor=f"<@{p.get('editor', d.author)}>")
    elif note in ("rejected", "changes_requested"):
        text = t(lang, f"note_{note}", author=author, id=sid, who=f"<@{d.rejected_by}>",
                 reason=escaped(d.reject_reason or "", 1500))
    elif note == "expired":
        text = t(lang, "note_expired", author=author, id=sid)
    elif note == "published":
        url = p.get("url") or d.url or ""
        where = link(url, url) if url else t(lang, "post_published_plain")
        text = t(lang, "note_published", author=author, id=sid, where=where)
    else:
        text = escaped(note, 200)
    return text, [section(text)]


# ---- the confirmation a member clicks ---------------------------------------------------------------


def confirm_message(lang: str, drafts: Sequence[Draft], networks: dict[str, str], when_lines: dict[int, str],
                    check_lines: dict[int, str], workflows: dict[int, str]) -> tuple[str, list[dict[str, Any]]]:
    ids = ",".join(f"{d.id}:{d.version}" for d in drafts)  # Confirm binds to the versions shown
    head = t(lang, "post_confirm_head", ids=", ".join(f"`{short_id(d)}`" for d in drafts))
    blocks: list[dict[str, Any]] = [section(head), section(quote(drafts[0].text, 2000))]
    for d in drafts[:10]:
        blocks.append(section(f"*{escaped(d.account, 60)}* {network_label(networks.get(d.account, ''))}\n"
                              f":alarm_clock: {when_lines[d.id]}\n:straight_ruler: {check_lines[d.id]}\n"
                              f":busts_in_silhouette: {workflows[d.id]}"))
    blocks.append(actions(Block.ACTIONS, button(t(lang, "post_confirm_button"), Action.POST_CONFIRM, ids, "primary"),
                          button(t(lang, "post_discard_button"), Action.POST_DISCARD, ids)))
    return head, blocks


def refused_message(lang: str, reason: str, check_lines: Iterable[str] = ()) -> tuple[str, list[dict[str, Any]]]:
    body = escaped(reason, 2000)
    lines = list(check_lines)
    blocks = [section(":warning: " + body)]
    if lines:
        blocks.append(context("\n".join(lines)))
    return reason, blocks


# ---- modals -------------------------------------------------------------------------------------------


def _text_input(action_id: str, initial: str = "", multiline: bool = True, max_length: int = 3000,
                placeholder: str | None = None, dispatch: bool = False) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "plain_text_input", "action_id": action_id, "multiline": multiline,
                          "max_length": max_length}
    if initial:
        el["initial_value"] = initial[:max_length]
    if placeholder:
        el["placeholder"] = plain(placeholder)
    if dispatch:
        el["dispatch_action_config"] = {"trigger_actions_on": ["on_character_entered"]}
    return el


def post_modal(lang: str, accounts: Sequence[tuple[str, str]], checks: str = "", selected: Sequence[str] = (),
               text: str = "", when: str = "") -> dict[str, Any]:
    """accounts: (key, network). The length line under the text follows what is typed."""
    options = [{"text": plain(f"{key} ({net})", 75), "value": key} for key, net in accounts[:100]]
    select: dict[str, Any] = {"type": "multi_static_select", "action_id": Input.ACCOUNTS, "options": options,
                              "placeholder": plain(t(lang, "post_pick_accounts"))}
    chosen = [o for o in options if o["value"] in selected]
    if chosen:
        select["initial_options"] = chosen
    return {
        "type": "modal", "callback_id": View.POST, "title": plain(t(lang, "post_modal_title"), 24),
        "submit": plain(t(lang, "post_modal_next"), 24), "close": plain(t(lang, "modal_cancel"), 24),
        "blocks": [
            {"type": "input", "block_id": Block.POST_ACCOUNTS, "label": plain(t(lang, "post_accounts_label")),
             "dispatch_action": True, "element": select},
            {"type": "input", "block_id": Block.POST_WHEN, "label": plain(t(lang, "post_when_label")),
             "hint": plain(t(lang, "post_when_hint"), 2000),
             "element": _text_input(Input.TEXT, when, multiline=False, max_length=200,
                                    placeholder=t(lang, "post_when_placeholder"))},
            {"type": "input", "block_id": Block.POST_TEXT, "label": plain(t(lang, "post_text_label")),
             "dispatch_action": True, "element": _text_input(Input.POST_TEXT, text, dispatch=True)},
            context(checks or t(lang, "post_checks_empty")) | {"block_id": Block.POST_CHECKS},
        ],
    }


def confirm_view(lang: str, drafts: Sequence[Draft], message_blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """The modal's second page: the absolute times and checks; submitting confirms."""
    blocks = [b for b in message_blocks if b.get("type") != "actions"]
    refs = ",".join(f"{d.id}:{d.version}" for d in drafts)
    return {"type": "modal", "callback_id": View.POST_CONFIRM, "private_metadata": refs,
            "title": plain(t(lang, "post_modal_title"), 24), "submit": plain(t(lang, "post_confirm_button"), 24),
            "close": plain(t(lang, "modal_cancel"), 24), "notify_on_close": True, "blocks": blocks[:100]}


def done_view(lang: str, text: str) -> dict[str, Any]:
    return {"type": "modal", "title": plain(t(lang, "post_modal_title"), 24), "close": plain(t(lang, "modal_close"), 24),
            "blocks": [section(text)]}


def edit_modal(lang: str, d: Draft) -> dict[str, Any]:
    return {"type": "modal", "callback_id": View.POST_EDIT, "private_metadata": f"{d.id}:{d.version}",
            "title": plain(t(lang, "post_edit_title", id=short_id(d)), 24),
            "submit": plain(t(lang, "post_edit_submit"), 24), "close": plain(t(lang, "modal_cancel"), 24),
            "blocks": [context(t(lang, "post_edit_hint")),
                       {"type": "input", "block_id": Block.POST_TEXT, "label": plain(t(lang, "post_text_label")),
                        "element": _text_input(Input.TEXT, d.text)}]}


def reschedule_modal(lang: str, d: Draft) -> dict[str, Any]:
    return {"type": "modal", "callback_id": View.POST_RESCHEDULE, "private_metadata": f"{d.id}:{d.version}",
            "title": plain(t(lang, "post_move_title", id=short_id(d)), 24),
            "submit": plain(t(lang, "post_modal_next"), 24), "close": plain(t(lang, "modal_cancel"), 24),
            "blocks": [section(t(lang, "post_move_now", when=when_text(d, lang))),
                       {"type": "input", "block_id": Block.POST_WHEN, "label": plain(t(lang, "post_when_label")),
                        "hint": plain(t(lang, "post_when_hint"), 2000),
                        "element": _text_input(Input.TEXT, multiline=False, max_length=200,
                                               placeholder=t(lang, "post_when_placeholder"))}]}


def reschedule_confirm_view(lang: str, d: Draft, at: int, echo: str) -> dict[str, Any]:
    return {"type": "modal", "callback_id": View.POST_RESCHEDULE_CONFIRM,
            "private_metadata": json.dumps({"id": d.id, "at": at}),
            "title": plain(t(lang, "post_move_title", id=short_id(d)), 24),
            "submit": plain(t(lang, "post_confirm_button"), 24), "close": plain(t(lang, "modal_cancel"), 24),
            "blocks": [section(t(lang, "post_move_to", id=short_id(d), when=escaped(echo, 500)))]}


def move_message(lang: str, d: Draft, at: int, echo: str) -> tuple[str, list[dict[str, Any]]]:
    """`/veille move p12 jeudi 14h`: the time read back, confirmed by a click."""
    text = t(lang, "post_move_to", id=short_id(d), when=escaped(echo, 500))
    value = f"{d.id}:{at}"
    return text, [section(text), actions(Block.ACTIONS,
                                         button(t(lang, "post_confirm_button"), Action.POST_MOVE_CONFIRM, value, "primary"),
                                         button(t(lang, "post_discard_button"), Action.POST_MOVE_DISCARD, value))]


def changes_modal(lang: str, draft_id: int, version: int) -> dict[str, Any]:
    return {"type": "modal", "callback_id": View.POST_CHANGES, "private_metadata": f"{draft_id}:{version}",
            "title": plain(t(lang, "post_changes_title"), 24), "submit": plain(t(lang, "post_changes_submit"), 24),
            "close": plain(t(lang, "modal_cancel"), 24),
            "blocks": [{"type": "input", "block_id": Block.CHANGES_NOTE, "label": plain(t(lang, "post_changes_label")),
                        "element": _text_input(Input.TEXT, max_length=1000)}]}


def open_view(lang: str, d: Draft, status: CardStatus | None, history: Sequence[AuditLog]) -> dict[str, Any]:
    """A post from the calendar: its card, then its audit trail."""
    _, card = post_card(d, status, lang=lang)
    blocks = [b for b in card if b.get("type") != "actions"]
    blocks.append(section(audit_text(lang, history, limit=2800)))
    return {"type": "modal", "title": plain(t(lang, "post_open_title", id=short_id(d)), 24),
            "close": plain(t(lang, "modal_close"), 24), "blocks": blocks[:100]}


# ---- the audit trail ------------------------------------------------------------------------------


def audit_lines(lang: str, history: Sequence[AuditLog]) -> list[str]:
    lines = []
    for h in history:
        actor = "Veille" if h.actor == "veille" else f"<@{h.actor}>"
        what = t(lang, f"audit_{h.action}") if f"audit_{h.action}" in _AUDIT_KEYS else escaped(h.action, 40)
        extra = []
        det = h.detail or {}
        if det.get("version") is not None:
            extra.append(f"v{det['version']}")
        if det.get("step"):
            extra.append(t(lang, "wf_step_short", i=det["step"]))
        if det.get("scheduled_at"):
            extra.append("→ " + date_token(det["scheduled_at"], WHEN_FORMAT))
        for key in ("reason", "error", "why"):
            if det.get(key):
                extra.append(f"“{reason_text(lang, str(det[key]), 200)}”")
        if det.get("url"):
            extra.append(link(det["url"], det["url"]))
        tail = (" · " + " · ".join(extra)) if extra else ""
        lines.append(f"{date_token(h.at, '{date_short} {time_secs}')} · {actor} · *{what}*{tail}")
    return lines


def audit_text(lang: str, history: Sequence[AuditLog], limit: int = 2900) -> str:
    out = t(lang, "audit_head")
    for line in audit_lines(lang, history):
        if len(out) + len(line) + 1 > limit:
            out += "\n…"
            break
        out += "\n" + line
    return out


def audit_message(lang: str, d: Draft, history: Sequence[AuditLog]) -> tuple[str, list[dict[str, Any]]]:
    head = t(lang, "audit_title", id=short_id(d), state=d.state)
    blocks = [section(head)]
    chunk = ""
    for line in audit_lines(lang, history):
        if len(chunk) + len(line) + 1 > 2900:
            blocks.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk:
        blocks.append(section(chunk))
    return head, blocks[:50]


_AUDIT_KEYS = {f"audit_{a}" for a in (
    "create", "submit", "discard", "approve", "reject", "request_changes", "edit", "reschedule", "cancel",
    "expire", "publish_attempt", "published", "publish_unknown", "publish_failed", "needs_human",
    "reconciled_not_published", "retry", "mark_published", "reapproval")}


def approved_answer(lang: str, d: Draft) -> str | None:
    """What `/veille approve` says beyond "publishing now" (None: that is exactly what happens)."""
    sid = short_id(d)
    if d.state == "pending_approval":
        n = len((d.workflow or {}).get("steps") or ())
        return t(lang, "approve_recorded", id=sid, step=d.workflow_step, n=n)
    if d.state == "approved" and d.scheduled_at:
        return t(lang, "approved_scheduled", id=sid, when=date_token(d.scheduled_at, WHEN_FORMAT))
    return None
