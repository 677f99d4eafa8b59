"""The Slack Web API client, built one way everywhere: the configured base URL (the real Slack or
the local stand-in) and no automatic retries, because slack_sdk's connection-error retry can post
the same message twice: the outbox retries, after reconciling.

The client also counts its calls and Slack's 429s per method (for /metrics) and remembers
whether Slack answered the last call (for /healthz), so no caller has to."""

from __future__ import annotations

import threading
from collections import Counter
from enum import StrEnum

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError


class Reachability(StrEnum):
    UNKNOWN = "unknown"  # no call made yet
    REACHABLE = "reachable"
    UNREACHABLE = "unreachable"


class SlackStats:
    """Per-process counts, shared by every copy of the client; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()  # by Web API method, e.g. "chat.postMessage"
        self.rate_limited: Counter[str] = Counter()
        self.unreachable: Counter[str] = Counter()  # no answer, or a 5xx
        self.reachability = Reachability.UNKNOWN

    def record(self, method: str, *, answered: bool, rate_limited: bool = False) -> None:
        with self._lock:
            self.calls[method] += 1
            if rate_limited:
                self.rate_limited[method] += 1
            if not answered:
                self.unreachable[method] += 1
            self.reachability = Reachability.REACHABLE if answered else Reachability.UNREACHABLE

    def mark_unreachable(self) -> None:
        with self._lock:
            self.reachability = Reachability.UNREACHABLE

    def snapshot(self) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        with self._lock:
            return dict(self.calls), dict(self.rate_limited), dict(self.unreachable)


class CountingWebClient(WebClient):
    """A WebClient that records every call's outcome in `stats` (every method goes through api_call)."""

    def __init__(self, *args, stats: SlackStats | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stats = stats or SlackStats()

    def api_call(self, api_method: str, *args, **kwargs):
        try:
            response = super().api_call(api_method, *args, **kwargs)
        except SlackApiError as e:
            status = e.response.status_code
            self.stats.record(api_method, answered=status < 500, rate_limited=status == 429)
            raise
        except OSError:  # connection refused, DNS, timeout (URLError and TimeoutError are OSErrors)
            self.stats.record(api_method, answered=False)
            raise
        self.stats.record(api_method, answered=True)
        return response


def make_web_client(token: str, api_url: str = "https://slack.com/api/", timeout: int = 10) -> CountingWebClient:
    if not api_url.endswith("/"):
        api_url += "/"
    client = CountingWebClient(token=token, base_url=api_url, timeout=timeout)
    client.retry_handlers.clear()
    return client
