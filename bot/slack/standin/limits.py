"""Slack's Web API rate limits, on the stand-in clock.

chat.postMessage is "special": about one message per second per channel with short bursts
allowed, modelled as a token bucket per channel (capacity `post_burst`, refill 1/s). Other
methods are limited per method per workspace per minute by tier (Tier 2: 20, Tier 3: 50,
Tier 4: 100), modelled as a sliding one-minute window. Over a limit the caller learns how many
whole seconds to wait (the Retry-After header)."""

from __future__ import annotations

import math
import threading
from collections import deque

TIER_PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}

# Tiers as Slack's method reference lists them.
METHOD_TIERS = {
    "auth.test": 4,
    "chat.update": 3,
    "chat.delete": 3,
    "chat.postEphemeral": 4,
    "chat.getPermalink": 4,
    "chat.scheduleMessage": 3,
    "conversations.open": 3,
    "conversations.history": 3,
    "conversations.replies": 3,
    "conversations.info": 3,
    "conversations.members": 4,
    "users.info": 4,
    "usergroups.users.list": 2,
    "views.open": 4,
    "views.update": 4,
    "views.push": 4,
    "views.publish": 4,
}

POST_REFILL_PER_SECOND = 1.0


class RateLimiter:
    def __init__(self, clock, post_burst: int = 4, enabled: bool = True):
        self.clock = clock
        self.post_burst = post_burst
        self.enabled = enabled
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # channel -> (tokens, last refill)
        self._windows: dict[str, deque[float]] = {}  # method -> call instants in the last minute

    def check(self, method: str, channel: str | None = None) -> int | None:
        """Count one call. None if allowed, else the Retry-After seconds (the call is not counted)."""
        if not self.enabled:
            return None
        with self._lock:
            now = float(self.clock.now())
            if method == "chat.postMessage":
                return self._take_post_token(channel or "", now)
            tier = METHOD_TIERS.get(method)
            if tier is None:
                return None
            return self._count_in_window(method, TIER_PER_MINUTE[tier], now)

    def _take_post_token(self, channel: str, now: float) -> int | None:
        tokens, last = self._buckets.get(channel, (float(self.post_burst), now))
        tokens = min(float(self.post_burst), tokens + max(0.0, now - last) * POST_REFILL_PER_SECOND)
        if tokens >= 1.0:
            self._buckets[channel] = (tokens - 1.0, now)
            return None
        self._buckets[channel] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) / POST_REFILL_PER_SECOND))

    def _count_in_window(self, method: str, per_minute: int, now: float) -> int | None:
        window = self._windows.setdefault(method, deque())
        while window and window[0] <= now - 60.0:
            window.popleft()
        if len(window) >= per_minute:
            return max(1, math.ceil(window[0] + 60.0 - now))
        window.append(now)
        return None

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
            self._windows.clear()
