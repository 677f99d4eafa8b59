"""The spike detector loop: each tick rolls the new inbound messages up into traffic buckets,
compares every active scope (account, account + keyword) with its normal for this hour of the
week (bot/domain/spikes.py), opens an incident on a spike and closes an incident whose account
has been calm for `calm_minutes`. Every replica may run it: the roll-up cursor, the unique open
incident and the compare-and-set close make each effect happen once.

Baselines change only when the hour changes, so they are cached per (scope, hour): a tick costs
one roll-up query, one query over the last ten minutes of 10-second buckets and the checks."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import update

from bot.config import CrisisConfig, VeilleConfig
from bot.domain import crisis, spikes, traffic
from bot.domain.spikes import HOUR, Baseline, SpikeParams
from storage.models import Incident

log = logging.getLogger("veille.crisis")
PRUNE_EVERY = 600  # seconds between two prunes of old 10-second buckets


def params_of(c: CrisisConfig) -> SpikeParams:
    return SpikeParams(windows=tuple(c.windows), ratio=c.ratio, p_value=c.p_value, min_count=c.min_count,
                       floor_per_hour=c.floor_per_hour, weeks=c.weeks)


@dataclass
class CrisisDetector:
    db: object
    cfg: VeilleConfig
    rules: object = None
    params: SpikeParams = field(init=False)
    _baselines: dict[tuple[str, int], Baseline] = field(default_factory=dict, init=False)
    _pruned_at: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self.params = params_of(self.cfg.crisis)
        self._keywords = {a.key: [*self.cfg.crisis.keywords, *a.crisis_keywords] for a in self.cfg.accounts}

    def keywords_of(self, account: str) -> list[str]:
        return self._keywords.get(account, [])

    def roll_up(self, now: float) -> int:
        total = 0
        while True:
            try:
                with self.db.session() as s:
                    n = traffic.roll_up(s, now, self.keywords_of)
                    if now - self._pruned_at >= PRUNE_EVERY:
                        traffic.prune(s, now, self.params.weeks)
                        self._pruned_at = now
            except traffic.LostRace:
                return total  # another replica counted this batch
            total += n
            if n == 0:
                return total

    def run_once(self, now: float) -> int:
        """One tick. Returns how many incidents it opened or closed (the outbox has work then)."""
        self.roll_up(now)
        changed = 0
        with self.db.session() as s:
            counts = traffic.window_counts(s, now, self.params.windows)
            open_now = {inc.account: inc for inc in crisis.open_incidents(s)}
            verdicts = {scope: self._verdict(s, scope, c, now) for scope, c in counts.items()}
        if self.cfg.crisis.detect:
            for scope, v in sorted(verdicts.items()):
                account = _account_of(scope)
                if v.spike and account not in open_now and self.cfg.account(account) is not None \
                        and self._open(now, account, scope, v) is not None:
                    open_now[account] = True
                    changed += 1
        for inc in list(open_now.values()):
            if isinstance(inc, Incident):
                changed += self._maybe_close(now, inc, verdicts, counts)
        return changed

    def _verdict(self, s, scope: str, counts: dict[int, int], now: float) -> spikes.Verdict:
        key = (scope, int(now) // HOUR)
        base = self._baselines.get(key)
        if base is None:
            base = spikes.baseline(traffic.hourly(s, scope, now, self.params.weeks), now, self.params)
            self._baselines = {k: b for k, b in self._baselines.items() if k[1] == key[1]}  # last hour's: gone
            self._baselines[key] = base
        return spikes.evaluate(counts, base, self.params)

    def _open(self, now: float, account: str, scope: str, v: spikes.Verdict) -> Incident | None:
        acc = self.cfg.account(account)
        volume = crisis.Volume(v.rate_per_hour, v.baseline.median_per_hour, v.window, v.count)
        with self.db.session() as s:
            inc = crisis.open_incident(s, now, account, acc.channel, crisis.Trigger.SPIKE, "veille", self.rules,
                                       scope=scope, volume=volume, sla_policy=self.cfg.crisis.sla_policy,
                                       page=self.cfg.crisis.page)
            if inc is not None:
                log.warning("spike on %s: %d messages in %d s (threshold %d): incident %d opened",
                            scope, v.count, v.window, v.threshold, inc.id)
                return inc
        return None

    def _maybe_close(self, now: float, inc: Incident, verdicts, counts) -> int:
        """Calm: no scope of the account spiking and its account volume within normal."""
        scope = traffic.account_scope(inc.account)
        v = verdicts.get(scope)
        spiking = any(x.spike for sc, x in verdicts.items() if _account_of(sc) == inc.account)
        is_calm = not spiking and (v is None or spikes.calm(counts.get(scope, {}), v.baseline, self.params))
        minutes = self.cfg.crisis.calm_minutes
        with self.db.session() as s:
            if not is_calm:
                if inc.calm_since is not None:
                    s.execute(update(Incident).where(Incident.id == inc.id).values(calm_since=None))
                return 0
            if inc.calm_since is None:
                s.execute(update(Incident).where(Incident.id == inc.id, Incident.calm_since.is_(None))
                          .values(calm_since=int(now)))
                return 0
            if inc.trigger == crisis.Trigger.MANUAL or now - inc.calm_since < minutes * 60:
                return 0  # declared by hand: ended by hand
            s.execute(update(Incident).where(Incident.id == inc.id).values(
                detail={**inc.detail, "calm_minutes": minutes}))
            return 1 if crisis.end_incident(s, now, inc.account, "veille", "calm", self.rules) else 0


def _account_of(scope: str) -> str:
    return scope.split(":", 2)[1]
