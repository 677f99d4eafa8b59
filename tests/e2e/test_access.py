"""Who may do what, on every path: a conversation is changed, listed and audited only by members
of its account's channel (or admins); posts are moved and cancelled only by their author and the
approvers of their own workflow; a typed approval is bound to the version the approver saw."""

from __future__ import annotations

import pytest

from bot.ids import Action, Block, Input
from tests.support.harness import APPROVER, AUTHOR, OUTSIDER, Veille, all_text, team_config

ADMIN = "U0ADMIN"
STATUS_COMMANDS = ("ack c1", "snooze c1", "hold c1", "resolve c1", "reopen c1", "replied c1 by phone",
                   "priority c1 urgent", "assign c1")


@pytest.fixture
def gated(db_url, clock, standin, target):
    """acme's channel holds Alice and Bob only; Dan is in no channel; the admin in none either."""
    standin.add_user(ADMIN, "ada", real_name="Ada Admin", tz="UTC", locale="en-US")
    standin.add_channel("C0ACME", members=[standin.bot_user_id, AUTHOR, APPROVER])
    cfg = team_config(target.url)
    cfg["team"]["admins"] = [ADMIN]
    v = Veille(db_url, clock, standin, target, cfg)
    yield v
    v.close()


def _answer(v, user, text):
    r = v.slack.command(user, text)
    assert r.status_code == 200
    v.settle()
    return v.ephemeral_texts(user)[-1]


def _conversation(v):
    v.mention("t-1", "Mon colis est perdu")
    v.settle()
    from storage.models import Conversation

    with v.db.session() as s:
        return s.get(Conversation, 1)


def test_a_member_outside_the_channel_cannot_change_a_conversation_from_a_dm(gated):
    before = _conversation(gated)
    for cmd in STATUS_COMMANDS:
        out = _answer(gated, OUTSIDER, cmd)
        assert "only its members (or an admin)" in out, (cmd, out)
    after = _conversation(gated)
    assert (after.status, after.priority, after.assignee, after.acknowledged_at) == \
        (before.status, before.priority, before.assignee, before.acknowledged_at)
    from sqlalchemy import select

    from storage.models import SlaClock
    with gated.db.session() as s:
        assert {c.state for c in s.scalars(select(SlaClock))} == {"running"}  # no clock stopped


def test_buttons_and_the_status_menu_refuse_an_outsider_too(gated):
    _conversation(gated)
    [alert] = gated.alerts()
    for action in (Action.ASSIGN_ME, Action.NO_REPLY, Action.REPLY):
        gated.slack.click(OUTSIDER, "C0ACME", alert["ts"], action)
        gated.settle()
        assert "only its members (or an admin)" in gated.ephemeral_texts(OUTSIDER)[-1], action
    assert gated.standin.views(OUTSIDER) == []  # no reply modal opened
    gated.slack.click(OUTSIDER, "C0ACME", alert["ts"], Action.STATUS, value="resolve:1")
    gated.settle()
    assert "only its members (or an admin)" in gated.ephemeral_texts(OUTSIDER)[-1]
    assert _conversation(gated).status == "open"


def test_channel_members_and_admins_may_change_it(gated):
    _conversation(gated)
    assert "c1" in _answer(gated, AUTHOR, "priority c1 high")
    assert _conversation(gated).priority == "high"
    _answer(gated, ADMIN, "resolve c1")
    assert _conversation(gated).status == "resolved"


def test_queue_home_and_audit_show_only_what_the_members_channels_hold(gated):
    _conversation(gated)
    gated.mention("t-2", "Bonjour", account="acme_fr")  # C0ACMEFR: everyone is a member
    gated.settle()
    mine = _answer(gated, OUTSIDER, "queue")
    assert "`c2`" in mine and "`c1`" not in mine and "Mon colis" not in mine
    assert "`c1`" in _answer(gated, AUTHOR, "queue") and "`c1`" in _answer(gated, ADMIN, "queue")

    gated.slack.app_home_opened(OUTSIDER)
    gated.settle()
    home = all_text(gated.standin.home(OUTSIDER))
    assert "`c2`" in home and "`c1`" not in home

    gated.draft_reply("Nous regardons", mention_text="x")  # r1 on acme, by Alice
    gated.settle()
    assert "`r1`" not in _answer(gated, OUTSIDER, "queue")
    assert "only its members (or an admin) can see its history" in _answer(gated, OUTSIDER, "audit r1")
    assert "submitted it" in _answer(gated, APPROVER, "audit r1")


