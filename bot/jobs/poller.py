"""Polling the brand accounts' connectors: each account on its own cadence (`poll_seconds`), from
its persisted cursor, into `ingest`, exactly once across replicas.

One poll of one account:
1. claim it: a compare-and-set on its `connector_state` row takes a lease only if the poll is
   due and nobody holds an unexpired lease, so two replicas never poll the same account at once;
2. `fetch(cursor)` on the connector, outside any transaction (it talks to the network);
3. `ingest` the batch (its own transaction; duplicates are dropped there);
4. only then save the new cursor, the health and the next poll time, releasing the lease (again a
   compare-and-set on the lease token). A crash or an ingest failure before step 4 leaves the old
   cursor: the next poll fetches the same messages again and ingest drops what it already holds.

Failures never stop the loop: a `RateLimited` waits as long as the network asked (Retry-After), any
other error backs off exponentially from the account's cadence, never sooner than the connector's
own `health().backoff_until`; the error and the wait are kept in the row's `health` for
`/veille sources`.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.config import AccountConfig, VeilleConfig
from bot.connectors.base import ConnectorError, FetchResult, Health, RateLimited
from bot.domain.ingest import IngestResult, ingest
from storage.models import ConnectorState

log = logging.getLogger("veille.poller")

PUSH_ONLY = frozenset({"webhook"})  # inbound arrives by POST /ingest/webhook: nothing to poll
LEASE_SECONDS = 300  # longer than any fetch can take (timeouts x pages); a dead poller's lease ends
MAX_ERROR_BACKOFF = 3600
HEADROOM_RESERVE = 10  # calls of a rate-limit window left to publishing and humans
ERROR_LIMIT = 500  # characters of an error message kept in health


@dataclass
class PollOutcome:
    account: str
    ok: bool
    stored: int = 0
    duplicates: int = 0
    error: str | None = None
    next_poll_at: int = 0


def polled_accounts(cfg: VeilleConfig) -> list[AccountConfig]:
    return [a for a in cfg.accounts if a.connector.type not in PUSH_ONLY]


class Poller:
    def __init__(self, db, cfg: VeilleConfig, rules, connectors, clock, owner: str | None = None,
                 lease_seconds: int = LEASE_SECONDS, on_ingest: Callable[[IngestResult], None] | None = None):
        self.db, self.cfg, self.rules, self.connectors, self.clock = db, cfg, rules, connectors, clock
        self.owner = (owner or f"{socket.gethostname()}:{os.getpid()}")[:80]
        self.lease_seconds = lease_seconds
        self.on_ingest = on_ingest

    # -- the loop's entry points ------------------------------------------------------------------

    def run_once(self) -> list[PollOutcome]:
        """Poll every account that is due and not being polled elsewhere; what each poll did."""
        accounts = {a.key: a for a in polled_accounts(self.cfg)}
        if not accounts:
            return []
        now = int(self.clock.now())
        self._ensure_rows(accounts, now)
        with self.db.session() as s:
            due = list(s.scalars(select(ConnectorState.account).where(
                ConnectorState.account.in_(accounts), ConnectorState.next_poll_at <= now,
                or_(ConnectorState.lease_until.is_(None), ConnectorState.lease_until < now))
                .order_by(ConnectorState.next_poll_at)))
        outcomes = []
        for key in due:
            token = self._claim(key, now)
            if token is not None:
                outcomes.append(self._poll(accounts[key], token))
        return outcomes

    def next_due(self) -> float | None:
        """When the soonest account not being polled elsewhere is due (for the loop's sleep)."""
        keys = [a.key for a in polled_accounts(self.cfg)]
        if not keys:
            return None
        now = int(self.clock.now())
        with self.db.session() as s:
            return s.scalar(select(func.min(ConnectorState.next_poll_at)).where(
                ConnectorState.account.in_(keys),
                or_(ConnectorState.lease_until.is_(None), ConnectorState.lease_until < now)))

    # -- claim and release ------------------------------------------------------------------------

    def _ensure_rows(self, accounts: dict[str, AccountConfig], now: int) -> None:
        with self.db.session() as s:
            have = set(s.scalars(select(ConnectorState.account).where(ConnectorState.account.in_(accounts))))
            missing = [k for k in accounts if k not in have]
            if not missing:
                return
            ins = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
            for key in missing:  # a new account is due at once; a racing replica's insert wins
                s.execute(ins(ConnectorState).values(account=key, health={}, next_poll_at=0, updated_at=now)
                          .on_conflict_do_nothing(index_elements=["account"]))

    def _claim(self, key: str, now: int) -> str | None:
        token = uuid.uuid4().hex
        with self.db.session() as s:
            n = s.execute(update(ConnectorState).where(
                ConnectorState.account == key, ConnectorState.next_poll_at <= now,
                or_(ConnectorState.lease_until.is_(None), ConnectorState.lease_until < now))
                .values(lease_owner=self.owner, lease_token=token, lease_until=now + self.lease_seconds)).rowcount
        return token if n == 1 else None

    def _release(self, key: str, token: str, **values) -> bool:
        with self.db.session() as s:
            n = s.execute(update(ConnectorState).where(ConnectorState.account == key,
                                                       ConnectorState.lease_token == token)
                          .values(lease_owner=None, lease_token=None, lease_until=None, **values)).rowcount
        if n != 1:
            log.warning("poll of %s outlived its lease; another replica took over", key)
        return n == 1

    # -- one poll ---------------------------------------------------------------------------------

    def _poll(self, account: AccountConfig, token: str) -> PollOutcome:
        with self.db.session() as s:
            row = s.get(ConnectorState, account.key)
            cursor, before = row.cursor, dict(row.health or {})
        connector = None
        try:
            connector = self.connectors.get(account.key)
            result: FetchResult = connector.fetch(cursor)
        except RateLimited as e:
            return self._failed(account, token, before, connector, str(e), retry_after=e.retry_after)
        except ConnectorError as e:
            return self._failed(account, token, before, connector, str(e))
        except Exception as e:  # a bug or an unexpected answer must not stop the other accounts
            log.exception("polling %s", account.key)
            return self._failed(account, token, before, connector, f"unexpected error: {type(e).__name__}: {e}")
        try:
            stored = ingest(self.db, self.cfg, self.rules, self.clock.now(), result.messages)
        except Exception as e:  # the cursor stays where it was: the batch is fetched again
            log.exception("storing what %s fetched", account.key)
            return self._failed(account, token, before, connector, f"could not store the batch: {type(e).__name__}")
        if stored.stored and self.on_ingest is not None:
            self.on_ingest(stored)
        return self._succeeded(account, token, before, connector, cursor, result, stored)

    def _succeeded(self, account, token, before: dict, connector, cursor: str | None, result: FetchResult,
                   stored: IngestResult) -> PollOutcome:
        now = int(self.clock.now())
        # Cursor age: since the saved position last moved (something new was read).
        moved = result.cursor != cursor or not before.get("cursor_at")
        h = _connector_health(connector)
        at = now + account.poll_seconds
        reset = h.rate_limit_reset
        if h.rate_limit_remaining is not None and h.rate_limit_remaining <= HEADROOM_RESERVE and reset and reset > now:
            at = max(at, int(reset) + 1)  # keep what is left of the window for publishing
        if h.backoff_until:
            at = max(at, int(h.backoff_until) + 1)
        health = {**before, **_rate_limit(h), "ok": True, "last_poll_at": now, "last_success_at": now,
                  "cursor_at": now if moved else before["cursor_at"], "failures": 0, "backoff_until": None, "rate_limited": False, "next_poll_at": at,
                  "last_batch": {"fetched": len(result.messages), "stored": len(stored.stored),
                                 "duplicates": len(stored.duplicates)}}
        self._release(account.key, token, cursor=result.cursor, health=health, next_poll_at=at, updated_at=now)
        return PollOutcome(account.key, True, len(stored.stored), len(stored.duplicates), None, at)

    def _failed(self, account, token, before: dict, connector, error: str,
                retry_after: float | None = None) -> PollOutcome:
        now = int(self.clock.now())
        h = _connector_health(connector)
        failures = int(before.get("failures") or 0)
        if retry_after is not None:  # the network said how long: that, and it is not a failure
            wait = max(float(account.poll_seconds), retry_after)
        else:
            failures += 1
            wait = min(MAX_ERROR_BACKOFF, account.poll_seconds * 2 ** min(failures - 1, 12))
        at = int(now + wait + 0.999)
        if h.backoff_until:
            at = max(at, int(h.backoff_until) + 1)
        log.warning("polling %s failed, next try in %ds: %s", account.key, at - now, error)
        health = {**before, **_rate_limit(h), "ok": False, "last_poll_at": now, "last_error": error[:ERROR_LIMIT],
                  "last_error_at": now, "failures": failures, "backoff_until": at, "next_poll_at": at,
                  "rate_limited": retry_after is not None}
        self._release(account.key, token, health=health, next_poll_at=at, updated_at=now)
        return PollOutcome(account.key, False, error=error, next_poll_at=at)


def _connector_health(connector) -> Health:
    try:
        return connector.health() if connector is not None else Health()
    except Exception:  # health is informative; never let it fail a poll
        return Health()


def _rate_limit(h: Health) -> dict:
    if h.rate_limit_remaining is None and h.rate_limit_limit is None:
        return {}
    return {"rate_limit": {"remaining": h.rate_limit_remaining, "limit": h.rate_limit_limit,
                           "reset": int(h.rate_limit_reset) if h.rate_limit_reset else None}}


def connector_states(db, keys: list[str]) -> dict[str, ConnectorState]:
    """The saved state of these accounts (detached rows), for `/veille sources`."""
    with db.session() as s:
        rows = list(s.scalars(select(ConnectorState).where(ConnectorState.account.in_(keys))))
        s.expunge_all()
    return {r.account: r for r in rows}
