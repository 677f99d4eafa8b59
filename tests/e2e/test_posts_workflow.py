"""Approval workflows from veille.toml: ordered steps, any/all of named approvers or a user group,
nobody approving their own content, approvals bound to one exact version, changes requested,
rejections, and approvals that expire at the post's time. Replies share the same engine."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.ids import Action, Block, Input
from tests.e2e.posts_support import (
    ERIN,
    FRANK,
    LEGAL,
    advance_to,
    approve,
    card,
    card_buttons,
    click,
    command,
    draft_row,
    posts_published,
    schedule,
    workflow_config,
    workflow_veille,
)
from tests.support.harness import APPROVER, AUTHOR, OUTSIDER, all_text

CAROL = "U0CAROL"
TOMORROW_9 = int(datetime(2026, 11, 24, 8, 0, tzinfo=UTC).timestamp())  # 09:00 in Paris


def _approve(v, user: str, pid: str) -> str:
    return all_text(approve(v, user, pid))


def test_two_steps_any_then_all_publish_only_when_every_step_is_complete(wf):
    [pid] = schedule(wf, AUTHOR, '@acme "demain 9h" Soldes !')

    assert "Votre approbation de `p1` est enregistrée ; elle attend maintenant l'étape 2/2" in _approve(wf, CAROL, pid)
    shown = all_text(card(wf, pid))
    assert "approved by <@U0CAROL>" in shown and f"all of <!subteam^{LEGAL}>" in shown
    assert any(f"step 2/2 now waits for all of <!subteam^{LEGAL}>" in all_text(m) for m in wf.thread(card(wf, pid)))

    assert "Step 2 (Legal) is not yours to approve" in _approve(wf, APPROVER, pid)
    assert "recorded" in _approve(wf, ERIN, pid)
    assert draft_row(wf, pid).state == "pending_approval"  # all of legal: Frank still to approve
    assert "You already approved this step" in _approve(wf, ERIN, pid)
    assert "`p1` approuvée : elle sera publiée" in _approve(wf, FRANK, pid)  # Frank reads French
    assert draft_row(wf, pid).state == "approved"

    advance_to(wf, TOMORROW_9)
    assert [p["text"] for p in posts_published(wf)] == ["Soldes !"]


def test_nobody_approves_their_own_post_and_an_all_step_does_not_wait_for_its_author(wf):
    [pid] = schedule(wf, ERIN, '@acme "demain 9h" Mentions légales à jour')
    assert "Step 1 (Community lead) is not yours to approve" in _approve(wf, ERIN, pid)
    _approve(wf, APPROVER, pid)
    assert "someone else has to approve" in _approve(wf, ERIN, pid)  # legal, but the author
    assert "`p1` approuvée" in _approve(wf, FRANK, pid)  # the rest of legal is enough


def test_the_author_cannot_approve_even_when_named_in_the_step(db_url, clock, standin, target):
    cfg = workflow_config(target.url)
    cfg["accounts"][0]["approval"]["steps"][0]["approvers"].append(AUTHOR)
    v = workflow_veille(db_url, clock, standin, target, cfg)
    try:
        [pid] = schedule(v, AUTHOR, '@acme "demain 9h" Moi-même')
        click(v, AUTHOR, card(v, pid), Action.APPROVE, channel="C0ACME")
        assert any("someone else has to approve" in t for t in v.ephemeral_texts(AUTHOR))
        assert draft_row(v, pid).workflow_step == 1
    finally:
        v.close()


def test_an_edit_sends_it_back_to_the_first_step_and_earlier_approvals_no_longer_count(wf):
    [pid] = schedule(wf, AUTHOR, '@acme "demain 9h" Version une')
    old_card = card(wf, pid)
    old_value = next(e["value"] for b in old_card["blocks"] if b["type"] == "actions" for e in b["elements"])
    _approve(wf, CAROL, pid)

    click(wf, AUTHOR, card(wf, pid), Action.POST_EDIT, channel="C0ACME")
    [modal] = wf.standin.views(AUTHOR)
    wf.slack.submit_view(AUTHOR, modal["id"], values={Block.POST_TEXT: {Input.TEXT: "Version deux"}})
    wf.settle()

    d = draft_row(wf, pid)
    assert (d.version, d.workflow_step, d.state) == (2, 1, "pending_approval")
    shown = all_text(card(wf, pid))
    assert "Version deux" in shown and "v2" in shown and "approved by" not in shown
    assert any("needs approval again" in all_text(m) for m in wf.thread(card(wf, pid)))
    # A click on the card as it was (the old version) approves nothing.
    wf.slack.click(CAROL, "C0ACME", old_card["ts"], Action.APPROVE, value=old_value, block_id=Block.ACTIONS)
    wf.settle()
    assert any("modifié depuis (maintenant v2)" in t for t in wf.ephemeral_texts(CAROL))  # Carol reads French
    assert draft_row(wf, pid).workflow_step == 1


def test_editing_an_approved_post_withdraws_its_publication_until_approved_again(wf):
    [pid] = schedule(wf, AUTHOR, '@acme "demain 9h" Avant')
    for who in (CAROL, ERIN, FRANK):
        _approve(wf, who, pid)
    assert draft_row(wf, pid).state == "approved"

    click(wf, AUTHOR, card(wf, pid), Action.POST_EDIT, channel="C0ACME")
    [modal] = wf.standin.views(AUTHOR)
    wf.slack.submit_view(AUTHOR, modal["id"], values={Block.POST_TEXT: {Input.TEXT: "Après"}})
    wf.settle()
    advance_to(wf, TOMORROW_9)

    assert posts_published(wf) == []  # v1's approval did not carry over to v2
    assert draft_row(wf, pid).state == "expired"


def test_request_changes_tells_the_author_who_edits_a_new_version(wf):
    [pid] = schedule(wf, AUTHOR, '@acme "demain 9h" Trop long et trop formel')
    click(wf, APPROVER, card(wf, pid), Action.POST_CHANGES, channel="C0ACME")
    [modal] = wf.standin.views(APPROVER)
    r = wf.slack.submit_view(APPROVER, modal["id"], values={Block.CHANGES_NOTE: {Input.TEXT: ""}})
    assert r.json()["response_action"] == "errors"
    wf.slack.submit_view(APPROVER, modal["id"], values={Block.CHANGES_NOTE: {Input.TEXT: "Plus court <svp>"}})
    wf.settle()

    shown = card(wf, pid)
    assert "Changes requested by <@U0BOB>: Plus court &lt;svp&gt;" in all_text(shown)
    assert Action.APPROVE not in card_buttons(shown) and Action.POST_EDIT in card_buttons(shown)
    [note] = [m for m in wf.thread(shown) if "asks for changes" in all_text(m)]
    assert "<@U0ALICE>" in all_text(note)

    command(wf, AUTHOR, "post")  # unrelated: the author's own form opens fine meanwhile
    click(wf, AUTHOR, card(wf, pid), Action.POST_EDIT, channel="C0ACME")
    modal = wf.standin.views(AUTHOR)[-1]
    wf.slack.submit_view(AUTHOR, modal["id"], values={Block.POST_TEXT: {Input.TEXT: "Court."}})
    wf.settle()
    assert draft_row(wf, pid).state == "pending_approval" and draft_row(wf, pid).version == 2


def test_reject_with_a_reason_from_the_command_is_final_and_the_author_is_told(wf):
    [pid] = schedule(wf, AUTHOR, '@acme "demain 9h" Non')
    assert "Dites pourquoi" in all_text(command(wf, CAROL, f"reject {pid}"))
    assert "`p1` rejeté" in all_text(command(wf, CAROL, f"reject {pid} hors charte"))

    shown = card(wf, pid)
    assert "Rejected by <@U0CAROL>: hors charte" in all_text(shown)
    assert any("<@U0ALICE>" in all_text(m) and "hors charte" in all_text(m) for m in wf.thread(shown))
    assert "already" in _approve(wf, APPROVER, pid)


def test_a_post_still_waiting_at_its_time_expires_and_its_author_is_told(wf):
    [pid] = schedule(wf, AUTHOR, '@acme "demain 9h" Trop tard')
    _approve(wf, CAROL, pid)

    advance_to(wf, TOMORROW_9 - 1)
    assert draft_row(wf, pid).state == "pending_approval"
    advance_to(wf, TOMORROW_9)

    assert draft_row(wf, pid).state == "expired" and posts_published(wf) == []
    shown = card(wf, pid)
    assert "Expired" in all_text(shown)
    assert card_buttons(shown) == [Action.POST_EDIT, Action.POST_RESCHEDULE, Action.POST_CANCEL]
    [note] = [m for m in wf.thread(shown) if "expired" in all_text(m)]
    assert "<@U0ALICE>" in all_text(note)
    assert "already" in _approve(wf, ERIN, pid)


def test_expiry_speaks_the_authors_language(wf):
    [pid] = schedule(wf, CAROL, '@acme "demain 9h" En retard')
    advance_to(wf, TOMORROW_9)
    assert any("a expiré" in all_text(m) for m in wf.thread(card(wf, pid)))


def test_someone_who_left_the_group_no_longer_counts_at_publication(wf):
    [pid] = schedule(wf, AUTHOR, '@acme "demain 9h" Vérifié deux fois')
    for who in (CAROL, ERIN, FRANK):
        _approve(wf, who, pid)
    wf.standin.add_usergroup(LEGAL, "legal", [ERIN, "U0GINA"])  # Frank left legal; Gina joined
    advance_to(wf, TOMORROW_9)

    assert posts_published(wf) == []
    assert draft_row(wf, pid).state == "failed"
    assert "no longer approved" in all_text(card(wf, pid))


def test_an_account_without_approval_is_scheduled_at_confirmation(wf):
    [pid] = schedule(wf, AUTHOR, '@acme_fr "demain 9h" Direct')
    assert draft_row(wf, pid).state == "approved"
    advance_to(wf, TOMORROW_9)
    assert [p["text"] for p in posts_published(wf)] == ["Direct"]


def test_outsiders_cannot_approve_edit_or_cancel(wf):
    [pid] = schedule(wf, AUTHOR, '@acme "demain 9h" Privé')
    assert "Step 1 (Community lead) is not yours to approve" in _approve(wf, OUTSIDER, pid)
    assert "Only its author, its approvers or an admin" in all_text(command(wf, OUTSIDER, f"cancel {pid}"))
    click(wf, OUTSIDER, card(wf, pid), Action.POST_EDIT, channel="C0ACME")
    assert wf.standin.views(OUTSIDER) == []


# ---- replies use the same engine ----------------------------------------------------------------------


def _reply_draft(v, text="On regarde tout de suite"):
    v.mention("t-1", "Colis perdu")
    v.settle()
    [alert] = v.alerts()
    v.slack.click(AUTHOR, "C0ACME", alert["ts"], Action.REPLY)
    v.settle()
    [modal] = v.standin.views(AUTHOR)
    v.slack.submit_view(AUTHOR, modal["id"], values={Block.REPLY_TEXT: {Input.TEXT: text}})
    v.settle()
    return alert


def test_replies_can_follow_the_accounts_steps(db_url, clock, standin, target):
    cfg = workflow_config(target.url)
    cfg["accounts"][0]["approval"]["replies"] = "steps"
    v = workflow_veille(db_url, clock, standin, target, cfg)
    try:
        alert = _reply_draft(v)
        assert "Your approval of `r1` is recorded" in _approve(v, APPROVER, "r1")
        assert v.target.requests == []
        shown = next(m for m in v.thread(alert) if "Draft reply" in all_text(m))
        assert "Step 2/2 *Legal*" in all_text(shown)
        _approve(v, ERIN, "r1")
        assert "`r1` approuvé : publication en cours." in _approve(v, FRANK, "r1")
        assert [r["op"] for r in v.target.requests] == ["reply"]
    finally:
        v.close()


def test_replies_keep_one_team_step_by_default_and_none_publishes_at_once(db_url, clock, standin, target):
    cfg = workflow_config(target.url)
    cfg["approval"] = {"replies": "none"}
    cfg["accounts"][0].pop("approval")
    v = workflow_veille(db_url, clock, standin, target, cfg)
    try:
        _reply_draft(v, "Merci !")
        assert [r["text"] for r in v.target.requests] == ["Merci !"]
    finally:
        v.close()
