"""Who may approve is asked of Slack (usergroups.users.list, a Tier 2 call) before the database
transaction that locks the draft, never inside it; and Slack failing to answer at publication
keeps an approved post approved (it is published once Slack answers), never failed."""

from __future__ import annotations

import threading

from sqlalchemy import event

from bot.ids import Action
from bot.jobs.outbox_worker import OutboxWorker
from bot.slack.directory import Directory
from storage.models import Draft
from tests.support.harness import AUTHOR

GROUP_ONLY_APPROVER = "U0CAROL"  # approves through the S0APPROVERS group, not the team's list


class TransactionsWatch:
    """Records, for each transaction on the app's engine, how many usergroups.users.list calls had
    reached the Slack stand-in when it began and when it ended (on the same thread)."""

    def __init__(self, veille):
        self.standin, self.engine = veille.standin, veille.db.engine
        self.open: dict[int, int] = {}
        self.spans: list[tuple[int, int]] = []
        event.listen(self.engine, "begin", self._begin)
        event.listen(self.engine, "commit", self._end)
        event.listen(self.engine, "rollback", self._end)

    def _calls(self) -> int:
        return len(self.standin.calls_to("usergroups.users.list"))

    def _begin(self, conn) -> None:
        self.open[threading.get_ident()] = self._calls()

    def _end(self, conn) -> None:
        began = self.open.pop(threading.get_ident(), None)
        if began is not None:
            self.spans.append((began, self._calls()))

    def close(self) -> None:
        for name, fn in (("begin", self._begin), ("commit", self._end), ("rollback", self._end)):
            event.remove(self.engine, name, fn)

    def calls_inside_a_transaction(self) -> int:
        return sum(end - began for began, end in self.spans)


def _group_approver(veille) -> None:
    veille.standin.add_usergroup("S0APPROVERS", "approvers", ["U0ALICE", GROUP_ONLY_APPROVER])


def test_approving_asks_slack_for_the_approvers_group_before_the_draft_is_locked_not_while(veille):
    _group_approver(veille)
    alert, card = veille.draft_reply("On s'en occupe", author=AUTHOR)
    watch = TransactionsWatch(veille)
    try:
        veille.slack.click(GROUP_ONLY_APPROVER, "C0ACME", card["ts"], Action.APPROVE)
        veille.executor.wait_idle()
    finally:
        watch.close()

    assert veille.standin.calls_to("usergroups.users.list")  # the group was asked...
    assert watch.calls_inside_a_transaction() == 0  # ...but never while a transaction was open
    veille.settle()
    assert len(veille.target.published) == 1


def test_the_slash_command_approval_also_asks_slack_before_its_transaction(veille):
    _group_approver(veille)
    veille.draft_reply("On s'en occupe", author=AUTHOR)
    with veille.db.session() as s:
        draft_id = s.query(Draft.id).scalar()
    watch = TransactionsWatch(veille)
    try:
        veille.slack.command(GROUP_ONLY_APPROVER, f"approve r{draft_id}")
        veille.executor.wait_idle()
    finally:
        watch.close()

    assert veille.standin.calls_to("usergroups.users.list")
    assert watch.calls_inside_a_transaction() == 0


def test_publishing_while_slack_cannot_list_the_group_keeps_the_post_approved_and_publishes_it_later(veille):
    _group_approver(veille)
    alert, card = veille.draft_reply("On s'en occupe", author=AUTHOR)
    veille.slack.click(GROUP_ONLY_APPROVER, "C0ACME", card["ts"], Action.APPROVE)
    veille.executor.wait_idle()
    # Another replica (or this one after a restart) publishes: it never saw the group, and Slack fails.
    other = OutboxWorker(veille.db, veille.clock, veille.svc.slack, veille.svc.connectors,
                         Directory(veille.db, veille.svc.slack, veille.cfg.team, veille.clock), veille.svc.rules,
                         pace_seconds=0)
    veille.standin.fail_next("usergroups.users.list", "internal_error")
    other.drain()

    with veille.db.session() as s:
        assert s.query(Draft.state).scalar() == "approved"  # not "failed"
    assert veille.target.published == {}

    veille.clock.advance(60)
    other.drain()  # Slack answers again
    with veille.db.session() as s:
        assert s.query(Draft.state).scalar() == "published"
    assert len(veille.target.published) == 1


def test_a_group_slack_cannot_list_uses_the_membership_seen_last(veille):
    _group_approver(veille)
    directory = Directory(veille.db, veille.svc.slack, veille.cfg.team, veille.clock)
    assert GROUP_ONLY_APPROVER in directory.resolve().group_members("S0APPROVERS")
    veille.clock.advance(3600)  # long past the cache's lifetime
    veille.standin.fail_next("usergroups.users.list", "internal_error")

    people = directory.resolve()

    assert people.is_approver(GROUP_ONLY_APPROVER)
