"""Buttons and menus of posts: confirm or drop a new post, ask for changes, edit, reschedule,
cancel (on the card, in the calendar, in the App Home), page through the calendar, and the live
length line of the post form. Every change is a compare-and-set service call: a double click or a
replayed payload changes nothing."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.blocks import post as post_blocks
from bot.blocks.common import section
from bot.blocks.home import home_view
from bot.domain import access, approvals, audit, calendar, posts, queue
from bot.domain.reports import week_dashboard
from bot.i18n import t
from bot.ids import Action, Block, Input
from bot.jobs import outbox_health
from bot.services import Services
from handlers.commands_posts import calendar_answer, post_modal
from handlers.views_posts import confirmed_text, selected, value
from storage.models import Draft

log = logging.getLogger("veille.posts")
HOME_SCOPE = "month"


def register(app: App, svc: Services) -> None:
    @app.action(Action.POST_CONFIRM)
    def confirm_post(ack, body, action, respond):
        ack()
        user = body["user"]["id"]
        lang = svc.lang(user)
        try:
            with svc.db.session() as s:
                drafts = posts.confirm(s, svc.now(), posts.refs(action["value"]), user, svc.directory)
                text = confirmed_text(lang, drafts)
        except approvals.ApprovalError as e:
            respond(t(lang, e.code, **e.info), response_type="ephemeral", replace_original=False)
            return
        respond(text=text, blocks=[section(text)], replace_original=True)
        svc.poke()

    @app.action(Action.POST_DISCARD)
    def discard_post(ack, body, action, respond):
        ack()
        user = body["user"]["id"]
        try:
            with svc.db.session() as s:
                posts.discard(s, svc.now(), posts.refs(action["value"]), user)
        except approvals.ApprovalError as e:
            respond(t(svc.lang(user), e.code, **e.info), response_type="ephemeral", replace_original=False)
            return
        respond(text=t(svc.lang(user), "post_discarded"), replace_original=True)

    @app.action(Action.POST_CHANGES)
    def open_changes(ack, body, action, client, respond):
        ack()
        user = body["user"]["id"]
        draft_id, version = _ref(action["value"])
        try:
            with svc.db.session() as s:
                approvals.check_can_decide(s, draft_id, user, svc.directory)
        except approvals.ApprovalError as e:
            _tell(svc, body, client, respond, user, t(svc.lang(user), e.code, **e.info))
            return
        client.views_open(trigger_id=body["trigger_id"], view=post_blocks.changes_modal(svc.lang(user), draft_id, version))

    @app.action(Action.POST_EDIT)
    def open_edit(ack, body, action, client, respond):
        ack()
        _open_manage_modal(svc, body, client, respond, _ref(action["value"])[0], "edit")

    @app.action(Action.POST_RESCHEDULE)
    def open_reschedule(ack, body, action, client, respond):
        ack()
        _open_manage_modal(svc, body, client, respond, _ref(action["value"])[0], "move")

    @app.action(Action.POST_CANCEL)
    def cancel_post(ack, body, action, client, respond):
        ack()
        _cancel(svc, body, client, respond, _ref(action["value"])[0])

    @app.action(Action.POST_MENU)
    def calendar_menu(ack, body, action, client, respond):
        ack()
        what, _, ident = action["selected_option"]["value"].partition(":")
        draft_id = int(ident)
        if what == "open":
            _open_post(svc, body, client, respond, draft_id)
        elif what in ("edit", "move"):
            _open_manage_modal(svc, body, client, respond, draft_id, what)
        elif what == "cancel":
            _cancel(svc, body, client, respond, draft_id)

    @app.action(Action.POST_MOVE_CONFIRM)
    def confirm_move(ack, body, action, respond):
        ack()
        user = body["user"]["id"]
        lang = svc.lang(user)
        ident, _, at = action["value"].partition(":")
        try:
            with svc.db.session() as s:
                d = posts.reschedule(s, svc.now(), int(ident), user, int(at), svc.directory, svc.cfg)
                text = t(lang, "post_moved", id=approvals.short_id(d), when=post_blocks.when_text(d, lang))
        except approvals.ApprovalError as e:
            respond(t(lang, e.code, **e.info), response_type="ephemeral", replace_original=False)
            return
        respond(text=text, blocks=[section(text)], replace_original=True)
        svc.poke()

    @app.action(Action.POST_MOVE_DISCARD)
    def discard_move(ack, body, respond):
        ack()
        respond(text=t(svc.lang(body["user"]["id"]), "post_move_dropped"), replace_original=True)

    @app.action(Action.CALENDAR_PAGE)
    @app.action(Action.CALENDAR_FIRST_PAGE)
    def calendar_page(ack, body, action, client, respond):
        ack()
        user = body["user"]["id"]
        parts = action["value"].split("|")
        if parts[0] == "home":
            publish_home(svc, client, user, int(parts[1]))
            return
        _, scope, account, offset = parts
        text, blocks = calendar_answer(svc, user, svc.lang(user), scope, account or None, int(offset))
        respond(text=text, blocks=blocks, replace_original=True)

    @app.action(Input.POST_TEXT)
    @app.action(Input.ACCOUNTS)
    def live_length(ack, body, client):
        """The form's length line follows the accounts chosen and each character typed."""
        ack()
        view = body["view"]
        accounts = selected(view, Block.POST_ACCOUNTS, Input.ACCOUNTS)
        text = value(view, Block.POST_TEXT, Input.POST_TEXT) or ""
        lang = svc.lang(body["user"]["id"])
        try:
            client.views_update(view_id=view["id"], hash=view.get("hash"), view=post_modal(svc, lang, accounts, text))
        except Exception as e:  # a newer keystroke already updated it (hash_conflict): nothing lost
            log.info("post form not updated: %s", e)


