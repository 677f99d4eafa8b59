"""What an operator watches: /healthz (degraded states), /metrics (Prometheus), and how start-up
waits for an unreachable Slack."""

from __future__ import annotations

import logging
import socket
import threading

import pytest
from prometheus_client.parser import text_string_to_metric_families
from slack_sdk.errors import SlackApiError
from sqlalchemy import insert

from bot.config import ConfigError
from bot.serve import wait_for_slack
from bot.slack.client import Reachability, make_web_client
from storage.models import ConnectorState, Outbox


def _row(state: str, lane: str = "slack:C0ACME", error: str | None = None, target: str = "slack", n: int = 0,
         created_at: int = 0) -> dict:
    return dict(target=target, op="alert_post", lane=lane, payload={}, idempotency_key=f"test:{state}:{lane}:{n}",
                state=state, attempts=1, run_at=created_at, created_at=created_at, updated_at=created_at,
                last_error=error)


def _metrics(veille) -> dict[tuple[str, tuple], float]:
    r = veille.http.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/api/"


# ---- /healthz ----------------------------------------------------------------------------------


def test_health_is_ok_when_nothing_needs_a_person(veille):
    r = veille.http.get("/healthz")
    assert r.status_code == 200
    assert r.json() | {"slack": "reachable"} == {
        "ok": True, "status": "ok", "database": "reachable", "slack": "reachable", "dead_letters": 0,
        "blocked": [], "connectors_failing": []}


def test_health_reports_dead_letters_blocked_channels_and_failing_connectors_as_degraded(veille):
    now = int(veille.clock.now())
    with veille.db.session() as s:
        s.execute(insert(Outbox), [
            _row("dead", n=1), _row("dead", n=2),
            _row("blocked", "slack:C0GONE", "not_in_channel", n=1), _row("blocked", "slack:C0GONE", "not_in_channel", n=2),
            _row("blocked", "slack:C0ACMEFR", "invalid_auth", n=3), _row("done", n=4),
        ])
        s.add(ConnectorState(account="acme", health={"ok": False, "failures": 3, "last_error": "HTTP 401 from x",
                                                     "last_success_at": now - 600}))
        s.add(ConnectorState(account="acme_fr", health={"ok": True, "failures": 0}))
        s.add(ConnectorState(account="removed_account", health={"ok": False, "failures": 9}))  # not configured

    r = veille.http.get("/healthz")

    assert r.status_code == 200  # Veille still works: a person has something to fix
    doc = r.json()
    assert doc["ok"] is True and doc["status"] == "degraded" and doc["dead_letters"] == 2
    assert doc["blocked"] == [{"lane": "slack:C0ACMEFR", "error": "invalid_auth", "rows": 1},
                              {"lane": "slack:C0GONE", "error": "not_in_channel", "rows": 2}]
    assert doc["connectors_failing"] == [{"account": "acme", "error": "HTTP 401 from x", "failures": 3,
                                          "last_success_at": now - 600}]


def test_health_is_503_with_slack_unreachable_when_slack_stops_answering(veille):
    veille.svc.slack.base_url = _closed_port_url()
    with pytest.raises(OSError):
        veille.svc.slack.auth_test()
    r = veille.http.get("/healthz")
    assert r.status_code == 503 and r.json()["slack"] == "unreachable" and r.json()["database"] == "reachable"


# ---- start-up while Slack is unreachable ------------------------------------------------------------


def test_start_up_retries_an_unreachable_slack_with_backoff_until_it_answers(standin, clock, caplog):
    slack = make_web_client(standin.token, _closed_port_url())
    stop = threading.Event()
    found = []
    waiter = threading.Thread(target=lambda: found.append(wait_for_slack(slack, clock, stop)))
    with caplog.at_level(logging.WARNING, logger="veille"):
        waiter.start()
        for delay in (1, 2, 4, 8):  # each failed attempt waits twice as long as the one before
            _wait_for(lambda d=delay: any(f"next try in {d}s" in m for m in caplog.messages))
            assert slack.stats.reachability is Reachability.UNREACHABLE
            clock.advance(delay)
        _wait_for(lambda: any("next try in 16s" in m for m in caplog.messages))
        slack.base_url = standin.api_url  # Slack answers again
        clock.advance(16)
        waiter.join(10)
    assert found and found[0].user and slack.stats.reachability is Reachability.REACHABLE
    lines = [r for r in caplog.records if "Slack is unreachable" in r.getMessage()]
    assert len(lines) == 5 and all(r.exc_info is None for r in lines)  # one line each, no traceback
    assert "Connection refused" in lines[0].getMessage()


