"""A Veille for SLA tests: the real app with its detector given the SLA rules (the on-call
rotation and PagerDuty escalation needs), as `veille run` does, and helpers to read clocks."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.jobs.detector import detect
from bot.slack.standin.state import dm_channel_id
from storage.models import AuditLog, Outbox, SlaClock, SlaEvent
from tests.support.harness import Veille, all_text, team_config

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
ROUTING_KEY = "0123456789abcdef0123456789abcdef"  # 32 characters, as PagerDuty wants

ROTATION = {
    "timezone": "Europe/Paris",
    "handoff": "mon 09:00",
    "layers": [
        {"name": "primary", "members": ["U0BOB", "U0CAROL"], "rotation": "weekly", "start": "2026-11-23"},
        {"name": "backup", "members": ["U0DAN"], "rotation": "weekly", "start": "2026-11-23"},
    ],
}


def at(tz: ZoneInfo, *parts: int, fold: int = 0) -> int:
    """Epoch of a wall time: at(PARIS, 2026, 11, 27, 16, 30); fold=1 for the second of a doubled hour."""
    return int(datetime(*parts, tzinfo=tz, fold=fold).timestamp())


class SlaVeille(Veille):
    closed = False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            super().close()

    def settle(self) -> None:
        for _ in range(200):
            self.executor.wait_idle()
            n = detect(self.db, self.clock.now(), rules=self.svc.rules) + self.worker.drain()
            if n == 0:
                self.executor.wait_idle()
                if detect(self.db, self.clock.now(), rules=self.svc.rules) + self.worker.drain() == 0:
                    return
        raise AssertionError("work never settled")

    def advance_to(self, epoch: float) -> None:
        self.clock.set(epoch)
        self.settle()

    def until_slack_caught_up(self, limit: int = 120) -> None:
        """Slack paces a burst of posts in one channel (about one a second): let seconds pass
        until nothing waits for it."""
        self.settle()
        for _ in range(limit):
            with self.db.session() as s:
                waiting = s.scalar(select(Outbox.id).where(Outbox.target == "slack",
                                                           Outbox.state.in_(("pending", "unknown"))).limit(1))
            if waiting is None:
                return
            self.advance(1)
        raise AssertionError("Slack never caught up")

    # ---- reading what members see --------------------------------------------------------------

    def parent(self, alert: dict, channel: str = "C0ACME") -> str:
        return all_text(self.standin.message(channel, alert["ts"]))

    def notes(self, alert: dict, word: str, channel: str = "C0ACME") -> list[dict]:
        return [m for m in self.thread(alert, channel) if word in all_text(m)]

    def dms(self, user: str) -> list[dict]:
        return self.standin.messages(dm_channel_id(user))

    def answer(self, user: str, text: str) -> str:
        r = self.slack.command(user, text)
        assert r.status_code == 200
        self.settle()
        return self.ephemeral_texts(user)[-1]

    # ---- reading the database (what reports are computed from) ---------------------------------

    def clocks(self, conversation_id: int = 1) -> list[SlaClock]:
        with self.db.session() as s:
            return list(s.scalars(select(SlaClock).where(SlaClock.conversation_id == conversation_id)
                                  .order_by(SlaClock.id)))

    def clock_of(self, metric: str, conversation_id: int = 1, cycle: int = 1) -> SlaClock:
        return next(c for c in self.clocks(conversation_id) if c.metric == metric and c.cycle == cycle)

    def events(self, type_: str | None = None) -> list[SlaEvent]:
        with self.db.session() as s:
            q = select(SlaEvent).order_by(SlaEvent.id)
            if type_:
                q = q.where(SlaEvent.type == type_)
            return list(s.scalars(q))

    def audit(self, action: str) -> list[AuditLog]:
        with self.db.session() as s:
            return list(s.scalars(select(AuditLog).where(AuditLog.action == action)))


def veille_factory(db_url, clock, standin, target):
    """Body of each SLA test module's `sla_veille` fixture:
    make(sla=..., oncall=..., pagerduty=..., team=...) -> a running SlaVeille."""
    made: list[SlaVeille] = []

    def make(**overrides) -> SlaVeille:
        v = SlaVeille(db_url, clock, standin, target, config=team_config(target.url, **overrides))
        made.append(v)
        return v

    yield make
    for v in made:
        v.close()
