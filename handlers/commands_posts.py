"""`/veille post`, `calendar`, `move`, `changes`, `cancel`, `audit`: scheduled posts from the
keyboard. Every time a member types is read in their own Slack timezone and echoed back as an
absolute time (their zone and UTC) that they confirm with a click."""

from __future__ import annotations

from dataclasses import dataclass

from bot.blocks import calendar as calendar_blocks
from bot.blocks import post as post_blocks
from bot.domain import access, approvals, audit, calendar, posts, workflows
from bot.domain.when import WhenError, format_when, parse_when
from bot.i18n import t
from bot.services import Services
from bot.slack.escape import escape, escaped
from handlers.commands import bad_id, change_draft, subcommand, usage_text
from storage.models import Draft

OPEN_QUOTES = {'"': '"', "“": "”", "«": "»", "'": "'", "„": "“"}
NEXT_WORDS = ("next", "prochain", "slot", "créneau", "creneau")
NOW_WORDS = ("now", "maintenant")
MAX_WHEN_WORDS = 5  # an unquoted time is the longest readable prefix of at most this many words


@dataclass
class PostRequest:
    accounts: list[str]
    when: str  # the time as typed, or "next" / "now"
    text: str


class Refused(Exception):
    """A request we say no to: `message` is member-facing mrkdwn (already escaped), `lines` the
    length checks to show with it; `code` (with `info`) when the message is still to be worded."""

    def __init__(self, message: str = "", lines: list[str] | None = None, code: str | None = None, **info):
        super().__init__(message or code)
        self.message, self.lines, self.code, self.info = message, lines or [], code, info

    def text(self, svc: Services, lang: str) -> str:
        if self.code == "post_unknown_account":
            known = ", ".join(f"`@{a.key}`" for a in svc.cfg.accounts) or "—"
            return t(lang, "post_unknown_account_list", account=escape(self.info["account"][:40]), known=known)
        if self.code:
            return t(lang, self.code, usage=usage_text("post", lang), **self.info)
        return self.message


def parse_post_args(args: str, account_keys: set[str], tz: str, now: float) -> PostRequest:
    """`@acme @acme_fr "demain 9h" Texte`, `@acme next Texte`, `@acme now Texte`,
    `@acme demain 9h Texte` (unquoted: the longest readable prefix). Raises Refused(code)."""
    rest = args.strip()
    accounts: list[str] = []
    while rest.startswith("@"):
        word, _, after = rest.partition(" ")
        key = word[1:].lower()
        if key not in account_keys:
            raise Refused(code="post_unknown_account", account=key)
        if key not in accounts:
            accounts.append(key)
        rest = after.strip()
    if not accounts:
        raise Refused(code="post_no_account")
    if rest[:1] in OPEN_QUOTES:
        close = rest.find(OPEN_QUOTES[rest[0]], 1)
        if close == -1:
            raise Refused(code="post_unclosed_quote")
        return PostRequest(accounts, rest[1:close].strip(), rest[close + 1:].strip())
    first, _, after = rest.partition(" ")
    if first.lower() in NEXT_WORDS:
        return PostRequest(accounts, "next", after.strip())
    if first.lower() in NOW_WORDS:
        return PostRequest(accounts, "now", after.strip())
    words = rest.split(" ")
    for n in range(min(MAX_WHEN_WORDS, len(words) - 1), 0, -1):
        candidate = " ".join(words[:n])
        try:
            parse_when(candidate, tz, now)
        except WhenError:
            continue
        return PostRequest(accounts, candidate, " ".join(words[n:]).strip())
    return PostRequest(accounts, words[0], " ".join(words[1:]).strip())  # parse_when will say why not


