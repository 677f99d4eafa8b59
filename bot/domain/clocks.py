"""SLA clock rows: started by inbound messages, stopped by qualifying replies, paused by statuses,
checked by the detector. Deadlines come from `SlaRules` (policies and schedules); this module only
keeps the rows and events honest. Events are unique per (clock, type, level): whoever inserts one
alerts.

| metric         | starts                              | stops                  | pauses              |
| first_response | first inbound (platform time)       | first qualifying reply | never               |
| next_response  | oldest unanswered inbound           | next qualifying reply  | never               |
| resolution     | first inbound                       | status resolved        | pending (+ on_hold) |
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import pagerduty
from bot.domain import crisis
from bot.domain.outbox import enqueue_refresh, enqueue_slack
from storage.bulk import insert_rows
from storage.models import Conversation, Job, Message, SlaClock, SlaEvent
from storage.upsert import insert_ignore

FIRST, NEXT, RESOLUTION = "first_response", "next_response", "resolution"
RESPONSE_METRICS = (FIRST, NEXT)
OPEN_STATES = ("running", "paused", "breached")  # not yet answered
DONE_STATES = ("met", "fulfilled_late")


@dataclass(frozen=True)
class Deadline:
    due: int
    warn_at: list[tuple[int, int]] = field(default_factory=list)  # (level, epoch), in time order
    policy: str = "default"
    version: int = 1
    escalate_after: int | None = None
    fingerprint: str = ""  # the policy's version: a change at start-up re-applies it


class SlaRules(Protocol):
    def apply(self, metric: str, conv: Conversation, text: str, start: int, paused: int = 0) -> Deadline | None:
        """The deadline the first matching policy gives `metric`; None if it sets no such target."""
        ...

    def recompute(self, policy_name: str, metric: str, start: int, paused: int = 0) -> Deadline | None:
        ...

    def pause_seconds(self, policy_name: str, metric: str, since: int, until: int) -> int:
        ...

    def pauses_on_hold(self, policy_name: str) -> bool:
        ...


# -- starting ----------------------------------------------------------------------------------


def on_inbound(s: Session, rules: SlaRules, conv: Conversation, msg: Message, now: float) -> None:
    """A customer message: start the response clock it calls for, and the resolution clock."""
    open_clocks = {c.metric: c for c in open_clocks_of(s, conv.id)}
    ever_first = _exists(s, conv.id, FIRST)
    if not ever_first and conv.last_reply_at is None:
        _start(s, rules, conv, FIRST, 1, conv.first_inbound_at, now)
    elif FIRST not in open_clocks and NEXT not in open_clocks:
        # The oldest unanswered inbound after our last reply starts the next-response clock;
        # later messages before a reply do not move it (the clock is already open).
        _start(s, rules, conv, NEXT, _last_cycle(s, conv.id, NEXT) + 1, msg.created_at, now)
    resolution = _latest(s, conv.id, RESOLUTION)
    if resolution is None:
        _start(s, rules, conv, RESOLUTION, 1, conv.first_inbound_at, now)
    elif conv.status == "open":
        resume(s, rules, resolution, now)  # a message re-opens: the total continues


def _start(s: Session, rules: SlaRules, conv: Conversation, metric: str, cycle: int, start: int, now: float) -> None:
    policy = crisis.sla_policy_for(crisis.sla_policies(s, {conv.account}), conv) if cycle == 1 else None
    clock = _new_clock(rules, conv, first_text(s, conv.id), metric, cycle, start, now, policy)
    if clock is None:
        return
    s.add(clock)
    s.flush()
    add_event(s, clock, "applied", 0, now, **_applied_detail(clock))


def start_new_conversations(s: Session, rules: SlaRules, items: list[tuple[Conversation, str]], now: float) -> None:
    """Brand-new conversations (no clock, no reply yet) with their first message's text: the
    same first-response and resolution clocks `on_inbound` starts, written in bulk for ingest."""
    policies = crisis.sla_policies(s, {conv.account for conv, _ in items})  # crisis mode: a stricter policy
    rows = [row for conv, text in items for metric in (FIRST, RESOLUTION)
            if (row := _new_clock_row(rules, conv, text, metric, 1, conv.first_inbound_at, now,
                                      crisis.sla_policy_for(policies, conv))) is not None]
    if not rows:
        return
    # Core executemany, not ORM objects nor RETURNING (SQLite answers RETURNING one row per
    # statement): a burst writes thousands of clocks at once. Ids are read back by unique key.
    c = s.connection()
    insert_rows(c, SlaClock.__table__, rows)
    conv_ids = sorted({r["conversation_id"] for r in rows})
    ids: dict[tuple[int, str], int] = {}
    for lo in range(0, len(conv_ids), 400):
        ids.update({(r[1], r[2]): r[0] for r in c.execute(
            select(SlaClock.id, SlaClock.conversation_id, SlaClock.metric).where(
                SlaClock.conversation_id.in_(conv_ids[lo:lo + 400]), SlaClock.cycle == 1))})
    insert_rows(c, SlaEvent.__table__, [dict(
        clock_id=ids[(r["conversation_id"], r["metric"])], conversation_id=r["conversation_id"], type="applied",
        level=0, at=int(now), detail={"policy": r["policy"], "version": r["policy_fingerprint"], "due": r["due_at"]})
        for r in rows])


def _new_clock(rules: SlaRules, conv: Conversation, text: str, metric: str, cycle: int, start: int,
               now: float, policy: str | None = None) -> SlaClock | None:
    row = _new_clock_row(rules, conv, text, metric, cycle, start, now, policy)
    return None if row is None else SlaClock(**row)


def _new_clock_row(rules: SlaRules, conv: Conversation, text: str, metric: str, cycle: int, start: int,
                   now: float, policy: str | None = None) -> dict | None:
    # `policy`: an incident's stricter policy; a metric it has no target for keeps the usual one.
    d = (rules.recompute(policy, metric, start) if policy else None) or rules.apply(metric, conv, text, start)
    if d is None:
        return None
    warn_at = [list(w) for w in d.warn_at]
    return dict(conversation_id=conv.id, account=conv.account, network=conv.network, kind=conv.kind,
                metric=metric, cycle=cycle, policy=d.policy,
                policy_version=1, policy_fingerprint=d.fingerprint, start_at=start, due_at=d.due,
                warn_at=warn_at, escalate_after=d.escalate_after, applied_at=int(now), state="running",
                warned_level=0, escalation_level=0, paused_seconds=0, paused_since=None, fulfilled_at=None,
                breached_at=None, next_check_at=_next_check_at(warn_at, 0, d.due))


def _applied_detail(clock: SlaClock) -> dict:
    return {"policy": clock.policy, "version": clock.policy_fingerprint, "due": clock.due_at}


def next_check(clock: SlaClock, now: float) -> int | None:
    """The next instant the detector must look at this clock: a pending warning, else the due.
    A breached clock is looked at again only for its next escalation step (set by escalation)."""
    if clock.state != "running" or clock.breached_at is not None:
        return None
    return _next_check_at(clock.warn_at, clock.warned_level or 0, clock.due_at)


def _next_check_at(warn_at: list, warned_level: int, due_at: int) -> int:
    pending = [at for level, at in warn_at if level > warned_level and at < due_at]
    return min(pending + [due_at])


# -- stopping ----------------------------------------------------------------------------------


def on_reply(s: Session, rules: SlaRules | None, conv: Conversation, at: int, now: float, via: str, actor: str,
             automated: bool = False) -> None:
    """A reply from our side. Only a qualifying one (human, visible to the customer) stops the
    response clocks: an auto-acknowledgement or a bot reply is recorded and changes nothing.
    A reply in a direct-message conversation also answers the same person's public
    conversations on that account (the DM is linked to them)."""
    if automated:
        if conv.slack_channel:
            enqueue_refresh(s, now, conv.slack_channel, "alert_refresh", "conversation_id", conv.id)
        return
    conv.last_reply_at = max(conv.last_reply_at or 0, at)
    conv.updated_at = int(now)
    _fulfil_responses(s, conv, at, now, via, actor, rules=rules)
    if conv.kind == "dm":
        for linked in _linked_public(s, conv):
            _fulfil_responses(s, linked, at, now, "dm", actor, linked_from=conv.id, rules=rules)
    if conv.slack_channel:
        enqueue_refresh(s, now, conv.slack_channel, "alert_refresh", "conversation_id", conv.id)


def _fulfil_responses(s: Session, conv: Conversation, at: int, now: float, via: str, actor: str,
                      linked_from: int | None = None, rules: SlaRules | None = None) -> None:
    for clock in open_clocks_of(s, conv.id):
        if clock.metric not in RESPONSE_METRICS:
            continue
        # Judged on the reply's own time: a native reply ingested late was still on time.
        late = at > clock.due_at
        kind = "fulfilled_late" if late else "met"
        clock.fulfilled_at, clock.state, clock.next_check_at = at, kind, None
        clock.elapsed_s = counted_seconds(rules, clock, at)
        if add_event(s, clock, kind, 0, now, via=via, actor=actor, linked_from=linked_from):
            note(s, conv, now, kind, f"sla:{clock.id}:{kind}:0", clock_id=clock.id, via=via,
                 linked_from=linked_from)
        page_follow_up(s, clock, now, "resolve")
    if linked_from is not None:
        conv.last_reply_at = max(conv.last_reply_at or 0, at)
        if conv.slack_channel:
            enqueue_refresh(s, now, conv.slack_channel, "alert_refresh", "conversation_id", conv.id)


def _linked_public(s: Session, dm: Conversation) -> list[Conversation]:
    if not dm.author_id:
        return []
    return list(s.scalars(select(Conversation).where(
        Conversation.account == dm.account, Conversation.author_id == dm.author_id,
        Conversation.kind != "dm", Conversation.status != "resolved", Conversation.id != dm.id)))


def cancel(s: Session, clock: SlaClock, now: float, reason: str, actor: str) -> None:
    """No answer is owed (spam, no reply needed, resolved, policy no longer matches). A breached
    clock stays breached: only its escalation stops."""
    clock.next_check_at = None
    if clock.state == "breached":
        page_follow_up(s, clock, now, "resolve")
        return
    clock.state = "cancelled"
    add_event(s, clock, "cancelled", 0, now, reason=reason, actor=actor)
    page_follow_up(s, clock, now, "resolve")


def counted_seconds(rules: SlaRules | None, clock: SlaClock, until: int) -> int:
    """How long the clock ran, as its target counts time (business hours on a business target,
    pauses left out): what reports use as the response or resolution time."""
    if rules is None:
        return max(0, until - clock.start_at - clock.paused_seconds)
    return max(0, rules.pause_seconds(clock.policy, clock.metric, clock.start_at, until) - clock.paused_seconds)


# -- pausing (resolution) ------------------------------------------------------------------------


def pause(s: Session, clock: SlaClock, now: float, reason: str) -> None:
    if clock.state != "running":
        return  # a breached clock stays breached; a paused one stays paused
    clock.state, clock.paused_since, clock.next_check_at = "paused", int(now), None
    add_event(s, clock, "paused", _count(s, clock, "paused") + 1, now, reason=reason)


def resume(s: Session, rules: SlaRules, clock: SlaClock, now: float) -> None:
    """Back to running after a pause or a resolve: the time in between does not count."""
    if clock.state == "paused" and clock.paused_since is not None:
        since = clock.paused_since
    elif clock.state in DONE_STATES and clock.metric == RESOLUTION and clock.fulfilled_at is not None:
        since = clock.fulfilled_at
    else:
        return
    was_late = clock.state == "fulfilled_late" or clock.breached_at is not None
    clock.paused_seconds += rules.pause_seconds(clock.policy, clock.metric, since, int(now))
    clock.paused_since = clock.fulfilled_at = None
    d = rules.recompute(clock.policy, clock.metric, clock.start_at, clock.paused_seconds)
    if d is not None and not was_late:
        clock.due_at, clock.warn_at = d.due, [list(w) for w in d.warn_at]
    clock.state = "breached" if was_late else "running"
    clock.next_check_at = next_check(clock, now)
    add_event(s, clock, "resumed", _count(s, clock, "resumed") + 1, now, paused_seconds=clock.paused_seconds)


def fulfil_resolution(s: Session, rules: SlaRules, clock: SlaClock, now: float, actor: str) -> None:
    if clock.state not in OPEN_STATES:
        return
    if clock.state == "paused":
        resume(s, rules, clock, now)
    late = clock.breached_at is not None or now > clock.due_at
    clock.state = "fulfilled_late" if late else "met"
    clock.fulfilled_at, clock.next_check_at = int(now), None
    clock.elapsed_s = counted_seconds(rules, clock, int(now))
    add_event(s, clock, clock.state, _count(s, clock, clock.state), now, actor=actor)
    page_follow_up(s, clock, now, "resolve")


# -- policy changes ----------------------------------------------------------------------------


def reapply(s: Session, rules: SlaRules, conv: Conversation, now: float, reason: str) -> int:
    """Recompute this conversation's open clocks from their ORIGINAL start with the policy that
    matches it now. A breached clock stays breached; a running one may breach at once (the
    detector sees a due in the past). Returns how many clocks changed."""
    text = first_text(s, conv.id)
    changed = 0
    for clock in open_clocks_of(s, conv.id):
        d = rules.apply(clock.metric, conv, text, clock.start_at, clock.paused_seconds)
        if d is None:
            if clock.state != "breached":
                cancel(s, clock, now, "policy_no_longer_matches", "veille")
                changed += 1
            continue
        if (d.policy, d.fingerprint) == (clock.policy, clock.policy_fingerprint):
            continue
        clock.policy, clock.policy_fingerprint = d.policy, d.fingerprint
        clock.policy_version += 1
        clock.escalate_after = d.escalate_after
        if clock.state != "breached":
            clock.due_at, clock.warn_at = d.due, [list(w) for w in d.warn_at]
            clock.next_check_at = next_check(clock, now)
        add_event(s, clock, "reapplied", clock.policy_version, now, policy=d.policy, version=d.fingerprint,
                  due=clock.due_at, reason=reason)
        changed += 1
    if changed and conv.slack_channel:
        enqueue_refresh(s, now, conv.slack_channel, "alert_refresh", "conversation_id", conv.id)
    return changed


def reapply_all(db, rules, now: float, batch: int = 500) -> int:
    """At start-up (`veille run`): re-apply policies to every open conversation. Cheap when
    nothing changed: the ordered list of policy versions is remembered (a `job` row), and only
    a new list re-matches every open conversation; returns how many clocks changed."""
    current = rules.fingerprints()
    marker = "sla_policies:" + hashlib.sha256(json.dumps(list(current.items())).encode()).hexdigest()[:24]
    with db.session() as s:
        if s.scalar(select(Job.id).where(Job.dedupe_key == marker)) is not None:
            return 0
    changed, after = 0, 0
    while True:
        with db.session() as s:
            ids = list(s.scalars(
                select(SlaClock.conversation_id).where(SlaClock.state.in_(OPEN_STATES), SlaClock.conversation_id > after)
                .group_by(SlaClock.conversation_id).order_by(SlaClock.conversation_id).limit(batch)))
            for conv_id in ids:
                conv = s.get(Conversation, conv_id, with_for_update=not db.is_sqlite)
                changed += reapply(s, rules, conv, now, "policy_changed")
        if len(ids) < batch:
            break
        after = ids[-1]
    with db.session() as s:
        insert_ignore(s, Job, dict(kind="sla_policies_applied", payload={"policies": current}, run_at=int(now),
                                   state="done", attempts=0, dedupe_key=marker))
    return changed


# -- PagerDuty follow-ups ------------------------------------------------------------------------


def page_follow_up(s: Session, clock: SlaClock, now: float, action: str) -> None:
    """Acknowledge or resolve the PagerDuty alert this clock triggered, once, if it did."""
    if not _has_event(s, clock.id, "paged") or _has_event(s, clock.id, "page_resolved"):
        return
    if add_event(s, clock, f"page_{action}d", 0, now):
        pagerduty.enqueue_event(s, now, action, pagerduty.dedup_key(clock.conversation_id, clock.metric),
                                cause=f"k{clock.id}")


# -- events and notes ----------------------------------------------------------------------------


def add_event(s: Session, clock: SlaClock, type_: str, level: int, now: float, **detail) -> bool:
    """True if this call inserted the event (and so owns the alert that goes with it)."""
    return insert_ignore(s, SlaEvent, dict(clock_id=clock.id, conversation_id=clock.conversation_id, type=type_,
                                           level=level, at=int(now), detail=detail)) is not None


def note(s: Session, conv: Conversation, now: float, kind: str, key: str, **payload) -> None:
    """A message in the conversation's thread, and the parent refreshed to show the new state."""
    if conv.slack_channel:
        enqueue_slack(s, now, conv.slack_channel, "thread_note", key, conversation_id=conv.id, note=kind, **payload)
        enqueue_refresh(s, now, conv.slack_channel, "alert_refresh", "conversation_id", conv.id)


