"""The outbox on a bad day: priority before arrival order, one Slack budget per channel shared by
every worker, leases that fence every send, children that wait for their parent, poison rows
set aside, and channels or tokens Slack refuses kept waiting until they are fixed."""

from __future__ import annotations

import logging
import threading

import pytest

from bot.domain.outbox import Op, Priority, SideLane, enqueue, enqueue_slack, side_lane, slack_lane
from bot.jobs import lease, outbox_health
from bot.jobs.outbox_worker import OutboxWorker
from bot.slack.client import make_web_client
from storage.db import Database
from storage.models import IllegalTransition, Outbox, OutboxState, check_outbox_transition
from tests.support.harness import AUTHOR, Veille, all_text, team_config


def _rows(v, op: str) -> list[Outbox]:
    with v.db.session() as s:
        return list(s.query(Outbox).filter(Outbox.op == op).order_by(Outbox.id))


def _replica_worker(v, name: str, pace: float = 0, timeout: int = 10) -> tuple[OutboxWorker, Database]:
    """A second process's worker: its own engine and its own Slack client."""
    db = Database(v.settings.database_url)
    slack = make_web_client(v.standin.token, v.standin.api_url, timeout=timeout)
    return OutboxWorker(db, v.clock, slack, v.svc.connectors, v.svc.directory, v.svc.rules, pace_seconds=pace,
                        owner=name), db


def test_an_alert_whose_lease_ran_out_during_a_slow_post_is_not_sent_again_by_its_first_worker(veille):
    veille.mention("t-1", "first")
    veille.mention("m-1", "premier", account="acme_fr")
    # Slack hangs on the first post past the client's timeout and never posts it.
    veille.standin.fail_next("chat.postMessage", "timeout", delay=3)
    slow, slow_db = _replica_worker(veille, "slow", timeout=2)
    other, other_db = _replica_worker(veille, "other")
    try:
        t = threading.Thread(target=slow.run_once)
        t.start()
        for _ in range(500):  # the first call has reached Slack and hangs
            if veille.standin.calls_to("chat.postMessage"):
                break
            threading.Event().wait(0.01)
        veille.clock.advance(61)  # meanwhile the lease runs out; another worker takes the rows over
        other.drain()
        t.join(30)
        veille.settle()
        assert len(veille.alerts("C0ACME")) == 1
        assert len(veille.alerts("C0ACMEFR")) == 1  # the first worker, lease lost, did not send it too
    finally:
        slow_db.dispose()
        other_db.dispose()


def test_a_follow_up_after_a_500_on_its_alert_waits_for_the_alert_and_reaches_its_thread(veille):
    veille.standin.fail_next("chat.postMessage", "internal_error", status=500)
    veille.mention("t-1", "Where is my parcel?")
    veille.settle()
    assert veille.alerts() == []
    veille.clock.advance(1)
    veille.mention("t-2", "Hello?? Still nothing", in_reply_to="t-1")
    veille.settle()
    assert {r.state for r in _rows(veille, Op.THREAD_NOTE)} == {OutboxState.PENDING}  # waiting, not skipped

    veille.advance(10)  # the alert is reconciled (not on Slack), sent, then its children
    [alert] = veille.alerts()
    assert any("Still nothing" in all_text(m) for m in veille.thread(alert))
    assert {r.state for r in _rows(veille, Op.THREAD_NOTE)} == {OutboxState.DONE}
    assert OutboxState.SKIPPED not in {r.state for r in _rows(veille, Op.ALERT_REFRESH)}


def test_a_row_that_keeps_crashing_is_dead_lettered_logged_and_its_channel_moves_on(veille, caplog):
    with veille.db.session() as s:  # text must be a string: sending it raises a TypeError-like bug
        poison = enqueue(s, veille.clock.now(), target="slack", op=Op.MESSAGE, lane=slack_lane("C0ACME"),
                         key="poison", payload={"channel": "C0ACME", "text": 42})
    veille.mention("t-1", "after the poison")
    with caplog.at_level(logging.ERROR, logger="bot.jobs.outbox_worker"):
        veille.settle()
        assert len(veille.alerts()) == 1  # not held behind the bad row
        for _ in range(12):
            veille.advance(60)
    with veille.db.session() as s:
        row = s.get(Outbox, poison)
    assert row.state == OutboxState.DEAD and "AttributeError" in row.last_error
    assert any(f"outbox row {poison} " in r.getMessage() for r in caplog.records)
    [problem] = [p for p in outbox_health.degraded(veille.db) if p.kind == "dead_letter"]
    assert problem.subject == "message" and problem.count == 1
    r = veille.slack.command(AUTHOR, "sources")
    assert r.status_code == 200
    veille.settle()
    assert any("set aside" in text for text in veille.ephemeral_texts(AUTHOR))


