"""A Veille for crisis tests: the real app whose settle also runs the spike detector tick (as
the runner's crisis loop does each second), and helpers to feed bursts and read incidents."""

from __future__ import annotations

from sqlalchemy import select

from bot.domain import crisis
from bot.jobs import scheduler
from bot.jobs.crisis import CrisisDetector
from storage.models import Incident
from tests.e2e.sla_support import ROTATION, SlaVeille
from tests.support.harness import all_text, team_config

CRISIS = {"min_count": 20, "calm_minutes": 5}
POLICIES = {"policies": [{"name": "standard", "first_response": {"target": "1h", "warn": ["80%"]}},
                         {"name": "crisis", "first_response": {"target": "15m", "warn": ["80%"]}}]}


class CrisisVeille(SlaVeille):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.detector = CrisisDetector(self.db, self.cfg, self.svc.rules)
        self._seq = 0

    def settle(self) -> None:
        for _ in range(50):
            self.executor.wait_idle()
            scheduler.tick(self.db, self.clock.now())
            opened = self.detector.run_once(self.clock.now())
            super().settle()
            if not opened:
                return
        raise AssertionError("crisis never settled")

    def burst(self, n: int, text: str = "Your app deleted all my photos", account: str = "acme") -> None:
        """`n` mentions in one signed webhook batch, from `n` different people."""
        body = []
        for _ in range(n):
            self._seq += 1
            i = self._seq
            body.append({"id": f"b-{i}", "network": "x" if account == "acme" else "mastodon", "account": account,
                         "kind": "mention", "author": {"id": f"a{i}", "handle": f"@angry{i}", "name": f"Angry {i}"},
                         "text": f"{text} #{i}", "url": f"https://x.example/angry/{i}",
                         "created_at": _iso(self.clock.now())})
        r = self.post_webhook(body)
        assert r.status_code == 202, r.text

    def incidents(self) -> list[Incident]:
        with self.db.session() as s:
            return list(s.scalars(select(Incident).order_by(Incident.id)))

    def open_incident(self, account: str = "acme") -> Incident | None:
        with self.db.session() as s:
            return crisis.open_for(s, account)

    def incident_messages(self, channel: str = "C0ACME") -> list[dict]:
        return [m for m in self.alerts(channel) if "Incident on" in all_text(m)]


def crisis_config(publish_url: str, pagerduty_url: str | None = None, **overrides) -> dict:
    cfg = team_config(publish_url, crisis=dict(CRISIS), oncall=ROTATION)
    if pagerduty_url:
        cfg["pagerduty"] = {"routing_key_env": "VEILLE_TEST_PAGERDUTY_KEY", "url": pagerduty_url, "timeout": 2}
    cfg.update(overrides)
    return cfg


def _iso(epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(int(epoch), UTC).isoformat().replace("+00:00", "Z")