def resolve_times(svc: Services, s, req: PostRequest, tz: str, lang: str, now: float) -> tuple[dict, dict]:
    """({account: epoch | None}, {account: the time read back}). Raises Refused with the message."""
    times: dict[str, int | None] = {}
    echo: dict[str, str] = {}
    if req.when == "now":
        return dict.fromkeys(req.accounts), dict.fromkeys(req.accounts, t(lang, "post_when_approved"))
    if req.when == "next":
        for key in req.accounts:
            at = posts.next_slot(s, svc.cfg, key, now)
            if at is None:
                acc = svc.cfg.account(key)
                raise Refused(t(lang, "post_no_slot" if acc and acc.slots else "post_no_slots", account=escape(key)))
            times[key], echo[key] = at, format_when(at, tz, lang)
        return times, echo
    try:
        when = parse_when(req.when, tz, now)
    except WhenError as e:
        raise Refused(escape(e.message(lang))) from None
    for key in req.accounts:
        times[key], echo[key] = when.at, escape(when.echo(lang))
    return times, echo


def checks_lines(lang: str, checks: list[posts.Check]) -> list[str]:
    out = []
    for c in checks:
        mark = ":white_check_mark:" if c.ok else ":x:"
        msg = c.result.message(lang) if c.result else t(lang, "post_no_limit")
        out.append(f"{mark} *{escaped(c.account, 60)}*: {escaped(msg, 300)}")
    return out


def create_posts(svc: Services, user: str, lang: str, accounts: list[str], when: str, text: str):
    """Everything `/veille post` and the modal share: read the time, check lengths, create the
    unconfirmed drafts. Returns (drafts, echo by account, check lines) or raises Refused."""
    now = svc.now()
    tz = svc.directory.user(user).tz
    if not text.strip():
        raise Refused(t(lang, "post_empty"))
    unable = [key for key in accounts if not svc.connectors.can(key, "post")]
    if unable:
        raise Refused(t(lang, "cannot_post", account=escape(unable[0])))
    checks = posts.length_checks(svc.cfg, accounts, text)
    lines = checks_lines(lang, checks)
    with svc.db.session() as s:
        times, echo = resolve_times(svc, s, PostRequest(accounts, when, text), tz, lang, now)
        if not all(c.ok for c in checks):
            raise Refused(t(lang, "post_too_long_all"), lines)
        try:
            drafts = posts.create(s, now, svc.cfg, user, text, times, svc.directory)
        except approvals.ApprovalError as e:
            raise Refused(t(lang, e.code, **e.info)) from None
    return drafts, echo, {c.account: line for c, line in zip(checks, lines, strict=True)}


def confirmation(svc: Services, lang: str, drafts, echo, lines):
    wf = {d.id: post_blocks.workflow_summary(workflows.load(d.workflow), lang) for d in drafts}
    networks = {d.account: (svc.cfg.account(d.account).network if svc.cfg.account(d.account) else "") for d in drafts}
    return post_blocks.confirm_message(lang, drafts, networks, {d.id: echo[d.account] for d in drafts},
                                       {d.id: lines[d.account] for d in drafts}, wf)


@subcommand("post", '/veille post @acme "demain 9h" Texte', 'schedule a post: `@account "when" text` '
            '(`next` = the next free slot), or no argument for a form',
            "programmer une publication : `@compte \"quand\" texte` (`prochain` = le prochain créneau libre), "
            "ou sans argument pour un formulaire", with_command=True)
def _post(svc: Services, user: str, args: str, lang: str, command: dict):
    if not args:
        svc.slack.views_open(trigger_id=command["trigger_id"], view=post_modal(svc, lang))
        return None
    tz = svc.directory.user(user).tz
    try:
        req = parse_post_args(args, {a.key for a in svc.cfg.accounts}, tz, svc.now())
        drafts, echo, lines = create_posts(svc, user, lang, req.accounts, req.when, req.text)
    except Refused as e:
        return post_blocks.refused_message(lang, e.text(svc, lang), e.lines)
    return confirmation(svc, lang, drafts, echo, lines)


def post_modal(svc: Services, lang: str, accounts: tuple[str, ...] | list[str] = (), text: str = "") -> dict:
    """The `/veille post` form; its length line follows the accounts chosen and the text typed."""
    lines = checks_lines(lang, posts.length_checks(svc.cfg, accounts, text)) if accounts and text else []
    offered = [(a.key, a.network) for a in svc.cfg.accounts if svc.connectors.can(a.key, "post")]
    return post_blocks.post_modal(lang, offered, "\n".join(lines), accounts)


