"""`/veille crisis start|status|stop [@account]`: declare, look at or end an incident by hand
(bot/domain/crisis_commands.py). Starting and stopping is for approvers and admins."""

from __future__ import annotations

from bot.blocks.crisis import status_message
from bot.domain import crisis_commands
from bot.domain.crisis import CrisisError
from bot.i18n import t
from bot.services import Services
from handlers.commands import subcommand

USAGE = "/veille crisis start|status|stop [@account]"


@subcommand("crisis", USAGE, "declare, look at or end an incident (crisis mode) on an account",
            "déclarer, consulter ou clore un incident (mode crise) sur un compte")
def _crisis(svc: Services, user: str, args: str, lang: str):
    action, _, rest = args.strip().partition(" ")
    action = action.lower() or "status"
    if action not in crisis_commands.ACTIONS:
        return t(lang, "usage", usage=USAGE)
    try:
        account = crisis_commands.find_account(svc.cfg, rest, action)
        with svc.db.session() as s:
            if action == "status":
                return status_message(lang, crisis_commands.status(s, account))
            if action == "start":
                inc = crisis_commands.start(s, svc.now(), svc.cfg, svc.rules, account, user, svc.directory)
                answer = t(lang, "crisis_started", account=inc.account, channel=inc.slack_channel or "")
            else:
                inc = crisis_commands.stop(s, svc.now(), account, user, svc.directory, svc.rules)
                answer = t(lang, "crisis_stopped", account=inc.account)
    except CrisisError as e:
        return t(lang, e.code, **e.info)
    svc.poke()
    return answer
