"""`/veille sla`, `/veille oncall` and the status subcommands (ack, snooze, hold, resolve, reopen,
replied, priority): the same services as the alert's status menu, for keyboards and phones."""

from __future__ import annotations

import re

from bot.blocks.sla import oncall_message, policies_message
from bot.domain import conversations, oncall, oncall_store, statuses
from bot.domain.sla.config import format_duration
from bot.domain.when import WhenError, parse_when
from bot.i18n import t
from bot.services import Services
from bot.slack.dates import date_token
from bot.slack.escape import escape
from handlers.commands import bad_id, subcommand, usage_text

_USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_UNTIL = re.compile(r"^(?:until|jusqu'?(?:à|a|au)|to)\s+", re.IGNORECASE)
_QUOTES = "\"'“”«»‘’ "
STATUS_NAMES = {"fr": {"open": "ouverte", "pending": "en attente du client", "on_hold": "en attente d'un tiers",
                       "resolved": "résolue"},
                "en": {"open": "open", "pending": "waiting on the customer", "on_hold": "on hold",
                       "resolved": "resolved"}}


def error_text(lang: str, e: conversations.ConversationError) -> str:
    info = dict(e.info)
    if "status" in info:
        info["status"] = STATUS_NAMES.get(lang, STATUS_NAMES["en"]).get(info["status"], info["status"])
    return t(lang, e.code, **info)


def run_status(svc: Services, user: str, lang: str, action: str, conv_id: int, text: str = "") -> str:
    """Apply one status change; the member's answer (done, or why not)."""
    change = {
        "ack": (statuses.acknowledge, "sla_acknowledged"),
        "snooze": (statuses.snooze, "sla_snoozed"),
        "hold": (statuses.hold, "sla_on_hold"),
        "resolve": (statuses.resolve, "sla_resolved"),
        "reopen": (statuses.reopen, "sla_reopened"),
        "replied": (statuses.mark_replied, "sla_replied"),
    }[action]
    member = svc.member(user)  # may ask Slack: before the transaction
    try:
        with svc.db.session() as s:
            if action == "replied":
                change[0](s, svc.rules, svc.now(), conv_id, user, text, member=member)
            else:
                change[0](s, svc.rules, svc.now(), conv_id, user, member=member)
    except conversations.ConversationError as e:
        return error_text(lang, e)
    svc.poke()
    return t(lang, change[1], id=conv_id)


def _status_command(action: str, usage: str):
    def run(svc: Services, user: str, args: str, lang: str):
        ident, _, rest = args.partition(" ")
        conv_id = conversations.parse_conversation_id(ident) if ident else None
        if conv_id is None:
            return bad_id(lang, ident, usage_text(action, lang))
        return run_status(svc, user, lang, action, conv_id, rest.strip())
    return run


for _name, _usage, _en, _fr in (
    ("ack", "/veille ack c12", "I'm on it: claim c12 and stop its escalation",
     "je m'en occupe : prendre c12 et arrêter son escalade"),
    ("snooze", "/veille snooze c12", "waiting on the customer: pause c12's resolution time",
     "en attente du client : mettre en pause la résolution de c12"),
    ("hold", "/veille hold c12", "on hold, waiting on a third party", "en attente d'un tiers"),
    ("resolve", "/veille resolve c12", "resolve c12 (stops its resolution clock)",
     "résoudre c12 (arrête son délai de résolution)"),
    ("reopen", "/veille reopen c12", "open c12 again (its resolution time continues)",
     "rouvrir c12 (le délai de résolution reprend)"),
    ("replied", "/veille replied c12 <what you said>", "you answered outside Veille: stop c12's response clock",
     "vous avez répondu hors de Veille : arrêter le délai de réponse de c12"),
):
    subcommand(_name, _usage, _en, _fr)(_status_command(_name, _usage))


@subcommand("priority", "/veille priority c12 high", "set c12's priority (low, normal, high, urgent)",
            "changer la priorité de c12 (low, normal, high, urgent)")
def _priority(svc: Services, user: str, args: str, lang: str):
    usage = "/veille priority c12 high"
    ident, _, value = args.partition(" ")
    conv_id = conversations.parse_conversation_id(ident) if ident else None
    value = value.strip().lower()
    if conv_id is None:
        return bad_id(lang, ident, usage_text("priority", lang))
    if value not in statuses.PRIORITIES:
        return t(lang, "usage", usage=usage)
    member = svc.member(user)
    try:
        with svc.db.session() as s:
            statuses.set_priority(s, svc.rules, svc.now(), conv_id, value, user, member=member)
    except conversations.ConversationError as e:
        return error_text(lang, e)
    svc.poke()
    return t(lang, "sla_priority", id=conv_id, priority=value)


