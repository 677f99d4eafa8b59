"""Triage of folded conversations: the burst card's button, `/veille triage [@account]`, each
row's menu, paging, and the bulk action on submit. Thin: ack, parse, one domain call, render.
Every change goes through the same services as an alert's buttons (bot/domain/triage.py)."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.blocks.modals import reply_modal
from bot.blocks.triage import OP_KEYS, PAGE, read_scope, triage_modal
from bot.domain import access, bursts, conversations, triage
from bot.i18n import t
from bot.ids import Action, Block, Input, View
from bot.services import Services
from bot.slack.escape import escape
from handlers.commands import subcommand

log = logging.getLogger(__name__)


def render(svc: Services, user: str, lang: str, burst_id: int | None, account: str | None, offset: int,
           notice: str = "") -> dict:
    seen = access.visible_channels(svc.member(user))  # only what the member's channels hold
    with svc.db.session() as s:
        rows, total = bursts.triage_page(s, offset, PAGE, burst_id=burst_id, account=account, channels=seen)
        if not rows and offset:  # the last page emptied: show the one before
            offset = max(0, ((total - 1) // PAGE) * PAGE)
            rows, total = bursts.triage_page(s, offset, PAGE, burst_id=burst_id, account=account, channels=seen)
        return triage_modal(lang, rows, total, offset, burst_id, account, notice)


def _apply(svc: Services, lang: str, op: triage.TriageOp, ids: list[int], user: str) -> str:
    member = svc.member(user)  # resolved before the transaction (it may ask Slack)
    try:
        with svc.db.session() as s:
            done = triage.apply(s, svc.now(), op, ids, member)
    except conversations.ConversationError as e:
        return t(lang, e.code, **e.info)
    svc.poke()
    return t(lang, "triage_done", action=t(lang, OP_KEYS[op]), ids=", ".join(f"`c{i}`" for i in done))


def register(app: App, svc: Services) -> None:
    @app.action(Action.TRIAGE)
    def open_from_card(ack, body, action, client):
        ack()
        user = body["user"]["id"]
        burst_id = int(action["value"]) if str(action.get("value", "")).isdigit() else None
        client.views_open(trigger_id=body["trigger_id"], view=render(svc, user, svc.lang(user), burst_id, None, 0))

    @app.action(Action.TRIAGE_PAGE)
    @app.action(Action.TRIAGE_FIRST_PAGE)
    def page(ack, body, action, client):
        ack()
        user, view = body["user"]["id"], body["view"]
        burst_id, account, _ = read_scope(view.get("private_metadata", ""))
        offset = int(action["value"]) if str(action.get("value", "")).isdigit() else 0
        client.views_update(view_id=view["id"], view=render(svc, user, svc.lang(user), burst_id, account, offset))

    @app.action(Action.TRIAGE_ROW)
    def row_menu(ack, body, action, client):
        ack()
        user, view = body["user"]["id"], body["view"]
        lang = svc.lang(user)
        burst_id, account, offset = read_scope(view.get("private_metadata", ""))
        op_name, _, ident = ((action.get("selected_option") or {}).get("value") or "").partition(":")
        op = triage.parse_op(op_name)
        if op is None or not ident.isdigit():
            return
        notice = _apply(svc, lang, op, [int(ident)], user)
        if op == triage.TriageOp.REPLY:  # the existing reply flow; the draft card goes in its new thread
            with svc.db.session() as s:
                first = bursts.triage_first_text(s, int(ident))
            client.views_push(trigger_id=body["trigger_id"], view=reply_modal(int(ident), first))
        client.views_update(view_id=view["id"], view=render(svc, user, lang, burst_id, account, offset, notice))

    @app.view(View.TRIAGE)
    def bulk(ack, body, view):
        user = body["user"]["id"]
        lang = svc.lang(user)
        values = view.get("state", {}).get("values", {})
        picked = (values.get(Block.TRIAGE_PICK) or {}).get(Input.TRIAGE_PICK) or {}
        ids = [int(o["value"]) for o in picked.get("selected_options") or [] if str(o.get("value", "")).isdigit()]
        chosen = ((values.get(Block.TRIAGE_BULK) or {}).get(Input.TRIAGE_BULK) or {}).get("selected_option") or {}
        op = triage.parse_op(chosen.get("value") or "")
        errors = {}
        if not ids:
            errors[Block.TRIAGE_PICK] = t(lang, "triage_pick_one")
        if op not in triage.BULK_OPS:
            errors[Block.TRIAGE_BULK] = t(lang, "triage_pick_action")
        if errors:
            ack(response_action="errors", errors=errors)
            return
        notice = _apply(svc, lang, op, ids, user)
        burst_id, account, offset = read_scope(view.get("private_metadata", ""))
        ack(response_action="update", view=render(svc, user, lang, burst_id, account, offset, notice))


@subcommand("triage", "/veille triage [@account]", "work through folded conversations (burst cards), in bulk",
            "traiter les conversations regroupées (afflux), en masse", with_command=True)
def _triage(svc: Services, user: str, args: str, lang: str, command=None):
    account = args.strip().lstrip("@") or None
    if account is not None and svc.cfg.account(account) is None:
        return t(lang, "triage_unknown_account", account=escape(account[:60]).replace("`", "'"))
    seen = access.visible_channels(svc.member(user))
    with svc.db.session() as s:
        _, total = bursts.triage_page(s, 0, 1, account=account, channels=seen)
    if total == 0:
        return t(lang, "triage_none_folded", where=f" ({escape(account)})" if account else "")
    svc.slack.views_open(trigger_id=command["trigger_id"], view=render(svc, user, lang, None, account, 0))
    return None
