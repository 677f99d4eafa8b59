"""When a polling connector may call its network again: error backoff and poll cadence.

Nothing here sleeps or reads the wall clock: every method takes `now` from the caller's injected
clock and answers with an instant. A connector records `Backoff.until` in its health; the poller
skips that connector until then and asks `PollCadence.next_poll` when to come back.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

# A `ratelimit-reset` above this is an epoch instant (Bluesky's PDS); below, a number of seconds
# (the IETF draft's delta form). 10**9 seconds is 2001, and no window lasts 31 years.
_EPOCH_THRESHOLD = 1_000_000_000


@dataclass
class Backoff:
    """Exponential backoff with bounded jitter: delay n is base * 2**n capped at `cap`, minus a
    random part of at most `jitter` of itself, so replicas that failed together spread out
    without ever waiting longer than the cap."""

    base: float = 2.0
    cap: float = 600.0
    jitter: float = 0.25
    rng: random.Random = field(default_factory=random.Random, repr=False)
    failures: int = 0
    until: float | None = None

    def delay(self, attempt: int) -> float:
        raw = min(self.cap, self.base * (2 ** min(attempt, 32)))
        return raw * (1.0 - self.jitter * self.rng.random())

    def failed(self, now: float, retry_after: float | None = None) -> float:
        """Record a failure; return the instant before which the caller must not try again.
        A server-given wait (Retry-After, ratelimit-reset) is honoured exactly, never shortened,
        and does not count as a failure of the service."""
        if retry_after is not None:
            self.until = now + max(0.0, retry_after)
        else:
            self.until = now + self.delay(self.failures)
            self.failures += 1
        return self.until

    def succeeded(self) -> None:
        self.failures = 0
        self.until = None

    def ready(self, now: float) -> bool:
        return self.until is None or now >= self.until


def retry_after_seconds(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds to wait as the server asked, from `Retry-After` (seconds or an HTTP date) or
    `ratelimit-reset` (epoch seconds, or seconds from now). None when the server did not say."""
    value = headers.get("retry-after")
    if value:
        value = value.strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - now)
            except (TypeError, ValueError):
                pass
    reset = headers.get("ratelimit-reset")
    if reset:
        try:
            number = float(reset.strip())
        except ValueError:
            return None
        return max(0.0, number - now) if number > _EPOCH_THRESHOLD else max(0.0, number)
    return None


def reset_instant(headers: Mapping[str, str], now: float) -> float | None:
    """`ratelimit-reset` as an epoch instant, whichever form the server used."""
    reset = headers.get("ratelimit-reset")
    if not reset:
        return None
    try:
        number = float(reset.strip())
    except ValueError:
        return None
    return number if number > _EPOCH_THRESHOLD else now + number


@dataclass
class PollCadence:
    """How often to poll: fast while there is traffic, slower while idle, never faster than the
    remaining rate-limit budget allows, never before a backoff ends."""

    min_interval: float = 15.0
    max_interval: float = 300.0
    idle_factor: float = 2.0
    reserve: int = 10  # calls of the budget left for publishing and humans
    interval: float = field(init=False)

    def __post_init__(self) -> None:
        self.interval = self.min_interval

    def next_poll(
        self,
        now: float,
        got_new: bool,
        backoff_until: float | None = None,
        remaining: int | None = None,
        reset_at: float | None = None,
    ) -> float:
        if got_new:
            self.interval = self.min_interval
        else:
            self.interval = min(self.max_interval, self.interval * self.idle_factor)
        at = now + self.interval
        if remaining is not None and reset_at is not None and reset_at > now:
            usable = remaining - self.reserve
            # spread what is left of the budget over what is left of the window
            at = max(at, reset_at if usable <= 0 else now + (reset_at - now) / usable)
        if backoff_until is not None:
            at = max(at, backoff_until)
        return at
