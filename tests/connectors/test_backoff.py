"""How long a connector stays away from a failing or rate-limited network."""

from __future__ import annotations

import random

import pytest

from bot.connectors.backoff import Backoff, PollCadence, reset_instant, retry_after_seconds

NOW = 1_790_000_000.0


def test_waits_double_with_bounded_jitter_up_to_the_cap():
    backoff = Backoff(base=2, cap=60, jitter=0.25, rng=random.Random(7))
    waits = [backoff.failed(NOW) - NOW for _ in range(8)]
    for n, wait in enumerate(waits):
        nominal = min(60, 2 * 2**n)
        assert nominal * 0.75 <= wait <= nominal
    assert waits[-1] <= 60


def test_replicas_failing_together_do_not_retry_in_step():
    a, b = Backoff(rng=random.Random(1)), Backoff(rng=random.Random(2))
    assert a.failed(NOW) != b.failed(NOW)


def test_the_servers_wait_is_honoured_exactly_and_success_resets():
    backoff = Backoff()
    backoff.failed(NOW)
    assert backoff.failed(NOW, retry_after=120) == NOW + 120
    assert not backoff.ready(NOW + 119) and backoff.ready(NOW + 120)
    backoff.succeeded()
    assert backoff.until is None and backoff.ready(NOW)
    assert backoff.failed(NOW) <= NOW + 2  # counting starts over


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"retry-after": "30"}, 30),
        ({"retry-after": "Wed, 18 Sep 2026 09:22:00 GMT"}, 1_789_723_320 - NOW),
        ({"ratelimit-reset": str(int(NOW) + 90)}, 90),  # Bluesky: an epoch instant
        ({"ratelimit-reset": "45"}, 45),  # IETF draft: seconds from now
        ({"ratelimit-reset": str(int(NOW) - 5)}, 0),  # already past
        ({}, None),
    ],
)
def test_retry_after_from_headers(headers, wait):
    got = retry_after_seconds(headers, NOW)
    assert got == (None if wait is None else max(0, wait))


def test_reset_instant_in_either_form():
    assert reset_instant({"ratelimit-reset": "45"}, NOW) == NOW + 45
    assert reset_instant({"ratelimit-reset": str(int(NOW) + 45)}, NOW) == NOW + 45


def test_polling_slows_when_idle_and_speeds_up_on_traffic():
    cadence = PollCadence(min_interval=15, max_interval=120)
    assert cadence.next_poll(NOW, got_new=False) == NOW + 30
    assert cadence.next_poll(NOW, got_new=False) == NOW + 60
    assert cadence.next_poll(NOW, got_new=False) == NOW + 120
    assert cadence.next_poll(NOW, got_new=False) == NOW + 120
    assert cadence.next_poll(NOW, got_new=True) == NOW + 15


def test_polling_never_spends_the_budget_nor_beats_a_backoff():
    cadence = PollCadence(min_interval=15, reserve=10)
    # 20 calls left for 300 s, 10 kept in reserve: one poll per 30 s
    assert cadence.next_poll(NOW, True, remaining=20, reset_at=NOW + 300) == NOW + 30
    assert cadence.next_poll(NOW, True, remaining=5, reset_at=NOW + 300) == NOW + 300
    assert cadence.next_poll(NOW, True, backoff_until=NOW + 500) == NOW + 500