def test_not_in_channel_keeps_alerts_waiting_tells_the_team_and_the_invite_resumes_them(veille):
    veille.standin.fail_next("chat.postMessage", "not_in_channel")
    veille.mention("t-1", "first")
    veille.mention("t-2", "second", author="u-2", handle="@paul")
    veille.settle()
    assert veille.alerts() == []
    assert {r.state for r in _rows(veille, Op.ALERT_POST)} == {OutboxState.BLOCKED, OutboxState.PENDING}
    [problem] = outbox_health.degraded(veille.db)
    assert (problem.kind, problem.subject, problem.error) == ("channel_blocked", "C0ACME", "not_in_channel")
    veille.slack.app_home_opened(AUTHOR)
    veille.settle()
    assert "Invite Veille" in all_text(veille.standin.home(AUTHOR))

    veille.slack.event({"type": "member_joined_channel", "user": "U0DAN", "channel": "C0ACME", "channel_type": "C"})
    veille.settle()
    assert veille.alerts() == []  # someone else joining changes nothing for the bot

    veille.slack.event({"type": "member_joined_channel", "user": veille.standin.bot_user_id, "channel": "C0ACME",
                        "channel_type": "C", "team": veille.standin.team_id})
    veille.settle()
    texts = [all_text(a) for a in veille.alerts()]
    assert len(texts) == 2 and "first" in texts[0] and "second" in texts[1]
    assert outbox_health.degraded(veille.db) == []


def test_a_refused_token_keeps_messages_until_auth_test_works_again(veille):
    veille.standin.fail_next("chat.postMessage", "invalid_auth")
    veille.standin.fail_next("auth.test", "invalid_auth")  # the first probe, right after: still refused
    veille.mention("t-1", "first")
    veille.settle()
    assert veille.alerts() == []
    assert [p.kind for p in outbox_health.degraded(veille.db)] == ["token_invalid"]
    veille.advance(61)  # the worker asks auth.test again; the token works: the alert goes out
    assert len(veille.alerts()) == 1
    assert outbox_health.degraded(veille.db) == []


@pytest.fixture
def vip_veille(db_url, clock, standin, target):
    sla = {"first_response": "1h", "next_response": "2h", "vip_authors": ["@bigfan"]}
    v = Veille(db_url, clock, standin, target, config=team_config(target.url, sla=sla))
    yield v
    v.close()


def test_a_vip_mention_in_a_burst_of_twenty_is_posted_first(vip_veille):
    v = vip_veille
    for i in range(20):
        vip = i == 10
        v.mention(f"t-{i}", "VIP here" if vip else f"burst {i}", author="u-vip" if vip else f"u-{i}",
                  handle="@bigfan" if vip else f"@p{i}")
    v.settle()
    for _ in range(30):
        v.advance(1)
    texts = [all_text(a) for a in v.alerts()]
    # Ordinary mentions past the first five fold into a burst card; the VIP's own alert goes first.
    assert "VIP here" in texts[0]
    assert sum("VIP here" in t for t in texts) == 1


def test_queued_refreshes_of_one_alert_are_sent_as_one_update(veille):
    veille.mention("t-1", "Hello")
    veille.settle()
    [alert] = veille.alerts()
    conv_id = _rows(veille, Op.ALERT_POST)[0].payload["conversation_id"]
    veille.standin.reset_calls()
    with veille.db.session() as s:  # as concurrent transactions would queue them, each its own row
        for i in range(10):
            enqueue_slack(s, veille.clock.now(), "C0ACME", Op.ALERT_REFRESH, f"alert_refresh:{conv_id}:x{i}",
                          conversation_id=conv_id)
    veille.settle()
    assert len(veille.standin.calls_to("chat.update")) == 1
    assert {r.state for r in _rows(veille, Op.ALERT_REFRESH)} == {OutboxState.DONE}


def test_three_workers_sharing_a_channel_never_draw_a_429_from_slack(veille, monkeypatch):
    from bot.domain import bursts

    monkeypatch.setattr(bursts, "FOLD_BACKLOG", 10**9)  # 30 alerts of their own: no burst card here
    for i in range(30):
        veille.mention(f"t-{i}", f"burst {i}", author=f"u-{i}", handle=f"@p{i}")
    replicas = [_replica_worker(veille, name, pace=1.0) for name in ("a", "b", "c")]
    try:
        for _ in range(45):  # each second of the clock, every worker keeps asking for work
            threads = [threading.Thread(target=lambda w=w: [w.run_once() for _ in range(8)]) for w, _ in replicas]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
            veille.clock.advance(1)
    finally:
        for _, db in replicas:
            db.dispose()
    posts = veille.standin.calls_to("chat.postMessage")
    assert [c for c in posts if c.status == 429] == []
    assert len(veille.alerts()) == 30


