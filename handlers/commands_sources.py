"""`/veille sources`: each account's connector health (last success, cursor age, rate-limit
headroom, last error, backoff), as the poller last saved it."""

from __future__ import annotations

from bot.blocks.sources import sources_message
from bot.jobs import outbox_health
from bot.jobs.poller import connector_states
from bot.services import Services
from handlers.commands import subcommand


@subcommand("sources", "/veille sources", "how each account's network connection is doing",
            "l'état de la connexion de chaque compte à son réseau")
def _sources(svc: Services, user: str, args: str, lang: str):
    accounts = list(svc.cfg.accounts)
    states = connector_states(svc.db, [a.key for a in accounts])
    return sources_message(lang, accounts, states, svc.now(), problems=outbox_health.degraded(svc.db))
