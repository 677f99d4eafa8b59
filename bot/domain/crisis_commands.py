"""What `/veille crisis start|status|stop [@account]` does, apart from Slack: find the account,
check the member may, open or close the incident, describe what is open. Refusals are
CrisisError with an i18n code (bot/domain/crisis.py)."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.config import VeilleConfig
from bot.domain import crisis
from bot.domain.crisis import CrisisError, Incident
from storage.models import Message

ACTIONS = ("start", "status", "stop")


def find_account(cfg: VeilleConfig, given: str, action: str) -> str | None:
    """`@acme`, `acme` or the account's handle; nothing given: the only account, else ask
    (status: None means every account)."""
    name = given.strip().lstrip("@").lower()
    if not name:
        if len(cfg.accounts) == 1:
            return cfg.accounts[0].key
        if action == "status":
            return None
        keys = [a.key for a in cfg.accounts]
        raise CrisisError("crisis_which_account", action=action, example=keys[0] if keys else "acme",
                          accounts=", ".join(keys))
    for a in cfg.accounts:
        if name in (a.key.lower(), a.handle.lstrip("@").lower()):
            return a.key
    raise CrisisError("crisis_unknown_account", account=name[:60])


def may_declare(people, user: str) -> bool:
    return people.is_approver(user) or people.is_admin(user)


def start(s, now: float, cfg: VeilleConfig, rules, account: str, user: str, people) -> Incident:
    if not may_declare(people, user):
        raise CrisisError("crisis_only_approvers")
    acc = cfg.account(account)
    inc = crisis.open_incident(s, now, account, acc.channel, crisis.Trigger.MANUAL, user, rules,
                               scope=f"acct:{account}", sla_policy=cfg.crisis.sla_policy, page=cfg.crisis.page)
    if inc is None:
        raise CrisisError("crisis_already_open", account=account, start=_started(s, account))
    return inc


def stop(s, now: float, account: str, user: str, people, rules) -> Incident:
    if not may_declare(people, user):
        raise CrisisError("crisis_only_approvers")
    inc = crisis.end_incident(s, now, account, user, "manual", rules)
    if inc is None:
        raise CrisisError("crisis_none_open", account=account)
    return inc


def status(s, account: str | None) -> list[tuple[Incident, int, int]]:
    """(incident, messages since it started, posts held) for each open incident shown."""
    rows = []
    for inc in crisis.open_incidents(s):
        if account is not None and inc.account != account:
            continue
        volume = s.scalar(select(func.count(Message.id)).where(
            Message.account == inc.account, Message.direction == "in", Message.created_at >= inc.started_at)) or 0
        rows.append((inc, volume, len(crisis.held_posts(s, inc.account))))
    return rows


def _started(s, account: str) -> str:
    from bot.slack.dates import date_token

    inc = crisis.open_for(s, account)
    return date_token(inc.started_at) if inc else "?"
