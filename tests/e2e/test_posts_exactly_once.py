"""Publication at the scheduled minute, exactly once: across replicas racing for the same posts,
and when a replica dies between the network call and recording its outcome (its lease expires,
another replica finds the outcome unknown, looks the post up on the network and finds it: one
post, never a second send). A post whose minute passed while Veille was down is not published
hours late without a human's say."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from bot.connectors.registry import Connectors
from bot.domain import audit, posts
from bot.ids import Action
from bot.jobs import publish
from bot.jobs.outbox_worker import OutboxWorker
from bot.jobs.scheduler import ScheduledPublisher, claim_upcoming
from storage.db import Database
from storage.models import Outbox
from tests.conftest import PG_URL
from tests.e2e.posts_support import (
    advance_to,
    card,
    card_buttons,
    click,
    command,
    draft_row,
    posts_published,
    schedule,
)
from tests.support.harness import AUTHOR, PUBLISH_SECRET, all_text

TOMORROW_9 = int(datetime(2026, 11, 24, 8, 0, tzinfo=UTC).timestamp())


def replica(v, name: str) -> tuple[OutboxWorker, Database]:
    """Another Veille process on the same database: its own connections, connectors and lease owner."""
    db = Database(v.db.url)
    connectors = Connectors(v.cfg, v.clock, {"ACME_PUBLISH_SECRET": PUBLISH_SECRET})
    return OutboxWorker(db, v.clock, v.svc.slack, connectors, v.svc.directory, v.svc.rules, pace_seconds=0,
                        owner=name), db


def _wait_for(predicate, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_replica_dying_after_the_network_call_leaves_one_post_found_by_reconciliation(wf):
    [pid] = schedule(wf, AUTHOR, '@acme_fr "demain 9h" Une seule fois')
    wf.clock.set(TOMORROW_9)
    # Replica A sends; the network stores the post but A never gets to record it (its process is
    # stopped while the answer is on its way: the target holds the answer 1.5 s, A is abandoned).
    wf.target.mode, wf.target.delay = "timeout_after_storing", 1.5
    a, a_db = replica(wf, "replica-a")
    doomed = threading.Thread(target=a.run_once, daemon=True)
    doomed.start()
    _wait_for(lambda: len(wf.target.requests) == 1)
    assert draft_row(wf, pid).state == "publishing"

    # Replica B: nothing happens while A's lease runs; once it expires the outcome is unknown,
    # B reconciles (looks the key up on the network) and records the post A made.
    wf.settle()
    assert draft_row(wf, pid).state == "publishing"
    wf.clock.advance(61)
    wf.settle()
    d = draft_row(wf, pid)
    assert (d.state, d.url) == ("published", "https://social.example/post-1")
    assert "https://social.example/post-1" in all_text(card(wf, pid, "C0ACMEFR"))

    # A comes back from the dead with its stale answer: it may no longer write anything.
    doomed.join(5)
    wf.settle()
    a_db.dispose()
    assert len(wf.target.requests) == 1 and len(posts_published(wf)) == 1
    with wf.db.session() as s:
        trail = [h.action for h in audit.history(s, "draft", int(pid[1:]))]
        rows = s.query(Outbox).filter(Outbox.op == "publish").all()
    assert trail.count("published") == 1 and trail.count("publish_attempt") == 2  # the send, the look-up
    assert [r.state for r in rows] == ["done"]
    assert draft_row(wf, pid).state == "published"


@pytest.mark.skipif(not PG_URL, reason="several replicas need PostgreSQL")
def test_three_replicas_racing_for_the_same_minute_publish_each_post_once(wf):
    now = wf.clock.now()
    with wf.db.session() as s:
        for i in range(30):
            [d] = posts.create(s, now, wf.cfg, AUTHOR, f"Post {i}", {"acme_fr": TOMORROW_9}, wf.svc.directory)
            posts.confirm(s, now, [(d.id, d.version)], AUTHOR, wf.svc.directory)
    wf.clock.set(TOMORROW_9)
    workers = [replica(wf, f"replica-{i}") for i in range(3)]
    threads = [threading.Thread(target=w.drain) for w, _ in workers]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    for _, db in workers:
        db.dispose()

    keys = [r["idempotency_key"] for r in wf.target.requests]
    assert len(keys) == 30 and len(set(keys)) == 30


def test_a_post_whose_minute_passed_while_veille_was_down_waits_for_a_human(wf):
    [pid] = schedule(wf, AUTHOR, '@acme_fr "demain 9h" Flash : -50% pendant une heure')
    advance_to(wf, TOMORROW_9 + 2 * 3600)  # nothing ran at 09:00: the outbox sees it two hours late

    assert posts_published(wf) == []
    shown = card(wf, pid, "C0ACMEFR")
    assert "missed its time by 120 min" in all_text(shown)
    assert card_buttons(shown)[0] == Action.RETRY
    click(wf, "U0BOB", shown, Action.RETRY, channel="C0ACMEFR")
    assert [p["text"] for p in posts_published(wf)] == ["Flash : -50% pendant une heure"]


def test_the_scheduled_publisher_prepares_ahead_and_calls_the_network_at_the_second(wf):
    [pid] = schedule(wf, AUTHOR, '@acme_fr "demain 9h" Pile à l\'heure')
    wf.clock.set(TOMORROW_9 - 2)
    publisher = ScheduledPublisher(wf.db, wf.clock, wf.svc.connectors, wf.svc.directory, wf.svc.rules, owner="pub")
    running = threading.Thread(target=publisher.run_once, daemon=True)
    running.start()
    _wait_for(lambda: draft_row(wf, pid).state == "publishing")  # checked and leased two seconds early

    wf.settle()  # the outbox worker leaves a leased row alone
    assert wf.target.requests == []
    assert "This post is publishing: it can no longer change" in all_text(command(wf, AUTHOR, f"cancel {pid}"))
    wf.clock.set(TOMORROW_9)
    running.join(5)
    publisher.close()
    wf.settle()
    assert [p["text"] for p in posts_published(wf)] == ["Pile à l'heure"]
    assert "https://social.example/post-1" in all_text(card(wf, pid, "C0ACMEFR"))


def test_a_publisher_stopped_after_preparing_leaves_a_post_sent_once_by_another_replica(wf):
    [pid] = schedule(wf, AUTHOR, '@acme_fr "demain 9h" Reprise')
    wf.clock.set(TOMORROW_9 - 2)
    [row] = claim_upcoming(wf.db, "doomed", wf.clock.now(), lookahead=3, limit=10)
    assert isinstance(publish.prepare(wf.db, wf.svc.connectors, wf.svc.directory, row, wf.clock.now()),
                      publish.Prepared)
    # ...and that process stops there. At the second, nobody may send it yet (the lease holds).
    advance_to(wf, TOMORROW_9)
    assert wf.target.requests == []
    # Once the lease runs out the outcome is unknown: a look-up finds nothing, so it is sent, once.
    advance_to(wf, TOMORROW_9 + 61)
    advance_to(wf, TOMORROW_9 + 61 + 1)
    assert [p["text"] for p in posts_published(wf)] == ["Reprise"] and len(wf.target.requests) == 1
    assert draft_row(wf, pid).state == "published"
