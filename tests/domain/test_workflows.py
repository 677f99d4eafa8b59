"""The approval workflow rules (any/all, authors never count, membership read at decision time),
how veille.toml describes them, and the queue slots behind "next free slot"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.config import ConfigError, parse_config
from bot.domain import slots, workflows
from bot.domain.workflows import Step


class People:
    """The directory as the workflow sees it: team approvers and user groups."""

    def __init__(self, approvers=(), groups=None):
        self.approvers, self.groups = set(approvers), dict(groups or {})

    def is_approver(self, user: str) -> bool:
        return user in self.approvers

    def group_members(self, group_id: str) -> frozenset[str]:
        return frozenset(self.groups.get(group_id, ()))


PEOPLE = People(approvers={"U0BOB"}, groups={"S0LEGAL": {"U0ERIN", "U0FRANK"}})
LEGAL_ALL = Step("Legal", group="S0LEGAL", rule="all")
LEADS_ANY = Step("Leads", approvers=("U0BOB", "U0CAROL"))


def test_any_step_is_complete_with_one_eligible_approval():
    assert workflows.complete(LEADS_ANY, ["U0CAROL"], PEOPLE, {"U0ALICE"})
    assert not workflows.complete(LEADS_ANY, ["U0DAN"], PEOPLE, {"U0ALICE"})  # not one of the leads


def test_all_step_waits_for_every_member_except_the_authors():
    assert not workflows.complete(LEGAL_ALL, ["U0ERIN"], PEOPLE, {"U0ALICE"})
    assert workflows.missing(LEGAL_ALL, ["U0ERIN"], PEOPLE, {"U0ALICE"}) == ["U0FRANK"]
    assert workflows.complete(LEGAL_ALL, ["U0ERIN", "U0FRANK"], PEOPLE, {"U0ALICE"})
    assert workflows.complete(LEGAL_ALL, ["U0FRANK"], PEOPLE, {"U0ERIN"})  # Erin wrote it


def test_an_authors_own_approval_never_counts():
    assert not workflows.complete(LEADS_ANY, ["U0BOB"], PEOPLE, {"U0BOB"})


def test_group_membership_is_read_at_decision_time():
    people = People(groups={"S0LEGAL": {"U0ERIN", "U0FRANK"}})
    assert workflows.complete(LEGAL_ALL, ["U0ERIN", "U0FRANK"], people, set())
    people.groups["S0LEGAL"] = {"U0ERIN", "U0GINA"}  # Frank left, Gina joined
    assert not workflows.complete(LEGAL_ALL, ["U0ERIN", "U0FRANK"], people, set())


def test_team_step_uses_the_teams_approvers():
    assert workflows.may_approve(workflows.TEAM_STEP, "U0BOB", PEOPLE)
    assert not workflows.may_approve(workflows.TEAM_STEP, "U0ERIN", PEOPLE)


def test_a_step_only_its_author_could_approve_is_reported_at_once():
    solo = Step("Solo", approvers=("U0ALICE",))
    assert workflows.nobody_can_approve([LEADS_ANY, solo], PEOPLE, {"U0ALICE"}) == solo
    assert workflows.nobody_can_approve([LEADS_ANY, LEGAL_ALL], PEOPLE, {"U0ALICE"}) is None


def _config(**approval):
    acc = {"key": "acme", "network": "x", "handle": "@acme", "channel": "C0ACME"}
    if approval:
        acc["approval"] = approval
    return {"team": {"approvers": ["U0BOB"]}, "accounts": [acc]}


def test_veille_toml_steps_and_defaults():
    assert workflows.steps_for(parse_config(_config()), "acme", "post") == [workflows.TEAM_STEP]
    assert workflows.steps_for(parse_config(_config(steps=[])), "acme", "post") == []
    cfg = parse_config(_config(steps=[{"name": "Leads", "approvers": ["U0BOB", "U0CAROL"]},
                                      {"name": "Legal", "group": "S0LEGAL", "rule": "all"}]))
    assert workflows.steps_for(cfg, "acme", "post") == [LEADS_ANY, LEGAL_ALL]
    assert workflows.steps_for(cfg, "acme", "reply") == [workflows.TEAM_STEP]  # replies: lighter by default


def test_an_accounts_keys_override_the_team_defaults_one_by_one():
    data = _config(replies="none")
    data["approval"] = {"steps": [{"name": "Legal", "group": "S0LEGAL", "rule": "all"}]}
    cfg = parse_config(data)
    assert workflows.steps_for(cfg, "acme", "post") == [LEGAL_ALL]  # inherited
    assert workflows.steps_for(cfg, "acme", "reply") == []  # overridden


def test_steps_survive_the_round_trip_through_the_draft():
    assert workflows.load(workflows.dump([LEADS_ANY, LEGAL_ALL])) == [LEADS_ANY, LEGAL_ALL]
    assert workflows.load(None) == [workflows.TEAM_STEP]


@pytest.mark.parametrize(("step", "message"), [
    ({"rule": "all"}, 'rule = "all" needs approvers or a group'),
    ({"approvers": ["bob"]}, "'bob' is not a Slack user id"),
    ({"group": "legal"}, "'legal' is not a Slack user group id like S0123ABCD"),
    ({"rule": "most"}, "must be 'any' or 'all', not 'most'"),
    ({"approvers": ["U0BOB"], "who": "x"}, "unknown key"),
])
def test_bad_workflows_stop_start_up_naming_the_key(step, message):
    with pytest.raises(ConfigError) as e:
        parse_config(_config(steps=[step]))
    assert "accounts[0].approval.steps[0]" in str(e.value) and message in str(e.value)


# ---- queue slots --------------------------------------------------------------------------------------

MONDAY_10_PARIS = int(datetime(2026, 11, 23, 9, 0, tzinfo=UTC).timestamp())


def _local(epoch: int, tz: str = "Europe/Paris") -> str:
    from zoneinfo import ZoneInfo

    return datetime.fromtimestamp(epoch, ZoneInfo(tz)).strftime("%a %H:%M")


@pytest.mark.parametrize(("spec", "days", "hour"), [
    ("mon-fri 09:30", {0, 1, 2, 3, 4}, (9, 30)),
    ("sat,sun 11h", {5, 6}, (11, 0)),
    ("lun-ven 9h30", {0, 1, 2, 3, 4}, (9, 30)),
    ("daily 18:00", set(range(7)), (18, 0)),
    ("fri-mon 08:00", {4, 5, 6, 0}, (8, 0)),
])
def test_slot_specs(spec, days, hour):
    slot = slots.parse_slot(spec)
    assert slot.weekdays == days and (slot.at.hour, slot.at.minute) == hour


@pytest.mark.parametrize("spec", ["09:30", "mon-fry 09:30", "mon 25:00", "mon nine"])
def test_bad_slot_specs_are_refused(spec):
    with pytest.raises(slots.SlotError):
        slots.parse_slot(spec)


def test_next_free_slot_skips_taken_ones_and_weekends():
    specs = ["mon-fri 09:30", "mon-fri 17:00"]
    first = slots.next_free(specs, "Europe/Paris", MONDAY_10_PARIS, taken=[])
    assert _local(first) == "Mon 17:00"
    friday_evening = int(datetime(2026, 11, 27, 16, 0, tzinfo=UTC).timestamp())
    assert _local(slots.next_free(specs, "Europe/Paris", MONDAY_10_PARIS,
                                  taken=[s for s in slots.upcoming([slots.parse_slot(x) for x in specs],
                                                                   "Europe/Paris", MONDAY_10_PARIS)
                                         if s <= friday_evening])) == "Mon 09:30"


def test_slots_keep_their_wall_time_across_a_dst_change():
    friday = int(datetime(2026, 10, 23, 10, 0, tzinfo=UTC).timestamp())
    [fri, mon] = list(slots.upcoming([slots.parse_slot("fri,mon 17:00")], "Europe/Paris", friday, days=3))
    assert datetime.fromtimestamp(fri, UTC).hour == 15 and datetime.fromtimestamp(mon, UTC).hour == 16
