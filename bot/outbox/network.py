"""Operations that leave for a network or a pager rather than Slack."""

from __future__ import annotations

from bot.domain.outbox import Op, Priority
from bot.outbox.registry import OutboxOp, register


@register
class Publish(OutboxOp):
    """An approved draft published through its account's connector (bot/jobs/publish.py), with
    its own reconcile (look the post up) and its own attempt accounting."""

    name = Op.PUBLISH
    target = "network"
    priority = Priority.ALERT

    def perform(self, worker, row) -> None:
        worker.perform_publish(row)


class PagerDutyEvent(OutboxOp):
    """PagerDuty Events v2 (bot/pagerduty.py): retried with back-off, de-duplicated by PagerDuty."""

    target = "pagerduty"
    priority = Priority.URGENT
    max_attempts = 12

    def perform(self, worker, row) -> None:
        worker.perform_page(row)


@register
class PagerDutyTrigger(PagerDutyEvent):
    name = Op.PD_TRIGGER


@register
class PagerDutyAcknowledge(PagerDutyEvent):
    name = Op.PD_ACKNOWLEDGE


@register
class PagerDutyResolve(PagerDutyEvent):
    name = Op.PD_RESOLVE
