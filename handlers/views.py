"""Modal submissions: a reply draft, a rejection reason."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks.modals import reply_modal
from bot.domain import approvals, conversations, reply_language, workflows
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
        conv_id, _, warned = view["private_metadata"].partition(":")
        try:
            with svc.db.session() as s:
                conversations.get(s, int(conv_id), member)  # first: the warning quotes the customer
        except conversations.ConversationError as e:
            ack(response_action="errors", errors={Block.REPLY_TEXT: t(svc.lang(user), e.code, **e.info)})
            return
        warning = _language_warning(svc, user, int(conv_id), text, warned)
        if warning is not None:
            ack(response_action="update", view=warning)
            return
        try:
            with svc.db.session() as s:
                conv = conversations.get(s, int(conv_id), member)
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


def _language_warning(svc: Services, user: str, conv_id: int, text: str, warned: str) -> dict | None:
    """The reply modal again, warning that the draft's language is not the customer's (issue 9);
    None when they match, or when this very text was already warned about."""
    with svc.db.session() as s:
        last = reply_language.last_inbound(s, conv_id)
        customer_lang, customer_text = (last.language, last.text) if last else ("", "")
    found = reply_language.mismatch(customer_lang, text)
    key = reply_language.draft_key(text)
    if found is None or warned == key:
        return None
    lang = svc.lang(user)
    names = {code: t(lang, f"lang_{code}") for code in (found.customer, found.draft)}
    return reply_modal(conv_id, customer_text, initial=text, warned_key=key, lang=lang,
                       warning=t(lang, "reply_language_warning", customer=names[found.customer],
                                 draft=names[found.draft]))


def _value(view: dict, block_id: str) -> str | None:
    return ((view.get("state", {}).get("values", {}).get(block_id) or {}).get(Input.TEXT) or {}).get("value")