def test_a_token_slack_refuses_is_not_retried(standin, clock):
    slack = make_web_client("xoxb-wrong", standin.api_url)
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN was refused by Slack: invalid_auth"):
        wait_for_slack(slack, clock)


def _wait_for(condition, timeout: float = 10) -> None:
    done = threading.Event()
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        done.wait(0.01)
    raise AssertionError("condition never held")


# ---- /metrics ----------------------------------------------------------------------------------


def test_metrics_report_queue_depth_and_oldest_pending_age_per_lane_from_the_database(veille):
    now = int(veille.clock.now())
    with veille.db.session() as s:
        s.execute(insert(Outbox), [_row("pending", n=1, created_at=now - 90), _row("pending", n=2, created_at=now - 5),
                                   _row("pending", "net:acme", target="network", n=3, created_at=now - 30),
                                   _row("done", n=4, created_at=now - 999)])
    m = _metrics(veille)
    assert m[("veille_outbox_queue_depth", (("lane", "slack:C0ACME"),))] == 2
    assert m[("veille_outbox_queue_depth", (("lane", "net:acme"),))] == 1
    assert m[("veille_outbox_oldest_pending_age_seconds", (("lane", "slack:C0ACME"),))] == 90
    assert m[("veille_outbox_oldest_pending_age_seconds", (("lane", "net:acme"),))] == 30


def test_metrics_count_slack_calls_and_429s_per_method(veille):
    for i in range(20):  # the stand-in's channel budget: a few at once, then 429 (its clock is still)
        try:
            veille.svc.slack.chat_postMessage(channel="C0SOCIAL", text=f"burst {i}")
        except SlackApiError as e:
            assert e.response.status_code == 429
            break
    else:
        pytest.fail("the stand-in never answered 429")
    m = _metrics(veille)
    calls = m[("veille_slack_api_calls_total", (("method", "chat.postMessage"),))]
    limited = m[("veille_slack_api_rate_limited_total", (("method", "chat.postMessage"),))]
    assert limited == 1 and calls == i + 1


def test_metrics_count_slack_calls_made_by_listeners_too(veille):
    mention = {"type": "app_mention", "user": "U0BOB", "channel": "C0ACME", "text": "<@U0VEILLEBOT> hi",
               "ts": "1795424400.000100"}
    assert veille.slack.event(mention).status_code == 200  # the listener answers with chat.postEphemeral
    veille.settle()
    assert veille.standin.ephemerals("U0BOB")
    m = _metrics(veille)
    assert m.get(("veille_slack_api_calls_total", (("method", "chat.postEphemeral"),)), 0) >= 1


def test_metrics_report_breaches_publish_outcomes_and_poll_failures(veille):
    veille.mention("t-1", "Colis perdu")
    veille.settle()
    veille.advance(3601)  # the one-hour first response target passes
    with veille.db.session() as s:
        s.execute(insert(Outbox), [_row("done", "net:acme", target="network", n=1),
                                   _row("done", "net:acme", target="network", n=2),
                                   _row("failed", "net:acme", target="network", n=3),
                                   _row("dead", "net:acme", target="network", n=4)])
        s.add(ConnectorState(account="acme", health={"ok": False, "failures": 4, "last_error": "timeout"}))
        s.add(ConnectorState(account="acme_fr", health={"ok": True, "failures": 0}))
    m = _metrics(veille)
    assert m[("veille_sla_breaches_total", (("metric", "first_response"),))] == 1
    assert m[("veille_publish_outcomes_total", (("outcome", "published"),))] == 2
    assert m[("veille_publish_outcomes_total", (("outcome", "failed"),))] == 1
    assert m[("veille_publish_outcomes_total", (("outcome", "dead"),))] == 1
    assert m[("veille_outbox_dead_letters", ())] == 1
    assert m[("veille_connector_poll_failures", (("account", "acme"),))] == 4
    assert m[("veille_connector_up", (("account", "acme"),))] == 0
    assert m[("veille_connector_up", (("account", "acme_fr"),))] == 1
