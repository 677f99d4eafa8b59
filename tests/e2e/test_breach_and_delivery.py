"""Deadlines on time, Slack's retries and rate limits respected, nothing lost."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import PG_URL
from tests.support.harness import AUTHOR, all_text


def test_at_the_deadline_the_thread_says_it_was_breached_and_mentions_the_assignee(veille):
    veille.mention("t-1", "Hello?")
    veille.settle()
    [alert] = veille.alerts()
    veille.slack.command(AUTHOR, "assign c1")
    veille.advance(3599)
    assert not any("breached" in all_text(m) for m in veille.thread(alert))

    veille.advance(1)
    breach = [m for m in veille.thread(alert) if "breached" in all_text(m)]
    assert len(breach) == 1 and "<@U0ALICE>" in all_text(breach[0])
    assert "breached" in all_text(veille.standin.message("C0ACME", alert["ts"]))
    veille.advance(3600)
    assert len([m for m in veille.thread(alert) if "breached" in all_text(m)]) == 1  # once


def test_a_warning_comes_before_the_breach(veille):
    veille.mention("t-1", "Hello?")
    veille.advance(0.8 * 3600)
    [alert] = veille.alerts()
    [warning] = veille.thread(alert)
    assert "First response due" in all_text(warning)
    assert "At risk" in all_text(veille.standin.message("C0ACME", alert["ts"]))


def test_a_reply_before_the_deadline_means_no_breach(veille):
    from tests.e2e.test_publishing_outcomes import _approved

    _approved(veille)
    veille.settle()
    veille.advance(2 * 3600)
    [alert] = veille.alerts()
    assert not any("breached" in all_text(m) for m in veille.thread(alert))


def test_a_message_already_past_its_deadline_when_it_arrives_breaches_once_marked_late(veille):
    veille.mention("t-1", "Sent during an outage", created_at=veille.clock.now() - 2 * 3600)
    veille.settle()
    [alert] = veille.alerts()
    breach = [m for m in veille.thread(alert) if "breached" in all_text(m)]
    assert len(breach) == 1 and "after its deadline" in all_text(breach[0])


def test_a_redelivered_slack_event_is_handled_once(veille):
    event = {"type": "app_mention", "user": AUTHOR, "channel": "C0ACME", "text": "<@U0VEILLEBOT> hi",
             "ts": "1795424400.000100"}
    assert veille.slack.event(event, event_id="Ev0001").status_code == 200
    assert veille.slack.event(event, event_id="Ev0001", retry_num=1).status_code == 200
    veille.settle()
    assert len(veille.standin.ephemerals(AUTHOR)) == 1


@pytest.mark.slack_http
def test_a_forged_slack_request_is_refused(veille):
    r = veille.slack.post(b"command=/veille&text=queue&user_id=U0ALICE", "application/x-www-form-urlencoded",
                          headers={"X-Slack-Signature": "v0=forged", "X-Slack-Request-Timestamp": "1"}, signed=False)
    assert r.status_code == 401


def test_a_burst_is_paced_per_channel_and_429_delays_only_that_channel(veille):
    # Five: more than Slack's burst allowance (4), not yet enough to fold into a burst card.
    for i in range(5):
        veille.mention(f"t-{i}", f"burst {i}", author=f"u-{i}", handle=f"@p{i}")
    veille.mention("m-1", "elsewhere", account="acme_fr")
    veille.settle()

    assert len(veille.alerts("C0ACMEFR")) == 1  # not held up by the other channel's limit
    limited = [c for c in veille.standin.calls_to("chat.postMessage") if c.status == 429]
    assert limited, "the stand-in should have rate-limited the burst"
    assert len(veille.alerts("C0ACME")) < 5
    veille.advance(10)  # Retry-After passes: the rest goes out, in order, none lost
    texts = [all_text(a) for a in veille.alerts("C0ACME")]
    assert len(texts) == 5
    assert [int(t.split("burst ")[1][0]) for t in texts] == list(range(5))


@pytest.mark.skipif(bool(PG_URL), reason="SQLite only")
def test_a_second_process_on_the_same_sqlite_file_is_refused_with_a_pointer_to_postgresql(tmp_path):
    from storage.db import Database

    url = f"sqlite:///{tmp_path / 'one.db'}"
    db = Database(url)
    db.claim_process_lock()
    code = (f"from storage.db import Database\nDatabase({url!r}).claim_process_lock()")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "use PostgreSQL" in r.stderr
    db.dispose()
