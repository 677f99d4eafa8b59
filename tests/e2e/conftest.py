"""Fixtures shared by the end-to-end tests of posts and workflows."""

from __future__ import annotations

import pytest

from tests.e2e.posts_support import workflow_veille


@pytest.fixture
def wf(db_url, clock, standin, target):
    """Veille with the approval workflows of tests/e2e/posts_support.py."""
    v = workflow_veille(db_url, clock, standin, target)
    yield v
    v.close()
