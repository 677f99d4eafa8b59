"""What is stuck in the outbox, for people: dead letters (rows that kept failing for a reason
that is not Slack's) and blocked rows (Slack refused the channel or the token). `degraded(db)`
is what /healthz, /veille sources and the App Home show; `unblock_channel` and `unblock_token`
resume blocked rows (an invite, a token that works again)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from bot.domain.outbox import budget_lane, channel_lanes
from bot.jobs import lease
from storage.models import Outbox, OutboxState

S = OutboxState
CHANNEL_ERRORS = frozenset({"not_in_channel", "channel_not_found"})
TOKEN_ERRORS = frozenset({"invalid_auth", "account_inactive", "token_revoked", "not_authed"})
BLOCKING = CHANNEL_ERRORS | TOKEN_ERRORS


@dataclass(frozen=True)
class Problem:
    """One thing the team must fix. kind: "dead_letter" (subject: the operation), "channel_blocked"
    (subject: the Slack channel id), "token_invalid" (subject: "slack")."""

    kind: str
    subject: str
    count: int
    error: str
    since: int


def degraded(db) -> list[Problem]:
    """Every outbox problem now; an empty list means the outbox is healthy."""
    problems: list[Problem] = []
    with db.session() as s:
        blocked = s.execute(select(Outbox.lane, Outbox.last_error, func.count(), func.min(Outbox.updated_at))
                            .where(Outbox.state == S.BLOCKED).group_by(Outbox.lane, Outbox.last_error)).all()
        dead = s.execute(select(Outbox.op, func.count(), func.min(Outbox.updated_at), func.max(Outbox.last_error))
                         .where(Outbox.state == S.DEAD).group_by(Outbox.op)).all()
    token: dict[str, list[int]] = {}
    for lane, error, n, since in blocked:
        if error in TOKEN_ERRORS:
            agg = token.setdefault(error, [0, since])
            agg[0], agg[1] = agg[0] + n, min(agg[1], since)
        else:
            problems.append(Problem("channel_blocked", budget_lane(lane).removeprefix("slack:"), n, error or "", since))
    problems += [Problem("token_invalid", "slack", n, error, since) for error, (n, since) in token.items()]
    problems += [Problem("dead_letter", op, n, error or "", since) for op, n, since, error in dead]
    return sorted(problems, key=lambda p: (p.kind, p.subject))


def dead_letters(db, limit: int = 20) -> list[Outbox]:
    """The latest dead rows, with their error."""
    with db.session() as s:
        return list(s.scalars(select(Outbox).where(Outbox.state == S.DEAD).order_by(Outbox.id.desc()).limit(limit)))


def token_blocked(db) -> bool:
    with db.session() as s:
        return s.scalar(select(Outbox.id).where(Outbox.state == S.BLOCKED,
                                                Outbox.last_error.in_(TOKEN_ERRORS)).limit(1)) is not None


def unblock_channel(db, channel: str, now: float) -> int:
    """The bot joined `channel`: its blocked rows go out again, in their order. Returns how many."""
    with db.session() as s:
        return lease.transition(s, [Outbox.lane.in_(channel_lanes(channel))], [S.BLOCKED], S.PENDING, now,
                                run_at=int(now), last_error=None)


def unblock_token(db, now: float) -> int:
    with db.session() as s:
        return lease.transition(s, [Outbox.last_error.in_(TOKEN_ERRORS)], [S.BLOCKED], S.PENDING, now,
                                run_at=int(now), last_error=None)