def publish_home(svc: Services, client, user: str, offset: int = 0) -> None:
    """The App Home: the queue, then a month of posts, paged to stay within 100 blocks."""
    lang, tz, now = svc.lang(user), svc.directory.user(user).tz, svc.now()
    start, end = calendar.window(now, tz, HOME_SCOPE)
    problems = outbox_health.degraded(svc.db)  # stuck deliveries first: the team must act
    member = svc.member(user)  # only what their channels hold (bot/domain/access.py)
    seen = access.visible_channels(member)
    with svc.db.session() as s:
        entries, attention = (access.only_visible(member, found, lambda e: e.draft.slack_channel)
                              for found in (calendar.upcoming(s, start, end), calendar.attention(s, now)))
        view = home_view(lang, queue.open_conversations(s, 20, channels=seen), queue.pending_drafts(s, 20, channels=seen),
                         now, calendar=(tz, entries, attention, offset), problems=problems,
                         dashboard=week_dashboard(s, int(now), svc.cfg.team.timezone,
                                                  [a.key for a in svc.cfg.accounts if access.may_see(member, a.channel)]))
    client.views_publish(user_id=user, view=view)


def _open_post(svc: Services, body, client, respond, draft_id: int) -> None:
    user = body["user"]["id"]
    lang = svc.lang(user)
    member = svc.member(user)
    refused = None
    with svc.db.session() as s:
        d = s.get(Draft, draft_id)
        if d is None:
            refused = t(lang, "post_not_found", id=draft_id)
        elif not access.may_see(member, d.slack_channel):  # its card and history, like /veille audit
            refused = t(lang, "not_in_channel_draft", id=approvals.short_id(d), channel=d.slack_channel or "?")
        else:
            view = post_blocks.open_view(lang, d, approvals.card_status(s, d), audit.history(s, "draft", d.id))
    if refused:
        _tell(svc, body, client, respond, user, refused)
        return
    client.views_open(trigger_id=body["trigger_id"], view=view)


def _open_manage_modal(svc: Services, body, client, respond, draft_id: int, what: str) -> None:
    user = body["user"]["id"]
    lang = svc.lang(user)
    allowed = posts.EDITABLE if what == "edit" else posts.MOVABLE
    try:
        with svc.db.session() as s:
            d = posts.load_for(s, draft_id, user, svc.directory, allowed)
    except approvals.ApprovalError as e:
        _tell(svc, body, client, respond, user, t(lang, e.code, **e.info))
        return
    view = post_blocks.edit_modal(lang, d) if what == "edit" else post_blocks.reschedule_modal(lang, d)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def _cancel(svc: Services, body, client, respond, draft_id: int) -> None:
    user = body["user"]["id"]
    lang = svc.lang(user)
    try:
        with svc.db.session() as s:
            d = posts.cancel(s, svc.now(), draft_id, user, svc.directory)
            sid = approvals.short_id(d)
    except approvals.ApprovalError as e:
        _tell(svc, body, client, respond, user, t(lang, e.code, **e.info))
        return
    svc.poke()
    if (body.get("container") or {}).get("type") == "view" and (body.get("view") or {}).get("type") == "home":
        publish_home(svc, client, user)
    else:
        _tell(svc, body, client, respond, user, t(lang, "post_cancelled", id=sid))


def _tell(svc: Services, body, client, respond, user: str, text: str) -> None:
    """An answer to the clicker only: ephemeral under a message, a small modal from a view."""
    if respond is not None and body.get("response_url"):
        respond(text, response_type="ephemeral", replace_original=False)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=post_blocks.done_view(svc.lang(user), text))


def _ref(value: str) -> tuple[int, int]:
    draft_id, _, version = value.partition(":")
    return int(draft_id), int(version or 0)