# -- queries -----------------------------------------------------------------------------------


def open_clocks_of(s: Session, conversation_id: int) -> list[SlaClock]:
    return list(s.scalars(select(SlaClock).where(SlaClock.conversation_id == conversation_id,
                                                 SlaClock.state.in_(OPEN_STATES)).order_by(SlaClock.id)))


def clocks_of(s: Session, conversation_id: int) -> list[SlaClock]:
    return list(s.scalars(select(SlaClock).where(SlaClock.conversation_id == conversation_id).order_by(SlaClock.id)))


def first_text(s: Session, conversation_id: int) -> str:
    """What keyword conditions look at: the conversation's first customer message."""
    return s.scalar(select(Message.text).where(Message.conversation_id == conversation_id, Message.direction == "in")
                    .order_by(Message.created_at, Message.id).limit(1)) or ""


def _latest(s: Session, conversation_id: int, metric: str) -> SlaClock | None:
    return s.scalar(select(SlaClock).where(SlaClock.conversation_id == conversation_id, SlaClock.metric == metric)
                    .order_by(SlaClock.cycle.desc()).limit(1))


def _exists(s: Session, conversation_id: int, metric: str) -> bool:
    return s.scalar(select(SlaClock.id).where(SlaClock.conversation_id == conversation_id,
                                              SlaClock.metric == metric).limit(1)) is not None


def _last_cycle(s: Session, conversation_id: int, metric: str) -> int:
    return s.scalar(select(func.max(SlaClock.cycle)).where(SlaClock.conversation_id == conversation_id,
                                                           SlaClock.metric == metric)) or 0


def _count(s: Session, clock: SlaClock, type_: str) -> int:
    return s.scalar(select(func.count(SlaEvent.id)).where(SlaEvent.clock_id == clock.id, SlaEvent.type == type_)) or 0


def _has_event(s: Session, clock_id: int, type_: str) -> bool:
    return s.scalar(select(SlaEvent.id).where(SlaEvent.clock_id == clock_id, SlaEvent.type == type_).limit(1)) is not None
