"""`/veille mute @author [network]`, `/veille unmute @author [network]`, `/veille mute list`
(bot/domain/mutes.py). Muting and unmuting is for approvers and admins."""

from __future__ import annotations

from bot.domain import mutes
from bot.i18n import t
from bot.services import Services
from bot.slack.dates import date_token
from bot.slack.escape import escape
from handlers.commands import subcommand


@subcommand("mute", "/veille mute @author [network] | list", "mute an author (labelled, left out of spike counts)",
            "mettre un auteur en sourdine (signalé, exclu des pics)")
def _mute(svc: Services, user: str, args: str, lang: str):
    if args.strip().lower() == mutes.MuteAction.LIST:
        with svc.db.session() as s:
            rows = mutes.listing(s)
        if not rows:
            return t(lang, "mute_list_empty")
        return "\n".join([t(lang, "mute_list_head")] + [
            t(lang, "mute_list_line", handle=escape(m.handle), network=m.network, user=m.muted_by,
              date=date_token(m.muted_at)) for m in rows])
    try:
        with svc.db.session() as s:
            networks = mutes.mute(s, svc.now(), svc.directory, user, args)
    except mutes.MuteError as e:
        return t(lang, e.code, **e.info)
    svc.poke()
    return t(lang, "mute_done", handle=escape(mutes.parse(args)[0]), networks=", ".join(networks))


@subcommand("unmute", "/veille unmute @author [network]", "undo a mute", "sortir un auteur de la sourdine")
def _unmute(svc: Services, user: str, args: str, lang: str):
    try:
        with svc.db.session() as s:
            networks = mutes.unmute(s, svc.now(), svc.directory, user, args)
    except mutes.MuteError as e:
        return t(lang, e.code, **e.info)
    svc.poke()
    return t(lang, "unmute_done", handle=escape(mutes.parse(args)[0]), networks=", ".join(networks))