def test_a_typed_approval_is_bound_to_the_version_shown_and_refused_after_an_edit(wf):
    from tests.e2e.posts_support import click, command, draft_row, schedule

    [pid] = schedule(wf, AUTHOR, '@acme "demain 9h" Soldes de printemps')
    shown = command(wf, "U0CAROL", f"approve {pid}")
    assert "version 1" in all_text(shown) and "Soldes de printemps" in all_text(shown)
    assert draft_row(wf, pid).workflow_step == 1  # showing approves nothing

    card = next(m for m in wf.alerts("C0ACME") if f"`{pid}`" in all_text(m))
    click(wf, AUTHOR, card, Action.POST_EDIT, channel="C0ACME")
    [modal] = wf.standin.views(AUTHOR)
    wf.slack.submit_view(AUTHOR, modal["id"], values={Block.POST_TEXT: {Input.TEXT: "Soldes : -90 % sur tout"}})
    wf.settle()

    click(wf, "U0CAROL", shown, Action.APPROVE_CONFIRM)
    assert "modifié" in all_text(wf.standin.ephemerals("U0CAROL")[-1])  # "edited since (now v2)", in French
    d = draft_row(wf, pid)
    assert (d.version, d.workflow_step) == (2, 1)  # the unseen v2 is not approved


def test_move_and_cancel_belong_to_the_author_and_the_posts_own_approvers(wf):
    from tests.e2e.posts_support import click, command, draft_row, schedule, utc

    [pid] = schedule(wf, AUTHOR, '@acme_fr "demain 9h" Sans approbation')  # acme_fr: no approval steps
    for who in (APPROVER, "U0CAROL", OUTSIDER):  # team approvers, but not of this workflow; and Dan
        refused = all_text(command(wf, who, f'move {pid} "jeudi 14h"'))
        assert "Only its author, its approvers" in refused or "Seuls son auteur" in refused, who
        command(wf, who, f"cancel {pid}")
        assert draft_row(wf, pid).state == "approved", who
    click(wf, AUTHOR, command(wf, AUTHOR, f'move {pid} "jeudi 14h"'), Action.POST_MOVE_CONFIRM)
    assert draft_row(wf, pid).scheduled_at == utc(2026, 11, 26, 13, 0)
    command(wf, AUTHOR, f"cancel {pid}")
    assert draft_row(wf, pid).state == "cancelled"


def test_a_move_asks_for_approval_again_when_the_workflow_says_so(db_url, clock, standin, target):
    from tests.e2e.posts_support import (
        ERIN,
        FRANK,
        advance_to,
        approve,
        click,
        command,
        draft_row,
        posts_published,
        schedule,
        utc,
        workflow_config,
        workflow_veille,
    )

    cfg = workflow_config(target.url)
    cfg["accounts"][0]["approval"]["reapprove_on_move"] = True
    wf = workflow_veille(db_url, clock, standin, target, cfg)
    try:
        [pid] = schedule(wf, AUTHOR, '@acme "demain 9h" Lancement')
        for who in ("U0CAROL", ERIN, FRANK):
            approve(wf, who, pid)
        assert draft_row(wf, pid).state == "approved"
        click(wf, AUTHOR, command(wf, AUTHOR, f'move {pid} "demain 11h"'), Action.POST_MOVE_CONFIRM)
        d = draft_row(wf, pid)
        assert (d.state, d.workflow_step, d.version) == ("pending_approval", 1, 2)
        advance_to(wf, utc(2026, 11, 24, 10, 0))
        assert posts_published(wf) == []  # the old approvals were for 9:00, not for 11:00
        assert "asked for approval again" in all_text(command(wf, AUTHOR, f"audit {pid}"))
    finally:
        wf.close()


def test_channel_membership_is_asked_of_slack_then_cached_for_five_minutes(gated):
    _conversation(gated)
    assert "only its members" in _answer(gated, OUTSIDER, "ack c1")
    gated.standin.state.channels["C0ACME"]["members"].append(OUTSIDER)  # Dan is invited
    assert "only its members" in _answer(gated, OUTSIDER, "ack c1")  # the cached answer, for now
    gated.standin.reset_calls()
    gated.advance(301)
    assert "c1" in _answer(gated, OUTSIDER, "ack c1") and "only its members" not in gated.ephemeral_texts(OUTSIDER)[-1]
    assert [c.params["channel"] for c in gated.standin.calls_to("conversations.members")] \
        .count("C0ACME") == 1  # asked again once, every page at once
