"""`/veille <subcommand>`: ack at once, then parse, call a service and answer ephemerally in the
member's language. Subcommands register in SUBCOMMANDS; `/veille help` lists them all."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import App

from bot.blocks.approve_confirm import approve_confirm_message
from bot.blocks.common import section
from bot.blocks.queue import queue_message
from bot.domain import access, approvals, conversations, queue
from bot.i18n import MESSAGES, t
from bot.services import Services
from bot.slack.escape import escape


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    help_en: str
    help_fr: str
    run: Callable[..., tuple[str, list] | str]  # (svc, user, args, lang[, command=the slash command payload])
    with_command: bool = False  # the subcommand needs the payload itself (its trigger_id, to open a modal)


SUBCOMMANDS: dict[str, Subcommand] = {}
_USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def subcommand(name: str, usage: str, help_en: str, help_fr: str, with_command: bool = False):
    def wrap(fn):
        SUBCOMMANDS[name] = Subcommand(name, usage, help_en, help_fr, fn, with_command)
        return fn
    return wrap


def register(app: App, svc: Services) -> None:
    @app.command("/veille")
    def veille_command(ack, command, respond):
        ack()  # within Slack's 3 s, before any database or Slack call
        user = command["user_id"]
        name, _, args = (command.get("text") or "").strip().partition(" ")
        lang = svc.lang(user)
        sub = SUBCOMMANDS.get(name.lower() or "help")
        if sub is None:
            respond(t(lang, "unknown_command", cmd=escape(name[:40]).replace("`", "'")), response_type="ephemeral")
            return
        out = sub.run(svc, user, args.strip(), lang, command=command) if sub.with_command else \
            sub.run(svc, user, args.strip(), lang)
        if out is None:  # answered another way (a modal was opened)
            return
        text, blocks = (out, [section(out)]) if isinstance(out, str) else out
        respond(text=text, blocks=blocks, response_type="ephemeral")


@subcommand("help", "/veille help", "what I can do, with examples", "ce que je sais faire, avec des exemples")
def _help(svc: Services, user: str, args: str, lang: str):
    lines = [f"• `{usage_text(s.name, lang)}`: {s.help_fr if lang == 'fr' else s.help_en}"
             for s in SUBCOMMANDS.values()]
    head = t(lang, "help_head")
    return head, [section(head + "\n" + "\n".join(lines))]


@subcommand("queue", "/veille queue", "open conversations by deadline and drafts waiting for approval",
            "conversations ouvertes par échéance et brouillons à approuver")
def _queue(svc: Services, user: str, args: str, lang: str):
    seen = access.visible_channels(svc.member(user))
    with svc.db.session() as s:
        return queue_message(lang, queue.open_conversations(s, channels=seen), queue.pending_drafts(s, channels=seen),
                             svc.now())


@subcommand("approve", "/veille approve r7", "approve draft r7 (not your own)", "approuver le brouillon r7 (pas le vôtre)")
def _approve(svc: Services, user: str, args: str, lang: str):
    draft_id = approvals.parse_draft_id(args.split(" ")[0]) if args else None
    if draft_id is None:
        return bad_id(lang, args, usage_text("approve", lang))
    # Typed, the id alone could approve a version the approver never read (an edit in between):
    # show the exact text and version, and approve on a click bound to it (handlers/actions.py).
    people = svc.directory.resolve(approvals.configured_groups(svc.cfg))  # Slack first, then the lock
    try:
        with svc.db.session() as s:
            return approve_confirm_message(lang, approvals.check_can_decide(s, draft_id, user, people))
    except approvals.ApprovalError as e:
        return t(lang, e.code, **e.info)


@subcommand("reject", "/veille reject r7 <reason>", "reject draft r7, saying why", "rejeter le brouillon r7, en disant pourquoi")
def _reject(svc: Services, user: str, args: str, lang: str):
    ident, _, reason = args.partition(" ")
    draft_id = approvals.parse_draft_id(ident) if ident else None
    if draft_id is None:
        return bad_id(lang, ident, usage_text("reject", lang))
    return change_draft(svc, lang, lambda s, now: approvals.reject(s, now, draft_id, user, svc.directory, reason),
                        "rejected")


@subcommand("assign", "/veille assign c12 [@member]", "assign conversation c12 to you or a member",
            "assigner la conversation c12 à vous ou à un membre")
def _assign(svc: Services, user: str, args: str, lang: str):
    ident, _, who = args.partition(" ")
    conv_id = conversations.parse_conversation_id(ident) if ident else None
    if conv_id is None:
        return bad_id(lang, ident, usage_text("assign", lang))
    assignee = user
    if who.strip():
        m = _USER.match(who.strip())
        if not m:
            return t(lang, "usage", usage=usage_text("assign", lang))
        assignee = m.group(1)
    member = svc.member(user)
    try:
        with svc.db.session() as s:
            conversations.assign(s, svc.now(), conv_id, assignee, user, member=member)
    except conversations.ConversationError as e:
        return t(lang, e.code, **e.info)
    svc.poke()
    return t(lang, "assigned", id=conv_id, user=assignee)


def change_draft(svc: Services, lang: str, change, done_key: str) -> str:
    """One change to a draft or post in its own transaction: the member reads the outcome, or
    why it was refused."""
    try:
        with svc.db.session() as s:
            sid = approvals.short_id(change(s, svc.now()))
    except approvals.ApprovalError as e:
        return t(lang, e.code, **e.info)
    svc.poke()
    return t(lang, done_key, id=sid)


def usage_text(name: str, lang: str) -> str:
    """A subcommand's usage line with its examples in the member's language (bot/i18n.py
    `usage_<name>`), else the one registered (ids and keywords only)."""
    key = f"usage_{name}"
    return escape(t(lang, key) if key in MESSAGES else SUBCOMMANDS[name].usage)  # `<reason>` is no Slack link


def bad_id(lang: str, given: str, usage: str) -> str:
    if not given:
        return t(lang, "usage", usage=usage)
    return t(lang, "bad_id", id=escape(given[:30]).replace("`", "'"))
