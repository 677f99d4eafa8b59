"""Modal submissions: a reply draft, a rejection reason."""

from __future__ import annotations

from slack_bolt import App

from bot.domain import approvals, conversations, workflows
from bot.i18n import t
from bot.ids import Block, Input, View
from bot.services import Services


def register(app: App, svc: Services) -> None:
    @app.view(View.REPLY)
    def submit_reply(ack, body, view):
        user = body["user"]["id"]
        text = (_value(view, Block.REPLY_TEXT) or "").strip()
        if not text:
            ack(response_action="errors", errors={Block.REPLY_TEXT: t(svc.lang(user), "empty_text")})
            return
        member = svc.member(user)
        try:
            with svc.db.session() as s:
                conv = conversations.get(s, int(view["private_metadata"]), member)
                if not svc.connectors.can(conv.account, "reply"):
                    raise approvals.ApprovalError("cannot_reply", account=conv.account)
                approvals.submit_reply(s, svc.now(), conv, user, text,
                                       steps=workflows.steps_for(svc.cfg, conv.account, "reply"), people=svc.directory)
        except (approvals.ApprovalError, conversations.ConversationError) as e:
            ack(response_action="errors", errors={Block.REPLY_TEXT: t(svc.lang(user), e.code, **e.info)})
            return
        ack()
        svc.poke()

    @app.view(View.REJECT)
    def submit_rejection(ack, body, view):
        user = body["user"]["id"]
        draft_id, _, version = view["private_metadata"].partition(":")
        reason = _value(view, Block.REJECT_REASON) or ""
        try:
            with svc.db.session() as s:
                approvals.reject(s, svc.now(), int(draft_id), user, svc.directory, reason, version=int(version))
        except approvals.ApprovalError as e:
            ack(response_action="errors", errors={Block.REJECT_REASON: t(svc.lang(user), e.code, **e.info)})
            return
        ack()
        svc.poke()


def _value(view: dict, block_id: str) -> str | None:
    return ((view.get("state", {}).get("values", {}).get(block_id) or {}).get(Input.TEXT) or {}).get("value")
