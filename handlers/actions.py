"""Buttons. Each listener acks first, then calls one service; errors go back to the clicker only.
Button payloads carry no event_id: the services are compare-and-set, so a double click is harmless."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks.common import section
from bot.blocks.modals import reject_modal, reply_modal
from bot.blocks.post import approved_answer
from bot.domain import approvals, conversations
from bot.i18n import t
from bot.ids import Action
from bot.services import Services
from storage.models import Message


def register(app: App, svc: Services) -> None:
    @app.action(Action.REPLY)
    def open_reply_modal(ack, body, action, client, respond):
        ack()
        conv_id = int(action["value"])
        user = body["user"]["id"]
        member = svc.member(user)
        try:
            with svc.db.session() as s:
                conv = conversations.get(s, conv_id, member)  # say "no" now rather than at submit
                first = s.query(Message).filter(Message.conversation_id == conv_id, Message.direction == "in") \
                    .order_by(Message.created_at.desc()).first()
                text = first.text if first else ""
            account = conv.account
        except conversations.ConversationError as e:
            respond(t(svc.lang(user), e.code, **e.info), response_type="ephemeral", replace_original=False)
            return
        if not svc.connectors.can(account, "reply"):  # an old alert may still show Reply
            respond(t(svc.lang(user), "cannot_reply", account=account), response_type="ephemeral",
                    replace_original=False)
            return
        client.views_open(trigger_id=body["trigger_id"], view=reply_modal(conv_id, text, lang=svc.lang(user)))

    @app.action(Action.ASSIGN_ME)
    def assign_to_me(ack, body, action, respond):
        ack()
        user = body["user"]["id"]
        member = svc.member(user)
        _run(svc, respond, user,
             lambda s, now: conversations.assign(s, now, int(action["value"]), user, user, member=member))

    @app.action(Action.NO_REPLY)
    def no_reply_needed(ack, body, action, respond):
        ack()
        user = body["user"]["id"]
        member = svc.member(user)
        _run(svc, respond, user,
             lambda s, now: conversations.close_without_reply(s, now, int(action["value"]), user, member=member))

    @app.action(Action.APPROVE)
    def approve_draft(ack, body, action, respond):
        ack()
        user = body["user"]["id"]
        draft_id, version = _draft_ref(action["value"])
        people = svc.directory.resolve(approvals.configured_groups(svc.cfg))  # Slack first, then the lock
        _run(svc, respond, user, lambda s, now: approvals.approve(s, now, draft_id, user, people, version=version))

    @app.action(Action.APPROVE_CONFIRM)
    def approve_typed(ack, body, action, respond):
        """The click under `/veille approve`'s answer: approves the version shown, or says why not."""
        ack()
        user = body["user"]["id"]
        lang = svc.lang(user)
        draft_id, version = _draft_ref(action["value"])
        people = svc.directory.resolve(approvals.configured_groups(svc.cfg))  # Slack first, then the lock
        try:
            with svc.db.session() as s:
                d = approvals.approve(s, svc.now(), draft_id, user, people, version=version)
                # a scheduled post, or one step of several, is not "publishing now"
                text = approved_answer(lang, d) or t(lang, "approved", id=approvals.short_id(d))
        except approvals.ApprovalError as e:
            respond(t(lang, e.code, **e.info), response_type="ephemeral", replace_original=False)
            return
        svc.poke()
        respond(text=text, blocks=[section(text)], replace_original=True)

    @app.action(Action.REJECT)
    def open_reject_modal(ack, body, action, client, respond):
        ack()
        user = body["user"]["id"]
        draft_id, version = _draft_ref(action["value"])
        # Say "no" before asking for a reason the member could not give anyway.
        try:
            with svc.db.session() as s:
                approvals.check_can_decide(s, draft_id, user, svc.directory)
        except approvals.ApprovalError as e:
            respond(t(svc.lang(user), e.code, **e.info), response_type="ephemeral", replace_original=False)
            return
        client.views_open(trigger_id=body["trigger_id"], view=reject_modal(draft_id, version, lang=svc.lang(user)))

    @app.action(Action.RETRY)
    def retry_publish(ack, body, action, respond):
        ack()
        user = body["user"]["id"]
        draft_id, _ = _draft_ref(action["value"])
        _run(svc, respond, user, lambda s, now: approvals.retry(s, now, draft_id, user, svc.directory))

    @app.action(Action.MARK_PUBLISHED)
    def mark_published(ack, body, action, respond):
        ack()
        user = body["user"]["id"]
        draft_id, _ = _draft_ref(action["value"])
        _run(svc, respond, user, lambda s, now: approvals.mark_published(s, now, draft_id, user, svc.directory))


def _draft_ref(value: str) -> tuple[int, int]:
    draft_id, _, version = value.partition(":")
    return int(draft_id), int(version or 0)


def _run(svc: Services, respond, user: str, change) -> None:
    try:
        with svc.db.session() as s:
            change(s, svc.now())
    except (approvals.ApprovalError, conversations.ConversationError) as e:
        respond(t(svc.lang(user), e.code, **e.info), response_type="ephemeral", replace_original=False)
        return
    svc.poke()
