"""The report operation (/veille report and the scheduled monthly report): figures read when the
row is sent, then the summary posted and the charts uploaded (bot/jobs/report_ops.py)."""

from __future__ import annotations

from bot.domain.outbox import Op, Priority
from bot.jobs import report_ops
from bot.outbox.registry import register
from bot.outbox.slack import SlackOp


@register
class Report(SlackOp):
    name = Op.REPORT
    priority = Priority.NOTE
    reconcile = False  # a summary posted twice beats a report lost; the charts follow in its thread

    def build(self, s, row, now, cfg=None):
        return report_ops.build_call(s, row, now)
