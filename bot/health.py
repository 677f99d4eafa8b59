"""What GET /healthz answers, computed from the database and the Slack client at request time.

503 when Veille cannot do its job at all: the database is unreachable, or Slack has not answered
(at start-up, until it does; later, when its last call got no answer). 200 otherwise, with
`"status": "degraded"` and the details when something needs a person: dead-lettered outbox rows,
rows blocked on a channel the bot is not in (or a refused token), a connector whose polls fail."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select

from bot.slack.client import Reachability
from storage.models import ConnectorState, Outbox, OutboxState

# Dead letters (given up after their retries) and rows blocked on a channel or the token
# (`last_error` holds Slack's error): bot/jobs/outbox_worker.py writes them.
OUTBOX_DEAD = OutboxState.DEAD
OUTBOX_BLOCKED = OutboxState.BLOCKED
ERROR_SHOWN = 200  # characters of a connector's last error in the document


class Status(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"


def health(db, slack: Reachability | str, accounts: Iterable[str] | None = None) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON document). `accounts`: the configured ones (others' states are stale)."""
    slack = Reachability(slack)
    doc: dict[str, Any] = {"ok": False, "status": Status.DOWN.value, "database": "unreachable",
                           "slack": slack.value}
    if not db.ping():
        return 503, doc
    doc["database"] = "reachable"
    try:
        problems = _problems(db, None if accounts is None else set(accounts))
    except Exception:  # the database went away between the ping and the queries
        doc["database"] = "unreachable"
        return 503, doc
    doc.update(problems)
    if slack is Reachability.UNREACHABLE:
        return 503, doc
    degraded = problems["dead_letters"] or problems["blocked"] or problems["connectors_failing"]
    doc.update(ok=True, status=(Status.DEGRADED if degraded else Status.OK).value)
    return 200, doc


def _problems(db, accounts: set[str] | None) -> dict[str, Any]:
    with db.session() as s:
        dead = s.scalar(select(func.count(Outbox.id)).where(Outbox.state == OUTBOX_DEAD)) or 0
        blocked = s.execute(
            select(Outbox.lane, Outbox.last_error, func.count(Outbox.id))
            .where(Outbox.state == OUTBOX_BLOCKED)
            .group_by(Outbox.lane, Outbox.last_error).order_by(Outbox.lane, Outbox.last_error)).all()
        states = s.execute(select(ConnectorState.account, ConnectorState.health)).all()
    failing = []
    for account, h in sorted(states):
        h = h or {}
        if (accounts is not None and account not in accounts) or h.get("ok", True):
            continue
        failing.append({"account": account, "error": str(h.get("last_error") or "")[:ERROR_SHOWN],
                        "failures": int(h.get("failures") or 0), "last_success_at": h.get("last_success_at")})
    return {
        "dead_letters": int(dead),
        "blocked": [{"lane": lane, "error": error or "", "rows": int(n)} for lane, error, n in blocked],
        "connectors_failing": failing,
    }
