"""Everything a listener or a loop needs, built once by the app factory and passed explicitly."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from slack_sdk import WebClient

from bot.config import Settings, VeilleConfig
from bot.connectors.registry import Connectors
from bot.domain.clocks import SlaRules
from bot.slack.directory import Directory
from storage.db import Database


@dataclass
class Services:
    settings: Settings
    cfg: VeilleConfig
    db: Database
    clock: object
    rules: SlaRules
    slack: WebClient
    directory: Directory
    connectors: Connectors
    wake_outbox: threading.Event = field(default_factory=threading.Event)
    wake_detector: threading.Event = field(default_factory=threading.Event)

    def now(self) -> float:
        return self.clock.now()

    def poke(self) -> None:
        """New work was committed: wake the loops now rather than at their next tick."""
        self.wake_outbox.set()
        self.wake_detector.set()

    def member(self, user_id: str):
        """The member as the access rules see them (bot/domain/access.py), resolved now, before any
        transaction: the account channels they are in, and whether they are an admin."""
        return self.directory.member(user_id, {a.channel for a in self.cfg.accounts})

    def lang(self, user_id: str) -> str:
        from bot.i18n import lang_of

        return lang_of(self.directory.user(user_id).locale)
