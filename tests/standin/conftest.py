"""Fixtures: a stand-in on a test clock, the real slack_sdk WebClient pointed at it, and local
HTTP servers playing the app's side (a recorder, and a real Bolt app)."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient

from bot.clock import TestClock
from bot.slack.standin import SlackStandIn

from .app_hosts import BoltHost, RecordingApp


@pytest.fixture
def clock() -> TestClock:
    return TestClock(start=1_790_000_000.0)


@pytest.fixture
def standin(clock):
    with SlackStandIn(clock=clock) as slack:
        yield slack


@pytest.fixture
def client(standin) -> WebClient:
    # retry_handlers=[]: see every error as Slack sent it (no silent connection retries).
    return WebClient(token=standin.token, base_url=standin.api_url, timeout=5, retry_handlers=[])


@pytest.fixture
def recorder():
    with RecordingApp() as app:
        yield app


@pytest.fixture
def bolt_host():
    hosts = []

    def start(app):
        host = BoltHost(app).start()
        hosts.append(host)
        return host

    yield start
    for host in hosts:
        host.stop()
