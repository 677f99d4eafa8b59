"""Incident operations (spike detection and crisis mode), built at send time by
bot/jobs/crisis_ops.py from the incident's current row."""

from __future__ import annotations

from bot.domain import crisis
from bot.domain.outbox import Op, Priority
from bot.jobs import crisis_ops
from bot.outbox.registry import register
from bot.outbox.slack import SlackOp
from storage.models import Incident


class IncidentOp(SlackOp):
    def build(self, s, row, now, cfg=None):
        return crisis_ops.build_call(s, row, now, cfg)


@register
class IncidentOpen(IncidentOp):
    """The incident's message in the account's channel (in a side lane: never behind the burst)."""

    name = Op.INCIDENT_OPEN
    priority = Priority.URGENT


@register
class IncidentDm(IncidentOp):
    name = Op.INCIDENT_DM
    priority = Priority.URGENT
    reconcile = False  # no look-up in a DM we have not opened: a page twice beats a page lost


@register
class IncidentNote(IncidentOp):
    """The closing summary, in the opening message's thread once that one is posted."""

    name = Op.INCIDENT_NOTE

    def parent_key(self, s, payload):
        inc = s.get(Incident, payload["incident_id"])
        return crisis.open_key(inc) if inc is not None else None


@register
class IncidentHeld(IncidentOp):
    """A scheduled post held by the incident: its author and approvers are told."""

    name = Op.INCIDENT_HELD
    priority = Priority.ALERT
