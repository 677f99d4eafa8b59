"""Who publishes a scheduled post, and what a replica pays per transaction (issue 8, scheduled
publishing under load). In a running Veille (bot/jobs/runner.py) the ScheduledPublisher sends each
minute's burst in a few transactions; the outbox workers beside it leave it the posts whose time
has just come, and take a post only once its time is a grace period past (no publisher running
anywhere), so a post is never left behind. Expired leases are looked for at most once a second per
process, and connectors are built when the loops are set up."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event

from bot.jobs import lease
from bot.jobs.runner import Runner
from bot.jobs.scheduler import PUBLISHER_GRACE, ScheduledPublisher
from storage.models import Outbox
from tests.e2e.posts_support import draft_row, posts_published, schedule
from tests.support.harness import AUTHOR

TOMORROW_9 = int(datetime(2026, 11, 24, 8, 0, tzinfo=UTC).timestamp())


def test_a_running_veilles_outbox_worker_leaves_a_post_due_now_to_the_scheduled_publisher(wf):
    [pid] = schedule(wf, AUTHOR, '@acme_fr "demain 9h" Pour le publieur')
    runner = Runner(wf.svc, pace_seconds=0)
    try:
        wf.clock.set(TOMORROW_9)
        runner.worker.drain()
        assert posts_published(wf) == [] and draft_row(wf, pid).state == "approved"

        publisher = ScheduledPublisher(wf.db, wf.clock, wf.svc.connectors, wf.svc.directory, wf.svc.rules,
                                       owner="pub")
        assert publisher.run_once() == 1
        publisher.close()
        runner.worker.drain()
    finally:
        runner.publisher.close()
    assert [p["text"] for p in posts_published(wf)] == ["Pour le publieur"]
    assert draft_row(wf, pid).state == "published"


def test_the_outbox_worker_takes_the_post_once_no_publisher_sent_it_within_the_grace_period(wf):
    [pid] = schedule(wf, AUTHOR, '@acme_fr "demain 9h" Personne pour le publier')
    runner = Runner(wf.svc, pace_seconds=0)
    try:
        wf.clock.set(TOMORROW_9 + PUBLISHER_GRACE - 1)
        runner.worker.drain()
        assert posts_published(wf) == []

        wf.clock.set(TOMORROW_9 + PUBLISHER_GRACE)  # every replica's publisher is down: not left behind
        runner.worker.drain()
        runner.worker.drain()
    finally:
        runner.publisher.close()
    assert [p["text"] for p in posts_published(wf)] == ["Personne pour le publier"]
    assert len(wf.target.requests) == 1 and draft_row(wf, pid).state == "published"


def test_expired_leases_are_looked_for_once_a_second_and_still_found_the_next_second(wf):
    [pid] = schedule(wf, AUTHOR, '@acme_fr "demain 9h" Bail perdu')
    wf.clock.set(TOMORROW_9)
    [row] = lease.claim_outbox(wf.db, "doomed", wf.clock.now(), lease_seconds=1)  # then that process stops
    expiry_passes = []

    def count(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE OUTBOX") and "lease_until <" in statement:
            expiry_passes.append(statement)

    event.listen(wf.db.engine, "before_cursor_execute", count)
    try:
        wf.clock.set(TOMORROW_9 + 2)
        for _ in range(3):  # three claims in one second: one look for expired leases
            lease.claim(wf.db, "other", wf.clock.now(), filters=(Outbox.id == -1,))
        assert len(expiry_passes) == 1
        with wf.db.session() as s:
            assert s.get(Outbox, row.id).state == "unknown"  # reconciled before any resend

        wf.clock.set(TOMORROW_9 + 3)
        lease.claim(wf.db, "other", wf.clock.now(), filters=(Outbox.id == -1,))
        assert len(expiry_passes) == 2
    finally:
        event.remove(wf.db.engine, "before_cursor_execute", count)
    wf.settle()
    assert [p["text"] for p in posts_published(wf)] == ["Bail perdu"] and len(wf.target.requests) == 1
    assert draft_row(wf, pid).state == "published"


def test_the_loops_build_every_accounts_connector_before_the_first_post(wf):
    assert wf.svc.connectors.built() == {}
    runner = Runner(wf.svc, pace_seconds=0)
    runner.publisher.close()
    assert set(wf.svc.connectors.built()) == {a.key for a in wf.cfg.accounts}
