"""Incidents (crisis mode) on one brand account: opened by a spike or by hand, at most one open
per account, opened and closed exactly once across replicas (a unique `open_account` and
compare-and-set updates). Everything they say leaves through the outbox, queued in the same
transaction as the state change: the message in the account's channel (whose thread is where
the team coordinates), the on-call DM, the PagerDuty `critical` trigger and its resolve, the
"post held" notes and the closing summary. No Slack here: texts come from bot/blocks/crisis.py."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from statistics import median
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot import pagerduty
from bot.domain import audit, oncall_store
from bot.domain.approvals import APPROVED, LATE_LIMIT, member_lang
from bot.domain.outbox import SideLane, enqueue, enqueue_slack, side_lane
from bot.domain.spikes import top_words
from storage.models import Conversation, Draft, Incident, Message, Outbox, OutboxState, SlaClock, SlaEvent
from storage.upsert import insert_ignore

SAMPLES = 3
HELD = OutboxState.HELD  # the outbox state of a scheduled post held by an incident


class State(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Trigger(StrEnum):
    SPIKE = "spike"
    MANUAL = "manual"


class CrisisError(Exception):
    """A refusal the member reads (code: an i18n key)."""

    def __init__(self, code: str, **info):
        super().__init__(code)
        self.code, self.info = code, info


@dataclass(frozen=True)
class Volume:
    """What the opening message says about the volume (a hand-declared incident has none)."""

    rate_per_hour: float = 0.0
    normal_per_hour: float = 0.0
    window: int = 0
    count: int = 0


def open_incident(s: Session, now: float, account: str, channel: str | None, trigger: Trigger, actor: str,
                  rules=None, scope: str = "", volume: Volume = Volume(), sla_policy: str | None = None,
                  page: bool = True) -> Incident | None:
    """Open an incident on `account` unless one is open already (then None: the other writer, on
    this replica or another, won and does the telling)."""
    texts = _recent_texts(s, account, now)
    detail = {"rate_per_hour": round(volume.rate_per_hour, 1), "normal_per_hour": round(volume.normal_per_hour, 1),
              "window": volume.window, "count": volume.count, "top_words": top_words(texts),
              "samples": texts[:SAMPLES], "paged": page}
    ident = insert_ignore(s, Incident, dict(
        account=account, open_account=account, state=State.OPEN, trigger=trigger, scope=scope, opened_by=actor,
        started_at=int(now), slack_channel=channel, sla_policy=sla_policy, detail=detail))
    if ident is None:
        return None
    inc = s.get(Incident, ident)
    audit.record(s, now, actor, "incident_opened", "incident", inc.id, account=account, trigger=str(trigger),
                 scope=scope)
    if channel:
        enqueue(s, now, target="slack", op="incident_open", lane=incident_lane(channel), key=open_key(inc),
                payload={"incident_id": inc.id})
    if page:
        _page(s, now, inc, rules)
    return inc


def _page(s: Session, now: float, inc: Incident, rules) -> None:
    oncall = oncall_store.on_call(s, getattr(rules, "oncall", None), now)
    if oncall is not None and oncall.primary:
        enqueue_slack(s, now, oncall.primary, "incident_dm", f"incident:{inc.id}:dm:{oncall.primary}",
                      incident_id=inc.id, user=oncall.primary, lang=member_lang(s, oncall.primary))
    if getattr(rules, "pagerduty", None) is not None:
        pagerduty.enqueue_event(s, now, "trigger", dedup_key(inc), summary=page_summary(inc), cause="open",
                                severity="critical",
                                details={"incident": inc.id, "account": inc.account, "trigger": inc.trigger,
                                         "channel": inc.slack_channel or "", "scope": inc.scope,
                                         "rate_per_hour": inc.detail.get("rate_per_hour"),
                                         "normal_per_hour": inc.detail.get("normal_per_hour")})


def dedup_key(inc: Incident) -> str:
    return f"veille-incident-{inc.id}"


def incident_lane(channel: str) -> str:
    """The incident's own lane in its channel: its message does not queue behind the burst's alerts
    (one message per incident, so Slack's per-channel pace holds), and its notes follow it in order."""
    return side_lane(channel, SideLane.INCIDENT)


def open_key(inc: Incident) -> str:
    """The opening message's outbox key: its row records the ts the incident's thread hangs off."""
    return f"incident:{inc.id}:open"


def page_summary(inc: Incident) -> str:
    d = inc.detail or {}
    if inc.trigger == Trigger.MANUAL:
        return f"Veille: incident on {inc.account} declared by {inc.opened_by}"
    return (f"Veille: incident on {inc.account}: {d.get('count', 0)} messages in {d.get('window', 0)} s "
            f"(about {int(d.get('rate_per_hour') or 0)}/h, normal {int(d.get('normal_per_hour') or 0)}/h)")


def open_for(s: Session, account: str) -> Incident | None:
    return s.scalar(select(Incident).where(Incident.open_account == account))


def open_incidents(s: Session) -> list[Incident]:
    return list(s.scalars(select(Incident).where(Incident.open_account.is_not(None)).order_by(Incident.id)))


def end_incident(s: Session, now: float, account: str, actor: str, reason: str, rules=None) -> Incident | None:
    """Close the open incident of `account` (compare-and-set: one closer wins) and post its summary
    in its thread. None when none was open (or another writer closed it first)."""
    inc = open_for(s, account)
    if inc is None:
        return None
    won = s.execute(update(Incident).where(Incident.id == inc.id, Incident.state == State.OPEN).values(
        state=State.CLOSED, open_account=None, ended_at=int(now), ended_by=actor)).rowcount
    if won != 1:
        return None
    s.refresh(inc)
    summary = summarize(s, inc)
    inc.detail = {**inc.detail, "summary": summary, "end_reason": reason}
    audit.record(s, now, actor, "incident_closed", "incident", inc.id, reason=reason, **summary)
    if inc.slack_channel:
        enqueue(s, now, target="slack", op="incident_note", lane=incident_lane(inc.slack_channel),
                key=f"incident:{inc.id}:summary", payload={"incident_id": inc.id, "note": "summary"})
    if getattr(rules, "pagerduty", None) is not None and inc.detail.get("paged", True):
        pagerduty.enqueue_event(s, now, "resolve", dedup_key(inc), cause="closed")
    return inc


def summarize(s: Session, inc: Incident) -> dict[str, Any]:
    """Duration, volume, median first response, breaches, who answered, posts still held."""
    start, end = inc.started_at, inc.ended_at or inc.started_at
    since = start - int((inc.detail or {}).get("window") or 0)  # a spike counts the burst that raised it
    volume = s.scalar(select(func.count(Message.id)).where(
        Message.account == inc.account, Message.direction == "in", Message.created_at >= since,
        Message.created_at <= end)) or 0
    convs = select(Conversation.id).where(Conversation.account == inc.account)
    firsts = s.execute(select(SlaClock.start_at, SlaClock.fulfilled_at).where(
        SlaClock.conversation_id.in_(convs), SlaClock.metric == "first_response",
        SlaClock.fulfilled_at.is_not(None), SlaClock.fulfilled_at >= start, SlaClock.fulfilled_at <= end)).all()
    breaches = s.scalar(select(func.count(SlaEvent.id)).where(
        SlaEvent.conversation_id.in_(convs), SlaEvent.type == "breached", SlaEvent.at >= start,
        SlaEvent.at <= end)) or 0
    answered = s.execute(select(Message.meta, Message.author_id).where(
        Message.account == inc.account, Message.direction == "out", Message.created_at >= start,
        Message.created_at <= end)).all()
    who = sorted({(m or {}).get("author") or a for m, a in answered if (m or {}).get("author") or a})
    held = sum(1 for r in held_posts(s, inc.account) if r.payload.get("incident_id") == inc.id)
    return {"duration": end - start, "volume": volume, "replies": len(answered),
            "median_first_response": int(median([f - s_ for s_, f in firsts])) if firsts else None,
            "breaches": breaches, "who": who, "held": held}


def sla_policies(s: Session, accounts: set[str]) -> dict[str, tuple[str, int]]:
    """account -> (the SLA policy of conversations created during its open incident, its start)."""
    if not accounts:
        return {}
    return {a: (p, t) for a, p, t in s.execute(select(Incident.account, Incident.sla_policy, Incident.started_at).where(
        Incident.open_account.in_(accounts), Incident.sla_policy.is_not(None)))}


def sla_policy_for(policies: dict[str, tuple[str, int]], conv: Conversation) -> str | None:
    found = policies.get(conv.account)
    return found[0] if found and conv.created_at >= found[1] else None


def _recent_texts(s: Session, account: str, now: float, limit: int = 200) -> list[str]:
    return [t for t in s.scalars(select(Message.text).where(
        Message.account == account, Message.direction == "in", Message.created_at >= int(now) - 3600)
        .order_by(Message.id.desc()).limit(limit)) if t]


# ---- scheduled posts while an incident is open -------------------------------------------------


def hold_post(s: Session, now: float, d: Draft, row: Outbox) -> Incident | None:
    """Called before a scheduled post goes out: the open incident holding it, else None. The author
    and the approvers are told once per held publication, with Publish anyway and Reschedule."""
    if d.kind != "post" or d.state != APPROVED or row.payload.get("released_by"):
        return None
    inc = open_for(s, d.account)
    if inc is None:
        return None
    drop_held(s, now, d, keep=row.id)  # an earlier hold of this post was rescheduled into this one
    payload = {**row.payload, "incident_id": inc.id}
    s.execute(update(Outbox).where(Outbox.id == row.id).values(payload=payload))
    audit.record(s, now, "veille", "post_held", "draft", d.id, version=d.version, incident=inc.id)
    for user, lang in _told(s, d):
        # The author reads it in the post card's thread, where the post was discussed; approvers by DM.
        in_thread = bool(d.slack_channel and d.slack_ts and user == d.author)
        enqueue_slack(s, now, d.slack_channel if in_thread else user, "incident_held",
                      f"incident:{inc.id}:held:{row.id}:{user}", incident_id=inc.id, draft_id=d.id, row_id=row.id,
                      user=user, lang=lang, in_thread=in_thread)
    return inc


def _told(s: Session, d: Draft) -> list[tuple[str, str]]:
    from bot.domain.approvals import _approvals_by_step

    people = [d.author] + [a for ids in _approvals_by_step(s, d).values() for a in ids]
    if d.approved_by:
        people.append(d.approved_by)
    return [(u, member_lang(s, u)) for u in dict.fromkeys(people)]


def publish_anyway(s: Session, now: float, row_id: int, version: int, user: str, people) -> Draft:
    """An approver sends a held post now, this exact version, once (compare-and-set on the row)."""
    if not people.is_approver(user):
        raise CrisisError("not_approver")
    row = s.get(Outbox, row_id)
    d = s.get(Draft, row.payload.get("draft_id")) if row is not None and row.op == "publish" else None
    if d is None:
        raise CrisisError("crisis_held_gone")
    if row.state != HELD:
        raise CrisisError("crisis_held_done")
    if d.version != version or row.payload.get("version") != version or d.state != APPROVED \
            or d.scheduled_at != row.run_at:
        _drop(s, now, row, "edited, rescheduled or cancelled while held")
        raise CrisisError("crisis_held_changed", id=f"p{d.id}")
    payload = {**row.payload, "released_by": user, "not_after": int(now) + LATE_LIMIT}
    won = s.execute(update(Outbox).where(Outbox.id == row.id, Outbox.state == HELD).values(
        state="pending", run_at=int(now), payload=payload, last_error=None, updated_at=int(now))).rowcount
    if won != 1:
        raise CrisisError("crisis_held_done")
    audit.record(s, now, user, "post_released", "draft", d.id, version=d.version, incident=row.payload.get("incident_id"))
    return d


def drop_held(s: Session, now: float, d: Draft, keep: int | None = None) -> None:
    """A held post was rescheduled: its held publication gives way to the new one."""
    for row in list(s.scalars(select(Outbox).where(Outbox.op == "publish", Outbox.state == HELD,
                                                   Outbox.idempotency_key.like(f"publish:{d.id}:v%")))):
        if row.id != keep:
            _drop(s, now, row, "rescheduled")


def _drop(s: Session, now: float, row: Outbox, why: str) -> None:
    s.execute(update(Outbox).where(Outbox.id == row.id, Outbox.state == HELD).values(
        state="cancelled", last_error=why, updated_at=int(now)))


def held_posts(s: Session, account: str) -> list[Outbox]:
    """Held publications of `account` still waiting for a decision (not rescheduled since)."""
    rows = list(s.scalars(select(Outbox).where(Outbox.op == "publish", Outbox.state == HELD).order_by(Outbox.run_at)))
    ids = {r.payload.get("draft_id") for r in rows}
    drafts = {d.id: d for d in s.scalars(select(Draft).where(Draft.id.in_(ids), Draft.account == account))} \
        if ids else {}
    return [r for r in rows if (d := drafts.get(r.payload.get("draft_id"))) is not None
            and d.state == APPROVED and d.scheduled_at == r.run_at and d.version == r.payload.get("version")]