def test_the_transition_table_refuses_a_move_it_does_not_list(veille):
    with pytest.raises(IllegalTransition):
        check_outbox_transition("done", "sending")
    with pytest.raises(IllegalTransition):
        check_outbox_transition("dead", "pending")
    check_outbox_transition("blocked", "pending")
    veille.mention("t-1", "Hello")
    veille.settle()
    [row] = _rows(veille, Op.ALERT_POST)
    with pytest.raises(IllegalTransition):  # a done row is never leased again
        lease.finish(veille.db, row, OutboxState.SENDING, veille.clock.now())
    with pytest.raises(IllegalTransition), veille.db.session() as s:
        s.get(Outbox, row.id).state = "pending"


def test_a_long_backlog_in_one_channel_does_not_hold_up_another_channel(veille):
    for i in range(45):
        veille.mention(f"t-{i}", f"burst {i}", author=f"u-{i}", handle=f"@p{i}")
    veille.mention("m-1", "elsewhere", account="acme_fr")
    worker, db = _replica_worker(veille, "w", pace=1.0)
    try:
        worker.run_once(limit=10)
    finally:
        db.dispose()
    assert len(veille.alerts("C0ACMEFR")) == 1


def test_an_alert_already_breached_on_arrival_jumps_a_burst_with_its_breach_note(veille, monkeypatch):
    from bot.domain import bursts

    monkeypatch.setattr(bursts, "FOLD_BACKLOG", 10**9)  # the outbox's order alone: no burst card here
    for i in range(12):
        veille.mention(f"t-{i}", f"burst {i}", author=f"u-{i}", handle=f"@p{i}")
    veille.mention("late", "Sent during an outage", author="u-late", handle="@late",
                   created_at=veille.clock.now() - 2 * 3600)
    veille.settle()
    for _ in range(20):
        veille.advance(1)
    alerts = veille.alerts()
    assert len(alerts) == 13
    assert "Sent during an outage" in all_text(alerts[0])
    assert any("breached" in all_text(m) for m in veille.thread(alerts[0]))


def _claim_heads(v, budget=None) -> list[Outbox]:
    """One claim as a worker would make it: the rows it would send first."""
    return lease.claim_outbox(v.db, "bench-order", v.clock.now(), limit=10, budget=budget)


def test_a_breach_note_goes_before_a_vip_alert_queued_earlier_in_its_channel(veille):
    veille.mention("t-1", "Where is my order?")
    veille.settle()
    conv_id = _rows(veille, Op.ALERT_POST)[0].payload["conversation_id"]
    with veille.db.session() as s:  # a VIP's alert already waiting, then a deadline passes
        enqueue(s, veille.clock.now(), target="slack", op=Op.ALERT_POST, lane=slack_lane("C0ACME"),
                key="alert:999999", payload={"conversation_id": 999999}, priority=Priority.URGENT)
        enqueue_slack(s, veille.clock.now(), "C0ACME", Op.THREAD_NOTE, f"sla:{conv_id}:breach:0",
                      conversation_id=conv_id, note="breach")
    [first] = _claim_heads(veille)
    assert (first.op, first.payload.get("note")) == (Op.THREAD_NOTE, "breach")


def test_a_burst_cards_refresh_gets_the_last_chat_update_token_before_an_alerts_older_refresh(veille):
    veille.mention("t-1", "Where is my order?")
    veille.settle()
    conv_id = _rows(veille, Op.ALERT_POST)[0].payload["conversation_id"]
    with veille.db.session() as s:
        enqueue_slack(s, veille.clock.now(), "C0ACME", Op.ALERT_REFRESH, f"alert_refresh:{conv_id}:x",
                      conversation_id=conv_id)
        enqueue(s, veille.clock.now(), target="slack", op=Op.BURST_REFRESH,
                lane=side_lane("C0ACME", SideLane.BURST), key="burst_refresh:1:x", payload={"burst_id": 1})
    one_token = lease.Bucket(rate=1e-9, burst=1.0)  # the workspace's chat.update budget nearly spent
    claimed = _claim_heads(veille, budget=lambda row: ("chat.update-test", one_token))
    assert [r.op for r in claimed] == [Op.BURST_REFRESH]
