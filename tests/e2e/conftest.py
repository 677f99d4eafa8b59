"""Fixtures shared by the end-to-end tests of posts and workflows."""

from __future__ import annotations

import pytest

from tests.e2e.posts_support import workflow_veille
from tests.support.harness import SLACK_MODE, SlackMode


@pytest.fixture
def wf(db_url, clock, standin, target):
    """Veille with the approval workflows of tests/e2e/posts_support.py."""
    v = workflow_veille(db_url, clock, standin, target)
    yield v
    v.close()


def pytest_collection_modifyitems(config, items):
    """With VEILLE_TEST_SLACK_MODE=socket, tests about Slack's HTTP requests themselves (signatures,
    the request URL) do not apply: Socket Mode has neither."""
    if SLACK_MODE is not SlackMode.SOCKET:
        return
    skip = pytest.mark.skip(reason="about Slack's signed HTTP requests: HTTP mode only")
    for item in items:
        if item.get_closest_marker("slack_http"):
            item.add_marker(skip)
