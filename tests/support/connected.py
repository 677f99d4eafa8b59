"""A running Veille whose accounts use real network connectors against the local fake servers
(tests/fakes), polled by the real poller when time moves. Tests talk to it as Slack and the
networks would: post on the fake network, move the clock, read Slack."""

from __future__ import annotations

from bot.ids import Action, Block, Input
from bot.jobs.poller import Poller
from tests.support.harness import AUTHOR, Veille, all_text, team_config

CHANNEL = "C0SOCIAL"


class ConnectedVeille(Veille):
    def __init__(self, db_url, clock, standin, target, accounts: list[dict], env: dict[str, str] | None = None,
                 **config):
        super().__init__(db_url, clock, standin, target,
                         config=team_config(target.url, accounts=accounts, **config), env=env)
        self.poller = Poller(self.db, self.cfg, self.svc.rules, self.svc.connectors, clock, owner="test-replica")

    def settle(self) -> None:
        """Everything the app would do by now: due polls, then listeners, detector and outbox."""
        for _ in range(20):
            super().settle()
            if not self.poller.run_once():
                return
        raise AssertionError("polls never settled")

    def sources(self, user: str = AUTHOR) -> str:
        r = self.slack.command(user, "sources")
        assert r.status_code == 200
        self.settle()
        return self.ephemeral_texts(user)[-1]


def reply_and_approve(veille: Veille, alert: dict, text: str, approver: str, channel: str = CHANNEL) -> dict:
    """A member drafts `text` from the alert; an approver approves it. Returns the draft card."""
    veille.slack.click(AUTHOR, channel, alert["ts"], Action.REPLY)
    veille.settle()
    modal = veille.standin.views(AUTHOR)[-1]
    r = veille.slack.submit_view(AUTHOR, modal["id"], values={Block.REPLY_TEXT: {Input.TEXT: text}})
    assert r.status_code == 200, r.text
    veille.settle()
    card = next(m for m in veille.thread(alert, channel) if "Draft reply" in all_text(m))
    veille.slack.click(approver, channel, card["ts"], Action.APPROVE)
    veille.settle()
    return veille.standin.message(channel, card["ts"])


def account(key: str, network: str, handle: str, connector: dict, poll_seconds: int = 60) -> dict:
    return {"key": key, "network": network, "handle": handle, "channel": CHANNEL, "poll_seconds": poll_seconds,
            "connector": connector}
