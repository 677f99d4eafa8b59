"""The typed registry of outbox operations: one class per `Op`, owning how its row is built,
sent and reconciled, its priority, its parent (the row that must be done first), which Slack
budget it spends and how many times a non-Slack failure is retried before it is dead-lettered.

Adding an operation = one class (subclass `SlackPost`, `SlackUpdate` or `OutboxOp`) decorated
with `@register`, in a module listed in MODULES (the op name is added to `Op` in
bot/domain/outbox.py, or any string works while that enum is being merged)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, ClassVar

from bot.domain.outbox import Priority

if TYPE_CHECKING:
    from bot.jobs.outbox_worker import OutboxWorker
    from storage.models import Outbox

MODULES = ("bot.outbox.slack", "bot.outbox.network", "bot.outbox.crisis", "bot.outbox.burst", "bot.outbox.report")
REGISTRY: dict[str, OutboxOp] = {}
_loaded = False


class OutboxOp:
    """Base of every operation. Class attributes are the defaults; override the methods for
    decisions that depend on the row."""

    name: ClassVar[str]
    target: ClassVar[str] = "slack"
    priority: ClassVar[int] = Priority.NOTE
    max_attempts: ClassVar[int] = 5  # non-Slack failures (a bug, a bad payload) before `dead`

    def priority_for(self, payload: dict[str, Any]) -> int:
        return int(self.priority)

    def parent_key(self, s, payload: dict[str, Any]) -> str | None:
        """The idempotency key of the row that must be done before this one (None: no parent)."""
        return None

    def bucket(self, row: Outbox, pace: float):
        """(bucket name, lease.Bucket) this row spends when claimed, or None. `pace`: the worker's
        seconds between two posts in one channel."""
        return None

    def perform(self, worker: OutboxWorker, row: Outbox) -> None:
        raise NotImplementedError


def register(cls: type[OutboxOp]) -> type[OutboxOp]:
    REGISTRY[str(cls.name)] = cls()
    return cls


def op_for(name: str) -> OutboxOp | None:
    global _loaded
    if not _loaded:
        for module in MODULES:
            importlib.import_module(module)
        _loaded = True
    return REGISTRY.get(str(name))
