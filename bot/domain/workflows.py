"""Approval workflows, Sprout's model: none, one step, or several ordered steps; each step names
approvers and/or a Slack user group, and `any` one of them approves it or `all` of them must.

A draft keeps the steps in force when its version was submitted (Draft.workflow), so a card can be
drawn from the database alone. Group membership and the team's approvers are always asked of the
directory at the moment of the decision (and again at publication): someone who left the group
cannot approve, and their earlier approval no longer counts. Nobody approves their own content:
the author and the last editor are never eligible, and an `all` step waits for everyone else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.config import ApprovalPolicy, VeilleConfig


class People(Protocol):
    """What the workflow asks of the Slack directory (bot/slack/directory.py Directory)."""

    def is_approver(self, user: str) -> bool: ...

    def group_members(self, group_id: str) -> frozenset[str]: ...


@dataclass(frozen=True)
class Step:
    name: str = ""
    approvers: tuple[str, ...] = ()
    group: str | None = None
    rule: str = "any"  # any | all

    @property
    def team(self) -> bool:
        """No names and no group: the team's approvers (veille.toml [team])."""
        return not self.approvers and not self.group


TEAM_STEP = Step()


def policy_for(cfg: VeilleConfig, account: str) -> ApprovalPolicy:
    """The account's `[accounts.approval]` keys over the team's `[approval]` table."""
    base = cfg.approval
    acc = cfg.account(account)
    own = acc.approval if acc is not None else None
    if own is None:
        return base
    merged = base.model_dump()
    merged.update(own.model_dump(include=own.model_fields_set))
    return ApprovalPolicy.model_validate(merged)


def steps_for(cfg: VeilleConfig, account: str, kind: str) -> list[Step]:
    """The steps a new post (kind "post") or reply (kind "reply") of `account` goes through."""
    policy = policy_for(cfg, account)
    if kind == "reply" and policy.replies != "steps":
        return [] if policy.replies == "none" else [TEAM_STEP]
    if policy.steps is None:
        return [TEAM_STEP]
    return [Step(s.name, tuple(s.approvers), s.group, s.rule) for s in policy.steps]


def dump(steps: list[Step]) -> dict[str, Any]:
    return {"steps": [{"name": s.name, "approvers": list(s.approvers), "group": s.group, "rule": s.rule}
                      for s in steps]}


def load(data: dict[str, Any] | None) -> list[Step]:
    """A draft's steps; a draft written before workflows existed has the team's one step."""
    if data is None:
        return [TEAM_STEP]
    return [Step(d.get("name", ""), tuple(d.get("approvers") or ()), d.get("group"), d.get("rule", "any"))
            for d in data.get("steps", [])]


def may_approve(step: Step, user: str, people: People) -> bool:
    if step.team:
        return people.is_approver(user)
    if user in step.approvers:
        return True
    return bool(step.group) and user in people.group_members(step.group)


def required(step: Step, people: People, authors: Iterable[str]) -> frozenset[str]:
    """Everyone an `all` step waits for: its names and its group's members now, authors excluded."""
    names = set(step.approvers)
    if step.group:
        names |= people.group_members(step.group)
    return frozenset(names - set(authors))


def counted(step: Step, approvers: Iterable[str], people: People, authors: Iterable[str]) -> set[str]:
    """The approvals that still count: by someone who may approve this step and is not an author."""
    authors = set(authors)
    return {u for u in approvers if u not in authors and may_approve(step, u, people)}


def complete(step: Step, approvers: Iterable[str], people: People, authors: Iterable[str]) -> bool:
    ok = counted(step, approvers, people, authors)
    if step.rule == "any":
        return bool(ok)
    need = required(step, people, authors)
    return bool(need) and need <= ok


def missing(step: Step, approvers: Iterable[str], people: People, authors: Iterable[str]) -> list[str]:
    """Who an `all` step still waits for (sorted); empty for an `any` step."""
    if step.rule != "all":
        return []
    return sorted(required(step, people, authors) - set(approvers))


def nobody_can_approve(steps: list[Step], people: People, authors: Iterable[str]) -> Step | None:
    """The first named step nobody but the authors could ever approve (a config mistake the author
    should hear about at once, not at the scheduled time). Team steps are not enumerable: skipped."""
    for step in steps:
        if not step.team and not required(step, people, authors):
            return step
    return None
