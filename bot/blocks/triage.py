"""The Triage modal: a paged list of folded conversations (bot/domain/bursts.py) where members
assign, answer, mark "no reply needed" or open them, one by one (each row's menu) or in bulk
(checkboxes and one action, applied on submit). Pure: rows in, view out; under 20 blocks a page."""

from __future__ import annotations

import json
from typing import Any

from bot.blocks.common import actions, button, network_label, plain, section
from bot.domain.bursts import TriageRow
from bot.domain.triage import BULK_OPS, TriageOp
from bot.i18n import t
from bot.ids import Action, Block, Input, View
from bot.slack.dates import date_token
from bot.slack.escape import clean_name, escape, quote, truncate

PAGE = 10  # Block Kit allows 10 options in one checkboxes element
OP_KEYS = {TriageOp.ASSIGN: "triage_assign_me", TriageOp.REPLY: "triage_reply", TriageOp.NO_REPLY: "triage_no_reply",
           TriageOp.OPEN: "triage_open"}


def scope(burst_id: int | None, account: str | None, offset: int = 0) -> str:
    return json.dumps({"b": burst_id, "a": account, "o": offset})


def read_scope(private_metadata: str) -> tuple[int | None, str | None, int]:
    try:
        raw = json.loads(private_metadata or "{}")
        burst = raw.get("b")
        return (int(burst) if burst is not None else None, raw.get("a"), max(0, int(raw.get("o") or 0)))
    except (ValueError, TypeError, AttributeError):
        return None, None, 0


def triage_modal(lang: str, rows: list[TriageRow], total: int, offset: int, burst_id: int | None,
                 account: str | None, notice: str = "") -> dict[str, Any]:
    where = f" · {escape(account)}" if account else ""
    blocks: list[dict[str, Any]] = []
    if notice:
        blocks.append(section(notice))
    if not rows:
        blocks.append(section(t(lang, "triage_empty")))
    else:
        blocks.append(section(t(lang, "triage_head", total=total, where=where, first=offset + 1,
                                last=offset + len(rows))))
    for row in rows:
        blocks.append({**section(_row_text(lang, row), block_id=f"triage_c{row.conversation.id}"),
                       "accessory": _row_menu(lang, row.conversation.id)})
    if rows:
        blocks.append({"type": "input", "block_id": Block.TRIAGE_PICK, "optional": True,
                       "label": plain(t(lang, "triage_select")),
                       "element": {"type": "checkboxes", "action_id": Input.TRIAGE_PICK,
                                   "options": [_pick_option(r) for r in rows]}})
        blocks.append({"type": "input", "block_id": Block.TRIAGE_BULK, "optional": True,
                       "label": plain(t(lang, "triage_bulk")),
                       "element": {"type": "static_select", "action_id": Input.TRIAGE_BULK,
                                   "options": [_option(t(lang, OP_KEYS[op]), op.value) for op in BULK_OPS]}})
    nav = []
    if offset > 0:
        nav.append(button(t(lang, "triage_prev"), Action.TRIAGE_FIRST_PAGE, str(max(0, offset - PAGE))))
    if offset + len(rows) < total:
        nav.append(button(t(lang, "triage_next", n=total - offset - len(rows)), Action.TRIAGE_PAGE,
                          str(offset + PAGE)))
    if nav:
        blocks.append(actions(Block.TRIAGE_NAV, *nav))
    view: dict[str, Any] = {"type": "modal", "callback_id": View.TRIAGE,
                            "private_metadata": scope(burst_id, account, offset),
                            "title": plain(t(lang, "triage_title"), 24), "close": plain(t(lang, "triage_close"), 24),
                            "blocks": blocks}
    if rows:
        view["submit"] = plain(t(lang, "triage_apply"), 24)
    return view


def _row_text(lang: str, row: TriageRow) -> str:
    c = row.conversation
    who = escape(clean_name(c.author_handle or c.author_name) or "?")
    due = t(lang, "triage_due", date=date_token(row.due_at)) if row.due_at else t(lang, "triage_no_deadline")
    parts = [f"`c{c.id}`", network_label(c.network), escape(c.kind), f"*{who}*", due,
             t(lang, "triage_received", date=date_token(c.first_inbound_at, "{ago}"))]
    if c.assignee:
        parts.append(t(lang, "triage_assigned_to", user=c.assignee))
    text = row.first.text if row.first else ""
    return " · ".join(parts) + "\n" + quote(text, 600)


def _row_menu(lang: str, conversation_id: int) -> dict[str, Any]:
    return {"type": "overflow", "action_id": Action.TRIAGE_ROW,
            "options": [_option(t(lang, OP_KEYS[op]), f"{op.value}:{conversation_id}") for op in TriageOp]}


def _pick_option(row: TriageRow) -> dict[str, Any]:
    c = row.conversation
    who = clean_name(c.author_handle or c.author_name) or "?"
    option: dict[str, Any] = {"text": plain(truncate(f"c{c.id} · {who}", 75), 75), "value": str(c.id)}
    gist = " ".join((row.first.text if row.first else "").split())
    if gist:
        option["description"] = plain(truncate(gist, 75), 75)
    return option


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text, 75), "value": value}
