"""Slack failures, typed by what the caller must do about them."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError


class SlackFailure(Exception):
    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


class SlackRateLimited(SlackFailure):
    def __init__(self, retry_after: float):
        super().__init__("ratelimited")
        self.retry_after = retry_after


class SlackUnknown(SlackFailure):
    """Timeout, dropped connection or 5xx: the message may have been posted. Reconcile."""


class SlackPermanent(SlackFailure):
    """Slack refused for a reason a retry will not fix (channel_not_found, invalid_blocks...)."""


TRANSIENT_ERRORS = {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}


def classify(exc: Exception) -> SlackFailure:
    if isinstance(exc, SlackApiError):
        resp = exc.response
        status = getattr(resp, "status_code", 200)
        error = (resp.get("error") if hasattr(resp, "get") else None) or "unknown_error"
        if status == 429 or error == "ratelimited":
            headers = getattr(resp, "headers", {}) or {}
            retry = headers.get("Retry-After") or headers.get("retry-after") or "1"
            return SlackRateLimited(float(retry))
        if status >= 500 or error in TRANSIENT_ERRORS:
            return SlackUnknown(error)
        return SlackPermanent(error)
    return SlackUnknown(type(exc).__name__)