@subcommand("sla", "/veille sla", "SLA policies, targets and business hours", "politiques de SLA, délais et horaires")
def _sla(svc: Services, user: str, args: str, lang: str):
    rules = svc.rules
    team = svc.cfg.team
    no_admins = not team.admins and not team.admins_group
    notices = rules.notices if (no_admins or svc.directory.is_admin(user)) else []
    return policies_message(lang, rules.config.policies, rules.config.schedules, notices)


@subcommand("oncall", '/veille oncall [override @member until "friday 6pm"]',
            "who is on call now and next; hand it to someone until a time",
            "qui est d'astreinte maintenant et ensuite ; la confier à quelqu'un jusqu'à une heure")
def _oncall(svc: Services, user: str, args: str, lang: str):
    rotation = getattr(svc.rules, "oncall", None)
    sub, _, rest = args.partition(" ")
    if sub.lower() == "override":
        return _override(svc, user, rest.strip(), lang, rotation)
    if sub:
        return t(lang, "usage", usage=usage_text("oncall_override", lang))
    now = svc.now()
    with svc.db.session() as s:
        current = oncall_store.on_call(s, rotation, now)
        following = oncall_store.next_on_call(s, rotation, now)
        pending = oncall_store.upcoming(s, now)
    return oncall_message(lang, current, following, pending)


def _override(svc: Services, user: str, args: str, lang: str, rotation):
    usage = usage_text("oncall_override", lang)
    who, _, rest = args.partition(" ")
    m = _USER.match(who.strip())
    if not m:
        return t(lang, "usage", usage=usage)
    member = m.group(1)
    rest = rest.strip()
    layer = "primary"
    if rest.lower().startswith("backup "):
        layer, rest = "backup", rest[len("backup "):].strip()
    when_text = _UNTIL.sub("", rest, count=1).strip(_QUOTES)
    if not _may_override(svc, user, member, rotation):
        return t(lang, "oncall_not_allowed")
    person = svc.directory.user(user)
    try:
        when = parse_when(when_text, person.tz or svc.cfg.team.timezone, svc.now())
    except WhenError as e:
        return escape(e.message(person.locale))
    now = svc.now()
    limit = oncall.max_override_seconds(svc.cfg.oncall)
    if when.at - now > limit:
        return t(lang, "oncall_override_too_long", limit=format_duration(limit))
    texts = _override_notices(svc, rotation, now, user, member, layer, when.at)
    try:
        with svc.db.session() as s:
            row = oncall_store.add_override(s, now, member, when.at, user, layer=layer, max_seconds=limit)
            oncall_store.tell(s, now, row, texts)
    except oncall_store.OverrideTooLong:
        return t(lang, "oncall_override_too_long", limit=format_duration(limit))
    svc.poke()
    layer_text = t(lang, "oncall_backup_layer") if layer == "backup" else ""
    return t(lang, "oncall_override_set", user=member, layer=layer_text, when=escape(when.echo(person.locale)))


def _override_notices(svc: Services, rotation, now: float, actor: str, member: str, layer: str,
                      until: int) -> dict[str, str]:
    """{who: DM text} for whoever the override displaces and the admins, each in their language,
    resolved before the write (languages may ask Slack)."""
    with svc.db.session() as s:
        was = oncall_store.displaced(s, rotation, now, layer)
    was = was if was != member else None
    texts = {}
    for who in sorted((({was} if was else set()) | _admins(svc)) - {actor}):
        their = svc.lang(who)
        texts[who] = t(their, "oncall_override_notice", actor=actor, user=member, when=date_token(until),
                       layer=t(their, "oncall_backup_layer") if layer == "backup" else "",
                       instead=t(their, "oncall_instead_of", was=was) if was else "")
    return texts


def _admins(svc: Services) -> set[str]:
    team = svc.cfg.team
    return set(team.admins) | (set(svc.directory.group_members(team.admins_group)) if team.admins_group else set())


def _may_override(svc: Services, user: str, member: str, rotation) -> bool:
    team = svc.cfg.team
    if not team.admins and not team.admins_group:
        return True
    if svc.directory.is_admin(user) or user == member:
        return True
    layers = [layer for layer in (getattr(rotation, "primary", None), getattr(rotation, "backup", None)) if layer]
    return any(user in layer.members for layer in layers)