@subcommand("calendar", "/veille calendar [week|month] [@account]", "upcoming posts by day, what needs attention first",
            "les publications à venir par jour, l'urgent d'abord")
def _calendar(svc: Services, user: str, args: str, lang: str):
    scope, account = "week", None
    for word in args.split():
        if word.lower() in calendar.SCOPES:
            scope = word.lower()
        elif word.startswith("@") and svc.cfg.account(word[1:].lower()):
            account = word[1:].lower()
        else:
            return t(lang, "usage", usage=usage_text("calendar", lang))
    return calendar_answer(svc, user, lang, scope, account, 0)


def calendar_answer(svc: Services, user: str, lang: str, scope: str, account: str | None, offset: int):
    tz, now = svc.directory.user(user).tz, svc.now()
    start, end = calendar.window(now, tz, scope)
    member = svc.member(user)
    with svc.db.session() as s:
        entries = access.only_visible(member, calendar.upcoming(s, start, end, account), lambda e: e.draft.slack_channel)
        attention = access.only_visible(member, calendar.attention(s, now, account), lambda e: e.draft.slack_channel)
        return calendar_blocks.calendar_message(lang, tz, scope, account, entries, attention, now, offset)


@subcommand("move", '/veille move p12 "thursday 14h"', "reschedule post p12 (you confirm the time read)",
            "reprogrammer la publication p12 (vous confirmez l'heure lue)")
def _move(svc: Services, user: str, args: str, lang: str):
    ident, _, when = args.partition(" ")
    draft_id = approvals.parse_draft_id(ident) if ident else None
    when = when.strip().strip("\"“”«»'").strip()
    if draft_id is None and ident:
        return bad_id(lang, ident, usage_text("move", lang))
    if draft_id is None or not when:
        return t(lang, "usage", usage=usage_text("move", lang))
    tz = svc.directory.user(user).tz
    try:
        at = parse_when(when, tz, svc.now())
    except WhenError as e:
        return escape(e.message(lang))
    try:
        with svc.db.session() as s:
            d = posts.load_for(s, draft_id, user, svc.directory, posts.MOVABLE)
    except approvals.ApprovalError as e:
        return t(lang, e.code, **e.info)
    return post_blocks.move_message(lang, d, at.at, at.echo(lang))


@subcommand("changes", "/veille changes p12 <what to change>", "ask the author of p12 for changes",
            "demander des modifications à l'auteur de p12")
def _changes(svc: Services, user: str, args: str, lang: str):
    ident, _, note = args.partition(" ")
    draft_id = approvals.parse_draft_id(ident) if ident else None
    if draft_id is None:
        return bad_id(lang, ident, usage_text("changes", lang))
    return change_draft(svc, lang, lambda s, now: approvals.request_changes(s, now, draft_id, user, svc.directory,
                                                                             note), "changes_sent")


@subcommand("cancel", "/veille cancel p12", "cancel scheduled post p12", "annuler la publication programmée p12")
def _cancel(svc: Services, user: str, args: str, lang: str):
    draft_id = approvals.parse_draft_id(args.split(" ")[0]) if args else None
    if draft_id is None:
        return bad_id(lang, args.split(" ")[0], usage_text("cancel", lang))
    return change_draft(svc, lang, lambda s, now: posts.cancel(s, now, draft_id, user, svc.directory),
                        "post_cancelled")


@subcommand("audit", "/veille audit p12", "who did what to p12 or r7, and when", "qui a fait quoi sur p12 ou r7, et quand")
def _audit(svc: Services, user: str, args: str, lang: str):
    draft_id = approvals.parse_draft_id(args.split(" ")[0]) if args else None
    if draft_id is None:
        return bad_id(lang, args.split(" ")[0], usage_text("audit", lang))
    member = svc.member(user)
    with svc.db.session() as s:
        d = s.get(Draft, draft_id)
        if d is None:
            return t(lang, "draft_not_found", id=draft_id)
        if not access.may_see(member, d.slack_channel):
            return t(lang, "not_in_channel_draft", id=approvals.short_id(d), channel=d.slack_channel or "?")
        return post_blocks.audit_message(lang, d, audit.history(s, "draft", d.id))
