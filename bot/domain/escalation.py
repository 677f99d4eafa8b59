"""The escalation ladder: a breach nobody acknowledges climbs, one step per delay.

    level 1  the assignee, mentioned in the thread
    level 2  the channel (@here), or the user group of `[sla.escalation] usergroup`
    level 3  the on-call member, by Slack DM (the mobile push), and PagerDuty where configured
    level 4  the on-call member's backup, by DM

The first step comes `escalate_after` (the policy's) after the breach, each next one after the
same delay (at least a minute). A level with nobody to tell (no assignee, no backup) is skipped
at once. Each step is an `escalated{level}` event, unique per clock: across replicas, exactly one
writer inserts it and only that writer notifies.

Acknowledging stops the ladder: "I'm on it" / "Assign to me" once the clock is at risk or
breached (a claim made before the first warning does not count: the breach still needs
someone), or a reply. A claim also acknowledges the PagerDuty alert."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot import pagerduty
from bot.domain import clocks, oncall_store
from bot.domain.outbox import enqueue_slack
from storage.models import Conversation, SlaClock

TOP_LEVEL = 4
MIN_STEP = 60  # seconds between two steps when the policy says escalate_after = "0m"
LEVEL_NAMES = {1: "assignee", 2: "channel", 3: "oncall", 4: "backup"}


@dataclass(frozen=True)
class Target:
    kind: str  # user | group | here | pagerduty
    who: str | None = None


def schedule_after_breach(clock: SlaClock, now: float, caught_up: bool = False) -> None:
    """Set when the first step is due. After downtime (`caught_up`) the team gets the whole
    delay from now, rather than every overdue step firing at once."""
    if clock.escalate_after is None:
        clock.next_check_at = None
        return
    first = clock.due_at + clock.escalate_after
    clock.next_check_at = int(now) + clock.escalate_after if caught_up else max(first, int(now))


def acknowledged(conv: Conversation, clock: SlaClock) -> bool:
    if conv.acknowledged_at is None:
        return False
    warned = [at for _, at in clock.warn_at]
    return conv.acknowledged_at >= min(warned + [clock.due_at])


def step(s: Session, rules, conv: Conversation, clock: SlaClock, now: float) -> None:
    """The detector found a breached clock whose next step is due: climb one level."""
    clock.next_check_at = None
    if conv.status == "resolved" or clock.fulfilled_at is not None or acknowledged(conv, clock):
        return
    level = clock.escalation_level + 1
    targets: list[Target] = []
    while level <= TOP_LEVEL:
        targets = targets_for(s, rules, conv, level, now)
        if targets:
            break
        level += 1
    if level > TOP_LEVEL:
        return
    clock.escalation_level = level
    who = [t.who or t.kind for t in targets]
    if clocks.add_event(s, clock, "escalated", level, now, to=LEVEL_NAMES[level], who=who):
        _notify(s, rules, conv, clock, level, targets, now)
    if level < TOP_LEVEL:
        clock.next_check_at = int(now) + max(clock.escalate_after or 0, MIN_STEP)


def targets_for(s: Session, rules, conv: Conversation, level: int, now: float) -> list[Target]:
    if level == 1:
        return [Target("user", conv.assignee)] if conv.assignee else []
    if level == 2:
        group = getattr(getattr(rules, "escalation", None), "usergroup", None)
        return [Target("group", group)] if group else [Target("here")]
    oncall = oncall_store.on_call(s, getattr(rules, "oncall", None), now)
    if level == 3:
        found: list[Target] = []
        if oncall is not None and oncall.primary:
            found.append(Target("user", oncall.primary))
        elif oncall is not None and oncall.usergroup:
            found.append(Target("group", oncall.usergroup))
        if getattr(rules, "pagerduty", None) is not None:
            found.append(Target("pagerduty"))
        return found
    if oncall is not None and oncall.backup and oncall.backup != oncall.primary:
        return [Target("user", oncall.backup)]
    return []


def _notify(s: Session, rules, conv: Conversation, clock: SlaClock, level: int, targets: list[Target],
            now: float) -> None:
    mentions = [t for t in targets if t.kind != "pagerduty"]
    clocks.note(s, conv, now, "escalation", f"sla:{clock.id}:escalated:{level}", clock_id=clock.id, level=level,
                targets=[[t.kind, t.who] for t in mentions], paged=any(t.kind == "pagerduty" for t in targets),
                broadcast=level == 2)
    for t in targets:
        if t.kind == "user" and level >= 3:
            enqueue_slack(s, now, t.who, "sla_dm", f"sla:{clock.id}:dm:{level}:{t.who}", user=t.who,
                          conversation_id=conv.id, clock_id=clock.id, level=level)
        if t.kind == "pagerduty" and clocks.add_event(s, clock, "paged", 0, now):
            pagerduty.enqueue_event(s, now, "trigger", pagerduty.dedup_key(conv.id, clock.metric),
                                    summary=page_summary(conv, clock), cause=f"k{clock.id}",
                                    details={"conversation": f"c{conv.id}", "metric": clock.metric,
                                             "due_at": clock.due_at, "channel": conv.slack_channel or "",
                                             "account": conv.account, "network": conv.network})


def page_summary(conv: Conversation, clock: SlaClock) -> str:
    label = clock.metric.replace("_", " ")
    who = conv.author_handle or conv.author_name or "a customer"
    return f"Veille: {label} breached on c{conv.id} ({conv.network} {conv.kind} from {who} to {conv.account})"


def acknowledge(s: Session, conv: Conversation, now: float, actor: str, assignee: str | None = None) -> None:
    """Someone claimed the conversation: the ladder stops and any PagerDuty alert is acknowledged."""
    conv.assignee = assignee or actor
    conv.acknowledged_at = int(now)
    conv.updated_at = int(now)
    for clock in clocks.open_clocks_of(s, conv.id):
        if clock.state != "breached":
            continue
        clock.next_check_at = None
        if clock.escalation_level and clocks.add_event(s, clock, "acknowledged", clock.escalation_level, now,
                                                       actor=actor):
            clocks.note(s, conv, now, "acknowledged", f"sla:{clock.id}:ack:{clock.escalation_level}",
                        clock_id=clock.id, actor=actor)
        clocks.page_follow_up(s, clock, now, "acknowledge")
