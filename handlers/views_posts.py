"""Modal submissions for posts: the form (then its confirmation page), edit, reschedule (then its
confirmation), request changes. Errors go back onto the field that caused them."""

from __future__ import annotations

import json

from slack_bolt import App

from bot.blocks import post as post_blocks
from bot.domain import approvals, posts
from bot.domain.when import WhenError, parse_when
from bot.i18n import t
from bot.ids import Block, Input, View
from bot.services import Services
from bot.slack.escape import escape
from handlers.commands_posts import Refused, checks_lines, confirmation, create_posts
from storage.models import Draft


def register(app: App, svc: Services) -> None:
    @app.view(View.POST)
    def submit_post(ack, body, view):
        user = body["user"]["id"]
        lang = svc.lang(user)
        accounts = selected(view, Block.POST_ACCOUNTS, Input.ACCOUNTS)
        when = (value(view, Block.POST_WHEN, Input.TEXT) or "").strip()
        text = (value(view, Block.POST_TEXT, Input.POST_TEXT) or "").strip()
        errors = {}
        if not accounts:
            errors[Block.POST_ACCOUNTS] = t(lang, "post_pick_accounts")
        if not text:
            errors[Block.POST_TEXT] = t(lang, "post_empty")
        if errors:
            ack(response_action="errors", errors=errors)
            return
        keyword = when.lower()
        when = "next" if keyword in ("next", "prochain") else "now" if keyword in ("now", "maintenant") else when
        try:
            drafts, echo, lines = create_posts(svc, user, lang, accounts, when, text)
        except Refused as e:
            field = Block.POST_TEXT if e.lines else Block.POST_WHEN
            message = e.text(svc, lang) + ("\n" + "\n".join(e.lines) if e.lines else "")
            ack(response_action="errors", errors={field: _plain(message)})
            return
        _, blocks = confirmation(svc, lang, drafts, echo, lines)
        ack(response_action="update", view=post_blocks.confirm_view(lang, drafts, blocks))

    @app.view(View.POST_CONFIRM)
    def confirm_post(ack, body, view):
        user = body["user"]["id"]
        lang = svc.lang(user)
        try:
            with svc.db.session() as s:
                drafts = posts.confirm(s, svc.now(), posts.refs(view["private_metadata"]), user, svc.directory)
                text = confirmed_text(lang, drafts)
        except approvals.ApprovalError as e:
            ack(response_action="update", view=post_blocks.done_view(lang, t(lang, e.code, **e.info)))
            return
        ack(response_action="update", view=post_blocks.done_view(lang, text))
        svc.poke()

    @app.view_closed(View.POST_CONFIRM)
    def drop_unconfirmed(ack, body, view):
        ack()
        with svc.db.session() as s:
            posts.discard(s, svc.now(), posts.refs(view["private_metadata"]), body["user"]["id"])

    @app.view(View.POST_EDIT)
    def submit_edit(ack, body, view):
        user = body["user"]["id"]
        lang = svc.lang(user)
        draft_id, version = ref(view["private_metadata"])
        text = value(view, Block.POST_TEXT, Input.TEXT) or ""
        try:
            with svc.db.session() as s:
                posts.edit(s, svc.now(), svc.cfg, draft_id, user, text, svc.directory, version=version)
        except approvals.ApprovalError as e:
            ack(response_action="errors", errors={Block.POST_TEXT: _plain(edit_error(svc, lang, e, text))})
            return
        ack()
        svc.poke()

    @app.view(View.POST_RESCHEDULE)
    def submit_reschedule(ack, body, view):
        user = body["user"]["id"]
        lang = svc.lang(user)
        draft_id, _ = ref(view["private_metadata"])
        when = value(view, Block.POST_WHEN, Input.TEXT) or ""
        try:
            at = parse_when(when, svc.directory.user(user).tz, svc.now())
        except WhenError as e:
            ack(response_action="errors", errors={Block.POST_WHEN: e.message(lang)})
            return
        with svc.db.session() as s:
            d = s.get(Draft, draft_id)
        ack(response_action="update", view=post_blocks.reschedule_confirm_view(lang, d, at.at, at.echo(lang)))

    @app.view(View.POST_RESCHEDULE_CONFIRM)
    def confirm_reschedule(ack, body, view):
        user = body["user"]["id"]
        lang = svc.lang(user)
        meta = json.loads(view["private_metadata"])
        try:
            with svc.db.session() as s:
                d = posts.reschedule(s, svc.now(), int(meta["id"]), user, int(meta["at"]), svc.directory,
                                     svc.cfg)
                done = t(lang, "post_moved", id=approvals.short_id(d), when=post_blocks.when_text(d, lang))
        except approvals.ApprovalError as e:
            ack(response_action="update", view=post_blocks.done_view(lang, t(lang, e.code, **e.info)))
            return
        ack(response_action="update", view=post_blocks.done_view(lang, done))
        svc.poke()

    @app.view(View.POST_CHANGES)
    def submit_changes(ack, body, view):
        user = body["user"]["id"]
        draft_id, version = ref(view["private_metadata"])
        note = value(view, Block.CHANGES_NOTE, Input.TEXT) or ""
        try:
            with svc.db.session() as s:
                approvals.request_changes(s, svc.now(), draft_id, user, svc.directory, note, version=version)
        except approvals.ApprovalError as e:
            ack(response_action="errors", errors={Block.CHANGES_NOTE: t(svc.lang(user), e.code, **e.info)})
            return
        ack()
        svc.poke()


def confirmed_text(lang: str, drafts) -> str:
    lines = []
    for d in drafts:
        key = "post_confirmed_approved" if d.state == approvals.APPROVED else "post_confirmed_pending"
        lines.append(t(lang, key, id=approvals.short_id(d), account=escape(d.account),
                       when=post_blocks.when_text(d, lang), channel=d.slack_channel or ""))
    return "\n".join(lines)


def edit_error(svc: Services, lang: str, e: approvals.ApprovalError, text: str) -> str:
    if e.code == "post_too_long":
        lines = checks_lines(lang, posts.length_checks(svc.cfg, [e.info["account"]], text))
        return t(lang, "post_too_long_all") + "\n" + "\n".join(lines)
    return t(lang, e.code, **e.info)


def ref(meta: str) -> tuple[int, int]:
    draft_id, _, version = meta.partition(":")
    return int(draft_id), int(version or 0)


def value(view: dict, block_id: str, action_id: str) -> str | None:
    return ((view.get("state", {}).get("values", {}).get(block_id) or {}).get(action_id) or {}).get("value")


def selected(view: dict, block_id: str, action_id: str) -> list[str]:
    state = (view.get("state", {}).get("values", {}).get(block_id) or {}).get(action_id) or {}
    return [o["value"] for o in state.get("selected_options") or []]


def _plain(mrkdwn: str) -> str:
    """Modal field errors are plain text: drop the emoji codes and bold marks of the lines."""
    for token in (":white_check_mark: ", ":x: ", "*"):
        mrkdwn = mrkdwn.replace(token, "")
    return mrkdwn.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")[:2000]
