"""`/veille report [week|month|last month|from … to …] [@account|network] [in #channel]`: read
the request, queue it (bot/domain/report_request.py), say it is on its way. The outbox worker
computes the figures, posts the summary and uploads the charts."""

from __future__ import annotations

from bot.domain import report_request
from bot.i18n import t
from bot.services import Services
from handlers.commands import subcommand

USAGE = "/veille report [week|month|last month|from 2026-11-01 to 2026-11-30] [@account|network] [in #channel]"


@subcommand("report", USAGE, "response times, volume, SLA and top posts for a period, with charts",
            "délais de réponse, volume, SLA et meilleures publications d'une période, avec graphiques")
def _report(svc: Services, user: str, args: str, lang: str):
    nets = {a.key: a.network for a in svc.cfg.accounts}
    try:
        req = report_request.parse(args, svc.now(), svc.cfg.team.timezone, nets)
    except report_request.RequestError as e:
        return t(lang, e.code, **e.info)
    if req.channel and not (svc.directory.is_approver(user) or svc.directory.is_admin(user)):
        return t(lang, "report_channel_not_allowed")
    with svc.db.session() as s:
        report_request.enqueue_report(s, svc.now(), req, user, lang, networks=nets)
    svc.poke()
    where = t(lang, "report_in_channel", channel=req.channel) if req.channel else ""
    return t(lang, "report_on_its_way", start=req.period.first_day().isoformat(),
             end=req.period.last_day().isoformat(), where=where)
